"""kg.http_ld over `ickg serve`: the graph's IRIs dereferenced with content negotiation, VoID, YASGUI (issue 13)."""

from __future__ import annotations

import httpx
import pytest
from rdflib import Graph, URIRef

from kg import export, http, pipeline
from kg.fixtures import HOSTILE, write_fixture
from kg.store import EmbeddedStore


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    """A running endpoint over the fixture graph."""
    evidence, _ = write_fixture(tmp_path_factory.mktemp("http-ld"))
    outcome = pipeline.run({"evidence_dir": str(evidence)})
    assert outcome.ok, outcome.errors
    store = EmbeddedStore(export.to_ntriples(outcome.built.graph).encode("utf-8"), outcome.built.release_id,
                          workers=1)
    server = http.ServerThread(http.create_app(store))
    yield server
    server.stop()
    store.close()


def test_case_iri_dereferences_by_accept(srv):
    """/case/riverside answers Turtle, JSON-LD and HTML by the Accept header; the Turtle parses and is about it."""
    iri = URIRef("https://w3id.org/ickg/case/riverside")
    r = httpx.get(srv.url + "/case/riverside", headers={"Accept": "text/turtle"}, timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    assert (iri, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"), None) in g
    assert any(g.subjects(URIRef("https://w3id.org/ickg/ontology#about"), iri))  # incoming links too
    r = httpx.get(srv.url + "/case/riverside", headers={"Accept": "application/ld+json"}, timeout=30)
    assert r.headers["content-type"].startswith("application/ld+json")
    assert (iri, None, None) in Graph().parse(data=r.text, format="json-ld")
    r = httpx.get(srv.url + "/case/riverside", headers={"Accept": "text/html,*/*;q=0.8"}, timeout=30)
    assert r.headers["content-type"].startswith("text/html") and "<h1>Riverside Care Trust</h1>" in r.text
    assert httpx.get(srv.url + "/case/atlantis", timeout=30).status_code == 404


def test_hostile_label_is_escaped_in_html(srv):
    """The fixture's hostile label reaches the HTML page only escaped."""
    r = httpx.get(srv.url + "/case/hostile-valley", headers={"Accept": "text/html"}, timeout=30)
    assert r.status_code == 200 and HOSTILE not in r.text and "&lt;" in r.text


def test_void_has_statistics(srv):
    """/void.ttl is a VoID dataset whose triple count equals the store's."""
    r = httpx.get(srv.url + "/void.ttl", timeout=60)
    g = Graph().parse(data=r.text, format="turtle")
    void = "http://rdfs.org/ns/void#"
    ds = URIRef("https://w3id.org/ickg/void#dataset")
    n = int(g.value(ds, URIRef(void + "triples")))
    health = httpx.get(srv.url + "/health", timeout=30).json()
    assert n == health["triples"] > 0
    assert g.value(ds, URIRef(void + "sparqlEndpoint")) == URIRef(srv.url + "/sparql")
    assert len(list(g.objects(ds, URIRef(void + "classPartition")))) > 3


def test_yasgui_at_root_for_browsers_offline(srv):
    """A browser at / gets YASGUI from the vendored files; other clients keep the JSON index."""
    r = httpx.get(srv.url + "/", headers={"Accept": "text/html"}, timeout=30)
    assert "/static/yasgui/yasgui.min.js" in r.text and "https://" not in r.text.split("<script>")[0].split(
        "<link")[0] + "".join(x.split("'")[1] for x in r.text.split("src='")[1:2])
    js = httpx.get(srv.url + "/static/yasgui/yasgui.min.js", timeout=30)
    assert js.status_code == 200 and len(js.content) > 100_000
    assert httpx.get(srv.url + "/", timeout=30).json()["sparql"].endswith("/sparql")


def test_endpoint_takes_concept_scheme_prefixes_and_reads_errors(srv):
    """`domain:hospital-use` works undeclared over HTTP; a malformed query is one line with line and column."""
    q = "SELECT ?s WHERE { ?s ic:outcomeDomain domain:hospital-use }"
    r = httpx.get(srv.url + "/sparql", params={"query": q}, timeout=30)
    assert r.status_code == 200 and r.json()["results"]["bindings"]
    r = httpx.get(srv.url + "/sparql", params={"query": "SELECT ?s WHERE {\n ?s ?p }"}, timeout=30)
    assert r.status_code == 400
    msg = r.json()["error"]
    assert "line 2, column" in msg and "\n" not in msg and "\\u{" not in msg
