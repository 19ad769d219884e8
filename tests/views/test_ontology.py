"""kg.views.ontology: the ontology's terms, the scheme trees and the whole-graph downloads.

Expected values come from the curated YAML (read here independently of the graph), from the
source texts as quoted in the files, or from a second computation over the rdflib graph;
never from a previous run of the code under test.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
from rdflib import RDF, Graph
from rdflib.namespace import OWL

from kg.views import common, ontology

ROOT = Path(__file__).resolve().parent.parent.parent


def test_graph_exports_round_trip(ex, shipped_graph):
    """The whole graph as Turtle, JSON-LD and N-Triples parses back to the same number of triples."""
    for fmt, rdf_format in (("ttl", pyoxigraph.RdfFormat.TURTLE), ("jsonld", pyoxigraph.RdfFormat.JSON_LD),
                            ("nt", pyoxigraph.RdfFormat.N_TRIPLES)):
        text, status = ontology.graph_text(ex, fmt)
        assert len(list(pyoxigraph.parse(text.encode("utf-8"), rdf_format))) == len(shipped_graph), fmt
        assert status == f"{len(shipped_graph):,} triples"
    assert ontology.graph_text(ex, "ttl")[0].startswith(f"# Integrated-care knowledge graph, release {ex.release_id}")


def test_ontology_doc_matches_the_turtle():
    """Every ic: class and property of ickg.ttl, with its label and comment."""
    g = Graph().parse(ROOT / "ontology" / "ickg.ttl", format="turtle")
    ns = "https://w3id.org/ickg/ontology#"
    classes = {str(s) for s in g.subjects(RDF.type, OWL.Class) if str(s).startswith(ns)}
    props = {str(s) for t in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
             for s in g.subjects(RDF.type, t) if str(s).startswith(ns)}
    doc = ontology.ontology_doc()
    assert {t.iri for t in doc.classes} == classes and {t.iri for t in doc.properties} == props
    case = next(t for t in doc.classes if t.name == "ic:CaseStudy")
    assert case.label == "Case study" and "programme" in case.comment
    uses = next(t for t in doc.properties if t.name == "ic:usesMechanism")
    assert (uses.kind, uses.domain, uses.range) == ("object property", ("ic:CaseStudy",), ("ic:Mechanism",))
    about = next(t for t in doc.properties if t.name == "ic:about")
    assert about.comment.startswith("What a statement is about")
    assert ontology.ontology_turtle().startswith("@prefix")


def test_scheme_trees(ex):
    """Processes in notation order; narrower mechanisms sit under their broader one."""
    tree = ontology.scheme_tree(ex, "scheme:process")
    assert [n.concept.notation for n in tree] == [str(i) for i in range(1, 8)]
    assert all(n.depth == 0 for n in tree)
    assert any(role == "definition" for n in tree for role, _ in n.quotes)
    mech = ontology.scheme_tree(ex, "scheme:mechanism")
    seen: set[str] = set()
    for n in mech:
        if n.depth:
            assert any(b in seen for b in n.concept.broader), n.concept.label
        seen.add(n.concept.iri)
    assert any(n.depth for n in mech)
    assert {n.concept.iri for n in mech} == {c.iri for c in common.scheme_concepts(ex, "scheme:mechanism")}
