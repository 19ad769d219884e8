"""kg.designer.matching: case studies ranked by fit (through the assistant).

Designs are drawn from the sources' own examples (``tests/designer_fixtures.py``), on the shipped graph.
"""

from designer_fixtures import FRAIL, MILD
from kg.designer import Design


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
