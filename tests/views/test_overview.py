"""kg.views.overview: the overview page's counts and frameworks.

Expected values come from the curated YAML (read here independently of the graph), from the
source texts as quoted in the files, or from a second computation over the rdflib graph;
never from a previous run of the code under test.
"""

from __future__ import annotations

from pathlib import Path

from kg.views import overview

ROOT = Path(__file__).resolve().parent.parent.parent
EVIDENCE = ROOT / "evidence"


def test_overview_counts(ex, shipped):
    """Counts agree with the curated files; the frameworks at a glance are complete."""
    ov = overview.overview(ex)
    assert ov.counts["CaseStudy"] == len(shipped.corpus.of("case-studies"))
    assert ov.counts["Document"] == len(list((EVIDENCE / "sources").glob("*.yaml")))
    assert [c.label for c in ov.levels] == ["Macro level", "Meso level", "Micro level"]
    assert [c.notation for c in ov.processes] == [str(i) for i in range(1, 8)]
    assert [r["label"] for r in ov.leutz] == ["Linkage", "Coordination", "Full integration"]
    assert len(ov.kaiser) == 3 and "65–80%" in ov.kaiser[0]["definition"]
