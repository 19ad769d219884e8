"""The benchmark's graph generator cannot rot silently (no timing here: the benchmark times).

At a tiny scale the synthetic graph must parse, hold k copies' worth of case studies, and answer
every gallery query on Oxigraph, with rows wherever the real graph has rows.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCALE = 3


def _generate_module():
    path = ROOT / "benchmarks" / "generate.py"
    spec = importlib.util.spec_from_file_location("ickg_benchmarks_generate", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gen():
    return _generate_module()


@pytest.fixture(scope="module")
def graphs(shipped, gen):
    """The real graph and the synthetic one at SCALE, as N-Triples and as Oxigraph stores."""
    import pyoxigraph

    from kg import export

    real_nt = export.to_ntriples(shipped.built.graph).encode("utf-8")
    plan = gen.plan(real_nt)
    synth_nt = gen.generate(plan, SCALE)
    stores = []
    for data in (real_nt, synth_nt):
        store = pyoxigraph.Store()
        store.bulk_load(data, pyoxigraph.RdfFormat.N_TRIPLES)
        stores.append(store)
    return {"plan": plan, "real_nt": real_nt, "synth_nt": synth_nt, "real": stores[0], "synth": stores[1]}


def _count(store, cls: str) -> int:
    q = f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <https://w3id.org/ickg/ontology#{cls}> }}"
    return int(next(iter(store.query(q)))["n"].value)


def test_synthetic_graph_parses_and_has_the_planned_size(graphs):
    import pyoxigraph

    triples = list(pyoxigraph.parse(graphs["synth_nt"], pyoxigraph.RdfFormat.N_TRIPLES))
    plan = graphs["plan"]
    assert len(triples) == plan.triples(SCALE) == len(graphs["synth"])
    assert plan.copied_triples > plan.real_triples / 2  # most of the graph is instance data
    assert graphs["synth_nt"].startswith(graphs["real_nt"])  # copy 0 is the real graph itself


def test_scale_one_is_the_real_graph(graphs, gen):
    assert gen.generate(graphs["plan"], 1) == graphs["real_nt"]


@pytest.mark.parametrize("cls", ["CaseStudy", "EvidenceStatement", "Quote", "Assertion", "Factor", "Mechanism"])
def test_k_copies_of_the_instance_data(graphs, cls):
    real = _count(graphs["real"], cls)
    assert real > 0
    synth = _count(graphs["synth"], cls)
    if cls == "Quote":  # quotes of the shared concept schemes are not copied
        assert real < synth < SCALE * real
    elif cls == "Assertion":  # nor are assertions about concepts ("need suggests intensity")
        assert real < synth <= SCALE * real
    else:
        assert synth == SCALE * real


def test_concept_schemes_are_shared(graphs):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/2004/02/skos/core#ConceptScheme> }"
    counts = [int(next(iter(graphs[k].query(q)))["n"].value) for k in ("real", "synth")]
    assert counts[0] == counts[1] > 0


def test_copies_are_renamed_and_relabelled(graphs, gen):
    q = """SELECT ?label WHERE { <https://w3id.org/ickg/case/pace%s>
           <http://www.w3.org/2000/01/rdf-schema#label> ?label }"""
    original = [s["label"].value for s in graphs["synth"].query(q % "")]
    copy = [s["label"].value for s in graphs["synth"].query(q % gen.iri_suffix(SCALE - 1))]
    assert original and copy == [original[0] + gen.literal_suffix(SCALE - 1)]


def test_every_gallery_query_runs_and_answers_where_the_real_graph_does(graphs, gen):
    from kg import queries
    from kg.store import run_on_oxigraph

    empty_on_synthetic = []
    for q in queries.gallery():
        bindings = q.bind(gen.param_values(q))
        real = run_on_oxigraph(graphs["real"], q.text, bindings, 100_000)
        synth = run_on_oxigraph(graphs["synth"], q.text, bindings, 100_000)
        assert synth["kind"] == real["kind"], q.name
        size = {"select": "rows", "graph": "triples"}.get(real["kind"])
        if size is None:
            assert synth["boolean"] == real["boolean"], q.name
            continue
        if real[size] and not synth[size]:
            empty_on_synthetic.append(q.name)
        assert len(synth[size]) >= len(real[size]), q.name  # copies only add data
    assert not empty_on_synthetic, f"no rows on the synthetic graph: {empty_on_synthetic}"


def test_every_gallery_parameter_has_a_benchmark_value(gen):
    from kg import queries

    for q in queries.gallery():
        values = gen.param_values(q)
        assert {p.name for p in q.params if not p.optional} <= set(values), q.name
        q.bind(values)  # the values are valid terms
