"""kg.designer.model: a design survives its permalink.

Designs are drawn from the sources' own examples (``tests/designer_fixtures.py``), on the shipped graph.
"""

from designer_fixtures import FRAIL
from kg.designer import Design


def test_design_permalink_round_trip():
    """A design survives its URL parameters; junk in the URL is dropped, not trusted."""
    assert Design.from_params(FRAIL.to_params()) == FRAIL
    junk = Design.from_params({"pop": "older-people,<b>x</b>", "need": "a b", "sec": "housing,moon", "zzz": "1"})
    assert junk.population == ["older-people"] and junk.need == "" and junk.sectors == ["housing"]
