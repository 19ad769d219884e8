"""kg.views.sparql: the gallery, parameter choices, results for the screen, CONSTRUCT results.

Expected values come from the curated YAML (read here independently of the graph), from the
source texts as quoted in the files, or from a second computation over the rdflib graph;
never from a previous run of the code under test.
"""

from __future__ import annotations

from rdflib import Graph

from kg import serialise
from kg.namespaces import CASE
from kg.views import sparql


def test_construct_results_as_rdf_and_network(ex):
    """A CONSTRUCT result serialises as Turtle and JSON-LD and becomes a labelled network."""
    result = ex.named("case-neighbourhood", case="case:pace")
    ttl = serialise.triples_text(result.triples, "ttl", ex.release_id, "case-neighbourhood")
    g = Graph().parse(data=ttl, format="turtle")
    assert len(g) == len(result.triples)
    net = sparql.triples_graph(ex, result.triples)
    assert net.nodes[str(CASE["pace"])]["label"] == "PACE"
    assert all(not d["label"].startswith("http") for _, d in net.nodes(data=True))


def test_gallery_search_and_params(ex):
    """The gallery is searched by words and tags; parameters get labelled choices."""
    names = {q.name for q in sparql.gallery("hospital")}
    assert {"findings-on-hospital-use", "financial-integration-and-hospital-use"} <= names
    assert all("designer" in q.tags for q in sparql.gallery("", ["designer"]))
    assert sparql.gallery("no such words anywhere") == []
    choices = dict(sparql.param_choices(ex, "case"))
    assert choices["case:pace"] == "PACE"
    assert dict(sparql.param_choices(ex, "domain"))["domain:hospital-use"] == "Hospital use"
    assert sparql.param_choices(ex, "text") is None


def test_display_rows_and_chart(ex):
    """IRIs are shown by label with the compact IRI beside; a label and a number make a chart."""
    result = ex.named("statements-by-basis")
    cols, rows = sparql.display_rows(ex, result)
    assert "basis IRI" in cols and "source IRI" not in cols
    assert all(not r["basis"].startswith("http") and r["basis IRI"].startswith("basis:") for r in rows)
    assert sparql.chartable(result) == ("basisLabel", "statements")
    assert sparql.chartable(ex.named("case-profile", case="case:pace")) is None
