"""Data of the ontology page (``app_pages/ontology.py``): concept-scheme trees, the ontology's terms, the whole graph.

The classes and properties are read from ``ontology/ickg.ttl`` (cached by file and mtime);
the schemes from the graph through named queries; the whole graph is serialised for download
from the embedded store, or fetched with a CONSTRUCT from a remote endpoint.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg import settings
from kg.cite import dataset_citation
from kg.errors import IckgError
from kg.namespaces import FIXED_PREFIXES
from kg.serialise import rdf_text, triples_text
from kg.views.common import (ConceptInfo, QuoteInfo, compact, expand, local, memo, quote_info, scheme_concepts,
                             whole_rows)


@dataclass(frozen=True)
class TreeNode:
    """A concept placed in its scheme's hierarchy."""

    concept: ConceptInfo
    depth: int
    quotes: tuple[tuple[str, QuoteInfo], ...]  # (role, quote): definition, support, description


def scheme_tree(explorer: Any, scheme: str) -> list[TreeNode]:
    """A scheme's concepts depth first (top concepts, then their narrower ones), with quotes."""
    scheme = expand(scheme)
    members = {c.iri: c for c in scheme_concepts(explorer, scheme)}
    quotes: dict[str, list[tuple[str, QuoteInfo]]] = defaultdict(list)
    for r in whole_rows(explorer, "_concept_quotes", scheme=scheme):
        quotes[r["concept"]].append((r["role"], quote_info(explorer, r)))
    children: dict[str | None, list[ConceptInfo]] = defaultdict(list)
    for c in members.values():
        parents = [b for b in c.broader if b in members]
        for p in parents or [None]:
            children[p].append(c)
    out: list[TreeNode] = []
    seen: set[tuple[str, int]] = set()

    def walk(parent: str | None, depth: int, path: tuple[str, ...]) -> None:
        for c in sorted(children.get(parent, []), key=lambda c: c.sort_key):
            if c.iri in path or (c.iri, depth) in seen:
                continue
            seen.add((c.iri, depth))
            out.append(TreeNode(c, depth, tuple(quotes.get(c.iri, ()))))
            walk(c.iri, depth + 1, path + (c.iri,))
    walk(None, 0, ())
    return out


@dataclass(frozen=True)
class CollectionMember:
    """A member of a collection: a concept, or a collection nested in it."""

    iri: str
    label: str
    notation: str | None
    nested: bool  # the member is itself a collection


@dataclass(frozen=True)
class CollectionNode:
    """A collection of a scheme (a heading of the text: a list, a table section, an author's set) with its members."""

    iri: str
    label: str
    notation: str | None
    scope_note: str | None
    depth: int  # 0 for a collection no other collection of the scheme holds; nested ones one deeper
    members: tuple[CollectionMember, ...]
    quotes: tuple[QuoteInfo, ...]


def _member_key(m: CollectionMember) -> tuple:
    n = m.notation or ""
    num = tuple(int(p) for p in n.split(".") if p.isdigit()) if n.replace(".", "").isdigit() else ()
    return (0 if n else 1, num, n, m.label.lower())


def scheme_collections(explorer: Any, scheme: str) -> list[CollectionNode]:
    """A scheme's collections, each followed by the collections nested in it, members in notation then label order.

    Collections are found by type (``skos:Collection``, ``dct:isPartOf`` the scheme), never by label.
    """
    scheme = expand(scheme)
    info: dict[str, dict[str, Any]] = {}
    for r in whole_rows(explorer, "_scheme_collections", scheme=scheme):
        c = info.setdefault(r["collection"], {"label": r["label"] or "", "notation": r.get("notation"),
                                              "scope_note": r.get("scopeNote"), "members": {}, "quotes": {}})
        if r.get("member"):
            c["members"][r["member"]] = CollectionMember(r["member"], r.get("memberLabel") or local(r["member"]),
                                                         r.get("memberNotation"), r.get("nested") == "1")
        if r.get("quote"):
            c["quotes"][r["quote"]] = quote_info(explorer, r)
            c.setdefault("starts", []).append(int(r["start"]) if r.get("start") else 0)
    inner = {m for c in info.values() for m, v in c["members"].items() if v.nested and m in info}
    out: list[CollectionNode] = []

    def walk(iri: str, depth: int, path: tuple[str, ...]) -> None:
        c = info[iri]
        members = tuple(sorted(c["members"].values(), key=_member_key))
        out.append(CollectionNode(iri, c["label"], c["notation"], c["scope_note"], depth, members,
                                  tuple(sorted(c["quotes"].values(), key=lambda q: q.line or 0))))
        for m in members:
            if m.nested and m.iri in info and m.iri not in path:
                walk(m.iri, depth + 1, path + (m.iri,))
    def first(i: str) -> tuple[int, ...]:  # where the collection's quotes start in the source: the text's order
        return tuple(sorted(set(info[i].get("starts", []))))
    for iri in sorted((i for i in info if i not in inner), key=lambda i: (first(i), info[i]["label"].lower())):
        walk(iri, 0, (iri,))
    return out


@dataclass(frozen=True)
class TermDoc:
    """A class or property of the ontology with its documentation."""

    iri: str
    name: str
    kind: str  # "class", "object property", "datatype property", "annotation property"
    label: str
    comment: str
    parents: tuple[str, ...] = ()
    domain: tuple[str, ...] = ()
    range: tuple[str, ...] = ()
    deprecated: bool = False


@dataclass(frozen=True)
class OntologyDoc:
    """The ontology's header and its terms."""

    iri: str
    title: str
    description: str
    version: str
    namespace: str
    classes: tuple[TermDoc, ...]
    properties: tuple[TermDoc, ...]


def ontology_path(overrides: dict[str, str] | None = None) -> Path:
    """Where ``ickg.ttl`` is."""
    return settings.get_path("ontology_dir", overrides) / "ickg.ttl"


def ontology_turtle(overrides: dict[str, str] | None = None) -> str:
    """The ontology as published (Turtle)."""
    return ontology_path(overrides).read_text(encoding="utf-8")


@lru_cache(maxsize=4)
def _ontology_doc(path: str, mtime: float) -> OntologyDoc:
    from rdflib import OWL, RDF, RDFS, Graph, URIRef
    from rdflib.namespace import DCTERMS

    g = Graph()
    g.parse(path, format="turtle")
    ns = FIXED_PREFIXES["ic"]

    def text(s, p) -> str:
        vals = [str(o) for o in g.objects(s, p)]
        return sorted(vals, key=len)[-1] if vals else ""

    def names(s, p) -> tuple[str, ...]:
        return tuple(sorted(compact(str(o)) for o in g.objects(s, p) if isinstance(o, URIRef)))

    onto = next(iter(g.subjects(RDF.type, OWL.Ontology)), None)
    kinds = ((OWL.Class, "class"), (OWL.ObjectProperty, "object property"),
             (OWL.DatatypeProperty, "datatype property"), (OWL.AnnotationProperty, "annotation property"))
    classes, props = [], []
    for cls, kind in kinds:
        for s in sorted(set(g.subjects(RDF.type, cls)), key=str):
            if not str(s).startswith(ns):
                continue
            doc = TermDoc(iri=str(s), name=compact(str(s)), kind=kind, label=text(s, RDFS.label) or local(str(s)),
                          comment=text(s, RDFS.comment),
                          parents=names(s, RDFS.subClassOf) + names(s, RDFS.subPropertyOf),
                          domain=names(s, RDFS.domain), range=names(s, RDFS.range),
                          deprecated=any(str(o).lower() == "true" for o in g.objects(s, OWL.deprecated)))
            (classes if kind == "class" else props).append(doc)
    return OntologyDoc(iri=str(onto or ""), title=text(onto, DCTERMS.title) if onto else "",
                       description=text(onto, DCTERMS.description) if onto else "",
                       version=text(onto, OWL.versionInfo) if onto else "", namespace=ns,
                       classes=tuple(classes), properties=tuple(sorted(props, key=lambda t: t.name)))


def ontology_doc(overrides: dict[str, str] | None = None) -> OntologyDoc:
    """Classes and properties of ``ontology/ickg.ttl`` with their labels and comments."""
    p = ontology_path(overrides)
    return _ontology_doc(str(p), p.stat().st_mtime)


def graph_text(explorer: Any, fmt: str) -> tuple[str, str]:
    """The whole graph as Turtle, JSON-LD or N-Triples, and a status line.

    The embedded store serialises the graph it holds; against a remote endpoint the graph is
    fetched with a CONSTRUCT within the row limit, and the status says when it was cut.
    """
    import pyoxigraph

    data = getattr(explorer.store, "_data", None)
    if data is not None:
        def make() -> tuple[str, str]:
            triples = list(pyoxigraph.parse(data, pyoxigraph.RdfFormat.N_TRIPLES))
            return rdf_text(triples, fmt, explorer.release_id, dataset_citation(explorer.release_id)), \
                f"{len(triples):,} triples"
        return memo(explorer, f"graph:{fmt}", make)
    result = explorer.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", max_rows=1_000_000)
    status = result.status
    try:  # an endpoint may cut a graph answer at its own limit without saying so: count to know
        rows = explorer.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").values()
        total = int(rows[0]["n"]) if rows and rows[0].get("n") else None
    except IckgError:
        total = None
    if total is not None and total > len(result.triples):
        status += f"; INCOMPLETE: the endpoint sent {len(result.triples):,} of its {total:,} triples " \
                  f"(its row limit); use `ickg export` for the whole graph"
    header = dataset_citation(explorer.release_id) + ("\n" + status if "INCOMPLETE" in status else "")
    return triples_text(result.triples, fmt, explorer.release_id, header), status
