"""The ontology is a closed, public contract: code uses only declared terms."""

import re
from pathlib import Path

from rdflib import OWL, RDF, Graph, URIRef
from rdflib.namespace import SKOS

from kg.namespaces import IC

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
NS = "https://w3id.org/ickg/ontology#"


def _declared() -> set[str]:
    g = Graph().parse(ONTOLOGY / "ickg.ttl")
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return {str(s)[len(NS):] for k in kinds for s in g.subjects(RDF.type, k) if str(s).startswith(NS)}


def test_namespace_class_matches_the_turtle():
    """kg.namespaces.IC has exactly the terms ontology/ickg.ttl declares."""
    attrs = {k for k in IC.__annotations__}
    assert attrs == _declared()


def test_every_ic_term_used_in_the_graph_is_declared(shipped_graph):
    """No ic: IRI appears in the built graph that the ontology does not declare."""
    used = {str(t)[len(NS):] for triple in shipped_graph for t in triple
            if isinstance(t, URIRef) and str(t).startswith(NS)}
    assert used <= _declared(), used - _declared()


def test_every_ic_term_in_the_shapes_is_declared():
    """The shapes refer only to declared ontology terms."""
    text = (ONTOLOGY / "shapes.ttl").read_text()
    used = set(re.findall(r"\bic:([A-Za-z]+)", text))
    assert used <= _declared(), used - _declared()


def test_every_term_is_documented():
    """Each class and property has an English label."""
    g = Graph().parse(ONTOLOGY / "ickg.ttl")
    from rdflib import RDFS

    for term in _declared():
        assert g.value(IC[term], RDFS.label) is not None, term


def test_required_frameworks_are_schemes(shipped_graph):
    """Every framework issue 2 lists is a SKOS concept scheme in the graph."""
    from kg.namespaces import SCHEME

    for sid in ("level", "leutz", "form", "breadth", "need", "process", "shaw", "domain",
                "direction", "basis", "perspective", "factor-category"):
        assert (SCHEME[sid], RDF.type, SKOS.ConceptScheme) in shipped_graph, sid
