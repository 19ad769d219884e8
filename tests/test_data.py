"""The shipped evidence: every quote verbatim, files canonical, schema current, exemplars complete."""

from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import SKOS

from kg import settings
from kg.checks import check_quotes
from kg.namespaces import CASE, IC, concept
from kg.records import canonical_text, json_schema, load_evidence

ROOT = Path(__file__).resolve().parent.parent
EVIDENCE = ROOT / "evidence"


@pytest.fixture(scope="module")
def corpus():
    corpus, problems = load_evidence(EVIDENCE)
    errors = [str(p) for p in problems if p.severity == "error"]
    assert not errors, "\n".join(errors[:30])
    return corpus


@pytest.mark.sources
def test_every_quote_is_verbatim_in_its_source(corpus):
    """All shipped quotes are in their source texts, at their stored offsets (whitespace aside)."""
    report = check_quotes(corpus, settings.get_path("sources_dir"))
    print(f"{report.checked - report.failed}/{report.checked} quotes verified in {report.sources} sources")
    assert report.sources == 5
    assert report.checked > 100
    assert report.problems == [], "\n".join(map(str, report.problems[:30]))


@pytest.mark.sources
def test_quote_check_fails_closed(corpus, tmp_path):
    """An empty or missing sources folder is an error, never a pass."""
    report = check_quotes(corpus, tmp_path / "nowhere")
    assert report.problems and report.checked == 0
    (tmp_path / "empty").mkdir()
    report = check_quotes(corpus, tmp_path / "empty")
    assert report.problems and "cannot read source text" in str(report.problems[0])


def test_evidence_is_formatted(corpus):
    """Every file is in canonical form; run `ickg fmt` to fix."""
    bad = [str(r.path.relative_to(ROOT)) for r in corpus.all()
           if canonical_text(r) != r.path.read_text(encoding="utf-8")]
    assert not bad, f"run `ickg fmt`: {bad}"


def test_schema_json_is_current():
    """evidence/schema.json equals the schema generated from kg.records; run `ickg schema`."""
    assert (EVIDENCE / "schema.json").read_text(encoding="utf-8") == json_schema()


def test_the_five_sources_are_recorded(corpus):
    """The five source documents are ic:Source records with their bibliographic facts."""
    sources = {s.id: s for s in corpus.of("sources")}
    assert {"pike-mongan-2014", "shortell-2021", "poku-2019", "goddard-mason-2016", "overview-page"} <= set(sources)
    assert sources["poku-2019"].doi == "10.1007/s11606-019-05029-z"
    assert sources["goddard-mason-2016"].doi == "10.15171/ijhpm.2016.111"
    assert sources["overview-page"].support == "non-traceable"


def _processes(g, case):
    return {str(o).rsplit("/", 1)[-1] for o in g.objects(CASE[case], IC.usesProcess)}


@pytest.mark.parametrize("case,processes", [
    ("kaiser-permanente", {"organisational", "clinical", "informational", "financial", "systemic", "normative"}),
    ("torbay-care-trust", {"organisational", "clinical", "informational", "financial", "normative"}),
    ("pace", {"organisational", "informational", "financial", "normative"}),
])
def test_exemplar_has_every_process_the_report_lists(shipped_graph, case, processes):
    """The three exemplars carry each integrative process the HRB review gives them."""
    assert processes <= _processes(shipped_graph, case)


@pytest.mark.parametrize("case,mechanisms", [
    ("torbay-care-trust", {"pooled-budget", "single-assessment", "care-coordinator", "co-located-team"}),
    ("pace", {"capitation", "multidisciplinary-team", "day-health-centre"}),
    ("kaiser-permanente", {"capitation", "multispecialty-group", "incentive-pool"}),
])
def test_exemplar_mechanisms(shipped_graph, case, mechanisms):
    """The exemplars use the mechanisms the text names."""
    used = {str(o).rsplit("/", 1)[-1] for o in shipped_graph.objects(CASE[case], IC.usesMechanism)}
    assert mechanisms <= used, mechanisms - used


def _findings(g, case):
    out = []
    for s in g.subjects(IC.about, CASE[case]):
        if (s, IC.claimKind, None) in g:
            direction = g.value(s, IC.effectDirection)
            out.append({"domains": {str(d).rsplit("/", 1)[-1] for d in g.objects(s, IC.outcomeDomain)},
                        "claim": str(g.value(s, IC.claimKind)).rsplit("/", 1)[-1],
                        "direction": None if direction is None else str(direction).rsplit("/", 1)[-1],
                        "basis": str(g.value(s, IC.evidenceBasis)).rsplit("/", 1)[-1]})
    return out


def test_torbay_findings_as_the_text_gives_them(shipped_graph):
    """Torbay: fewer bed days (before-and-after); "no data available on cost-effectiveness" is a fact, not an effect."""
    f = _findings(shipped_graph, "torbay-care-trust")
    assert {"domains": {"hospital-use"}, "claim": "measured-outcome", "direction": "positive",
            "basis": "before-after"} in f
    assert any(x["domains"] == {"cost-effectiveness"} and x["claim"] == "descriptive" and x["direction"] is None
               for x in f)


def test_pace_findings_as_the_text_gives_them(shipped_graph):
    """PACE: a quasi-experimental design finds less hospital use; physical functioning inconsistent."""
    f = _findings(shipped_graph, "pace")
    assert any("hospital-use" in x["domains"] and x["direction"] == "positive" and x["basis"] == "quasi-experimental" for x in f)
    assert any(x["direction"] in {"mixed", "unclear"} and "quality-of-life" in x["domains"] for x in f)


def test_kaiser_findings_as_the_text_gives_them(shipped_graph):
    """Kaiser: lower bed use than the NHS; the survey of members is a survey."""
    f = _findings(shipped_graph, "kaiser-permanente")
    assert any("hospital-use" in x["domains"] and x["direction"] == "positive" for x in f)
    assert any(x["basis"] == "survey" for x in f)


def test_exemplars_have_enablers_and_barriers(shipped_graph):
    """Kaiser and Torbay list enablers and barriers; PACE lists enablers."""
    for case, barriers in (("kaiser-permanente", 3), ("torbay-care-trust", 4), ("pace", 0)):
        assert len(list(shipped_graph.objects(CASE[case], IC.hasEnabler))) >= 4, case
        assert len(list(shipped_graph.objects(CASE[case], IC.hasBarrier))) >= barriers, case


def test_need_levels_suggest_leutz_levels(shipped_graph):
    """Nolte and McKee's levels of need map onto Leutz's levels, with quotes."""
    g = shipped_graph
    pairs = {(str(s).rsplit("/", 1)[-1], str(o).rsplit("/", 1)[-1]) for s, o in g.subject_objects(IC.suggestsIntensity)}
    assert pairs == {("mild-to-moderate", "linkage"), ("moderate", "coordination"), ("severe-unstable", "full-integration")}


def test_source_frameworks_have_a_quote_per_concept(shipped_graph):
    """Each concept of a framework taken from a source carries a quote."""
    from rdflib import Literal, RDF

    from kg.namespaces import SCHEME

    for scheme in shipped_graph.subjects(RDF.type, SKOS.ConceptScheme):
        if shipped_graph.value(scheme, IC.editorial) == Literal(True) or scheme == SCHEME["mechanism"]:
            continue
        for c in shipped_graph.subjects(SKOS.inScheme, scheme):
            assert shipped_graph.value(c, IC.supportedBy) is not None, c


def test_shaw_questions_are_quoted(shipped_graph):
    """Shaw et al.'s five questions are concepts whose definitions are the prompts."""
    for q in ("goals", "context", "type", "breadth", "intensity"):
        d = shipped_graph.value(concept("shaw", q), SKOS.definition)
        assert d is not None and "?" in str(d), q


def test_mechanism_hierarchy_is_at_most_three_steps_deep(shipped_graph):
    """case-studies-using-process follows skos:broader up to three steps (Virtuoso loses matches
    of a transitive path inside OPTIONAL); every mechanism must reach a process within three."""
    from rdflib import RDF

    g = shipped_graph
    processes = set(g.subjects(SKOS.inScheme, URIRef("https://w3id.org/ickg/scheme/process")))
    for m in g.subjects(RDF.type, IC.Mechanism):
        frontier, reached = {m}, False
        for _ in range(3):
            frontier = {b for x in frontier for b in g.objects(x, SKOS.broader)}
            if frontier & processes:
                reached = True
                break
        assert reached, m
