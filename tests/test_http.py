"""`ickg serve`: the SPARQL 1.1 Protocol endpoint, exercised over a real socket with real clients.

One uvicorn server per module serves an EmbeddedStore built from the fixture evidence
(``kg.fixtures``) with a 3 s time limit and a 100-row limit. Clients are SPARQLWrapper, rdflib's
SPARQLStore and plain httpx. The timeout test is deterministic by construction: a triple cross
product over ~1,000 triples (10^9 rows) can never finish in 3 s, and the test waits until the
slow query is inside the engine before it sends the fast one.
"""

from __future__ import annotations

import csv
import io
import json
import queue
import re
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, RDFS, SH, VOID
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, POST, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg import export, http, pipeline
from kg.fixtures import HOSTILE, write_fixture
from kg.queries import parse
from kg.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
SCHEMA = Namespace("https://schema.org/")
SPEX = Namespace("https://purl.expasy.org/sparql-examples/ontology#")
SRX = "{http://www.w3.org/2005/sparql-results#}"
CASE = "https://w3id.org/ickg/case/"

TIME_LIMIT_MS, MAX_ROWS = 3000, 100
CASES = "SELECT ?case ?label WHERE { ?case a ic:CaseStudy ; rdfs:label ?label } ORDER BY ?case"
LABELS = "CONSTRUCT { ?case rdfs:label ?label } WHERE { ?case a ic:CaseStudy ; rdfs:label ?label }"
CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TRICKY = ('SELECT ?s ?plain ?lang ?typed ?none WHERE { VALUES (?s ?plain ?lang ?typed) { '
          '(<https://w3id.org/ickg/case/x> "a, \\"quoted\\"\\ttab\\r\\nline ]]> <b>&amp;" "Zürich"@de '
          '"007"^^<https://example.org/code>) } OPTIONAL { ?s ic:nothing ?none } }')
TRICKY_PLAIN = 'a, "quoted"\ttab\r\nline ]]> <b>&amp;'

GALLERY = {
    "cases-by-label": ("# title: Case studies and their labels\n"
                       '# description: Every case study with its label; a hostile """ \\ <script>x</script> text.\n'
                       "# tags: policymaker, researcher\n" + CASES + "\n"),
    "case-labels": "# title: Labels as a graph\n# description: The labels, as triples.\n# tags: researcher\n"
                   + LABELS + "\n",
    "has-cases": "# title: Any case studies?\n# description: True when the graph has a case study.\n"
                 "# tags: designer\nASK { ?c a ic:CaseStudy }\n",
    "describe-riverside": "# title: Riverside\n# description: Everything about one case.\n# tags: researcher\n"
                          "DESCRIBE case:riverside\n",
}


class RecordingStore:
    """The real store, plus an event per query text that is set once the query reaches the engine."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store
        self.entered: dict[str, threading.Event] = {}

    def __getattr__(self, name):
        return getattr(self.store, name)

    def event(self, text: str) -> threading.Event:
        return self.entered.setdefault(text, threading.Event())

    def query(self, text, *args, **kwargs):
        self.event(text).set()
        return self.store.query(text, *args, **kwargs)


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    """A running endpoint over the fixture graph, with a fixture query gallery."""
    folder = tmp_path_factory.mktemp("http")
    evidence, _ = write_fixture(folder)
    outcome = pipeline.run({"evidence_dir": str(evidence)})
    assert outcome.ok, outcome.errors
    nt = export.to_ntriples(outcome.built.graph).encode("utf-8")
    store = EmbeddedStore(nt, outcome.built.release_id, workers=2, time_limit_ms=TIME_LIMIT_MS, max_rows=MAX_ROWS)
    store.warm()
    queries_dir = folder / "queries"
    queries_dir.mkdir()
    for name, text in GALLERY.items():
        (queries_dir / f"{name}.rq").write_text(text, encoding="utf-8")
    gallery = [parse(p) for p in sorted(queries_dir.glob("*.rq"))]
    recording = RecordingStore(store)
    server = http.ServerThread(http.create_app(recording, queries=gallery))
    yield SimpleNamespace(url=server.url, sparql=server.url + "/sparql", store=recording,
                          release=outcome.built.release_id, triples=nt.count(b"\n"), evidence=evidence)
    server.stop()
    store.close()


def get(srv, query, accept=None, **params):
    headers = {"Accept": accept} if accept else {}
    return httpx.get(srv.sparql, params={"query": query, **params}, headers=headers, timeout=30)


def labels(data: dict) -> list[str]:
    return [b["label"]["value"] for b in data["results"]["bindings"]]


# ------------------------------------------------------------------------ protocol

def test_get_select_answers_sparql_json_with_flags(srv):
    """GET ?query= answers SPARQL JSON with the ickg object and the release, truncation and timing headers."""
    r = get(srv, CASES)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    data = r.json()
    assert data["head"]["vars"] == ["case", "label"]
    assert labels(data) == [HOSTILE, "Riverside Care Trust"]
    assert data["ickg"]["truncated"] is False and data["ickg"]["release"] == srv.release
    assert r.headers["x-ickg-release"] == srv.release
    assert r.headers["x-ickg-truncated"] == "false" and r.headers["x-ickg-timed-out"] == "false"
    assert float(r.headers["x-ickg-elapsed-ms"]) >= 0
    assert r.headers["x-content-type-options"] == "nosniff"


def test_post_form_and_direct_body_give_the_get_answer(srv):
    """POST form-encoded query= and POST application/sparql-query answer exactly as GET does."""
    expected = get(srv, CASES).json()["results"]
    form = httpx.post(srv.sparql, data={"query": CASES}, timeout=30)
    direct = httpx.post(srv.sparql, content=CASES.encode("utf-8"), timeout=30,
                        headers={"Content-Type": "application/sparql-query; charset=utf-8"})
    for r in (form, direct):
        assert r.status_code == 200, r.text
        assert r.json()["results"] == expected


def test_post_without_a_query_or_with_another_body_is_refused(srv):
    """POST with no query is 400; a body that is neither form nor sparql-query is 415; both in the envelope."""
    r = httpx.post(srv.sparql, data={"format": "json"}, timeout=30)
    assert r.status_code == 400 and r.json() == {"ok": False, "error": r.json()["error"], "status": 400}
    assert "no query" in r.json()["error"]
    r = httpx.post(srv.sparql, json={"query": CASES}, timeout=30)
    assert r.status_code == 415 and "application/sparql-query" in r.json()["error"]


def test_two_query_parameters_and_dataset_parameters_are_refused(srv):
    """Two query= parameters, or a default-graph-uri the endpoint cannot honour, answer 400."""
    r = httpx.get(srv.sparql + "?query=ASK%7B%7D&query=ASK%7B%7D", timeout=30)
    assert r.status_code == 400 and "exactly one" in r.json()["error"]
    r = get(srv, CASES, **{"default-graph-uri": "https://example.org/g"})
    assert r.status_code == 400 and "default-graph-uri" in r.json()["error"]


SELECT_NEGOTIATION = [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/sparql-results+xml"),
]


@pytest.mark.parametrize("accept, media", SELECT_NEGOTIATION)
def test_select_content_negotiation(srv, accept, media):
    """The Accept header picks the SELECT result format (q-values and wildcards honoured)."""
    r = get(srv, CASES, accept=accept)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    assert "Accept" in r.headers["vary"]


GRAPH_NEGOTIATION = [
    ("*/*", "text/turtle", "turtle"),
    ("text/turtle", "text/turtle", "turtle"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
]


@pytest.mark.parametrize("accept, media, rdf_format", GRAPH_NEGOTIATION)
def test_construct_content_negotiation(srv, accept, media, rdf_format):
    """CONSTRUCT answers Turtle by default, or JSON-LD, N-Triples or RDF/XML, each parsing to the same graph."""
    r = get(srv, LABELS, accept=accept)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    g = Graph().parse(data=r.text, format=rdf_format)
    expected = {(URIRef(CASE + "hostile-valley"), RDFS.label, Literal(HOSTILE)),
                (URIRef(CASE + "riverside"), RDFS.label, Literal("Riverside Care Trust"))}
    assert set(g) == expected


def test_format_parameter_overrides_accept(srv):
    """format= wins over Accept; short names and media types both work; json means JSON-LD for graphs."""
    assert get(srv, CASES, accept="application/sparql-results+json", format="csv").headers[
        "content-type"].startswith("text/csv")
    assert get(srv, CASES, format="application/sparql-results+xml").headers[
        "content-type"].startswith("application/sparql-results+xml")
    assert get(srv, LABELS, format="json").headers["content-type"].startswith("application/ld+json")
    assert get(srv, LABELS, format="nt").headers["content-type"].startswith("application/n-triples")


def test_unfit_or_unknown_formats(srv):
    """A format the query form cannot take is 406 (plain text if CSV was asked for); an unknown one is 400."""
    r = get(srv, LABELS, accept="text/csv")
    assert r.status_code == 406
    assert r.headers["content-type"].startswith("text/plain")
    assert "text/turtle" in r.text
    r = get(srv, CASES, format="turtle")
    assert r.status_code == 406 and "application/sparql-results+json" in r.json()["error"]
    r = get(srv, CASES, format="bogus")
    assert r.status_code == 400 and "unknown format" in r.json()["error"]


def test_ask_in_every_table_format(srv):
    """ASK answers true in JSON, XML, CSV and TSV."""
    ask = "ASK { ?c a ic:CaseStudy }"
    assert get(srv, ask).json()["boolean"] is True
    root = ET.fromstring(get(srv, ask, format="xml").content)
    assert root.find(f"{SRX}boolean").text == "true"
    assert get(srv, ask, format="csv").text == "boolean\r\ntrue\r\n"
    assert get(srv, ask, format="tsv").text == "?boolean\ntrue\n"


# ---------------------------------------------------------------- result formats

def test_xml_results_escape_and_round_trip_hostile_values(srv):
    """XML results escape markup, keep CR, quotes and ]]>, carry lang and datatype, omit unbound variables."""
    r = get(srv, TRICKY, format="xml")
    assert r.status_code == 200
    assert "<b>" not in r.text and "<script" not in r.text
    root = ET.fromstring(r.content)
    assert [v.get("name") for v in root.iter(f"{SRX}variable")] == ["s", "plain", "lang", "typed", "none"]
    [result] = root.iter(f"{SRX}result")
    bindings = {b.get("name"): b[0] for b in result}
    assert set(bindings) == {"s", "plain", "lang", "typed"}
    assert bindings["s"].tag == f"{SRX}uri" and bindings["s"].text == CASE + "x"
    assert bindings["plain"].text == TRICKY_PLAIN
    assert bindings["lang"].text == "Zürich"
    assert bindings["lang"].get("{http://www.w3.org/XML/1998/namespace}lang") == "de"
    assert bindings["typed"].text == "007"
    assert bindings["typed"].get("datatype") == "https://example.org/code"
    labels_xml = ET.fromstring(get(srv, CASES, format="xml").content)
    assert [lit.text for lit in labels_xml.iter(f"{SRX}literal")] == [HOSTILE, "Riverside Care Trust"]


def test_csv_follows_rfc4180(srv):
    """CSV: plain names, CRLF line ends, quotes doubled, newlines quoted, unbound empty."""
    r = get(srv, TRICKY, format="csv")
    assert r.text.startswith("s,plain,lang,typed,none\r\n")
    assert '"a, ""quoted""' in r.text
    rows = list(csv.reader(io.StringIO(r.text, newline="")))
    assert rows == [["s", "plain", "lang", "typed", "none"], [CASE + "x", TRICKY_PLAIN, "Zürich", "007", ""]]


def test_tsv_uses_ntriples_terms(srv):
    """TSV: ?names, terms in N-Triples syntax with tabs and newlines escaped, unbound empty, LF line ends."""
    r = get(srv, TRICKY, format="tsv")
    header, row, end = r.text.split("\n")
    assert header == "?s\t?plain\t?lang\t?typed\t?none" and end == ""
    assert row.split("\t") == [f"<{CASE}x>", '"a, \\"quoted\\"\\ttab\\r\\nline ]]> <b>&amp;"', '"Zürich"@de',
                               '"007"^^<https://example.org/code>', ""]


def test_graph_answers_keep_literals_as_the_engine_gives_them(srv):
    """Graph answers keep language tags, datatypes and lexical forms of literals in every format."""
    q = ('CONSTRUCT { <https://w3id.org/ickg/case/x> ic:n ?v, ?w } WHERE { '
         'BIND("007"^^<https://example.org/code> AS ?v) BIND("Zürich"@de AS ?w) }')
    expected = {Literal("007", datatype=URIRef("https://example.org/code")), Literal("Zürich", lang="de")}
    for fmt, rdf_format in (("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdfxml", "xml")):
        g = Graph().parse(data=get(srv, q, format=fmt).text, format=rdf_format)
        assert set(g.objects()) == expected, fmt
    assert '"007"^^<https://example.org/code>' in get(srv, q, format="nt").text


# ------------------------------------------------------------------- real clients

@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select(srv, fmt):
    """SPARQLWrapper gets the case studies in JSON, XML, CSV and TSV."""
    sw = SPARQLWrapper(srv.sparql)
    sw.setQuery(CASES)
    sw.setReturnFormat(fmt)
    data = sw.query().convert()
    if fmt == JSON:
        assert labels(data) == [HOSTILE, "Riverside Care Trust"]
    elif fmt == XML:
        got = [n.firstChild.data for n in data.getElementsByTagName("literal")]
        assert got == [HOSTILE, "Riverside Care Trust"]
    else:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        delimiter = "," if fmt == CSV else "\t"
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=csv.QUOTE_NONE
                               if fmt == TSV else csv.QUOTE_MINIMAL))
        assert len(rows) == 3 and rows[0] == (["case", "label"] if fmt == CSV else ["?case", "?label"])
        assert rows[2][0] == (CASE + "riverside" if fmt == CSV else f"<{CASE}riverside>")


def test_sparqlwrapper_post_and_construct(srv):
    """SPARQLWrapper POSTs a SELECT, and gets CONSTRUCT answers as Turtle and JSON-LD."""
    sw = SPARQLWrapper(srv.sparql)
    sw.setMethod(POST)
    sw.setQuery(CASES)
    sw.setReturnFormat(JSON)
    assert labels(sw.query().convert()) == [HOSTILE, "Riverside Care Trust"]
    sw = SPARQLWrapper(srv.sparql)
    sw.setQuery(LABELS)
    sw.setReturnFormat(TURTLE)
    g = Graph().parse(data=sw.query().convert(), format="turtle")
    assert (URIRef(CASE + "riverside"), RDFS.label, Literal("Riverside Care Trust")) in g
    sw.setReturnFormat(JSONLD)
    assert len(sw.query().convert()) == 2


def test_sparqlwrapper_sees_the_syntax_error(srv):
    """A malformed query reaches SPARQLWrapper as QueryBadFormed carrying line and column."""
    sw = SPARQLWrapper(srv.sparql)
    sw.setQuery("SELECT ?s WHERE {\n  ?s ?p \n}")
    sw.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed, match=r"line 3, column \d+"):
        sw.query()


def test_rdflib_sparqlstore(srv):
    """rdflib's SPARQLStore runs SELECT, ASK and CONSTRUCT against the endpoint."""
    g = Graph(store=SPARQLStore(srv.sparql))
    rows = list(g.query(CASES))
    assert [str(r.label) for r in rows] == [HOSTILE, "Riverside Care Trust"]
    assert g.query("ASK { ?c a ic:CaseStudy }").askAnswer is True
    built = g.query(LABELS).graph
    assert (URIRef(CASE + "riverside"), RDFS.label, Literal("Riverside Care Trust")) in built


# --------------------------------------------------------- refusals and limits

def test_malformed_query_is_400_with_line_and_column(srv):
    """A syntax error is 400 in the JSON envelope, naming line and column; plain text when CSV was asked for."""
    bad = "SELECT ?s WHERE {\n  ?s ?p \n}"
    r = get(srv, bad)
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["ok"] is False and body["status"] == 400
    assert re.search(r"line 3, column \d+", body["error"])
    r = get(srv, bad, accept="text/csv")
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/plain")
    assert re.search(r"line 3, column \d+", r.text)


REFUSED = [
    ("form update=", {"data": {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}}, "read-only"),
    ("sparql-update body", {"content": b"DELETE WHERE { ?s ?p ?o }",
                            "headers": {"Content-Type": "application/sparql-update"}}, "read-only"),
    ("DELETE as a query", {"data": {"query": "DELETE WHERE { ?s ?p ?o }"}}, "DELETE"),
    ("INSERT as a query", {"data": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}}, "INSERT"),
    ("LOAD", {"data": {"query": "LOAD <http://example.org/data.ttl>"}}, "LOAD"),
    ("SERVICE", {"data": {"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}},
     "SERVICE is not allowed"),
]


@pytest.mark.parametrize("what, request_kwargs, message", REFUSED, ids=[r[0] for r in REFUSED])
def test_updates_and_federation_are_refused(srv, what, request_kwargs, message):
    """Updates (by parameter, body type or text), LOAD and SERVICE are 400 with a clear message."""
    r = httpx.post(srv.sparql, timeout=30, **request_kwargs)
    assert r.status_code == 400
    assert r.json()["ok"] is False and message in r.json()["error"]
    assert get(srv, "ASK { ?s ?p ?o }").json()["boolean"] is True  # the graph is untouched


def test_get_update_parameter_is_refused(srv):
    """update= on a GET is refused like any update."""
    r = httpx.get(srv.sparql, params={"update": "DELETE WHERE { ?s ?p ?o }"}, timeout=30)
    assert r.status_code == 400 and "read-only" in r.json()["error"]


HOSTILE_QUERIES = [
    'SELECT * WHERE { ?s ?p "unterminated }',
    "SELECT * WHERE { ?s ?p ?o } } } {{",
    "'; DROP TABLE cases; --",
    '"}{\\"<script>alert(1)</script>',
    "SELECT * WHERE { ?s ?p ?o }\x00",
    "{" * 2000,
]


@pytest.mark.parametrize("text", HOSTILE_QUERIES)
def test_hostile_query_text_is_a_clean_400(srv, text):
    """Quotes, braces, markup and control characters in a query give a JSON 400, and the server keeps serving."""
    r = httpx.post(srv.sparql, data={"query": text}, timeout=30)
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["ok"] is False
    assert get(srv, "ASK { ?c a ic:CaseStudy }").status_code == 200


def test_hostile_values_in_a_valid_query_round_trip(srv):
    """A literal full of quotes, braces and markup comes back unchanged."""
    value = '}{"\'<script>alert(1)</script>\\'
    literal = value.replace("\\", "\\\\").replace('"', '\\"')
    r = get(srv, f'SELECT ?x WHERE {{ BIND("{literal}" AS ?x) }}')
    assert r.status_code == 200, r.text
    assert r.json()["results"]["bindings"][0]["x"]["value"] == value


def test_row_limit_truncation_is_flagged(srv):
    """Past max_rows the answer is cut to max_rows and says so: headers, the ickg object, a Turtle comment."""
    r = get(srv, "SELECT * WHERE { ?s ?p ?o }")
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == MAX_ROWS
    assert r.headers["x-ickg-truncated"] == "true" and r.json()["ickg"]["truncated"] is True
    r = get(srv, "SELECT * WHERE { ?s ?p ?o }", format="csv")
    assert r.headers["x-ickg-truncated"] == "true" and r.text.count("\r\n") == MAX_ROWS + 1
    r = get(srv, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert r.headers["x-ickg-truncated"] == "true"
    assert f"TRUNCATED: the row limit of {MAX_ROWS:,} triples was reached" in r.text
    assert len(Graph().parse(data=r.text, format="turtle")) == MAX_ROWS
    assert get(srv, CASES).headers["x-ickg-truncated"] == "false"


def test_slow_query_does_not_hold_up_others_and_ends_in_504(srv):
    """While a cross product runs into the time limit, a fast query is answered; the slow one then gets 504."""
    slow: dict = {}
    done = threading.Event()

    def run_slow():
        t0 = time.monotonic()
        slow["response"] = get(srv, CROSS)
        slow["seconds"] = time.monotonic() - t0
        done.set()

    thread = threading.Thread(target=run_slow)
    thread.start()
    assert srv.store.event(CROSS).wait(30), "the slow query never reached the engine"
    t0 = time.monotonic()
    fast = get(srv, CASES)
    fast_seconds = time.monotonic() - t0
    assert fast.status_code == 200 and labels(fast.json())[1] == "Riverside Care Trust"
    assert not done.is_set(), "the slow query finished first: it cannot, it must run into the time limit"
    assert fast_seconds < TIME_LIMIT_MS / 1000
    thread.join(60)
    r = slow["response"]
    assert r.status_code == 504
    body = r.json()
    assert body == {"ok": False, "error": body["error"], "status": 504}
    assert "time limit" in body["error"] and "query_time_limit_ms" in body["error"]
    assert r.headers["x-ickg-timed-out"] == "true"
    assert slow["seconds"] >= TIME_LIMIT_MS / 1000
    assert get(srv, CASES).status_code == 200  # a fresh worker replaces the killed one


# --------------------------------------------------------- descriptions, other routes

@pytest.mark.parametrize("accept", [None, "text/turtle"])
def test_service_description(srv, accept):
    """GET /sparql without a query describes the service in Turtle (sd:Service, endpoint, formats, dataset)."""
    r = httpx.get(srv.sparql, headers={"Accept": accept} if accept else {}, timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    service = URIRef(srv.sparql)
    assert (service, RDF.type, SD.Service) in g
    assert (service, SD.endpoint, service) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    formats = set(g.objects(service, SD.resultFormat))
    assert {FORMATS.SPARQL_Results_JSON, FORMATS.SPARQL_Results_XML, FORMATS.SPARQL_Results_CSV,
            FORMATS.SPARQL_Results_TSV, FORMATS.Turtle, FORMATS["JSON-LD"], FORMATS["N-Triples"]} <= formats
    dataset = g.value(service, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in g
    assert g.value(dataset, DCTERMS.identifier) == Literal(srv.release)
    assert g.value(g.value(dataset, SD.defaultGraph), VOID.triples).toPython() == srv.triples


def test_service_description_as_jsonld(srv):
    """The service description is also available as JSON-LD, the same graph."""
    turtle = Graph().parse(data=httpx.get(srv.sparql, timeout=30).text, format="turtle")
    r = httpx.get(srv.sparql, headers={"Accept": "application/ld+json"}, timeout=30)
    assert r.headers["content-type"].startswith("application/ld+json")
    assert isomorphic(Graph().parse(data=r.text, format="json-ld"), turtle)


def test_gallery_is_published_as_shacl_executables(srv):
    """/gallery.ttl holds each query as an sh:SPARQLExecutable with label, comment, text, keywords and id."""
    r = httpx.get(srv.url + "/gallery.ttl", timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    q = Namespace("https://w3id.org/ickg/query/")
    assert set(g.subjects(RDF.type, SH.SPARQLExecutable)) == {q[name] for name in GALLERY}
    node = q["cases-by-label"]
    assert (node, RDF.type, SH.SPARQLSelectExecutable) in g
    assert g.value(node, RDFS.label) == Literal("Case studies and their labels", lang="en")
    assert g.value(node, RDFS.comment) == Literal(
        'Every case study with its label; a hostile """ \\ <script>x</script> text.', lang="en")
    assert str(g.value(node, SH.select)).strip() == CASES
    assert set(g.objects(node, SCHEMA.keywords)) == {Literal("policymaker"), Literal("researcher")}
    assert g.value(node, DCTERMS.identifier) == Literal("cases-by-label")
    assert g.value(node, SCHEMA.target) == URIRef(srv.sparql)
    assert (q["case-labels"], RDF.type, SH.SPARQLConstructExecutable) in g
    assert (q["has-cases"], RDF.type, SH.SPARQLAskExecutable) in g
    assert g.value(q["describe-riverside"], SPEX.describe) is not None
    declared = {str(g.value(d, SH.prefix)) for d in g.objects(g.value(node, SH.prefixes), SH.declare)}
    assert {"ic", "case", "rdfs"} <= declared


def test_gallery_queries_run_on_the_endpoint(srv):
    """Every published query text runs as it stands (undeclared project prefixes included)."""
    g = Graph().parse(data=httpx.get(srv.url + "/gallery.ttl", timeout=30).text, format="turtle")
    for predicate in (SH.select, SH.ask, SH.construct, SPEX.describe):
        for node, text in g.subject_objects(predicate):
            r = httpx.post(srv.sparql, data={"query": str(text)}, timeout=30)
            assert r.status_code == 200, (node, r.text)


def test_gallery_jsonld_is_the_same_graph(srv):
    """/gallery.jsonld is the gallery graph in JSON-LD."""
    turtle = Graph().parse(data=httpx.get(srv.url + "/gallery.ttl", timeout=30).text, format="turtle")
    r = httpx.get(srv.url + "/gallery.jsonld", timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    assert isomorphic(Graph().parse(data=r.text, format="json-ld"), turtle)


def test_settings_json_lists_every_setting_with_the_effective_limits(srv):
    """/settings.json has one row per setting; the limits shown are the ones queries obey."""
    from kg import settings

    rows = {r["name"]: r for r in httpx.get(srv.url + "/settings.json", timeout=30).json()}
    assert set(rows) == {s.name for s in settings.SETTINGS}
    assert rows["query_time_limit_ms"]["value"] == str(TIME_LIMIT_MS)
    assert rows["max_rows"]["value"] == str(MAX_ROWS)
    assert all({"value", "from", "env", "default", "help"} <= set(r) for r in rows.values())


def test_settings_never_show_credentials():
    """Passwords and API keys in an endpoint URL are withheld from the settings table."""
    rows = http.public_settings({"sparql_endpoint": "https://reader:s3cret@example.org:8890/sparql?key=abc123"})
    [endpoint] = [r for r in rows if r["name"] == "sparql_endpoint"]
    assert endpoint["value"].startswith("https://example.org:8890/sparql")
    assert "s3cret" not in json.dumps(rows) and "abc123" not in json.dumps(rows)


def test_health(srv):
    """/health reports release, backend, triple count and limits; / links every route."""
    data = httpx.get(srv.url + "/health", timeout=30).json()
    assert data == {"ok": True, "release": srv.release, "backend": "embedded", "location": "embedded Oxigraph",
                    "triples": srv.triples, "time_limit_ms": TIME_LIMIT_MS, "max_rows": MAX_ROWS}
    index = httpx.get(srv.url + "/", timeout=30).json()
    assert index["sparql"] == srv.sparql and index["health"] == srv.url + "/health"


def test_cors_lets_browser_clients_in_without_credentials(srv):
    """Any origin may GET and POST (preflight included); credentials are never allowed; flags are readable."""
    origin = "https://yasgui.example"
    pre = httpx.options(srv.sparql, headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                             "Access-Control-Request-Headers": "content-type"}, timeout=30)
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == "*"
    assert "POST" in pre.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in pre.headers
    r = httpx.get(srv.sparql, params={"query": CASES}, headers={"Origin": origin}, timeout=30)
    assert r.headers["access-control-allow-origin"] == "*"
    assert "x-ickg-truncated" in r.headers["access-control-expose-headers"].lower()


def test_unknown_paths_and_methods_use_the_envelope(srv):
    """404 and 405 come in the same JSON envelope."""
    r = httpx.get(srv.url + "/nope", timeout=30)
    assert r.status_code == 404 and r.json() == {"ok": False, "error": "Not Found", "status": 404}
    r = httpx.put(srv.sparql, content=b"x", timeout=30)
    assert r.status_code == 405 and r.json()["status"] == 405 and "GET" in r.headers["allow"]


# ---------------------------------------------------------------------- the command

def _lines(stream, out: queue.Queue) -> None:
    for line in iter(stream.readline, ""):
        out.put(line)


def test_ickg_serve_binds_loopback_prints_the_url_and_answers(srv, tmp_path):
    """`ickg serve --port 0` builds the graph, prints its loopback URL and answers a query until stopped."""
    cmd = [sys.executable, "-m", "kg", "-s", f"evidence_dir={srv.evidence}", "serve", "--port", "0"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True).start()
    try:
        first = lines.get(timeout=120)
        m = re.fullmatch(r"SPARQL endpoint: (http://127\.0\.0\.1:\d+/sparql)\n", first)
        assert m, first
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(m.group(1), params={"query": CASES}, timeout=30)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "the server never accepted a connection"
                time.sleep(0.1)
        assert r.status_code == 200 and labels(r.json())[1] == "Riverside Care Trust"
        assert r.headers["x-ickg-release"] == srv.release
    finally:
        proc.terminate()
        proc.wait(30)
    assert "WARNING" not in proc.stderr.read()


def test_ickg_serve_on_a_taken_port_exits_2():
    """A port already in use is a clean exit 2 with the address in the message, before any build."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = subprocess.run([sys.executable, "-m", "kg", "serve", "--port", str(port)], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert f"error: cannot listen on 127.0.0.1:{port}" in r.stderr


def test_only_loopback_hosts_count_as_local():
    """127.0.0.1, ::1 and localhost are loopback; 0.0.0.0 and a LAN address are not (so serve warns)."""
    assert all(http.is_loopback(h) for h in ("127.0.0.1", "::1", "[::1]", "localhost"))
    assert not any(http.is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.5", "example.org"))
