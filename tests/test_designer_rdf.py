"""kg.designer.rdf: the design as RDF, and back.

Designs are drawn from the sources' own examples (``tests/designer_fixtures.py``), on the shipped graph.
"""

import pytest

from designer_fixtures import FRAIL
from kg.designer import design_from_rdf, design_to_rdf


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


def test_every_answer_and_the_name_survive_saving_and_reloading():
    """Name, sectors, country, breadth and mechanisms come back from Turtle, JSON-LD and the permalink."""
    from kg.designer import Design

    d = Design(title="Mental health with housing and employment", population=["mental-health"],
               sectors=["employment", "housing"], country="gb-eng", breadth=["horizontal"],
               mechanisms=["personal-budget"], need="moderate", intensity="coordination")
    g = design_to_rdf(d)
    assert design_from_rdf(g.serialize(format="turtle")) == d
    assert design_from_rdf(g.serialize(format="json-ld"), "json-ld") == d
    assert Design.from_params(d.to_params()) == d
