"""The embedded engine: read-only, time-limited, row-limited, values only as bindings."""

import pytest

from kg import export, pipeline
from kg.store import EmbeddedStore, QueryError, QueryTimeout, Term, check_query, values_block

# A triple cross product: on the fixture graph (~1,000 triples) it has ~10^12 solutions, so it
# cannot finish within a one-second limit on any machine; the timeout is certain, not lucky.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from kg.fixtures import write_fixture

    evidence, _ = write_fixture(tmp_path_factory.mktemp("fx"))
    built = pipeline.run({"evidence_dir": str(evidence)}).built
    s = EmbeddedStore(export.to_ntriples(built.graph).encode(), built.release_id, workers=2,
                      time_limit_ms=10_000, max_rows=10_000)
    yield s
    s.close()


@pytest.mark.parametrize("text,needle", [
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "only read-only queries"),
    ("DELETE WHERE { ?s ?p ?o }", "only read-only queries"),
    ("LOAD <http://example.org/x.ttl>", "only read-only queries"),
    ("CLEAR ALL", "only read-only queries"),
    ("DROP GRAPH <urn:g>", "only read-only queries"),
    ("CREATE GRAPH <urn:g>", "only read-only queries"),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }", "SERVICE is not allowed"),
    ("select * where { service <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE is not allowed"),
])
def test_refuses_anything_but_reading(text, needle):
    """Updates, LOAD and SERVICE are refused before anything runs."""
    with pytest.raises(QueryError, match=needle):
        check_query(text)


def test_keywords_inside_strings_and_iris_are_fine():
    """'DELETE' in a literal or an IRI is data, not an update."""
    assert check_query('SELECT ?s WHERE { ?s ?p "please DELETE me" . ?s ?p <urn:service:load> }') == "select"
    assert check_query("ASK { ?s ?p ?o } # INSERT in a comment") == "ask"


def test_malformed_query_names_line_and_column():
    """The parser's message comes with line and column."""
    with pytest.raises(QueryError, match=r"malformed query: line 4, column 2: .*expected"):
        check_query("SELECT ?s\nWHERE {\n  ?s ?p\n}")


def test_time_limit_stops_a_runaway_query(store):
    """A query built to be slow ends at the time limit with a message, and the store keeps working."""
    with pytest.raises(QueryTimeout, match="stopped after 1 s"):
        store.query(SLOW, time_limit_ms=1000)
    r = store.query("ASK { ?s ?p ?o }")
    assert r.boolean is True


def test_row_limit_truncates_and_says_so(store):
    """Fetching max_rows + 1 tells a complete answer from a truncated one."""
    full = store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert not full.truncated
    cut = store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", max_rows=7)
    assert cut.truncated and len(cut.rows) == 7
    assert "row limit of 7 reached" in cut.status
    exact = store.query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 7", max_rows=7)
    assert not exact.truncated and len(exact.rows) == 7


def test_construct_and_ask(store):
    """CONSTRUCT returns triples; ASK a boolean."""
    r = store.query("CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 3")
    assert r.kind == "graph" and len(r.triples) == 3
    assert store.query("ASK { ?s a <urn:nothing> }").boolean is False


HOSTILE = ['x" } UNION { ?s ?p ?label } #', "}\nUNION {", '"""', "\\", "# not a comment", "' ; DROP ALL"]


@pytest.mark.parametrize("value", HOSTILE)
def test_bindings_cannot_change_the_query(store, value):
    """A hostile value is one literal: the query still means what it meant (no match)."""
    q = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
         "SELECT ?label ?s WHERE { ?s rdfs:label ?label }")
    r = store.query(q, {"label": Term.literal(value)})
    assert r.rows == []
    good = store.query(q, {"label": Term.literal("Riverside Care Trust")})
    assert len(good.rows) == 1


@pytest.mark.parametrize("value", HOSTILE)
def test_values_block_escapes(value):
    """The VALUES form used for remote endpoints serialises a hostile value as one literal."""
    block = values_block({"x": Term.literal(value)})
    assert block.count("VALUES") == 1
    check_query("SELECT ?x WHERE { ?x ?p ?o }" + block)


def test_bad_iri_binding_is_refused():
    """An IRI binding with spaces or angle brackets is an error, not an injection."""
    with pytest.raises(QueryError, match="not a valid IRI"):
        values_block({"x": Term.uri("urn:a> } UNION { ?s ?p ?o")})


def test_one_slow_query_does_not_hold_up_others(store):
    """With two workers, a fast query answers while a slow one is still running."""
    import threading
    import time

    outcome = {}

    def slow():
        try:
            store.query(SLOW, time_limit_ms=3000)
        except QueryTimeout:
            outcome["slow"] = time.perf_counter()

    t = threading.Thread(target=slow)
    t.start()
    time.sleep(0.3)
    r = store.query("ASK { ?s ?p ?o }")
    outcome["fast"] = time.perf_counter()
    t.join()
    assert r.boolean is True
    assert outcome["fast"] < outcome["slow"]



def test_the_pool_never_hands_out_a_worker_that_died_while_idle(store):
    """A worker killed while idle (a signal, the OS) is replaced, never given a query (it broke the app's first page)."""
    import os
    import signal
    import time

    store.query("ASK { ?s ?p ?o }")
    deadline = time.time() + 30
    while not store._pool._idle and time.time() < deadline:
        time.sleep(0.05)
    idle = list(store._pool._idle)
    assert idle
    for w in idle:
        os.kill(w.proc.pid, signal.SIGKILL)
        w.proc.wait(5)
    w = store._pool.take(30)
    try:
        assert w.proc.poll() is None
    finally:
        store._pool.give(w)
    assert store.query("ASK { ?s ?p ?o }").boolean is True
