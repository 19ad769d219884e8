"""The loader: one clear message per problem, naming file, line and field; never a partial graph."""

from pathlib import Path

import yaml

from kg import pipeline
from kg.records import load_evidence


def _messages(evidence: Path) -> list[str]:
    _, problems = load_evidence(evidence)
    return [str(p) for p in problems if p.severity == "error"]


def _edit(path: Path, fn) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_fixture_is_clean(fixture_dirs):
    """The unbroken fixture loads without a single problem."""
    evidence, _ = fixture_dirs
    assert _messages(evidence) == []


def test_bad_yaml_names_the_line(fixture_dirs):
    """Text that is not YAML is reported with its line and nothing is built."""
    evidence, _ = fixture_dirs
    path = evidence / "case-studies" / "riverside.yaml"
    lines = path.read_text().splitlines()
    lines.insert(3, "label: [unclosed")
    path.write_text("\n".join(lines) + "\n")
    msgs = _messages(evidence)
    assert len(msgs) == 1
    assert msgs[0].startswith("ERROR ") and "case-studies/riverside.yaml:" in msgs[0]
    assert "(yaml): not valid YAML" in msgs[0]
    outcome = pipeline.run({"evidence_dir": str(evidence)})
    assert outcome.built is None and not outcome.ok


def test_duplicate_key_is_reported(fixture_dirs):
    """A key written twice is an error, not a silent overwrite."""
    evidence, _ = fixture_dirs
    path = evidence / "case-studies" / "riverside.yaml"
    path.write_text(path.read_text().replace("kind: organisation", "kind: organisation\nkind: programme"))
    (msg,) = _messages(evidence)
    assert "duplicate key 'kind'" in msg


def test_missing_quote_names_the_field(fixture_dirs):
    """A finding without its quote is reported at the finding's field path and line."""
    evidence, _ = fixture_dirs
    path = evidence / "case-studies" / "riverside.yaml"
    _edit(path, lambda d: d["findings"][1].pop("quote"))
    (msg,) = _messages(evidence)
    assert "findings[1].quote: Field required" in msg
    line = int(msg.split("riverside.yaml:")[1].split()[0])
    assert "no-cost-data" in path.read_text().splitlines()[line - 1] or line > 1


def test_unknown_key_is_reported(fixture_dirs):
    """A misspelt field is an error, never silently dropped."""
    evidence, _ = fixture_dirs
    _edit(evidence / "case-studies" / "riverside.yaml", lambda d: d.update(levle=[]))
    (msg,) = _messages(evidence)
    assert "levle: Extra inputs are not permitted" in msg


def test_unknown_concept_lists_known_ones(fixture_dirs):
    """An id that is not in the scheme names the scheme and the known ids."""
    evidence, _ = fixture_dirs
    _edit(evidence / "case-studies" / "riverside.yaml", lambda d: d["level"][0].update(value="mezzo"))
    (msg,) = _messages(evidence)
    assert "level[0].value: unknown level concept 'mezzo' (known: macro, meso, micro)" in msg


def test_duplicate_id_is_reported(fixture_dirs):
    """Two findings with one id in a file are an error."""
    evidence, _ = fixture_dirs
    _edit(evidence / "case-studies" / "riverside.yaml", lambda d: d["findings"][1].update(id="bed-days"))
    (msg,) = _messages(evidence)
    assert "findings[1].id: duplicate finding id 'bed-days' in this file" in msg


def test_id_must_match_file_name(fixture_dirs):
    """The id is the file stem: a renamed file is caught."""
    evidence, _ = fixture_dirs
    src = evidence / "case-studies" / "riverside.yaml"
    src.rename(src.with_name("riverside-trust.yaml"))
    msgs = _messages(evidence)
    assert any("id 'riverside' differs from the file name 'riverside-trust'" in m for m in msgs)


def test_dangling_reference_is_reported(fixture_dirs):
    """`about: case:x` that names no case study is an error."""
    evidence, _ = fixture_dirs
    _edit(evidence / "statements" / "page-claims.yaml",
          lambda d: d["findings"][0]["about"].append("case:nowhere"))
    (msg,) = _messages(evidence)
    assert "findings[0].about[1]: dangling reference: no case study 'nowhere'" in msg


def test_unknown_source_is_reported(fixture_dirs):
    """A quote from a source that is not recorded is an error."""
    evidence, _ = fixture_dirs
    _edit(evidence / "case-studies" / "riverside.yaml", lambda d: d["findings"][0].update(source="nobody-2020"))
    msgs = _messages(evidence)
    assert any("findings[0].source: unknown source 'nobody-2020'" in m for m in msgs)


def test_unknown_reference_number_is_reported(fixture_dirs):
    """A citation of a reference number the source does not list is an error."""
    evidence, _ = fixture_dirs
    _edit(evidence / "case-studies" / "riverside.yaml", lambda d: d["findings"][0].update(cites=["99"]))
    (msg,) = _messages(evidence)
    assert "findings[0].cites[0]: fixture-report has no reference numbered '99'" in msg


def test_missing_anchor_says_how_to_fix(fixture_dirs):
    """A quote without an anchor points at `ickg anchor`."""
    evidence, _ = fixture_dirs
    _edit(evidence / "case-studies" / "riverside.yaml", lambda d: d["findings"][0].pop("anchor"))
    (msg,) = _messages(evidence)
    assert "findings[0].quote: no anchor yet (run `ickg anchor` to compute it)" in msg


def test_source_framework_concept_needs_a_quote(fixture_dirs):
    """A concept of a non-editorial framework without any quote is an error."""
    evidence, _ = fixture_dirs
    _edit(evidence / "frameworks" / "level.yaml", lambda d: d["concepts"][2].pop("quotes"))
    (msg,) = _messages(evidence)
    assert "concept 'micro' has no quote" in msg


def test_all_problems_are_collected(fixture_dirs):
    """The loader does not stop at the first problem."""
    evidence, _ = fixture_dirs
    _edit(evidence / "case-studies" / "riverside.yaml", lambda d: d["level"][0].update(value="mezzo"))
    _edit(evidence / "case-studies" / "hostile-valley.yaml", lambda d: d.update(kind="empire"))
    msgs = _messages(evidence)
    assert len(msgs) == 2


def test_errors_build_nothing(fixture_dirs, tmp_path):
    """With any error, the pipeline returns no graph and `ickg build` writes no file."""
    from click.testing import CliRunner

    from kg.cli import cli

    evidence, _ = fixture_dirs
    _edit(evidence / "case-studies" / "riverside.yaml", lambda d: d["level"][0].update(value="mezzo"))
    dist = tmp_path / "dist"
    result = CliRunner().invoke(cli, ["-s", f"evidence_dir={evidence}", "-s", f"dist_dir={dist}", "build"])
    assert result.exit_code == 1
    assert "invalid data: nothing was written" in result.output
    assert not dist.exists()


# -- 0.2.0: claim kinds, caveats, figures, mechanism status, factor ids, collections (issue 12)

RIVERSIDE = ("case-studies", "riverside.yaml")


def test_measured_outcome_needs_a_direction(fixture_dirs):
    """A measured outcome without a direction is an error naming file, line and field."""
    evidence, _ = fixture_dirs
    _edit(evidence.joinpath(*RIVERSIDE), lambda d: d["findings"][0].pop("direction"))
    (msg,) = _messages(evidence)
    assert msg.startswith("ERROR ") and "riverside.yaml:" in msg
    assert "findings[0].direction: a measured-outcome claim needs a direction" in msg


def test_descriptive_claim_carries_no_direction(fixture_dirs):
    """'There are no data available on cost-effectiveness' is a fact: a direction on it is an error."""
    evidence, _ = fixture_dirs
    _edit(evidence.joinpath(*RIVERSIDE), lambda d: d["findings"][1].update(direction="unclear"))
    (msg,) = _messages(evidence)
    assert "findings[1].direction: a descriptive claim carries no direction" in msg


def test_claim_kind_is_required_and_from_the_scheme(fixture_dirs):
    """A finding without a claim kind, or with an unknown one, is an error."""
    evidence, _ = fixture_dirs
    _edit(evidence.joinpath(*RIVERSIDE), lambda d: d["findings"][0].pop("claim"))
    _edit(evidence / "case-studies" / "hostile-valley.yaml", lambda d: d["findings"][0].update(claim="result"))
    msgs = _messages(evidence)
    assert any("riverside.yaml" in m and "findings[0].claim: Field required" in m for m in msgs), msgs
    assert any("findings[0].claim: unknown claim-kind concept 'result'" in m for m in msgs), msgs


def test_caveat_reference_must_exist(fixture_dirs):
    """`qualifies` names an existing finding as <record-id>/<finding-id>; a dangling one is an error."""
    evidence, _ = fixture_dirs
    _edit(evidence.joinpath(*RIVERSIDE),
          lambda d: d["findings"][1].update(qualifies=["riverside/bed-days", "hostile-valley/costs-mixed",
                                                       "riverside/no-such", "nowhere/bed-days", "bogus:x/y"]))
    msgs = _messages(evidence)
    assert len(msgs) == 3, msgs
    assert "findings[1].qualifies[2]: dangling reference: no finding 'no-such' in a record 'riverside'" in msgs[0]
    assert "qualifies[3]: dangling reference" in msgs[1]
    assert "qualifies[4]: 'bogus:x/y': the prefix must be case:, mechanism: or statements:" in msgs[2]


def test_caveat_cannot_qualify_itself(fixture_dirs):
    """A finding that names itself in `qualifies` is an error."""
    evidence, _ = fixture_dirs
    _edit(evidence.joinpath(*RIVERSIDE), lambda d: d["findings"][1].update(qualifies=["no-cost-data"]))
    (msg,) = _messages(evidence)
    assert "findings[1].qualifies[0]: a finding cannot qualify itself" in msg


def test_ambiguous_caveat_reference_needs_a_kind(fixture_dirs):
    """When a case study and a mechanism share an id, the reference must say which."""
    evidence, _ = fixture_dirs
    finding = {"id": "bed-days", "summary": "Same id in a mechanism.", "claim": "descriptive",
               "domains": ["hospital-use"], "quote": "Riverside had the lowest use of hospital bed days",
               "source": "fixture-report", "section": "Case study A: Riverside Care Trust"}
    (evidence / "mechanisms" / "riverside.yaml").write_text(yaml.safe_dump(
        {"id": "riverside", "label": "A mechanism named like the case", "processes": ["clinical"],
         "findings": [finding]}), encoding="utf-8")
    _edit(evidence / "case-studies" / "hostile-valley.yaml",
          lambda d: d["findings"][0].update(qualifies=["riverside/bed-days", "case:riverside/bed-days"]))
    msgs = [m for m in _messages(evidence) if "hostile-valley" in m]
    assert len(msgs) == 1 and "qualifies[0]: 'riverside/bed-days' is ambiguous" in msgs[0], msgs


def test_figures_are_objects_with_a_printed_form(fixture_dirs):
    """A figure is {printed, value, unit, measure}; a bare value without `printed` is an error."""
    evidence, _ = fixture_dirs
    _edit(evidence.joinpath(*RIVERSIDE), lambda d: d["findings"][0].update(
        figures=[{"printed": "lowest", "measure": "rank in the region"}, {"value": 3}]))
    (msg,) = _messages(evidence)
    assert "findings[0].figures[1].printed: Field required" in msg


def test_printed_figure_must_be_in_the_quotes(fixture_dirs):
    """A figure is copied as printed: 'one town' is in the quote, '27%' is not."""
    evidence, _ = fixture_dirs
    _edit(evidence.joinpath(*RIVERSIDE), lambda d: d["findings"][0].update(
        quote="Riverside Care Trust joined health and social care teams for older people in one town.",
        figures=[{"printed": "one", "value": 1, "unit": "towns"}, {"printed": "27%", "value": 27}]))
    (msg,) = _messages(evidence)
    assert "findings[0].figures[1].printed: '27%' is not in the finding's quotes" in msg


def test_mechanism_status_is_from_the_scheme(fixture_dirs):
    """A process use's status is a mechanism-status concept."""
    evidence, _ = fixture_dirs
    _edit(evidence.joinpath(*RIVERSIDE), lambda d: d["processes"][1].update(status="hoped-for"))
    (msg,) = _messages(evidence)
    assert "processes[1].status: unknown mechanism-status concept 'hoped-for'" in msg


def test_factor_ids_are_required_and_unique_in_the_file(fixture_dirs):
    """Enablers and barriers of one file share one set of stable ids."""
    evidence, _ = fixture_dirs
    _edit(evidence.joinpath(*RIVERSIDE), lambda d: d["barriers"][0].update(id="long-term-commitment"))
    (msg,) = _messages(evidence)
    assert "barriers[0].id: duplicate factor id 'long-term-commitment' in this file" in msg
    _edit(evidence.joinpath(*RIVERSIDE), lambda d: d["barriers"][0].pop("id"))
    (msg,) = _messages(evidence)
    assert "barriers[0].id: Field required" in msg


def test_collection_members_must_exist(fixture_dirs):
    """A framework's collection lists concepts of the scheme (or <scheme>:<id>) that exist."""
    evidence, _ = fixture_dirs
    _edit(evidence / "frameworks" / "level.yaml", lambda d: d.update(collections=[
        {"id": "meso", "label": "Clash", "members": ["macro"], "quote": "Macro level: integrated care",
         "source": "fixture-report", "section": "Levels"},
        {"id": "lower-levels", "label": "Lower levels", "members": ["meso", "micro", "mezzo", "form:real"],
         "quote": "Meso level: integrated care", "source": "fixture-report", "section": "Levels"}]))
    msgs = [m for m in _messages(evidence) if "no anchor" not in m]
    assert any("collections[0].id: collection id 'meso' is already used in level" in m for m in msgs), msgs
    assert any("collections[1].members[2]: unknown concept 'mezzo' in level" in m for m in msgs), msgs
    assert len(msgs) == 2, msgs


def test_collection_may_nest_a_collection_never_itself(fixture_dirs):
    """A collection may list another collection of its scheme (a table column and its sub-headings);
    one that reaches itself through the collections it nests is refused with its file and field."""
    evidence, _ = fixture_dirs
    quoted = {"quote": "Meso level: integrated care", "source": "fixture-report", "section": "Levels"}
    _edit(evidence / "frameworks" / "level.yaml", lambda d: d.update(collections=[
        {"id": "all-levels", "label": "All levels", "members": ["macro", "lower-levels"], **quoted},
        {"id": "lower-levels", "label": "Lower levels", "members": ["meso", "micro"], **quoted}]))
    assert [m for m in _messages(evidence) if "no anchor" not in m] == []
    _edit(evidence / "frameworks" / "level.yaml", lambda d: d["collections"][1]["members"].append("all-levels"))
    msgs = [m for m in _messages(evidence) if "no anchor" not in m]
    assert len(msgs) == 2, msgs
    assert any("level.yaml" in m and "collections[0].members: collection 'all-levels' contains itself" in m
               for m in msgs), msgs
    assert any("collections[1].members: collection 'lower-levels' contains itself" in m for m in msgs), msgs


def test_hedge_dropped_from_summary_is_a_warning(fixture_dirs):
    """'may have contributed' summarised as 'contributed' warns; keeping 'might' (same family) does not."""
    from kg.checks import HEDGES, check_hedges

    evidence, _ = fixture_dirs
    assert {"suggest", "preliminary", "pilot", "possibility", "likelihood", "appearance",
            "limited evidence"} <= set(HEDGES)
    corpus, _ = load_evidence(evidence)
    assert check_hedges(corpus) == []
    rec = corpus.records["statements"]["page-claims"]
    rec.model.findings[0].quote = "The programme may have contributed to fewer admissions; preliminary results of a pilot"
    rec.model.findings[0].summary = "It contributed to fewer admissions."
    (p,) = check_hedges(corpus)
    assert p.severity == "warning" and p.field == "findings[0].summary"
    assert "'may'" in p.message and "'preliminary'" in p.message and "'pilot'" in p.message
    rec.model.findings[0].summary = "It might have contributed, in preliminary pilot results."
    assert check_hedges(corpus) == []
