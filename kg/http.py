"""The HTTP face of the graph: a read-only SPARQL 1.1 Protocol endpoint, served by ``ickg serve``.

What it serves (a Starlette app, run by uvicorn):

* ``/sparql``: queries by GET ``?query=``, POST form ``query=`` or POST
  ``application/sparql-query``, as the SPARQL 1.1 Protocol says. The answer is negotiated from
  the Accept header or a ``format=`` parameter: SELECT and ASK as SPARQL results JSON
  (default), XML, CSV or TSV; CONSTRUCT and DESCRIBE as Turtle (default), JSON-LD, N-Triples
  or RDF/XML. A GET without a query returns the SPARQL 1.1 Service Description.
* ``/gallery.ttl`` and ``/gallery.jsonld``: the named query gallery as SHACL executables, the
  way SIB's sparql-examples publish theirs, so YASGUI-style clients can offer them.
* ``/settings.json`` (the settings table, secrets withheld) and ``/health``.

Why it is built this way: every query goes through the project's one query engine
(:mod:`kg.store`), so the endpoint has exactly the checks of the CLI and the app: read-only
(updates, SERVICE and LOAD refused), the time limit and the row limit. Those limits are never
hidden: every answer carries ``X-ICKG-Truncated``, ``X-ICKG-Timed-Out``, ``X-ICKG-Release`` and
``X-ICKG-Elapsed-Ms`` headers, and JSON answers an ``"ickg"`` object. The blocking engine call
runs in a thread pool and the embedded store keeps a pool of killable worker processes, so one
slow query does not hold up the others. Failures use one JSON envelope
``{"ok": false, "error": ..., "status": ...}`` (plain text when the client asked for CSV or
TSV): 400 for a malformed or refused query, 504 when the time limit stops it.

What it deliberately does not do: SPARQL Update or the Graph Store Protocol (the graph is
rebuilt from the curated files, never edited over HTTP); dataset parameters
(``default-graph-uri``, ``named-graph-uri``: there is one default graph, and a parameter that
cannot be honoured is refused rather than ignored); authentication, rate limiting or caching
(put a reverse proxy in front for that); HTML pages (use YASGUI or the Streamlit explorer), so
nothing is ever reflected into HTML, and XML answers escape every value. It binds 127.0.0.1
unless told otherwise.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import json
import os
import re
import socket
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, VOID, XSD
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kg import export, settings
from kg.errors import IckgError
from kg.namespaces import FIXED_PREFIXES
from kg.queries import NamedQuery, gallery
from kg.store import QueryError, QueryResult, QueryTimeout, Term, check_query, open_store, result_to_json

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")
SCHEMA = Namespace("https://schema.org/")
SPEX = Namespace("https://purl.expasy.org/sparql-examples/ontology#")
#: Gallery queries are published as ``<QUERY_NS><name>``.
QUERY_NS = "https://w3id.org/ickg/query/"
XSD_STRING = str(XSD.string)

#: Result formats of SELECT and ASK: short name -> media type (the first is the default).
TABLE_FORMATS = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                 "csv": "text/csv", "tsv": "text/tab-separated-values"}
#: Result formats of CONSTRUCT and DESCRIBE (and of the service description and the gallery).
GRAPH_FORMATS = {"turtle": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples",
                 "rdfxml": "application/rdf+xml"}
_W3C_FORMAT = {"json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
               "tsv": "SPARQL_Results_TSV", "turtle": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples",
               "rdfxml": "RDF_XML"}

# Media types matched against Accept, in order of preference (ties go to the earlier one).
_TABLE_OFFERS = [(m, n) for n, m in TABLE_FORMATS.items()] + [
    ("application/json", "json"), ("application/xml", "xml"), ("text/xml", "xml")]
_GRAPH_OFFERS = [(m, n) for n, m in GRAPH_FORMATS.items()] + [
    ("application/x-turtle", "turtle"), ("application/turtle", "turtle"), ("text/n3", "turtle"),
    ("text/rdf+n3", "turtle"), ("application/n3", "turtle"), ("application/json", "jsonld"),
    ("application/xml", "rdfxml"), ("text/xml", "rdfxml"), ("text/plain", "nt")]
# Values of ?format= (SPARQLWrapper also sends them as ?output= and repeats them as media types).
_TABLE_NAMES = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv",
                **{m: n for m, n in _TABLE_OFFERS}}
_GRAPH_NAMES = {"turtle": "turtle", "ttl": "turtle", "n3": "turtle", "jsonld": "jsonld", "json-ld": "jsonld",
                "json": "jsonld", "nt": "nt", "ntriples": "nt", "n-triples": "nt", "xml": "rdfxml",
                "rdfxml": "rdfxml", "rdf+xml": "rdfxml", "rdf": "rdfxml", **{m: n for m, n in _GRAPH_OFFERS}}

MAX_BODY = 1_000_000  # bytes of a POSTed query; far above any real query, well below harm
_EXPOSED = ["X-ICKG-Truncated", "X-ICKG-Timed-Out", "X-ICKG-Release", "X-ICKG-Elapsed-Ms", "X-ICKG-Note"]
_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_XML_BAD = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SECRET = re.compile(r"pass|secret|token|key|credential|auth", re.I)


class NotRepresentable(IckgError):
    """An answer that the requested format cannot carry (e.g. a control character in XML)."""


class _HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# ------------------------------------------------------------------------ negotiation

def negotiate(accept: str | None, offers: Sequence[tuple[str, str]]) -> str | None:
    """The offered format that best matches an Accept header; the first offer when there is none.

    Returns None when the header accepts none of the offers (HTTP 406).
    """
    ranges: list[tuple[str, float]] = []
    for part in (accept or "").split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if "/" not in media:
            continue
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    if not ranges:
        return offers[0][1]
    best, best_q = None, 0.0
    for media, name in offers:
        q = _quality(media, ranges)
        if q > best_q:
            best, best_q = name, q
    return best


def _quality(media: str, ranges: list[tuple[str, float]]) -> float:
    kind = media.split("/")[0]
    for pattern in (media, f"{kind}/*", "*/*"):  # the most specific matching range decides
        matched = [q for m, q in ranges if m == pattern]
        if matched:
            return max(matched)
    return 0.0


def _requested(params: dict[str, list[str]]) -> list[str]:
    return [v.strip().lower() for key in ("format", "output") for v in params.get(key, []) if v.strip()]


def choose_format(kind: str, params: dict[str, list[str]], accept: str | None) -> str:
    """The answer format for a query kind: a ``format=`` parameter wins over the Accept header."""
    names, offers, formats = ((_GRAPH_NAMES, _GRAPH_OFFERS, GRAPH_FORMATS) if kind == "graph"
                              else (_TABLE_NAMES, _TABLE_OFFERS, TABLE_FORMATS))
    form = "CONSTRUCT and DESCRIBE" if kind == "graph" else "SELECT and ASK"
    requested = _requested(params)
    if requested:
        for value in requested:
            if value in names:
                return names[value]
        if any(v in _TABLE_NAMES or v in _GRAPH_NAMES for v in requested):
            raise _HttpError(406, f"format {requested[0]!r} does not fit this query: {form} answers come as "
                                  f"{', '.join(formats.values())}")
        raise _HttpError(400, f"unknown format {requested[0]!r}: use one of "
                              f"{', '.join(sorted(set(TABLE_FORMATS) | set(GRAPH_FORMATS)))} or a media type")
    chosen = negotiate(accept, offers)
    if chosen is None:
        raise _HttpError(406, f"none of the accepted media types ({(accept or '')[:200]}) fits this query: "
                              f"{form} answers come as {', '.join(formats.values())}")
    return chosen


def _wants_text(params: dict[str, list[str]], accept: str | None) -> bool:
    """True when the client asked for CSV or TSV, so errors should be plain text."""
    for value in _requested(params):
        if value in _TABLE_NAMES:
            return _TABLE_NAMES[value] in ("csv", "tsv")
        if value in _GRAPH_NAMES:
            return False
    return negotiate(accept, _TABLE_OFFERS) in ("csv", "tsv") if accept else False


# ------------------------------------------------------------------------- rendering

def render_xml(result: QueryResult) -> str:
    """SPARQL Query Results XML Format (https://www.w3.org/TR/rdf-sparql-XMLres/), every value escaped."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n']
    if result.kind == "ask":
        out.append(f"  <head/>\n  <boolean>{'true' if result.boolean else 'false'}</boolean>\n</sparql>\n")
        return "".join(out)
    out.append("  <head>\n")
    out += [f"    <variable name={quoteattr(c)}/>\n" for c in result.columns]
    out.append("  </head>\n  <results>\n")
    for row in result.rows:
        out.append("    <result>\n")
        for column, term in zip(result.columns, row):
            if term is not None:
                out.append(f"      <binding name={quoteattr(column)}>{_xml_term(term)}</binding>\n")
        out.append("    </result>\n")
    out.append("  </results>\n</sparql>\n")
    return "".join(out)


def _xml_check(value: str) -> str:
    if _XML_BAD.search(value):
        raise NotRepresentable("a value holds a character that XML 1.0 cannot carry; "
                               "ask for application/sparql-results+json instead")
    return value


def _xml_text(value: str) -> str:
    # a raw CR would be read back as LF (XML end-of-line handling), so it travels as a reference
    return escape(_xml_check(value), {"\r": "&#13;"})


def _xml_term(t: Term) -> str:
    if t.type == "uri":
        return f"<uri>{_xml_text(t.value)}</uri>"
    if t.type == "bnode":
        return f"<bnode>{_xml_text(t.value)}</bnode>"
    if t.lang:
        return f"<literal xml:lang={quoteattr(_xml_check(t.lang))}>{_xml_text(t.value)}</literal>"
    if t.datatype:
        return f"<literal datatype={quoteattr(_xml_check(t.datatype))}>{_xml_text(t.value)}</literal>"
    return f"<literal>{_xml_text(t.value)}</literal>"


def render_csv(result: QueryResult) -> str:
    """SPARQL 1.1 CSV results: header of names, plain values, CRLF line ends, RFC 4180 quoting.

    An ASK answer is written as a one-column table ``boolean`` holding ``true`` or ``false``
    (the W3C format covers SELECT only).
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    if result.kind == "ask":
        writer.writerows([["boolean"], ["true" if result.boolean else "false"]])
        return buf.getvalue()
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow(["" if t is None else ("_:" + t.value if t.type == "bnode" else t.value) for t in row])
    return buf.getvalue()


def render_tsv(result: QueryResult) -> str:
    """SPARQL 1.1 TSV results: ``?name`` header, terms in N-Triples syntax, empty when unbound.

    An ASK answer is written as a one-column table ``?boolean`` holding ``true`` or ``false``.
    """
    if result.kind == "ask":
        return "?boolean\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join("?" + c for c in result.columns)]
    lines += ["\t".join("" if t is None else nt_term(t) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def nt_term(t: Term) -> str:
    """A term in N-Triples syntax; characters not allowed in an IRI are written as \\u escapes."""
    if t.type == "uri":
        return f"<{_nt_iri(t.value)}>"
    if t.type == "bnode":
        return f"_:{t.value}"
    text = ('"' + t.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r").replace("\t", "\\t") + '"')
    if t.lang:
        return f"{text}@{t.lang}"
    if t.datatype and t.datatype != XSD_STRING:
        return f"{text}^^<{_nt_iri(t.datatype)}>"
    return text


def _nt_iri(value: str) -> str:
    return _IRI_BAD.sub(lambda m: f"\\u{ord(m.group()):04X}", value)


def _rdflib_term(t: Term) -> Any:
    if t.type == "uri":
        return URIRef(t.value)
    if t.type == "bnode":
        return BNode(t.value)
    if t.lang:
        return Literal(t.value, lang=t.lang)
    if t.datatype and t.datatype != XSD_STRING:
        return Literal(t.value, datatype=URIRef(t.datatype), normalize=False)  # keep the lexical form
    return Literal(t.value)


def result_graph(result: QueryResult) -> Graph:
    """The triples of a CONSTRUCT or DESCRIBE answer as an rdflib graph with the project's prefixes."""
    g = Graph(bind_namespaces="core")
    for prefix, ns in FIXED_PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    for triple in result.triples:
        g.add(tuple(_rdflib_term(t) for t in triple))
    return g


def serialise_graph(g: Graph, fmt: str, comments: Sequence[str] = ()) -> str:
    """A graph as Turtle, JSON-LD, N-Triples or RDF/XML; comments head the formats that have them."""
    head = "".join(f"# {c}\n" for c in comments)
    if fmt == "turtle":
        return head + g.serialize(format="turtle")
    if fmt == "nt":
        return head + (export.to_ntriples(g) if len(g) else "")
    if fmt == "jsonld":
        return export.to_jsonld(g)
    try:
        return g.serialize(format="pretty-xml")
    except Exception as exc:  # rdflib cannot write a predicate IRI that has no XML QName
        raise NotRepresentable(f"this answer cannot be written as RDF/XML ({exc}); ask for text/turtle") from None


def render(result: QueryResult, fmt: str, release_id: str = "") -> tuple[str, str]:
    """The body and media type of an answer in a format (a name from TABLE_FORMATS or GRAPH_FORMATS)."""
    if result.kind == "graph":
        comments = [f"answer from the integrated-care knowledge graph, release {release_id}"] if release_id else []
        if result.truncated:
            comments.append(f"TRUNCATED: the row limit of {result.max_rows:,} triples was reached")
        if result.timed_out:
            comments.append("INCOMPLETE: the query was stopped at the time limit")
        return serialise_graph(result_graph(result), fmt, comments), GRAPH_FORMATS[fmt]
    if fmt == "xml":
        return render_xml(result), TABLE_FORMATS[fmt]
    if fmt == "csv":
        return render_csv(result), TABLE_FORMATS[fmt]
    if fmt == "tsv":
        return render_tsv(result), TABLE_FORMATS[fmt]
    return json.dumps(result_to_json(result, release_id), ensure_ascii=False), TABLE_FORMATS["json"]


# --------------------------------------------------------------- descriptions as RDF

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

    try:
        name = parseQuery(text)[1].name
    except Exception:  # rdflib's parser is stricter in places; fall back to the engine's check
        kind = check_query(text)
        return "construct" if kind == "graph" else kind
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


# ------------------------------------------------------------------- settings, health

def _redact(name: str, value: str) -> str:
    if _SECRET.search(name):
        return "(hidden)" if value else ""
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.netloc:
        netloc = parts.hostname or ""
        if ":" in netloc:
            netloc = f"[{netloc}]"
        try:
            netloc += f":{parts.port}" if parts.port else ""
        except ValueError:  # a malformed port: show the host only
            pass
        query = "(hidden)" if parts.query else ""  # API keys travel in query strings
        return urlunsplit((parts.scheme, netloc, parts.path, query, ""))
    return value


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
        rows.append({"name": s.name, "value": _redact(s.name, value), "from": origin, "env": s.env,
                     "default": _redact(s.name, s.default), "help": s.help})
    return rows


# ------------------------------------------------------------------------------- app

def _response(body: str | bytes, media_type: str, status: int = 200,
              headers: dict[str, str] | None = None) -> Response:
    if media_type.startswith("text/"):
        media_type += "; charset=utf-8"
    all_headers = {"X-Content-Type-Options": "nosniff", **(headers or {})}
    return Response(body, status_code=status, media_type=media_type, headers=all_headers)


def _error(status: int, message: str, as_text: bool = False, headers: dict[str, str] | None = None) -> Response:
    if as_text:
        return _response(f"error {status}: {message}\n", "text/plain", status, headers)
    envelope = {"ok": False, "error": message, "status": status}
    return _response(json.dumps(envelope, ensure_ascii=False), "application/json", status, headers)


def _header_text(value: str) -> str:
    return "".join(c if " " <= c <= "~" else "?" for c in value)


async def _read_body(request: Request) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise _HttpError(413, f"the request body is over {MAX_BODY:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise _HttpError(400, "the request body is not UTF-8") from None


async def _read_request(request: Request) -> tuple[str | None, dict[str, list[str]]]:
    """The query text (None if there is none) and every parameter, per the SPARQL 1.1 Protocol."""
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    direct = None
    if request.method == "POST":
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "application/sparql-update":
            raise _HttpError(400, "this endpoint is read-only: SPARQL Update is not accepted")
        if ctype == "application/x-www-form-urlencoded":
            try:
                form = parse_qsl(_decode(await _read_body(request)), keep_blank_values=True,
                                 encoding="utf-8", errors="strict")
            except UnicodeDecodeError:
                raise _HttpError(400, "the form is not UTF-8") from None
            for key, value in form:
                params.setdefault(key, []).append(value)
        elif ctype == "application/sparql-query":
            direct = _decode(await _read_body(request))
            if "query" in params:
                raise _HttpError(400, "the query was sent twice: in the body and as a query= parameter")
        else:
            raise _HttpError(415, "send the query as application/x-www-form-urlencoded (query=...) or as an "
                                  "application/sparql-query body (SPARQL 1.1 Protocol)")
    if "update" in params:
        raise _HttpError(400, "this endpoint is read-only: SPARQL Update (update=) is not accepted")
    for key in ("default-graph-uri", "named-graph-uri"):
        if any(v.strip() for v in params.get(key, [])):
            raise _HttpError(400, f"{key} is not supported: this endpoint serves one default graph; "
                                  "leave the parameter out")
    if direct is not None:
        return direct, params
    texts = params.get("query", [])
    if len(texts) > 1:
        raise _HttpError(400, "send exactly one query= parameter")
    return (texts[0] if texts else None), params


def create_app(store: Any, overrides: dict[str, str] | None = None,
               queries: Sequence[NamedQuery] | None = None) -> Starlette:
    """The ASGI app serving ``store`` (an EmbeddedStore or RemoteStore) over HTTP.

    Args:
        store: the query engine; every query goes through its ``query`` (checks and limits).
        overrides: the settings overrides in force, for ``/settings.json``.
        queries: the gallery to publish; the package's gallery when None.
    """
    cache: dict[str, Any] = {}

    def release_headers() -> dict[str, str]:
        return {"X-ICKG-Release": _header_text(store.release_id or "")}

    def triple_count() -> int | None:
        # counted once, only where it is cheap: a remote store may hold billions of triples
        if "triples" not in cache:
            cache["triples"] = None
            if getattr(store, "backend", "") == "embedded":
                try:
                    result = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
                    cache["triples"] = int(result.rows[0][0].value)
                except (IckgError, ValueError, IndexError):
                    cache.pop("triples")
        return cache.get("triples")

    def endpoint_url(request: Request) -> str:
        url = str(request.url_for("sparql"))
        if _IRI_BAD.search(url):
            raise _HttpError(400, "the Host header does not make a valid IRI")
        return url

    async def sparql(request: Request) -> Response:
        accept = request.headers.get("accept")
        params: dict[str, list[str]] = {}
        try:
            text, params = await _read_request(request)
            if text is None:
                if request.method == "POST":
                    raise _HttpError(400, "no query: send query=... (SPARQL 1.1 Protocol)")
                return await description(request, params, accept)
            if not text.strip():
                raise _HttpError(400, "the query is empty")
            try:
                kind = await run_in_threadpool(check_query, text)
            except QueryError as exc:
                raise _HttpError(400, str(exc)) from None
            fmt = choose_format(kind, params, accept)
            try:
                result = await run_in_threadpool(store.query, text)
            except QueryTimeout as exc:
                return _error(504, str(exc), _wants_text(params, accept),
                              {**release_headers(), "X-ICKG-Timed-Out": "true"})
            except QueryError as exc:
                # the query passed the check, so this is the engine's or the upstream's failure
                raise _HttpError(502 if getattr(store, "backend", "") == "remote" else 500, str(exc)) from None
            except IckgError as exc:
                raise _HttpError(503, str(exc)) from None
            try:
                body, media = render(result, fmt, store.release_id)
            except NotRepresentable as exc:
                raise _HttpError(406, str(exc)) from None
        except _HttpError as exc:
            return _error(exc.status, exc.message, _wants_text(params, accept), release_headers())
        headers = {**release_headers(), "X-ICKG-Truncated": str(result.truncated).lower(),
                   "X-ICKG-Timed-Out": str(result.timed_out).lower(),
                   "X-ICKG-Elapsed-Ms": f"{result.elapsed_ms:.1f}", "Vary": "Accept"}
        if result.note:
            headers["X-ICKG-Note"] = _header_text(result.note)
        return _response(body, media, headers=headers)

    async def description(request: Request, params: dict[str, list[str]], accept: str | None) -> Response:
        fmt = next((_GRAPH_NAMES[v] for v in _requested(params) if v in _GRAPH_NAMES), None)
        fmt = fmt or negotiate(accept, _GRAPH_OFFERS) or "turtle"
        triples = await run_in_threadpool(triple_count)
        g = service_description(endpoint_url(request), store.release_id, triples,
                                store.time_limit_ms, store.max_rows)
        return _response(serialise_graph(g, fmt), GRAPH_FORMATS[fmt], headers={**release_headers(), "Vary": "Accept"})

    async def gallery_route(request: Request) -> Response:
        fmt = "jsonld" if request.url.path.endswith(".jsonld") else "turtle"
        try:
            published = queries if queries is not None else await run_in_threadpool(gallery)
            g = await run_in_threadpool(gallery_graph, published, endpoint_url(request))
        except _HttpError as exc:
            return _error(exc.status, exc.message)
        except IckgError as exc:
            return _error(500, f"the query gallery could not be read: {exc}")
        return _response(serialise_graph(g, fmt), GRAPH_FORMATS[fmt])

    async def settings_route(request: Request) -> Response:
        return _response(json.dumps(public_settings(overrides, store), indent=1), "application/json")

    async def health(request: Request) -> Response:
        data = {"ok": True, "release": store.release_id, "backend": store.backend,
                "location": _redact("location", store.location), "triples": await run_in_threadpool(triple_count),
                "time_limit_ms": store.time_limit_ms, "max_rows": store.max_rows}
        return _response(json.dumps(data), "application/json", headers=release_headers())

    async def index(request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        data = {"sparql": base + "/sparql", "gallery": [base + "/gallery.ttl", base + "/gallery.jsonld"],
                "settings": base + "/settings.json", "health": base + "/health", "release": store.release_id}
        return _response(json.dumps(data, indent=1), "application/json")

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return _error(exc.status_code, exc.detail, headers=dict(exc.headers or {}))

    async def server_error(request: Request, exc: Exception) -> Response:
        return _error(500, f"internal error ({type(exc).__name__}); see the server log")

    routes = [Route("/", index), Route("/sparql", sparql, methods=["GET", "POST"], name="sparql"),
              Route("/gallery.ttl", gallery_route), Route("/gallery.jsonld", gallery_route),
              Route("/settings.json", settings_route), Route("/health", health)]
    from kg import http_ld  # linked data: IRIs dereferenced, VoID, YASGUI at / (before / here, for browsers)

    routes = http_ld.routes(store, index) + routes
    # YASGUI and other browser clients call from any origin; nothing here uses cookies
    cors = Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"], allow_headers=["*"],
                      allow_credentials=False, expose_headers=_EXPOSED, max_age=600)
    return Starlette(routes=routes, middleware=[cors],
                     exception_handlers={HTTPException: http_error, Exception: server_error})


# ---------------------------------------------------------------------------- serving

def is_loopback(host: str) -> bool:
    """True when ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (port 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise IckgError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def base_url(host: str, port: int) -> str:
    """The URL a local client should use for a server bound to ``host:port``."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _server(app: Starlette, log_level: str, access_log: bool):
    import uvicorn

    config = uvicorn.Config(app, log_level=log_level, access_log=access_log, lifespan="off",
                            timeout_graceful_shutdown=5)
    return uvicorn.Server(config)


class ServerThread:
    """An app served by uvicorn on a background thread (tests, embedding); ``stop()`` ends it."""

    def __init__(self, app: Starlette, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning") -> None:
        self.sock = bind(host, port)
        self.url = base_url(host, self.sock.getsockname()[1])
        self.server = _server(app, log_level, access_log=False)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       name="ickg-http", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise IckgError(f"the HTTP server on {self.url} did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self.server.should_exit = True
        self.thread.join(15)
        self.sock.close()


def run(host: str = "127.0.0.1", port: int = 8000, overrides: dict[str, str] | None = None,
        workers: int = 2) -> None:
    """Serve the configured store on ``host:port`` until interrupted (``ickg serve``)."""
    sock = bind(host, port)  # fail before the slow build when the port is taken
    try:
        store = open_store(overrides, workers=workers)
    except BaseException:
        sock.close()
        raise
    try:
        store.warm()
        url = base_url(host, sock.getsockname()[1])
        if not is_loopback(host):
            print(f"WARNING: listening on {host}, not a loopback address: anyone who can reach this "
                  "machine can query the endpoint (read-only, limits apply)", file=sys.stderr, flush=True)
        print(f"SPARQL endpoint: {url}/sparql", flush=True)
        print(f"  release {store.release_id or '(remote)'}, {store.location}, time limit "
              f"{store.time_limit_ms} ms, row limit {store.max_rows:,}", flush=True)
        print(f"  gallery {url}/gallery.ttl, settings {url}/settings.json, health {url}/health", flush=True)
        _server(create_app(store, overrides), "info", access_log=True).run(sockets=[sock])
    finally:
        store.close()
        sock.close()
