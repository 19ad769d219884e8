"""The RDF form of a design: linked to the ontology's concepts, Turtle-ready, and reloadable."""

from __future__ import annotations

import re

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.designer.model import ID_PATTERN, LIST_FIELDS, NOTES, SECTORS, Design
from kg.namespaces import BASE, IC, concept

DESIGN = BASE + "design/"
_RDF_PROPS = {"domains": (IC.targetOutcome, "domain"), "population": (IC.targetPopulation, "population"),
              "need": (IC.needLevel, "need"), "level": (IC.level, "level"), "country": (IC.country, "country"),
              "processes": (IC.usesProcess, "process"),
              "mechanisms": (IC.usesMechanism, "mechanism"), "breadth": (IC.breadth, "breadth"),
              "intensity": (IC.intensity, "leutz"), "form": (IC.form, "form")}


def design_to_rdf(d: Design, release_id: str = "") -> Graph:
    """The design as RDF linked to the ontology's concepts (Turtle-ready)."""
    g = Graph()
    g.bind("ic", str(IC._NS))
    g.bind("dct", str(DCTERMS))
    slug = re.sub(r"[^a-z0-9]+", "-", d.title.lower()).strip("-") or "design"
    node = URIRef(DESIGN + slug)
    g.add((node, RDF.type, IC.Design))
    g.add((node, DCTERMS.title, Literal(d.title)))
    if release_id:
        g.add((node, IC.releaseId, Literal(release_id)))
    for name, (prop, scheme) in _RDF_PROPS.items():
        value = getattr(d, name)
        for v in (value if isinstance(value, list) else [value] if value else []):
            g.add((node, prop, concept(scheme, v)))
    for s in d.sectors:
        g.add((node, IC.sector, Literal(s)))
    for key, text in sorted(d.notes.items()):
        if not text.strip():
            continue
        n = BNode(f"note-{key}")
        g.add((node, IC.hasNote, n))
        g.add((n, RDF.type, IC.DesignNote))
        g.add((n, IC.question, concept("shaw", NOTES[key][0])))
        g.add((n, IC.noteTopic, Literal(key)))
        g.add((n, RDF.value, Literal(text)))
    return g


def design_from_rdf(data: str | bytes, fmt: str = "turtle") -> Design:
    """Reload a design written by :func:`design_to_rdf`.

    Raises:
        ValueError: if the data is not RDF or holds no ic:Design.
    """
    g = Graph()
    try:
        g.parse(data=data, format=fmt)
    except Exception as exc:  # rdflib raises many types for bad input
        raise ValueError(f"not a readable {fmt} file: {str(exc).splitlines()[0][:200]}") from None
    nodes = list(g.subjects(RDF.type, IC.Design))
    if len(nodes) != 1:
        raise ValueError(f"expected one ic:Design in the file, found {len(nodes)}")
    node = nodes[0]
    d = Design(title=str(g.value(node, DCTERMS.title) or Design.title))
    for name, (prop, scheme) in _RDF_PROPS.items():
        prefix = str(concept(scheme, ""))
        values = sorted(str(o)[len(prefix):] for o in g.objects(node, prop) if str(o).startswith(prefix))
        values = [v for v in values if ID_PATTERN.match(v)]
        if name in LIST_FIELDS:
            setattr(d, name, values)
        elif values:
            setattr(d, name, values[0])
    d.sectors = sorted(str(s) for s in g.objects(node, IC.sector) if str(s) in SECTORS)
    for n in g.objects(node, IC.hasNote):
        key = str(g.value(n, IC.noteTopic) or "")
        if key in NOTES:
            d.notes[key] = str(g.value(n, RDF.value) or "")
    return d
