"""kg.designer.evidence: evidence, gaps, factors and mechanisms for a design (through the assistant).

Designs are drawn from the sources' own examples (``tests/designer_fixtures.py``), on the shipped graph.
"""

from designer_fixtures import FRAIL
from kg.designer import Design


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


def test_relevant_findings_best_cases_first_with_claim_kinds_and_caveats(assistant):
    """Findings about the best-fitting cases come first; each has its claim kind; counts hold only directions."""
    matches = assistant.rank_cases(FRAIL)
    ev = assistant.relevant(FRAIL, matches)
    assert ev.findings[0]["aboutLabel"] == matches[0].label
    assert all(f["claimLabel"] for f in ev.findings)
    directional = sum(1 for f in ev.findings if f["direction"] for _ in f["domains"])
    assert sum(n for c in ev.counts.values() for n in c.values()) == directional
    assert "Effectiveness overall" in {d for f in ev.findings for d in f["domains"]}
    # PACE's reported Medicaid saving, and the caveat that no data support it
    pace = [f for f in ev.findings if f["aboutLabel"] == "PACE" and f["caveatRows"]]
    assert any("No empirical data" in c["summary"] for f in pace for c in f["caveatRows"])


def test_the_best_cases_own_negative_and_mixed_findings_are_always_there(assistant):
    """The top cases' negative, mixed and null findings stay, whatever outcomes the designer chose."""
    d = Design(population=["frail-older-people"], need="severe-unstable", level="meso", form="real",
               processes=["financial", "clinical", "organisational"], domains=["carers"])
    matches = assistant.rank_cases(d)
    ev = assistant.relevant(d, matches)
    top = {m.label for m in matches[:3]}
    bad = [r for r in ev.own if r["direction"] in ("negative", "mixed", "no-effect")]
    assert bad and {r["aboutLabel"] for r in bad} <= top
    assert any("Carers" not in r["domains"] for r in bad), "shown although not about the outcome chosen"


def test_uncited_secondary_claims_are_marked(assistant):
    """Claims that cite no evidence (the overview page) carry the mark, in the findings and in the brief."""
    for p in ("informational", "clinical", "organisational", "financial", "normative", "functional", "systemic"):
        d = Design(processes=[p])
        ev = assistant.relevant(d, assistant.rank_cases(d))
        if any(f["uncited"] for f in ev.findings):
            break
    else:
        raise AssertionError("no uncited claim under any process")
    assert "an uncited secondary claim" in assistant.brief_markdown(d)


def test_gaps_are_named_never_none(assistant):
    """A country with no case; nothing from a controlled design (every population now has a case)."""
    d = Design(population=["children-families"], country="fi", domains=["equity"])
    ev = assistant.relevant(d, assistant.rank_cases(d))
    text = " ".join(ev.named_gaps)
    assert text and "None" not in text
    assert "No case study in the graph comes from Finland" in text
    assert "rests on a systematic review, a randomised trial or a quasi-experimental comparison" in text


def test_two_designs_side_by_side(assistant):
    """Frail older people beside stable long-term conditions: intensities, warnings and gaps differ, aspect by aspect."""
    from designer_fixtures import MILD
    from kg.designer import side_by_side

    rows = {r["aspect"]: r for r in side_by_side(assistant.answer(FRAIL), assistant.answer(MILD))}
    assert rows["Name"]["first design"] == "Frail older people at home"
    assert rows["Name"]["second design"] == "Stable long-term conditions"
    assert (rows["Suggested intensity"]["first design"], rows["Suggested intensity"]["second design"]) == (
        "Full integration", "Linkage")
    assert rows["Best-fitting cases"]["first design"].startswith("PACE (")
