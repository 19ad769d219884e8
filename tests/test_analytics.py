"""Network analytics: projections keep IRIs as ids, and every measure matches an independent count.

Expected values come from the fixture evidence set (worked out by hand in each docstring) or,
on the shipped graph, from a computation over the rdflib graph that does not use the named
queries or :mod:`kg.analytics`, never from a previous run.
"""

from __future__ import annotations

import io

import networkx as nx
import pytest
from networkx.algorithms import bipartite
from rdflib import RDF, URIRef
from rdflib.namespace import RDFS, SKOS

from kg import analytics, export, pipeline
from kg.errors import IckgError
from kg.fixtures import HOSTILE, write_fixture
from kg.namespaces import CASE, IC, MECHANISM, concept
from kg.service import Explorer
from kg.store import EmbeddedStore, QueryResult, Term

RIVERSIDE, VALLEY = str(CASE["riverside"]), str(CASE["hostile-valley"])
POOLED, CAPITATION, SINGLE = (str(MECHANISM[m]) for m in ("pooled-budget", "capitation", "single-assessment"))


def _explorer(outcome) -> Explorer:
    store = EmbeddedStore(export.to_ntriples(outcome.built.graph).encode(), outcome.built.release_id, workers=1)
    return Explorer(store, outcome.built.release_id)


@pytest.fixture(scope="module")
def fixture_explorer(tmp_path_factory):
    evidence, _ = write_fixture(tmp_path_factory.mktemp("fixture"))
    outcome = pipeline.run({"evidence_dir": str(evidence)})
    assert outcome.ok, outcome.errors
    ex = _explorer(outcome)
    yield ex
    ex.close()


@pytest.fixture(scope="module")
def shipped_explorer(shipped):
    ex = _explorer(shipped)
    yield ex
    ex.close()


class FakeExplorer:
    """Answers one projection with fixed rows, to test graph building on its own."""

    release_id = "test-release"

    def __init__(self, rows, truncated=False):
        cols = ["src", "dst", "srcLabel", "dstLabel"]
        self.result = QueryResult("select", cols, [tuple(Term.uri(v) if i < 2 else Term.literal(v)
                                                          for i, v in enumerate(r)) for r in rows],
                                  truncated=truncated, max_rows=len(rows))

    def named(self, name, **params):
        assert name == "_projection_case_mechanism"
        return self.result


# ----------------------------------------------------------------------- projections

def test_projection_ids_are_iris_and_labels_are_attributes():
    """Two mechanisms with the same label stay two nodes; the label is an attribute."""
    ex = FakeExplorer([(RIVERSIDE, POOLED, "Riverside", "Same name"),
                       (RIVERSIDE, CAPITATION, "Riverside", "Same name")])
    g = analytics.build_projection(ex, "case_mechanism")
    assert set(g) == {RIVERSIDE, POOLED, CAPITATION}
    assert g.nodes[POOLED]["label"] == g.nodes[CAPITATION]["label"] == "Same name"
    assert g.nodes[RIVERSIDE]["kind"] == "case" and g.nodes[POOLED]["kind"] == "mechanism"
    assert g.graph == {"projection": "case_mechanism", "release": "test-release"}


def test_truncated_projection_is_an_error():
    """An answer cut at the row limit is refused rather than analysed in part."""
    ex = FakeExplorer([(RIVERSIDE, POOLED, "Riverside", "Pooled budget")], truncated=True)
    with pytest.raises(IckgError, match="max_rows"):
        analytics.build_projection(ex, "case_mechanism")


def test_node_kinds_from_namespaces():
    """Kinds follow the public IRI scheme; a known class wins over the namespace."""
    assert analytics.node_kind(str(concept("process", "financial"))) == "process"
    assert analytics.node_kind(str(concept("domain", "costs"))) == "domain"
    assert analytics.node_kind(str(concept("level", "meso"))) == "concept"
    assert analytics.node_kind("https://w3id.org/ickg/statement/x.y") == "statement"
    assert analytics.node_kind("https://example.org/x") == "other"
    assert analytics.node_kind("https://example.org/x", str(IC.CaseStudy)) == "case"


def test_fixture_projection(fixture_explorer):
    """The fixture's case studies use three mechanisms; the hostile label is kept as data."""
    g = analytics.build_projection(fixture_explorer, "case_mechanism")
    assert {frozenset(e) for e in g.edges} == {frozenset({RIVERSIDE, POOLED}), frozenset({RIVERSIDE, SINGLE}),
                                               frozenset({VALLEY, CAPITATION})}
    assert g.nodes[VALLEY]["label"] == HOSTILE
    assert g.graph["release"] == fixture_explorer.release_id
    assert all(n.startswith("https://w3id.org/ickg/") for n in g)


def test_filters(fixture_explorer):
    """Level macro keeps Hostile Valley and capitation; process clinical keeps the single assessment."""
    macro = analytics.case_mechanism_graph(fixture_explorer, level="level:macro")
    assert set(macro) == {VALLEY, CAPITATION}
    assert macro.graph["filter"] == "case studies at Macro level"
    clinical = analytics.case_mechanism_graph(fixture_explorer, process="process:clinical")
    assert set(clinical) == {RIVERSIDE, SINGLE}
    mp = analytics.mechanism_process_graph(fixture_explorer, level="level:meso")
    assert set(mp) == {POOLED, SINGLE, str(concept("process", "financial")), str(concept("process", "clinical"))}
    opts = analytics.filter_options(fixture_explorer)
    assert [o["label"] for o in opts["level"]] == ["Macro level", "Meso level"]
    assert [o["label"] for o in opts["process"]] == ["Clinical", "Financial"]


def test_neighbourhood_graph(fixture_explorer):
    """Riverside with its mechanisms, processes, classifications and statements; directions as attributes."""
    g = analytics.neighbourhood_graph(fixture_explorer, "case:riverside")
    assert g.graph["focus"] == RIVERSIDE
    kinds = {k for _, k in g.nodes(data="kind")}
    assert {"case", "mechanism", "process", "statement", "domain", "concept"} <= kinds
    bed_days = "https://w3id.org/ickg/statement/riverside.bed-days"
    assert g.nodes[bed_days]["direction"] == "positive"
    assert g.edges[bed_days, RIVERSIDE]["relation"] == "about"
    assert all(g.nodes[n]["label"] and g.nodes[n]["label"] != n for n in g)
    with pytest.raises(IckgError, match="no case study"):
        analytics.neighbourhood_graph(fixture_explorer, "case:no-such-case")


# ------------------------------------------------------------------------- measures

def test_similar_cases_on_the_fixture(fixture_explorer):
    """Riverside {pooled budget, single assessment, clinical, financial} vs Hostile Valley
    {capitation, financial}: one shared item of five, so Jaccard 0.2."""
    [row] = analytics.similar_cases(fixture_explorer, "case:riverside")
    assert row["case"] == VALLEY and row["label"] == HOSTILE
    assert row["score"] == pytest.approx(0.2) and (row["shared"], row["union"]) == (1, 5)
    assert row["shared_mechanisms"] == [] and row["shared_processes"] == ["Financial"]
    assert row["only_chosen"] == ["Clinical", "Pooled budget", "Single assessment process"]
    assert row["only_other"] == ["Capitation"]
    assert row["reason"] == "shares 1 of 5 mechanisms and processes: Financial"
    with pytest.raises(IckgError, match="no case study"):
        analytics.similar_cases(fixture_explorer, "case:nowhere")


def test_shared_mechanisms_on_the_fixture(fixture_explorer):
    """Each mechanism is used by one of the two case studies; ties are ordered by label."""
    rows = analytics.shared_mechanisms(fixture_explorer)
    assert [(r["label"], r["case_studies"], r["share"]) for r in rows] == [
        ("Capitation", 1, 0.5), ("Pooled budget", 1, 0.5), ("Single assessment process", 1, 0.5)]
    assert rows[1]["used_by"] == ["Riverside Care Trust"] and rows[1]["processes"] == ["Financial"]


def test_centrality_on_the_fixture(fixture_explorer):
    """Every mechanism is a leaf: degree centrality 1/2, betweenness 0, ranked by label."""
    rows = analytics.mechanism_centrality(fixture_explorer)
    assert [(r["rank"], r["label"], r["degree_centrality"], r["betweenness"]) for r in rows] == [
        (1, "Capitation", 0.5, 0.0), (2, "Pooled budget", 0.5, 0.0), (3, "Single assessment process", 0.5, 0.0)]


# -------------------------------------------------------------------- shipped graph

def _uses(graph):
    """case -> mechanisms and case -> processes, read straight from the rdflib graph."""
    cases = set(graph.subjects(RDF.type, IC.CaseStudy))
    mech = {c: {str(m) for m in graph.objects(c, IC.usesMechanism)} for c in cases}
    proc = {c: {str(p) for p in graph.objects(c, IC.usesProcess)} for c in cases}
    return {str(c): mech[c] for c in cases}, {str(c): proc[c] for c in cases}


def test_shared_mechanisms_match_an_independent_count(shipped_explorer, shipped_graph):
    """Counts per mechanism equal the usesMechanism triples; the order is by count, then label."""
    mech, _ = _uses(shipped_graph)
    expected = {}
    for ms in mech.values():
        for m in ms:
            expected[m] = expected.get(m, 0) + 1
    rows = analytics.shared_mechanisms(shipped_explorer)
    assert {r["mechanism"]: r["case_studies"] for r in rows} == expected
    label = {m: str(shipped_graph.value(URIRef(m), SKOS.prefLabel)) for m in expected}
    assert [r["mechanism"] for r in rows] == sorted(expected, key=lambda m: (-expected[m], label[m].casefold(), m))
    users = sum(1 for ms in mech.values() if ms)
    assert all(r["share"] == pytest.approx(r["case_studies"] / users) for r in rows)


def test_centrality_matches_networkx_on_the_rdf(shipped_explorer, shipped_graph):
    """Degree and betweenness equal networkx's bipartite measures on a graph read from the triples."""
    mech, _ = _uses(shipped_graph)
    g = nx.Graph()
    g.add_edges_from((c, m) for c, ms in mech.items() for m in ms)
    cases = [c for c in mech if mech[c]]
    degree = bipartite.degree_centrality(g, cases)
    between = bipartite.betweenness_centrality(g, cases)
    rows = analytics.mechanism_centrality(shipped_explorer)
    assert {r["mechanism"] for r in rows} == set(g) - set(cases)
    for r in rows:
        assert r["degree_centrality"] == pytest.approx(degree[r["mechanism"]])
        assert r["degree_centrality"] == pytest.approx(r["case_studies"] / len(cases))
        assert r["betweenness"] == pytest.approx(between[r["mechanism"]])
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert all(a["betweenness"] >= b["betweenness"] - 1e-12 for a, b in zip(rows, rows[1:]))


def test_similar_cases_match_jaccard_on_the_rdf(shipped_explorer, shipped_graph):
    """Torbay's ranking equals the Jaccard index of usesMechanism ∪ usesProcess read from the triples."""
    torbay = str(CASE["torbay-care-trust"])
    mech, proc = _uses(shipped_graph)
    items = {c: mech[c] | proc[c] for c in mech}
    label = {c: str(shipped_graph.value(URIRef(c), RDFS.label)) for c in items}
    expected = sorted(((c, len(items[torbay] & items[c]) / len(items[torbay] | items[c]))
                       for c in items if c != torbay and items[torbay] & items[c]),
                      key=lambda t: (-t[1], label[t[0]].casefold(), t[0]))
    rows = analytics.similar_cases(shipped_explorer, torbay, k=None)
    assert [(r["case"], pytest.approx(r["score"])) for r in rows] == [(c, pytest.approx(s)) for c, s in expected]
    assert len(analytics.similar_cases(shipped_explorer, torbay, k=5)) == 5


def test_torbay_and_pace_share_the_pooled_budget(shipped_explorer):
    """Torbay Care Trust and PACE both pool budgets (HRB review, case studies 8 and 2), so PACE is
    among the case studies most like Torbay, with the pooled budget as a shared reason."""
    rows = analytics.similar_cases(shipped_explorer, "case:torbay-care-trust", k=None)
    pace = next(r for r in rows if r["case"] == str(CASE["pace"]))
    assert "Pooled budget" in pace["shared_mechanisms"]
    assert "Pooled budget" not in pace["only_chosen"] + pace["only_other"]
    assert "Pooled budget" in pace["reason"]
    assert rows.index(pace) < 5


# ------------------------------------------------------------------------- exports

def test_exports_carry_the_release_and_the_direction(fixture_explorer):
    """CSV rows run case -> mechanism with labels and the release; GraphML reads back the same graph."""
    g = analytics.case_mechanism_graph(fixture_explorer)
    text = analytics.edges_csv(g)
    lines = text.splitlines()
    assert lines[0] == ",".join(analytics.EDGE_COLUMNS)
    assert len(lines) == 1 + g.number_of_edges()
    assert all(line.endswith("," + fixture_explorer.release_id) for line in lines[1:])
    assert all(r["source_kind"] == "case" and r["target_kind"] == "mechanism" for r in analytics.edge_rows(g))
    back = nx.read_graphml(io.BytesIO(analytics.graphml_bytes(g)))
    assert set(back) == set(g)
    assert back.graph["release"] == fixture_explorer.release_id
    assert back.nodes[VALLEY]["label"] == HOSTILE
