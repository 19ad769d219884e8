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
