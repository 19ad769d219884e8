"""The design assistant, on the shipped graph, with designs drawn from the sources' own examples."""

import re

import pytest

from kg.designer import Assistant, Design, design_from_rdf, design_to_rdf
from kg.service import Explorer
from kg.store import EmbeddedStore

FRAIL = Design(title="Frail older people at home", population=["frail-older-people"], need="severe-unstable",
               processes=["financial", "clinical", "organisational"], domains=["hospital-use", "costs", "long-term-care-use"],
               level="meso", form="real", intensity="full-integration",
               notes={"goals": "Keep frail older people out of hospital", "partners": "GPs, council"})
MILD = Design(title="Stable long-term conditions", population=["chronic-conditions"], need="mild-to-moderate",
              processes=["informational"], domains=["patient-experience"])


@pytest.fixture(scope="module")
def assistant(shipped):
    store = EmbeddedStore(shipped.built.ntriples.encode(), shipped.built.release_id, workers=1)
    yield Assistant(Explorer(store, shipped.built.release_id))
    store.close()


def test_severe_need_suggests_full_integration(assistant):
    """Long-term, severe, unstable need -> full integration, with Nolte and McKee's words."""
    rec = assistant.recommend(FRAIL)
    assert rec.suggested == "full-integration"
    assert any("fully integrated system" in c.quote for c in rec.because)
    assert not any("more than the need" in w.text or "less than the need" in w.text for w in rec.warnings)


@pytest.mark.parametrize("need,level", [("mild-to-moderate", "linkage"), ("moderate", "coordination")])
def test_lesser_needs_suggest_lesser_integration(assistant, need, level):
    """Mild to moderate -> linkage; moderate -> coordination."""
    assert assistant.recommend(Design(need=need)).suggested == level


def test_warns_when_choosing_more_than_the_need_requires(assistant):
    """Leutz's first law: full integration for a mild, stable population is flagged, with Shortell's quote."""
    rec = assistant.recommend(Design(need="mild-to-moderate", intensity="full-integration"))
    (warning,) = [w for w in rec.warnings if "more than the need suggests" in w.text]
    assert "stratify patients" in warning.quote and "Leutz" in warning.source


def test_warns_when_choosing_less_than_the_need_requires(assistant):
    """Linkage for severe, unstable needs is flagged in the other direction."""
    rec = assistant.recommend(Design(need="severe-unstable", intensity="linkage"))
    assert any("less than the need suggests" in w.text for w in rec.warnings)


def test_frail_older_people_rank_pace_and_torbay_high(assistant):
    """PACE ranks first and Torbay Care Trust within the top five, with reasons."""
    matches = assistant.rank_cases(FRAIL)
    labels = [m.label for m in matches]
    assert labels[0] == "PACE"
    assert "Torbay Care Trust" in labels[:5]
    pace = matches[0]
    assert any("Frail older people" in r for r in pace.reasons)
    assert any("full integration" in r for r in pace.reasons)


def test_ranking_is_deterministic_and_explained(assistant):
    """Same answers, same order; scores between 0 and 1; differences named."""
    a, b = assistant.rank_cases(FRAIL, k=20), assistant.rank_cases(FRAIL, k=20)
    assert [(m.case, m.score) for m in a] == [(m.case, m.score) for m in b]
    assert all(0 <= m.score <= 1 for m in a)
    assert [m.score for m in a] == sorted((m.score for m in a), reverse=True)
    virtual = assistant.rank_cases(Design(form="virtual", level="meso"), k=60)
    assert any("real integration" in d for m in virtual for d in m.differences)


def test_mild_design_does_not_put_pace_first(assistant):
    """For a mild, stable population PACE is not the best fit."""
    assert assistant.rank_cases(MILD)[0].label != "PACE"


def test_evidence_includes_mixed_findings_and_names_gaps(assistant):
    """Financial integration: Goddard and Mason's sober reading is shown beside the positive findings."""
    ev = assistant.evidence(Design(processes=["financial"], domains=["costs", "overall-effectiveness"]))
    directions = {r["directionLabel"] for r in ev.rows}
    assert {"Positive", "Mixed", "Unclear"} <= directions
    quotes = " ".join(r["quote"] for r in ev.rows)
    assert "in only 3 cases was there evidence of a significant reduction in utilisation or costs." in quotes
    assert "the case for integrated funding has not yet been demonstrated" in quotes
    d = Design(processes=["functional", "systemic"], domains=["carers", "equity", "hospital-use"])
    ev = assistant.evidence(d)
    filled = {(r["processLabel"], r["domainLabel"]) for r in ev.rows}
    grid = {(p, dm) for p in ("Functional / administrative", "Systemic")
            for dm in ("Carers", "Equity and inequalities", "Hospital use")}
    assert set(ev.gaps) == {f"{p} × {dm}" for p, dm in grid - filled}
    assert ev.gaps, "the sources are silent on some of these cells"


def test_factors_and_mechanisms_come_from_matching_cases(assistant):
    """Torbay's barriers and the mechanisms of matching cases are offered, grouped."""
    matches = assistant.rank_cases(FRAIL)
    factors = assistant.factors(FRAIL, matches)
    barriers = [f for items in factors["barrier"].values() for f in items]
    assert any(f["quote"] == "The initial absence of common information systems" for f in barriers)
    assert set(factors["enabler"]) <= {"Professional and cultural", "Organisational", "Policy", "Not categorised"}
    mechanisms = assistant.mechanisms(FRAIL, matches)
    financial = {m["label"] for m in mechanisms["Financial"]}
    assert {"Pooled budget", "Capitation payment"} <= financial


def _cited_lines(md: str) -> dict[str, list[str]]:
    sections, current = {}, None
    for line in md.splitlines():
        if line.startswith("## "):
            current = line[3:]
            sections[current] = []
        elif line.startswith("- ") and current:
            sections[current].append(line)
    return sections


def test_brief_lines_trace_to_quotes(assistant, shipped):
    """Every recommendation, case, evidence, enabler, barrier and mechanism line cites a numbered quote."""
    md = assistant.brief_markdown(FRAIL)
    notes = dict(re.findall(r"^(\d+)\. “(.+?)” — ", md, re.M))
    sections = _cited_lines(md)
    for title in ("Recommendation", "Case studies ranked by fit", "Evidence for the chosen processes",
                  "Enablers to secure", "Barriers to plan for", "Mechanisms to consider"):
        for line in sections[title]:
            if line.startswith("- \\.\\.\\.") or line.startswith("- ..."):
                continue
            refs = re.findall(r"\[(\d+)\]$|\[(\d+)\] ", line)
            assert refs, f"{title}: {line}"
            for a, b in refs:
                assert (a or b) in notes
    assert "Keep frail older people out of hospital" in md
    assert shipped.built.release_id in md


@pytest.mark.sources
def test_brief_quotes_are_verbatim(assistant):
    """The quotes the brief prints are the sources' own words."""
    from kg import settings
    from kg.quotes import SourceText

    texts = [SourceText.from_file(p.resolve()) for p in sorted(settings.get_path("sources_dir").glob("*.txt"))]
    md = assistant.brief_markdown(FRAIL)
    unescape = re.compile(r"\\([\\`*_\[\]<>|~])")
    for quote in re.findall(r"^\d+\. “(.+?)” — ", md, re.M):
        q = unescape.sub(r"\1", quote)
        assert any(t.occurrences(q) for t in texts), q[:80]


def test_brief_html_escapes_hostile_input(assistant):
    """A hostile title or note is text in the HTML brief, never markup."""
    d = Design(title="<script>alert(1)</script>", notes={"goals": '"><img src=x onerror=alert(1)>'})
    page = assistant.brief_html(d)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    md = assistant.brief_markdown(d)
    assert "<script>" not in md and "\\<script\\>" in md


def test_design_permalink_round_trip():
    """A design survives its URL parameters; junk in the URL is dropped, not trusted."""
    assert Design.from_params(FRAIL.to_params()) == FRAIL
    junk = Design.from_params({"pop": "older-people,<b>x</b>", "need": "a b", "sec": "housing,moon", "zzz": "1"})
    assert junk.population == ["older-people"] and junk.need == "" and junk.sectors == ["housing"]


def test_design_rdf_round_trip():
    """The design exports as RDF linked to the ontology and reloads unchanged."""
    g = design_to_rdf(FRAIL, "0.1.0+abc")
    text = g.serialize(format="turtle")
    assert "ic:Design" in text and "https://w3id.org/ickg/concept/need/severe-unstable" in text
    assert design_from_rdf(text) == FRAIL
    jsonld = g.serialize(format="json-ld")
    assert design_from_rdf(jsonld, "json-ld") == FRAIL


def test_design_rdf_errors_are_clear():
    """A file that is not RDF, or holds no design, gets a clear message."""
    with pytest.raises(ValueError, match="not a readable turtle file"):
        design_from_rdf("this is { not turtle")
    with pytest.raises(ValueError, match="expected one ic:Design in the file, found 0"):
        design_from_rdf("<urn:a> <urn:b> <urn:c> .")
