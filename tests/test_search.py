"""kg.search: keyword search over the views' documents, widened by the vocabulary.

Expected values come from the curated YAML (read here independently of the graph), from the
source texts as quoted in the files, or from a second computation over the rdflib graph;
never from a previous run of the code under test.
"""

from __future__ import annotations

from collections import Counter

from kg import search
from kg.fixtures import HOSTILE
from kg.namespaces import CASE
from kg.views import cases, common

C = "https://w3id.org/ickg/concept/"


def test_alt_labels_widen_a_query(ex):
    """ "bed days" (an alternative label of Hospital use) finds every hospital-use finding, literal matches first."""
    res = search.search(ex, "bed days")
    assert [e.concept for e in res.expansions] == [C + "domain/hospital-use"]
    hospital = {s.iri for s in common.statements(ex).values() if C + "domain/hospital-use" in s.domains}
    found = {h.doc.iri for h in res.of("finding")}
    assert hospital <= found
    top = res.of("finding")[0]
    assert "bed day" in (top.doc.label + " " + top.doc.snippet).lower()
    assert "https://w3id.org/ickg/statement/torbay-care-trust.hospital-bed-days" in found


def test_search_ranks_names(ex):
    """Names and other names find their case study first; stemming matches plurals; empty finds nothing."""
    assert search.search(ex, "Torbay").of("case study")[0].doc.iri == str(CASE["torbay-care-trust"])
    assert search.search(ex, "Permanente").of("case study")[0].doc.iri == str(CASE["kaiser-permanente"])
    mech = search.search(ex, "pooled budgets").of("mechanism")
    assert mech[0].doc.iri == "https://w3id.org/ickg/mechanism/pooled-budget"
    assert search.search(ex, "   ").hits == []
    assert search.search(ex, "zzqx").hits == []
    only = search.search(ex, "capitation", kinds=["mechanism"])
    assert only.hits and {h.doc.kind for h in only.hits} == {"mechanism"}


def test_search_on_the_fixture(fx):
    """The hostile case study is found by its other name; words are matched, markup is not code."""
    res = search.search(fx, "Hostile Valley")
    assert res.of("case study")[0].doc.label == HOSTILE
    assert search.search(fx, "bed days").of("finding")[0].doc.label == "Lowest bed-day use in the region."
    assert search.tokens("</script><img src=x onerror=alert(1)>") == ["script", "img", "src", "x", "onerror",
                                                                     "alert", "1"]


def test_index_covers_every_kind(ex, shipped_graph):
    """One document per case study, finding, concept and collection (a collection is found like a concept)."""
    from rdflib import RDF
    from rdflib.namespace import SKOS

    idx = search.index(ex)
    kinds = Counter(d.kind for d in idx.docs)
    assert kinds["case study"] == len(cases.case_table(ex))
    assert kinds["finding"] == len(common.statements(ex))
    collections = set(shipped_graph.subjects(RDF.type, SKOS.Collection))
    assert collections
    assert kinds["mechanism"] + kinds["concept"] == len(common.concepts(ex)) + len(collections)


def test_search_finds_a_group_as_a_concept_hit(ex):
    """Suter et al.'s ten principles are a collection; the search finds them by the author's name."""
    hits = [h.doc for h in search.search(ex, "Suter principles").of("concept")]
    assert hits and hits[0].iri == C + "success-features/suter-principles"
    assert hits[0].scheme == "https://w3id.org/ickg/scheme/success-features"
