"""The remote backend and the loader against a real Virtuoso (see ``tests/virtuoso.py``).

One Virtuoso per session, in a temporary directory, on free ports of 127.0.0.1. The fixture
evidence is loaded with ``ickg load --endpoint`` (Graph Store Protocol, Digest auth as dba), then
every query here and every query of the gallery runs through :class:`RemoteStore` and through
:class:`EmbeddedStore` built from the same graph, and the answers must agree. Virtuoso's row cap
(``ResultSetMaxRows`` = 50 in the generated ini) and its partial answers at the time limit must
come back flagged, never as complete answers.

Skipped with a reason when ``virtuoso-t`` is missing; a failure under ``ICKG_REQUIRE_VIRTUOSO=1``
(``tests/conftest.py``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kg import queries as gallery_mod
from kg import triplestore
from kg.errors import IckgError
from kg.fixtures import HOSTILE
from kg.store import EmbeddedStore, QueryError, QueryTimeout, RemoteStore, Term

pytestmark = pytest.mark.triplestore

ROOT = Path(__file__).resolve().parent.parent
GRAPH = "https://w3id.org/ickg/graph"  # the default of `ickg load --graph`
SCRATCH = "https://w3id.org/ickg/test/scratch"
CAP = 50  # ResultSetMaxRows of the test server
EVIL = '"} UNION { ?s ?p ?o } #\n'  # a literal that would change the query if pasted into it


# ----------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def virtuoso():
    """A running Virtuoso, stopped and removed at the end of the session."""
    from tests.conftest import virtuoso_path  # "conftest" alone may name tests/issues/conftest.py
    from virtuoso import Virtuoso

    binary = virtuoso_path()
    if binary is None:  # conftest has skipped the tests, unless ICKG_REQUIRE_VIRTUOSO=1
        why = "Virtuoso not found (apt-get install virtuoso-opensource)"
        if os.environ.get("ICKG_REQUIRE_VIRTUOSO") == "1":
            pytest.fail(f"required but missing (ICKG_REQUIRE_VIRTUOSO=1): {why}", pytrace=False)
        pytest.skip(why)
    server = Virtuoso(binary, max_rows=CAP, max_seconds=30, startup_timeout=60)
    try:
        server.start()
    except Exception as exc:
        server.stop()
        pytest.fail(f"could not start Virtuoso: {exc}", pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def creds(virtuoso, monkeypatch):
    """The dba credentials in the environment, as `ickg load` reads them."""
    monkeypatch.setenv("ICKG_STORE_USER", virtuoso.user)
    monkeypatch.setenv("ICKG_STORE_PASSWORD", virtuoso.password)
    return virtuoso.user, virtuoso.password


@pytest.fixture(scope="module")
def fixture_evidence(tmp_path_factory):
    """The fixture evidence set and its built graph."""
    from kg import pipeline
    from kg.fixtures import write_fixture

    evidence, _ = write_fixture(tmp_path_factory.mktemp("fixture"))
    outcome = pipeline.run(evidence_dir=evidence)
    assert outcome.ok, "\n".join(map(str, outcome.errors[:20]))
    return evidence, outcome.built.graph


@pytest.fixture(scope="module")
def graph(fixture_evidence):
    return fixture_evidence[1]


@pytest.fixture(scope="module")
def embedded(graph):
    from kg.export import to_ntriples

    store = EmbeddedStore(to_ntriples(graph).encode("utf-8"), workers=1, time_limit_ms=20000)
    yield store
    store.close()


def _ickg(*args: str, env: dict[str, str] | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("ICKG_STORE_")}
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=ROOT, env=full, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def loaded(virtuoso, fixture_evidence):
    """`ickg load --endpoint` run on the fixture evidence; returns the finished process."""
    evidence, _ = fixture_evidence
    proc = _ickg("-s", f"evidence_dir={evidence}", "load", "--endpoint", virtuoso.gsp_auth, "--graph", GRAPH,
                 env={"ICKG_STORE_USER": virtuoso.user, "ICKG_STORE_PASSWORD": virtuoso.password})
    assert proc.returncode == 0, f"ickg load failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def remote(virtuoso, loaded):
    store = RemoteStore(virtuoso.sparql, graph=GRAPH, time_limit_ms=20000, max_rows=10000)
    yield store
    store.close()


# ---------------------------------------------------------------------------- comparing

def _plain(t: Term | None) -> str | None:
    """A term's plain value. Blank nodes have no stable label across stores. An empty string
    counts as unbound: GROUP_CONCAT over only unbound values gives "" on Virtuoso and an unbound
    value on Oxigraph (SPARQL 1.1 leaves the handling of errors in aggregates open)."""
    if t is None or (t.type == "literal" and t.value == ""):
        return None
    return "_:" if t.type == "bnode" else t.value


def _concat_columns(text: str) -> dict[str, str]:
    """Projected GROUP_CONCAT columns and their separators: SPARQL leaves the order of the
    concatenated values open, so they are compared as sorted lists."""
    out = {}
    for m in re.finditer(r"GROUP_CONCAT\s*\((.*?)\)\s+AS\s+\?(\w+)", text, re.S | re.I):
        sep = re.search(r"separator\s*=\s*(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')", m.group(1), re.I)
        out[m.group(2)] = json.loads('"' + sep.group(1)[1:-1] + '"') if sep else " "
    return out


def _sample_columns(text: str) -> set[str]:
    """Projected SAMPLE columns: SPARQL lets the engine pick any value of the group."""
    return set(re.findall(r"SAMPLE\s*\(.*?\)\s+AS\s+\?(\w+)", text, re.S | re.I))


def _rows(result, text: str = "") -> list[tuple]:
    concat, sample = _concat_columns(text), _sample_columns(text)
    seps = [concat.get(c) for c in result.columns]
    rows = []
    for row in result.rows:
        values = [_plain(t) for t in row]
        values = [sep.join(sorted(v.split(sep))) if sep and v else v for v, sep in zip(values, seps)]
        values = ["(any)" if c in sample and v is not None else v for v, c in zip(values, result.columns)]
        rows.append(tuple(values))
    return rows


def _order_vars(text: str, columns: list[str]) -> list[str]:
    """The leading ORDER BY conditions that are plain projected variables."""
    body = re.sub(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*', " ", text)
    m = re.search(r"ORDER\s+BY\s+(.*?)(?:\bLIMIT\b|\bOFFSET\b|\bVALUES\b|$)", body, re.S | re.I)
    out = []
    if not m:
        return out
    for cond in re.finditer(r"\s*(?:(?:ASC|DESC)\s*\(\s*\?(\w+)\s*\)|\?(\w+)|(\S))", m.group(1), re.I):
        name = cond.group(1) or cond.group(2)
        if name is None or name not in columns:
            break
        out.append(name)
    return out


def assert_same(text: str, emb, rem, what: str = "") -> None:
    """The two backends agree: rows as sets (lists along the ORDER BY keys), booleans, triples."""
    label = what or text.strip().splitlines()[-1][:80]
    assert rem.kind == emb.kind, label
    assert not rem.timed_out and not emb.timed_out, label
    if emb.kind == "ask":
        assert rem.boolean == emb.boolean, label
        return
    if emb.kind == "graph":
        r, e = set(rem.triples), set(emb.triples)
        if rem.truncated:  # Virtuoso's cap: what came back must be right, and there must be more
            assert len(e) >= CAP and r <= e, f"{label}: capped answer is not a part of the full one"
            return
        assert not emb.truncated, label
        assert r == e, f"{label}:\nonly remote: {sorted(r - e)[:5]}\nonly embedded: {sorted(e - r)[:5]}"
        return
    assert rem.columns == emb.columns, label
    r, e = _rows(rem, text), _rows(emb, text)
    if rem.truncated:
        assert len(e) >= CAP and set(r) <= set(e), f"{label}: capped answer is not a part of the full one"
        assert rem.note, f"{label}: truncated without a note"
        return
    assert sorted(r, key=repr) == sorted(e, key=repr), (
        f"{label}:\nonly remote: {sorted(set(r) - set(e), key=repr)[:5]}\n"
        f"only embedded: {sorted(set(e) - set(r), key=repr)[:5]}")
    keys = _order_vars(text, emb.columns)
    # SPARQL orders terms of one kind; between, say, a plain and a language-tagged literal the
    # order is left to the engine, so only the leading keys of one kind in both answers count
    for n, k in enumerate(keys):
        col = emb.columns.index(k)
        kinds = {(t.type, t.datatype, t.lang) for res in (emb, rem) for row in res.rows
                 for t in [row[col]] if t is not None}
        if len(kinds) > 1:
            keys = keys[:n]
            break
    if keys:
        idx = [emb.columns.index(k) for k in keys]
        assert [tuple(x[i] for i in idx) for x in r] == [tuple(x[i] for i in idx) for x in e], \
            f"{label}: rows in a different order along {keys}"


def both(embedded, remote, text, bindings=None):
    return embedded.query(text, bindings), remote.query(text, bindings)


# ------------------------------------------------------------------------------ loading

def test_cli_load_puts_fixture_graph(virtuoso, loaded, graph):
    assert f"{len(graph):,} triples in <{GRAPH}>" in loaded.stdout
    assert virtuoso.gsp_auth in loaded.stdout
    assert virtuoso.password not in loaded.stdout + loaded.stderr
    assert triplestore.count_triples(virtuoso.sparql, GRAPH) == len(graph)


def test_load_replaces_the_graph(virtuoso, creds, graph):
    from rdflib import Graph

    part = Graph()
    for triple in sorted(graph)[:100]:
        part.add(triple)
    assert triplestore.load(graph, virtuoso.gsp_auth, SCRATCH) == len(graph)
    assert triplestore.load(graph, virtuoso.gsp_auth, SCRATCH) == len(graph)  # replaced, not added
    assert triplestore.load(part, virtuoso.gsp_auth, SCRATCH) == 100
    assert triplestore.count_triples(virtuoso.sparql, SCRATCH) == 100


def test_update_protocol_loads_the_same_triples(virtuoso, creds, graph, loaded):
    """DROP + INSERT DATA in small batches, through /sparql-auth with Digest auth."""
    target = SCRATCH + "-update"
    assert triplestore.load(graph, virtuoso.sparql_auth, target, protocol="update", batch_size=150) == len(graph)
    assert triplestore.load(graph, virtuoso.sparql_auth, target, protocol="update", batch_size=400) == len(graph)
    store = RemoteStore(virtuoso.sparql)  # no graph: Virtuoso's union default graph
    try:
        both_graphs = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} "
                                  f"GRAPH <{target}> {{ ?s ?p ?o }} }}")
    finally:
        store.close()
    assert int(both_graphs.rows[0][0].value) == len(graph)  # the very same triples, literals included


def test_load_errors_name_endpoint_and_status_never_the_password(virtuoso, graph, monkeypatch):
    monkeypatch.delenv("ICKG_STORE_USER", raising=False)
    monkeypatch.delenv("ICKG_STORE_PASSWORD", raising=False)
    with pytest.raises(IckgError) as no_creds:
        triplestore.load(graph, virtuoso.gsp_auth, SCRATCH)
    assert virtuoso.gsp_auth in str(no_creds.value) and "401" in str(no_creds.value)
    assert "ICKG_STORE_USER" in str(no_creds.value)

    wrong = "wrong-" + virtuoso.password[::-1]
    monkeypatch.setenv("ICKG_STORE_USER", "dba")
    monkeypatch.setenv("ICKG_STORE_PASSWORD", wrong)
    with pytest.raises(IckgError) as refused:
        triplestore.load(graph, virtuoso.gsp_auth, SCRATCH)
    assert "401" in str(refused.value) and wrong not in str(refused.value)

    monkeypatch.delenv("ICKG_STORE_USER")
    monkeypatch.delenv("ICKG_STORE_PASSWORD")
    with pytest.raises(IckgError) as anonymous:  # the anonymous Graph Store endpoint is read-only
        triplestore.load(graph, virtuoso.gsp, SCRATCH)
    assert virtuoso.gsp in str(anonymous.value) and re.search(r"HTTP (401|403)", str(anonymous.value))

    with pytest.raises(IckgError) as down:
        triplestore.load(graph, f"http://127.0.0.1:{_closed_port()}/sparql-graph-crud-auth", SCRATCH)
    assert "cannot reach" in str(down.value)

    with pytest.raises(IckgError, match="absolute IRI"):
        triplestore.load(graph, virtuoso.gsp_auth, "not an iri")


def _closed_port() -> int:
    from virtuoso import free_port

    return free_port()


def test_cli_load_without_credentials_exits_2(virtuoso, fixture_evidence):
    evidence, _ = fixture_evidence
    proc = _ickg("-s", f"evidence_dir={evidence}", "load", "--endpoint", virtuoso.gsp_auth, "--graph", SCRATCH)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "error:" in proc.stderr and "401" in proc.stderr and "Traceback" not in proc.stderr


SHIPPED = "https://w3id.org/ickg/test/shipped"


@pytest.fixture(scope="module")
def shipped_stores(virtuoso, request):
    """The shipped evidence loaded into Virtuoso, and the embedded store of the same graph
    (skipped while the shipped data does not build cleanly, e.g. mid-curation)."""
    from kg.export import to_ntriples

    try:
        outcome = request.getfixturevalue("shipped")
    except AssertionError as exc:
        pytest.skip(f"the shipped evidence does not build cleanly right now: {str(exc)[:300]}")
    graph = outcome.built.graph
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ICKG_STORE_USER", virtuoso.user)
        mp.setenv("ICKG_STORE_PASSWORD", virtuoso.password)
        loaded_count = triplestore.load(graph, virtuoso.gsp_auth, SHIPPED)
    remote = RemoteStore(virtuoso.sparql, graph=SHIPPED, time_limit_ms=60000)
    embedded = EmbeddedStore(to_ntriples(graph).encode("utf-8"), workers=1, time_limit_ms=60000)
    yield graph, loaded_count, embedded, remote
    remote.close()
    embedded.close()


def test_shipped_evidence_loads(shipped_stores):
    """The loader on the shipped evidence: every triple arrives, literals intact."""
    graph, loaded_count, embedded, remote = shipped_stores
    assert loaded_count == len(graph)
    for name in ("stats_classes", "case_numbers"):
        q = gallery_mod.internal(name)
        assert_same(q.text, *both(embedded, remote, q.text), what=name)
    # DISTINCT over the strings: pyoxigraph stores xsd:nonNegativeInteger as xsd:integer, Virtuoso
    # keeps it, so DISTINCT ?o itself differs; the lengths show non-ASCII text arrived intact
    text = ("SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT STR(?o)) AS ?values) (SUM(STRLEN(STR(?o))) AS ?chars) "
            "WHERE { ?s ?p ?o FILTER(isLiteral(?o)) }")
    assert_same(text, *both(embedded, remote, text))


# ----------------------------------------------------------------------- same answers

QUERIES = {
    "select-cases": """
        SELECT ?case ?label ?kind WHERE { ?case a ic:CaseStudy ; rdfs:label ?label ; ic:caseKind ?kind }""",
    "select-ordered": """
        SELECT ?statement ?summary WHERE { ?statement a ic:EvidenceStatement ; rdfs:label ?summary }
        ORDER BY DESC(?statement)""",
    "select-optional-and-aggregate": """
        SELECT ?case (COUNT(DISTINCT ?m) AS ?mechanisms) (GROUP_CONCAT(DISTINCT ?l; separator="|") AS ?labels)
        WHERE { ?case a ic:CaseStudy . OPTIONAL { ?case ic:usesMechanism ?m . ?m skos:prefLabel ?l } }
        GROUP BY ?case ORDER BY ?case""",
    "select-path-and-filter": """
        SELECT DISTINCT ?m ?top WHERE { ?m a ic:Mechanism ; skos:broader+ ?top . FILTER(isIRI(?top)) }""",
    "select-typed-values": """
        SELECT ?s ?p ?o WHERE { ?s ?p ?o . FILTER(isLiteral(?o) && datatype(?o) != xsd:string
                                                  && !langMatches(lang(?o), "*")) }
        ORDER BY ?s ?p ?o LIMIT 40""",
    "select-language": """
        SELECT ?s ?label (LANG(?label) AS ?lang) WHERE { ?s skos:prefLabel ?label } ORDER BY ?s LIMIT 40""",
    "select-limit-offset": "SELECT ?s WHERE { ?s a ic:Quote } ORDER BY ?s OFFSET 2 LIMIT 5",
    "ask-true": "ASK { ?c a ic:CaseStudy ; rdfs:label ?l }",
    "ask-false": "ASK { ?c a ic:CaseStudy ; rdfs:label \"no such case\" }",
    "construct": """
        CONSTRUCT { ?c rdfs:label ?l ; ic:level ?level } WHERE { ?c a ic:CaseStudy ; rdfs:label ?l ; ic:level ?level }""",
    "construct-no-where-keyword": "CONSTRUCT { ?m skos:broader ?p } { ?m a ic:Mechanism ; skos:broader ?p }",
    "construct-short": "CONSTRUCT WHERE { ?c a ic:CaseStudy }",
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_same_answers(embedded, remote, name):
    text = QUERIES[name]
    emb, rem = both(embedded, remote, text)
    assert_same(text, emb, rem, name)
    if emb.kind == "select":
        assert emb.rows, f"{name}: the fixture should give rows"


def test_terms_come_back_in_the_embedded_shape(embedded, remote):
    """Full terms, not just values: typed literals, xsd:string, language tags, booleans."""
    text = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } "
    for subject in ("case:riverside", "scheme:level", "src:fixture-report"):
        b = {"s": Term.uri(gallery_mod.expand(subject))}
        emb, rem = both(embedded, remote, text, b)
        assert set(rem.rows) == set(emb.rows), subject
    emb, rem = both(embedded, remote, "SELECT ?o WHERE { ?s ic:editorial ?o }")
    assert set(rem.rows) == set(emb.rows) and emb.rows
    assert {r[0].value for r in rem.rows} <= {"true", "false"}
    emb, rem = both(embedded, remote, "CONSTRUCT { ?s ic:editorial ?o } WHERE { ?s ic:editorial ?o }")
    assert set(rem.triples) == set(emb.triples) and emb.triples


def test_bindings_are_values_not_text(embedded, remote):
    """A hostile literal is bound as a value: it cannot change the query."""
    text = "SELECT ?case ?label WHERE { ?case a ic:CaseStudy ; rdfs:label ?label }"
    for value, expected in ((EVIL, 0), (HOSTILE, 1), ("Riverside Care Trust", 1)):
        b = {"label": Term.literal(value)}
        emb, rem = both(embedded, remote, text, b)
        assert_same(text, emb, rem, repr(value))
        assert len(rem.rows) == expected, repr(value)
    ask = "ASK { ?case rdfs:label ?label }"
    for value, expected in ((EVIL, False), (HOSTILE, True)):
        emb, rem = both(embedded, remote, ask, {"label": Term.literal(value)})
        assert emb.boolean is rem.boolean is expected
    construct = "CONSTRUCT { ?case rdfs:label ?label } WHERE { ?case rdfs:label ?label }"
    emb, rem = both(embedded, remote, construct, {"label": Term.literal(EVIL)})
    assert emb.triples == rem.triples == []
    emb, rem = both(embedded, remote, construct, {"label": Term.literal(HOSTILE)})
    assert set(emb.triples) == set(rem.triples) and len(rem.triples) == 1


def test_query_over_digest_protected_endpoint(virtuoso, loaded, creds):
    store = RemoteStore(virtuoso.sparql_auth, graph=GRAPH)
    try:
        assert store.query("ASK { ?c a ic:CaseStudy }").boolean is True
    finally:
        store.close()


def test_default_graph_is_the_loaded_graph(virtuoso, loaded, graph):
    """Without a graph, Virtuoso's default graph is the union of every graph, system ones included;
    with one (argument or ``default-graph-uri=`` in the URL) it is exactly the loaded graph."""
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    for store in (RemoteStore(virtuoso.sparql, graph=GRAPH),
                  RemoteStore(f"{virtuoso.sparql}?default-graph-uri={GRAPH}")):
        try:
            assert store.graph == GRAPH
            assert int(store.query(text).rows[0][0].value) == len(graph)
        finally:
            store.close()
    union = RemoteStore(virtuoso.sparql)
    try:
        assert int(union.query(text).rows[0][0].value) > len(graph)
    finally:
        union.close()


def test_cli_query_with_endpoint(virtuoso, loaded, tmp_path):
    """`ickg query FILE|NAME --endpoint URL?default-graph-uri=...` end to end."""
    endpoint = f"{virtuoso.sparql}?default-graph-uri={GRAPH}"
    rq = tmp_path / "labels.rq"
    rq.write_text("SELECT ?label WHERE { ?c a ic:CaseStudy ; rdfs:label ?label }\n", encoding="utf-8")
    proc = _ickg("query", str(rq), "--format", "json", "--endpoint", endpoint)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["ickg"]["truncated"] is False and data["ickg"]["timed_out"] is False
    assert {b["label"]["value"] for b in data["results"]["bindings"]} == {"Riverside Care Trust", HOSTILE}
    if gallery_mod.find("search-labels") is None:
        pytest.skip("no gallery query search-labels to try --param with")
    proc = _ickg("query", "search-labels", "-p", "text=river", "--format", "json", "--endpoint", endpoint)
    assert proc.returncode == 0, proc.stderr
    labels = {b["label"]["value"] for b in json.loads(proc.stdout)["results"]["bindings"]}
    assert labels == {"Riverside Care Trust"}


# ----------------------------------------------------------------------------- gallery

# Gallery queries that Virtuoso 7.2 answers wrongly: name -> (datasets where it shows, reason).
# Each is a bug of Virtuoso's engine (checked by hand against the raw protocol), with a
# rewrite that gives the same rows on both engines. The xfail is not strict: whether Virtuoso
# goes wrong depends on its query plan, which depends on what else the server holds. Once the
# query is rewritten, remove its entry.
# The four gallery queries Virtuoso 7.2 once answered wrongly (countries-using-budgets,
# case-studies-using-process, evidence-behind-mechanism, citation-trail) were rewritten; each
# query file says why in a comment. Add an entry here only with a rewrite to follow.
VIRTUOSO_BUGS: dict[str, tuple[set[str], str]] = {}

_ID_CLASSES = {"case": "?x a ic:CaseStudy", "mechanism": "?x a ic:Mechanism",
               "statement": "?x a ic:EvidenceStatement", "scheme": "?x a skos:ConceptScheme",
               "source": "?x a ic:Source", "quote": "?x a ic:Quote", "process": "?x skos:inScheme scheme:process",
               "concept": "?x a skos:Concept"}


def _internal_names() -> list[str]:
    return sorted(p.stem for p in gallery_mod.QUERY_DIR.glob("_*.rq"))


def _named(name: str):
    """A gallery query, or an internal one (``_name``, used by the app and `ickg stats`)."""
    if name.startswith("_"):
        path = gallery_mod.QUERY_DIR / f"{name}.rq"
        return gallery_mod.parse(path) if path.exists() else None
    return gallery_mod.find(name)


def _gallery_params(dataset: str):
    """Every gallery query and every internal query, as they are when the tests run."""
    try:
        items = list(gallery_mod.gallery()) + [gallery_mod.parse(gallery_mod.QUERY_DIR / f"{n}.rq")
                                               for n in _internal_names()]
    except IckgError as exc:  # a query file being written: report it, do not break collection
        return [pytest.param(None, id="gallery-unreadable", marks=pytest.mark.skip(reason=str(exc)))]
    out = []
    for q in items:
        where, reason = VIRTUOSO_BUGS.get(q.name, (set(), ""))
        marks = [pytest.mark.xfail(raises=AssertionError, reason=reason)] if dataset in where else []
        out.append(pytest.param(q.name, id=q.name, marks=marks))
    return out or [pytest.param(None, id="empty-gallery", marks=pytest.mark.skip(reason="no gallery queries yet"))]


def _candidates(param, embedded) -> list[str]:
    """Values to try for a parameter: the examples of its help text that exist in the fixture,
    then the values of a helper query (by the parameter's name)."""
    found = re.search(r"e\.g\.\s*(.*)$", param.help)
    examples = [e.strip().rstrip(".") for e in found.group(1).split(",")] if found else []
    if param.kind == "literal":
        return [e for e in examples if e] + ["Riverside", "care", "budget"]
    if param.kind == "integer":
        return [e for e in examples if e.isdigit()] + ["1", "2"]
    out = []
    for e in examples:
        try:
            iri = gallery_mod.expand(e)
        except IckgError:
            continue
        if embedded.query("ASK { { ?x ?p ?o } UNION { ?s ?p ?x } }", {"x": Term.uri(iri)}).boolean:
            out.append(iri)
    pattern = _ID_CLASSES.get(param.name, f"?x skos:inScheme scheme:{param.name}")
    helper = embedded.query(f"SELECT DISTINCT ?x WHERE {{ {pattern} }} ORDER BY ?x")
    out += [row[0].value for row in helper.rows if row[0] is not None and row[0].value not in out]
    return out


def _choose(q, embedded) -> tuple[dict[str, str] | None, str]:
    """Parameter values that give the query rows on the fixture, where any do."""
    values: dict[str, str] = {}
    for p in q.params:
        cands = _candidates(p, embedded)
        if not cands:
            if p.optional:
                continue
            return None, f"no value found in the fixture for required parameter {p.name!r} ({p.help})"
        values[p.name] = cands[0]
        for c in cands[:12]:
            trial = dict(values, **{p.name: c})
            if _count(embedded, q, trial):
                values[p.name] = c
                break
    return values, ""


def _count(embedded, q, values) -> int:
    try:
        r = embedded.query(q.text, q.bind(values))
    except (IckgError, QueryError):
        return 0
    return len(r.rows) if r.kind == "select" else len(r.triples) if r.kind == "graph" else int(bool(r.boolean))


def _compare_gallery_query(name: str, embedded, remote) -> None:
    q = _named(name)
    if q is None:
        pytest.skip(f"query {name!r} disappeared since collection")
    values, why = _choose(q, embedded)
    if values is None:
        print(f"SKIP {name}: {why}")
        pytest.skip(why)
    runs = [values]
    if any(p.optional for p in q.params):
        runs.append({k: v for k, v in values.items() if not next(p for p in q.params if p.name == k).optional})
    for vals in runs:
        emb, rem = both(embedded, remote, q.text, q.bind(vals))
        assert_same(q.text, emb, rem, f"{name} {vals}")


@pytest.mark.parametrize("name", _gallery_params("fixture"))
def test_gallery_query_same_on_both(embedded, remote, name):
    """Every gallery query, on the fixture graph."""
    _compare_gallery_query(name, embedded, remote)


@pytest.mark.parametrize("name", _gallery_params("shipped"))
def test_gallery_query_same_on_shipped_data(shipped_stores, name):
    """Every gallery query, on the shipped graph (answers over 50 rows hit the test server's cap
    and are checked as a part of the full answer)."""
    _, _, embedded, remote = shipped_stores
    _compare_gallery_query(name, embedded, remote)


# ------------------------------------------------------------------- limits and flags

def test_row_cap_is_reported_as_truncation(virtuoso, loaded, graph):
    store = RemoteStore(virtuoso.sparql, graph=GRAPH, max_rows=10000)
    try:
        everything = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
        r = store.query(everything)
        assert len(r.rows) == CAP and r.truncated and "capped" in r.note and "truncated" in r.status
        r = store.query(everything, max_rows=20)  # our own limit, below the server's
        assert len(r.rows) == 20 and r.truncated
        r = store.query(everything + " ORDER BY ?s ?p ?o")  # Virtuoso sorts at most 10,000: asked again
        assert len(r.rows) == CAP and r.truncated and r.note
        r = store.query(everything + " LIMIT 100000")
        assert len(r.rows) == CAP and r.truncated
        r = store.query(everything + " LIMIT 10")  # asked for less than the cap: complete
        assert len(r.rows) == 10 and not r.truncated and not r.note
        r = store.query("SELECT ?c WHERE { ?c a ic:CaseStudy }")
        assert len(r.rows) == 2 and not r.truncated
    finally:
        store.close()
    fresh = RemoteStore(virtuoso.sparql, graph=GRAPH)  # has not seen the cap on a SELECT yet
    try:
        r = fresh.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        assert len(graph) > CAP and r.truncated and "may be incomplete" in r.note  # Virtuoso gives no sign
        assert fresh.query("CONSTRUCT WHERE { ?c a ic:CaseStudy }").truncated is False
    finally:
        fresh.close()


SLOW = """SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i
                                FILTER(STR(?c) = CONCAT(STR(?f), STR(?i), "never")) }"""


def test_timeout_is_reported_never_as_complete(virtuoso, loaded, graph):
    """A cross product of the graph with itself three times (10^9 rows, a filter that never holds)
    cannot finish in one second: Virtuoso answers HTTP 200 with partial results and
    X-SQL-State S1TAT, which must come back as timed out."""
    store = RemoteStore(virtuoso.sparql, graph=GRAPH, time_limit_ms=1000)
    try:
        # Virtuoso usually answers HTTP 200 with partial rows and S1TAT; under load it sometimes
        # cancels the statement instead (HTTP 500, HY008 "killed by SQLCancel"). Either way the
        # answer must never pass for complete.
        try:
            r = store.query(SLOW)
        except QueryTimeout as exc:
            assert "time limit" in str(exc)
        else:
            assert r.timed_out and "S1TAT" in r.note and "incomplete" in r.status
        ask = "ASK " + SLOW.split("WHERE", 1)[1]
        with pytest.raises(QueryTimeout):
            store.query(ask)
        assert store.query("ASK { ?c a ic:CaseStudy }").boolean is True  # the store still answers
    finally:
        store.close()


def test_remote_errors_are_query_errors(virtuoso, loaded):
    closed = RemoteStore(f"http://127.0.0.1:{_closed_port()}/sparql")
    with pytest.raises(QueryError, match="could not be reached"):
        closed.query("ASK {}")
    store = RemoteStore(virtuoso.sparql, graph=GRAPH)
    try:
        with pytest.raises(QueryError, match="only read-only"):
            store.query("DROP GRAPH <https://w3id.org/ickg/graph>")
        with pytest.raises(QueryError, match="HTTP 500"):  # checked locally, refused by Virtuoso
            store.query("SELECT ?m ?top WHERE { ?m skos:broader* ?top }")
    finally:
        store.close()
