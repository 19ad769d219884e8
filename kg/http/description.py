"""What the endpoint says about itself: the SPARQL 1.1 Service Description, the query gallery
as SHACL executables (the way SIB's sparql-examples publish theirs), and the public settings.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, VOID, XSD

from kg import settings
from kg.http.negotiation import _W3C_FORMAT, GRAPH_FORMATS, TABLE_FORMATS
from kg.namespaces import FIXED_PREFIXES
from kg.queries import NamedQuery, gallery

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")
SCHEMA = Namespace("https://schema.org/")
SPEX = Namespace("https://purl.expasy.org/sparql-examples/ontology#")
#: Gallery queries are published as ``<QUERY_NS><name>``.
QUERY_NS = "https://w3id.org/ickg/query/"


def service_description(endpoint: str, release_id: str = "", triples: int | None = None,
                        time_limit_ms: int | None = None, max_rows: int | None = None) -> Graph:
    """The SPARQL 1.1 Service Description of the endpoint at ``endpoint``."""
    g = Graph(bind_namespaces="core")
    for prefix, ns in (("sd", SD), ("formats", FORMATS_NS), ("void", VOID), ("dct", DCTERMS), ("rdfs", RDFS)):
        g.bind(prefix, ns)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.defaultEntailmentRegime, URIRef("http://www.w3.org/ns/entailment/Simple")))
    for name in (*TABLE_FORMATS, *GRAPH_FORMATS):
        g.add((service, SD.resultFormat, FORMATS_NS[_W3C_FORMAT[name]]))
    g.add((service, DCTERMS.title, Literal("Integrated-care knowledge graph (read-only SPARQL endpoint)", lang="en")))
    limits = "Read-only: SPARQL Update, SERVICE and LOAD are refused."
    if time_limit_ms:
        limits += f" Each query is stopped after {time_limit_ms} ms (HTTP 504)."
    if max_rows:
        limits += (f" Answers stop at {max_rows} rows or triples; a cut answer carries the header"
                   " X-ICKG-Truncated: true.")
    g.add((service, RDFS.comment, Literal(limits, lang="en")))
    base = endpoint.rsplit("/", 1)[0]
    g.add((service, RDFS.seeAlso, URIRef(base + "/gallery.ttl")))
    dataset, graph = BNode(), BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, graph))
    g.add((graph, RDF.type, SD.Graph))
    if release_id:
        g.add((dataset, DCTERMS.identifier, Literal(release_id)))
    if triples is not None:
        g.add((graph, VOID.triples, Literal(triples)))
    return g


def query_body(text: str) -> str:
    """A gallery query's text without its ``#`` header lines."""
    lines = text.splitlines()
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines).strip() + "\n"


def query_form(text: str) -> str:
    """The form of a query: ``select``, ``ask``, ``construct`` or ``describe``."""
    from rdflib.plugins.sparql.parser import parseQuery

    name = parseQuery(text)[1].name  # the project's own gallery files, never a user's text
    return {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "construct",
            "DescribeQuery": "describe"}.get(name, "select")


def gallery_graph(queries: Iterable[NamedQuery] | None = None, endpoint: str | None = None) -> Graph:
    """The query gallery as RDF, the way SIB's sparql-examples publish queries (SHACL executables).

    Each query is ``<https://w3id.org/ickg/query/NAME>``, an ``sh:SPARQLExecutable`` with its
    form's subclass, ``rdfs:label`` (title), ``rdfs:comment`` (description), the text under
    ``sh:select``/``sh:ask``/``sh:construct`` (``spex:describe`` for DESCRIBE, as SIB does),
    ``schema:keywords`` (tags), ``dct:identifier`` (name), ``sh:prefixes`` (the prefixes every
    query may use undeclared) and, when known, ``schema:target`` (the endpoint).
    """
    queries = gallery() if queries is None else queries
    g = Graph(bind_namespaces="core")
    for prefix, ns in (("sh", SH), ("schema", SCHEMA), ("dct", DCTERMS), ("rdfs", RDFS), ("spex", SPEX),
                       ("owl", OWL), ("xsd", XSD), ("query", Namespace(QUERY_NS))):
        g.bind(prefix, ns, override=True)
    prefixes = URIRef(QUERY_NS)
    g.add((prefixes, RDF.type, OWL.Ontology))
    g.add((prefixes, RDFS.label, Literal("Integrated-care knowledge graph: query gallery", lang="en")))
    for prefix, ns in sorted(FIXED_PREFIXES.items()):
        decl = BNode()
        g.add((prefixes, SH.declare, decl))
        g.add((decl, SH.prefix, Literal(prefix)))
        g.add((decl, SH.namespace, Literal(ns, datatype=XSD.anyURI)))
    kinds = {"select": (SH.SPARQLSelectExecutable, SH.select), "ask": (SH.SPARQLAskExecutable, SH.ask),
             "construct": (SH.SPARQLConstructExecutable, SH.construct), "describe": (None, SPEX.describe)}
    for q in queries:
        node = URIRef(QUERY_NS + quote(q.name, safe="-._~"))
        body = query_body(q.text)
        subclass, predicate = kinds[query_form(body)]
        g.add((node, RDF.type, SH.SPARQLExecutable))
        if subclass is not None:
            g.add((node, RDF.type, subclass))
        g.add((node, RDFS.label, Literal(q.title, lang="en")))
        g.add((node, RDFS.comment, Literal(q.description, lang="en")))
        g.add((node, predicate, Literal(body)))
        g.add((node, SH.prefixes, prefixes))
        g.add((node, DCTERMS.identifier, Literal(q.name)))
        for tag in q.tags:
            g.add((node, SCHEMA.keywords, Literal(tag)))
        if endpoint:
            g.add((node, SCHEMA.target, URIRef(endpoint)))
    return g



def public_settings(overrides: dict[str, str] | None = None, store: Any = None) -> list[dict[str, str]]:
    """The settings table with current values and where each comes from; secrets withheld.

    The limits shown are the store's own, which are the ones every query obeys.
    """
    rows = []
    for s in settings.SETTINGS:
        value = settings.get(s.name, overrides)
        origin = ("setting" if overrides and s.name in overrides
                  else "environment" if s.env in os.environ else "default")
        effective = {"query_time_limit_ms": getattr(store, "time_limit_ms", None),
                     "max_rows": getattr(store, "max_rows", None)}.get(s.name)
        if effective is not None and str(effective) != value:
            value, origin = str(effective), "server"
        rows.append({"name": s.name, "value": settings.public(s.name, value), "from": origin, "env": s.env,
                     "default": settings.public(s.name, s.default), "help": s.help})
    return rows

