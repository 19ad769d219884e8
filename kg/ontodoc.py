"""Ontology documentation generated from the Turtle with pyLODE.

pyLODE documents one OWL ontology per page; the concept schemes are documented on a second
page (pyLODE's VocPub profile). The data (case studies, statements) is not documented here:
it is browsed in the app.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import RDF, Graph
from rdflib.namespace import SKOS


def write(graph: Graph, ontology_dir: Path, output: Path) -> list[Path]:
    """Write ``ontology.html`` (OWL terms) and ``schemes.html`` (SKOS schemes) into ``output``."""
    from pylode import OntPub, VocPub

    output.mkdir(parents=True, exist_ok=True)
    ont = Graph().parse(ontology_dir / "ickg.ttl", format="turtle")
    paths = []
    page = output / "ontology.html"
    OntPub(ontology=ont).make_html(destination=str(page), include_css=True)
    paths.append(page)
    schemes = Graph()
    for prefix, ns in graph.namespaces():
        schemes.bind(prefix, ns, override=True)
    concept_nodes = set(graph.subjects(RDF.type, SKOS.Concept)) | set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    for s, p, o in graph:
        if s in concept_nodes and (p.startswith(str(SKOS)) or p == RDF.type):
            schemes.add((s, p, o))
    page = output / "schemes.html"
    try:
        VocPub(ontology=schemes).make_html(destination=str(page), include_css=True)
    except Exception as exc:  # pyLODE's VocPub needs a vocabulary header; fall back to plain list
        page.write_text(_plain_schemes(schemes, str(exc)), encoding="utf-8")
    paths.append(page)
    return paths


def _plain_schemes(g: Graph, why: str) -> str:
    from html import escape

    out = ["<!doctype html><meta charset='utf-8'><title>Concept schemes</title><h1>Concept schemes</h1>"]
    for scheme in sorted(g.subjects(RDF.type, SKOS.ConceptScheme)):
        out.append(f"<h2 id='{escape(str(scheme))}'>{escape(str(g.value(scheme, SKOS.prefLabel)))}</h2><ul>")
        for c in sorted(g.subjects(SKOS.inScheme, scheme)):
            label = escape(str(g.value(c, SKOS.prefLabel)))
            definition = g.value(c, SKOS.definition)
            out.append(f"<li><b>{label}</b> <code>{escape(str(c))}</code>"
                       + (f"<br>{escape(str(definition))}" if definition else "") + "</li>")
        out.append("</ul>")
    return "\n".join(out)
