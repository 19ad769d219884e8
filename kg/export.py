"""Serialise the graph: Turtle, N-Triples, JSON-LD and GraphML, byte-identical for the same input.

rdflib's serialisers iterate over sets whose order depends on Python's per-process string
hashing, so each format is put in a canonical order here: N-Triples lines are sorted, JSON-LD
nodes are sorted by ``@id`` with their values sorted, Turtle is written subject by subject in
IRI order. Every export carries the release identifier (in the graph, and as a header comment
where the format has comments).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import networkx as nx
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from kg.namespaces import FIXED_PREFIXES

FORMATS = {"ttl": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD", "graphml": "GraphML"}
SUFFIX = {"ttl": ".ttl", "nt": ".nt", "jsonld": ".jsonld", "graphml": ".graphml"}


def to_ntriples(g: Graph) -> str:
    """Sorted N-Triples."""
    lines = g.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
    return "\n".join(sorted(x for x in lines if x.strip())) + "\n"


def to_turtle(g: Graph, release_id: str = "") -> str:
    """Turtle in a canonical order: prefixes sorted, subjects by IRI, predicates and objects sorted."""
    ordered = Graph()
    for prefix, ns in sorted(g.namespaces()):
        ordered.bind(prefix, ns, override=True)
    # rdflib's turtle writer sorts subjects and predicates; objects follow insertion order
    for triple in sorted(g, key=lambda t: (str(t[0]), str(t[1]), t[2].n3())):
        ordered.add(triple)
    text = ordered.serialize(format="turtle")
    header = f"# Integrated-care knowledge graph, release {release_id}\n" if release_id else ""
    return header + text


def to_jsonld(g: Graph) -> str:
    """JSON-LD with the project's prefixes as context, nodes and values sorted."""
    context = {p: ns for p, ns in FIXED_PREFIXES.items()}
    for prefix, ns in g.namespaces():
        context.setdefault(prefix, str(ns))
    data = json.loads(g.serialize(format="json-ld", context=context, auto_compact=True))
    nodes = data.get("@graph", [data] if "@id" in data else [])

    def canon(value):
        if isinstance(value, list):
            return sorted((canon(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
        if isinstance(value, dict):
            return {k: canon(v) for k, v in value.items()}
        return value

    nodes = sorted((canon(n) for n in nodes), key=lambda n: n.get("@id", ""))
    return json.dumps({"@context": dict(sorted(context.items())), "@graph": nodes},
                      ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def to_networkx(g: Graph) -> nx.MultiDiGraph:
    """The IRI-to-IRI part of the graph: node id = IRI, label as an attribute (never the id)."""
    G = nx.MultiDiGraph()
    nodes = sorted({str(x) for s, _, o in g for x in (s, o) if isinstance(x, URIRef)})
    for n in nodes:
        u = URIRef(n)
        label = g.value(u, SKOS.prefLabel) or g.value(u, RDFS.label) or ""
        types = sorted(str(t) for t in g.objects(u, RDF.type))
        G.add_node(n, label=str(label), type=types[0] if types else "")
    for s, p, o in sorted(g, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        if isinstance(o, URIRef) and p != RDF.type:
            G.add_edge(str(s), str(o), key=str(p), predicate=str(p))
    return G


def to_graphml(g: Graph, release_id: str = "") -> str:
    """GraphML through networkx, with the release as a graph attribute."""
    G = to_networkx(g)
    G.graph["release"] = release_id
    buf = io.BytesIO()
    nx.write_graphml(G, buf, encoding="utf-8")
    return buf.getvalue().decode("utf-8")


def serialise(g: Graph, fmt: str, release_id: str = "") -> str:
    """Serialise in one of :data:`FORMATS`."""
    if fmt == "ttl":
        return to_turtle(g, release_id)
    if fmt == "nt":
        return to_ntriples(g)
    if fmt == "jsonld":
        return to_jsonld(g)
    if fmt == "graphml":
        return to_graphml(g, release_id)
    raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")


def write_all(g: Graph, dist: Path, release_id: str, formats: tuple[str, ...] = ("ttl", "nt", "jsonld"),
              ntriples: str = "") -> list[Path]:
    """Write the graph into ``dist/ickg.<ext>`` for each format; return the paths."""
    dist.mkdir(parents=True, exist_ok=True)
    out = []
    for fmt in formats:
        path = dist / f"ickg{SUFFIX[fmt]}"
        tmp = path.with_suffix(path.suffix + ".tmp")
        text = ntriples if (fmt == "nt" and ntriples) else serialise(g, fmt, release_id)
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)  # never leave a half-written export behind
        out.append(path)
    return out


def literal_text(value: object) -> str:
    """Plain text of an RDF term for display."""
    return str(value) if isinstance(value, (Literal, URIRef)) else ("" if value is None else str(value))
