"""Content negotiation and answer formats of the SPARQL endpoint.

SELECT and ASK answers as SPARQL results JSON (default), XML, CSV or TSV; CONSTRUCT and
DESCRIBE as Turtle (default), JSON-LD, N-Triples or RDF/XML. The format comes from a
``format=`` (or ``output=``) parameter, else from the Accept header. Every value written into
XML is escaped; a value XML 1.0 cannot carry is refused (406) rather than mangled.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg import export
from kg.errors import IckgError
from kg.namespaces import FIXED_PREFIXES
from kg.store import QueryResult, Term, result_to_json

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
_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_XML_BAD = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class NotRepresentable(IckgError):
    """An answer that the requested format cannot carry (e.g. a control character in XML)."""


class HttpError(Exception):
    """An answer with an HTTP status other than 200 and a message for the client."""

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
            raise HttpError(406, f"format {requested[0]!r} does not fit this query: {form} answers come as "
                                  f"{', '.join(formats.values())}")
        raise HttpError(400, f"unknown format {requested[0]!r}: use one of "
                              f"{', '.join(sorted(set(TABLE_FORMATS) | set(GRAPH_FORMATS)))} or a media type")
    chosen = negotiate(accept, offers)
    if chosen is None:
        raise HttpError(406, f"none of the accepted media types ({(accept or '')[:200]}) fits this query: "
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

