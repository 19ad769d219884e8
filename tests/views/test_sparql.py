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


def test_construct_graph_labels_quotes_and_edges(ex):
    """A CONSTRUCT graph names quote nodes by their words and labels its edges (issue 13)."""
    from kg.views import common

    r = ex.query("CONSTRUCT { ?s ic:supportedBy ?q . ?s ic:about ?c } WHERE { "
                 "?s ic:about <https://w3id.org/ickg/case/torbay-care-trust> ; ic:supportedBy ?q ; ic:about ?c }")
    g = sparql.triples_graph(ex, r.triples)
    assert g.graph.get("edge_labels") is True
    quotes = {q.iri: q.text for qs in common.statement_quotes(ex).values() for q in qs}
    qnodes = [n for n in g.nodes if n in quotes]
    assert qnodes
    for n in qnodes:
        assert g.nodes[n]["label"].startswith("“") and "/quote/" not in g.nodes[n]["label"]
        assert " ".join(quotes[n].split())[:20] in g.nodes[n]["label"]
    assert {d["relation"] for *_, d in g.edges(data=True)} == {"supportedBy", "about"}


def test_chart_rows_never_sum(ex):
    """Chart rows keep one point per row; repeated labels are made distinct rather than stacked."""
    r = ex.query("SELECT ?l ?n WHERE { VALUES (?l ?n) { (\"a\" 1) (\"a\" 2) (\"b\" 3) } }")
    places, numbers = sparql.chart_options(r)
    assert numbers == ["n"] and "l" in places
    assert sparql.chart_rows(ex, r, "l", "n") == [{"x": "a", "y": 1}, {"x": "a (2)", "y": 2}, {"x": "b", "y": 3}]


def test_editor_completes_the_ontology_concepts_and_cases(ex):
    """Every class and property of ontology/ickg.ttl, the concepts and the case studies, as prefixed names with labels."""
    from pathlib import Path

    import yaml
    from rdflib import OWL, RDF, RDFS

    root = Path(__file__).resolve().parents[2]
    onto = Graph().parse(root / "ontology" / "ickg.ttl", format="turtle")
    by_term = {c.term: c for c in sparql.completions(ex)}
    for kind, types in (("class", (OWL.Class,)),
                        ("property", (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty))):
        declared = {s for t in types for s in onto.subjects(RDF.type, t)
                    if str(s).startswith("https://w3id.org/ickg/ontology#")}
        assert declared
        for iri in declared:
            short = "ic:" + str(iri).split("#", 1)[1]
            assert short in by_term, short
            assert by_term[short].kind == kind
            assert by_term[short].label == str(onto.value(iri, RDFS.label))
    assert by_term["ic:CaseStudy"].label == "Case study" and by_term["ic:about"].kind == "property"
    # a concept of a concept scheme, under its scheme's prefix, with the label its framework file gives
    domains = yaml.safe_load((root / "evidence" / "frameworks" / "domain.yaml").read_text(encoding="utf-8"))
    hospital = next(c for c in domains["concepts"] if c["id"] == "hospital-use")
    assert by_term["domain:hospital-use"].label == hospital["label"]
    assert by_term["domain:hospital-use"].kind == "concept"
    case = yaml.safe_load((root / "evidence" / "case-studies" / "pace.yaml").read_text(encoding="utf-8"))
    assert by_term["case:pace"].label == case["label"] and by_term["case:pace"].kind == "case study"
    assert "mechanism:pooled-budget" in by_term
    # only prefixed names, each once, sorted; every prefix one the editor predeclares
    terms = [c.term for c in sparql.completions(ex)]
    prefixes = sparql.editor_prefixes()
    assert terms == sorted(set(terms))
    assert all(t.split(":", 1)[0] in prefixes and "://" not in t for t in terms)


def test_editor_prefixes_are_the_predeclared_ones():
    """The editor offers every concept scheme's prefix (one per framework file) and the project's own."""
    from pathlib import Path

    from kg.namespaces import BASE

    prefixes = sparql.editor_prefixes()
    frameworks = Path(__file__).resolve().parents[2] / "evidence" / "frameworks"
    for f in frameworks.glob("*.yaml"):
        assert prefixes[f.stem] == f"{BASE}concept/{f.stem}/", f.stem
    assert prefixes["ic"] == "https://w3id.org/ickg/ontology#"
    assert prefixes["domain"] == "https://w3id.org/ickg/concept/domain/"
    assert {"case", "mechanism", "stmt", "src", "scheme", "skos", "rdfs", "dct", "prov"} <= set(prefixes)
