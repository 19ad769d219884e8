"""kg.designer.recommend: the intensity the need suggests, and the warnings (through the assistant).

Designs are drawn from the sources' own examples (``tests/designer_fixtures.py``), on the shipped graph.
"""

import pytest

from designer_fixtures import FRAIL
from kg.designer import Design


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
