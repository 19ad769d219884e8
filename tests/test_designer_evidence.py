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
