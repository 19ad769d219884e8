"""kg.views.resource: every IRI of the graph as a page (issue 13).

Expected values come from the curated YAML or the fixture records, never from a previous run.
"""

from __future__ import annotations

from kg.fixtures import HOSTILE
from kg.views import resource


def test_case_resource_has_label_types_properties_links_and_quotes(fx):
    """The fixture's Riverside: its label, type, properties by label, incoming links and its quotes."""
    r = resource.resource(fx, "case:riverside")
    assert r.known and r.label == "Riverside Care Trust"
    assert [t.text for t in r.types] == ["Case study"]
    props = {label: [v.text for v in vs] for _, label, vs in r.properties}
    assert "Riverside Care Trust" in props["skos:prefLabel"]
    assert any(v.iri == "https://w3id.org/ickg/concept/country/gb-eng" for _, _, vs in r.properties for v in vs)
    incoming = {label: [v.text for v in vs] for _, label, vs in r.incoming}
    assert any("Lowest bed-day use in the region." in v for vs in incoming.values() for v in vs)
    assert any("Riverside Care Trust joined health and social care teams" in q.text for q in r.quotes)
    assert resource.app_page(r.iri) == ("cases", {"case": "riverside"})


def test_quote_and_concept_resources(fx):
    """A quote is named by its words; a concept opens its ontology page; an unknown IRI is not known."""
    r = resource.resource(fx, "case:riverside")
    q = r.quotes[0]
    page = resource.resource(fx, q.iri)
    assert page.label.startswith("“") and page.known
    assert resource.app_page("https://w3id.org/ickg/concept/level/meso") == ("ontology",
                                                                             {"scheme": "level", "concept": "meso"})
    assert not resource.resource(fx, "case:atlantis").known
    assert not resource.resource(fx, "nosuchprefix:x").known
    assert resource.resource(fx, "no colon here") is None and resource.resource(fx, "") is None
    hostile = resource.resource(fx, "case:hostile-valley")
    assert hostile.label == HOSTILE  # kept as data; the page escapes it
