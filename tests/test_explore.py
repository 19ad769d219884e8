"""kg.explore and kg.search on the fixture evidence and on the shipped graph.

Expected values come from the curated YAML (read here independently of the graph), from the
source texts as quoted in the files, or from a second computation over the rdflib graph;
never from a previous run of the code under test.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pyoxigraph
import pytest
import yaml
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import OWL

from kg import explore, export, search
from kg.fixtures import HOSTILE, write_fixture
from kg.namespaces import CASE
from kg.service import Explorer, open_explorer
from kg.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
EVIDENCE = ROOT / "evidence"
C = "https://w3id.org/ickg/concept/"


def _yaml(kind: str, rid: str) -> dict:
    return yaml.safe_load((EVIDENCE / kind / f"{rid}.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ex(shipped):
    """An explorer on the shipped graph."""
    e = Explorer(EmbeddedStore(export.to_ntriples(shipped.built.graph).encode(), shipped.built.release_id,
                               workers=1), shipped.built.release_id)
    yield e
    e.close()


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    """An explorer on the fixture evidence (two case studies, one with a hostile label)."""
    evidence, sources = write_fixture(tmp_path_factory.mktemp("explore-fixture"))
    e = open_explorer({"evidence_dir": str(evidence), "sources_dir": str(sources)}, workers=1)
    yield e
    e.close()


# ----------------------------------------------------------------------------- names and links

def test_compact_names():
    """IRIs become the prefixed names the README documents."""
    assert explore.compact(C + "level/meso") == "level:meso"
    assert explore.compact(str(CASE["pace"])) == "case:pace"
    assert explore.compact("https://w3id.org/ickg/ontology#CaseStudy") == "ic:CaseStudy"
    assert explore.compact("https://w3id.org/ickg/statement/pace.hospital-use") == "stmt:pace.hospital-use"
    assert explore.compact("http://example.org/x") == "http://example.org/x"


@pytest.mark.parametrize("doi,url", [
    ("10.1007/s11606-019-05029-z", "https://doi.org/10.1007/s11606-019-05029-z"),
    ("doi:10.15171/ijhpm.2016.111", "https://doi.org/10.15171/ijhpm.2016.111"),
    ("https://doi.org/10.1000/xyz", "https://doi.org/10.1000/xyz"),
    ("javascript:alert(1)", None), ("10.1/short", None), ("", None), (None, None)])
def test_only_dois_become_outside_links(doi, url):
    """A DOI becomes a doi.org link; anything else does not become a link at all."""
    assert explore.doi_url(doi) == url


def test_every_case_and_concept_has_a_label(ex, shipped_graph):
    """Labels exist for every case study and concept, so views never need to show an IRI."""
    labels = explore.labels(ex)
    for c in explore.case_table(ex):
        assert labels[c.iri] and not labels[c.iri].startswith("http")
    assert explore.label(ex, C + "domain/hospital-use") == "Hospital use"
    assert explore.label(ex, "https://w3id.org/ickg/nothing/here") == "https://w3id.org/ickg/nothing/here"


# ----------------------------------------------------------------------------- sources and citations

def test_sources_with_citations(ex):
    """Five documents; author order follows the recorded creators; the overview page is non-traceable."""
    srcs = {s.id: s for s in explore.sources(ex)}
    assert len(srcs) == len(list((EVIDENCE / "sources").glob("*.yaml")))
    for sid, s in srcs.items():
        rec = _yaml("sources", sid)
        assert s.title == rec["title"]
        assert list(s.creators) == rec.get("creators", [])
        assert s.traceable == (rec["support"] == "traceable")
    assert srcs["poku-2019"].doi_url == "https://doi.org/10.1007/s11606-019-05029-z"


def test_bibtex_and_ris(ex):
    """BibTeX and RIS carry authors in order, title, journal, DOI; RIS ends with ER."""
    poku = next(s for s in explore.sources(ex) if s.id == "poku-2019")
    bib = explore.bibtex(poku)
    assert bib.startswith("@article{Poku2019,")
    assert "author = {Michael K Poku and Calvin M Kagan and Baligh Yehia}" in bib
    assert "doi = {10.1007/s11606-019-05029-z}" in bib and "pages = {1906--1909}" in bib
    assert bib.count("{") == bib.count("}")
    ris = explore.ris(poku).splitlines()
    assert ris[0] == "TY  - JOUR" and ris[-1] == "ER  - "
    assert [x for x in ris if x.startswith("AU  - ")] == ["AU  - Michael K Poku", "AU  - Calvin M Kagan",
                                                         "AU  - Baligh Yehia"]
    assert "DO  - 10.1007/s11606-019-05029-z" in ris
    report = next(s for s in explore.sources(ex) if s.id == "pike-mongan-2014")
    assert explore.bibtex(report).startswith("@techreport{") and "institution = {Health Research Board}" in explore.bibtex(report)


def test_bibtex_escapes_special_characters():
    """A title with braces, ampersands and percent signs cannot break the entry."""
    s = explore.SourceInfo("x", "x", "A & B {50%} #1", "c", "report", ("A_B",))
    bib = explore.bibtex(s)
    assert r"A \& B \{50\%\} \#1" in bib and r"A\_B" in bib


# ----------------------------------------------------------------------------- overview

def test_overview_counts(ex, shipped):
    """Counts agree with the curated files; the frameworks at a glance are complete."""
    ov = explore.overview(ex)
    assert ov.counts["CaseStudy"] == len(shipped.corpus.of("case-studies"))
    assert ov.counts["Document"] == len(list((EVIDENCE / "sources").glob("*.yaml")))
    assert [c.label for c in ov.levels] == ["Macro level", "Meso level", "Micro level"]
    assert [c.notation for c in ov.processes] == [str(i) for i in range(1, 8)]
    assert [r["label"] for r in ov.leutz] == ["Linkage", "Coordination", "Full integration"]
    assert len(ov.kaiser) == 3 and "65–80%" in ov.kaiser[0]["definition"]


# ----------------------------------------------------------------------------- case studies

def test_case_table_matches_the_files(ex):
    """One row per case-study file; classifications as the files give them; HRB numbers first."""
    rows = explore.case_table(ex)
    files = sorted(p.stem for p in (EVIDENCE / "case-studies").glob("*.yaml"))
    assert sorted(c.id for c in rows) == files
    numbers = [c.number for c in rows if c.number is not None]
    assert numbers == list(range(1, 19)) and all(c.number is not None for c in rows[:18])
    for c in rows:
        rec = _yaml("case-studies", c.id)
        for field, facet, scheme in (("level", "level", "level"), ("form", "form", "form"),
                                     ("country", "country", "country")):
            assert {explore.local(v) for v in c.values(facet)} == {x["value"] for x in rec.get(field, [])}, c.id
        # only uses in place count as the mechanism facet (planned, recommended, failed do not)
        mechs = {p["mechanism"] for p in rec.get("processes", [])
                 if p.get("mechanism") and p.get("status", "in-use") in ("in-use", "piloted")}
        assert {explore.local(v) for v in c.values("mechanism")} == mechs, c.id


def test_process_facet_includes_processes_reached_through_mechanisms(ex):
    """Torbay's pooled budget (a financial mechanism) puts Torbay under the financial process."""
    torbay = next(c for c in explore.case_table(ex) if c.id == "torbay-care-trust")
    assert C + "process/financial" in torbay.values("process")


def test_facets_and_within_or(ex):
    """Within a facet any value matches; across facets all must."""
    rows = explore.case_table(ex)
    meso, macro, eng = C + "level/meso", C + "level/macro", C + "country/gb-eng"
    both = explore.filter_cases(rows, {"level": [meso], "country": [eng]})
    expected = sorted(c for c in (p.stem for p in (EVIDENCE / "case-studies").glob("*.yaml"))
                      if {"meso"} & {x["value"] for x in _yaml("case-studies", c).get("level", [])}
                      and {"gb-eng"} & {x["value"] for x in _yaml("case-studies", c).get("country", [])})
    assert sorted(c.id for c in both) == expected and "torbay-care-trust" in expected
    either = explore.filter_cases(rows, {"level": [meso, macro]})
    assert {c.id for c in either} >= {"torbay-care-trust", "kaiser-permanente"}
    assert explore.filter_cases(rows, {"level": []}) == rows
    counts = explore.facet_counts(both, "level")
    assert counts[meso] == len(both)


def test_resolve_case(ex):
    """A case is found by id, prefixed name or IRI; anything else is None."""
    iri = str(CASE["pace"])
    assert explore.resolve_case(ex, "pace") == explore.resolve_case(ex, "case:pace") == explore.resolve_case(ex, iri) == iri
    for bad in ("", None, "nope", "case:nope", "https://example.org/pace"):
        assert explore.resolve_case(ex, bad) is None
    assert explore.case_detail(ex, "nope") is None


def test_torbay_page(ex):
    """Torbay (HRB case study 8): meso, real, England; pooled budget under financial; bed days; 4 + 4 factors."""
    rec = _yaml("case-studies", "torbay-care-trust")
    d = explore.case_detail(ex, "torbay-care-trust")
    assert (d.label, d.number) == ("Torbay Care Trust", 8)
    got = {(ln.label, ln.value) for ln in d.classification}
    assert {("Level of aggregation", "Meso level"), ("Form", "Real integration"), ("Country", "England")} <= got
    financial = next(b for b in d.processes if b.label == "Financial")
    assert "Pooled budget" in {m.value for m in financial.mechanisms}
    assert len(d.findings) == len(rec["findings"])
    assert len(d.enablers) == len(rec["enablers"]) and len(d.barriers) == len(rec["barriers"])
    hospital = next(b for b in d.domains if b.label == "Hospital use")
    [bed] = [f for f in hospital.findings if "bed days" in f.value]
    assert (bed.direction_label, bed.basis_label) == ("Positive", "Before-and-after study")
    quotes = {q.text for q in bed.quotes}
    assert any("lowest use of hospital bed days" in q for q in quotes)
    assert all(q.source_label and q.section for q in bed.quotes)
    # every line of the page has its quote, and every quote is one the file gives
    file_quotes = {" ".join(str(x).split()) for x in _walk_quotes(rec)}
    for ln in d.lines():
        assert ln.quotes, (ln.section, ln.value)
        if ln.label == "Given as an example of":  # quoted in the framework's file, not the case's
            continue
        for q in ln.quotes:
            assert " ".join(q.text.split()) in file_quotes, q.text
    assert sum(n for _, _, n in d.basis_counts) == len(d.findings)
    assert d.key_messages[0].startswith(f"{len(rec['findings'])} findings from 1 source")


def _walk_quotes(node):
    if isinstance(node, dict):
        if "quote" in node:
            yield node["quote"]
        for v in node.values():
            yield from _walk_quotes(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk_quotes(v)


def test_case_rows_download(ex):
    """The page's download has one row per line and quote, each with source, locator and quote."""
    d = explore.case_detail(ex, "pace")
    rows = explore.case_rows(d)
    assert len(rows) >= len(d.lines())
    assert all(r["quote"] and r["source"] and r["locator"] for r in rows)
    assert {r["section"] for r in rows} >= {"Classification", "Finding", "Mechanism"}


def test_what_each_source_says_about_pace(ex):
    """PACE: the HRB review and Shortell both speak of it, as the gallery query finds."""
    d = explore.case_detail(ex, "pace")
    names = {name for _, name, _ in d.by_source()}
    expected = {r["source"] for r in ex.rows("what-sources-say-about-a-case", case="case:pace")}
    assert expected <= names


def test_fixture_case_page(fx):
    """The fixture's Riverside Care Trust: its two findings and its factors, with quotes."""
    d = explore.case_detail(fx, "riverside")
    assert {f.value for f in d.findings} == {"Lowest bed-day use in the region.", "No cost-effectiveness data."}
    assert [e.value for e in d.enablers] == ["Long-term commitment"]
    assert [b.value for b in d.barriers] == ["No common information systems"]
    assert {(b.label, tuple(m.value for m in b.mechanisms)) for b in d.processes} == {
        ("Clinical", ("Single assessment process",)), ("Financial", ("Pooled budget",))}
    hostile = explore.case_detail(fx, "hostile-valley")
    assert hostile.label == HOSTILE  # data, kept as written; escaping is the page's job


# ----------------------------------------------------------------------------- compare

def test_compare(ex):
    """Torbay and PACE side by side: both meso and real; one column per case; unknown ids skipped."""
    comp = explore.comparison(ex, ["torbay-care-trust", "pace", "no-such-case"])
    assert comp.columns == ["group", "aspect", "Torbay Care Trust", "PACE"]
    rows = {(g, a): cells for g, a, cells in comp.rows}
    assert rows[("Classification", "Level of aggregation")] == [["Meso level"], ["Meso level"]]
    assert rows[("Classification", "Country")] == [["England"], ["United States"]]
    assert "Pooled budget" in rows[("Mechanisms by process", "Financial")][0]
    table = comp.table()
    assert list(table[0]) == comp.columns
    cols, flat = explore.compare(ex, ["torbay-care-trust", "pace"])
    assert cols == comp.columns[:4] and flat == table


# ----------------------------------------------------------------------------- evidence map

def test_map_without_case_findings_equals_the_gallery_query(ex):
    """Counted only through mechanisms and processes, each cell equals the evidence-map query's."""
    emap = explore.evidence_map(ex, "process", include_cases=False)
    expected = {(r["process"], r["domain"]): r for r in ex.rows("evidence-map")}
    got = {k: c for k, c in emap.cells.items() if c.count}
    assert set(got) == set(expected)
    for k, cell in got.items():
        r = expected[k]
        assert cell.count == int(r["statements"])
        assert cell.directions.get("positive", 0) == int(r["positive"])
        assert cell.directions.get("no-effect", 0) == int(r["noEffect"])
        assert cell.strongest_rank == int(r["strongestRank"])


def test_map_grid_and_gaps(ex, shipped_graph):
    """Every process by every outcome domain is a cell; gaps are the empty ones; directions add up."""
    from rdflib.namespace import SKOS

    emap = explore.evidence_map(ex)
    processes = set(shipped_graph.subjects(SKOS.inScheme, URIRef("https://w3id.org/ickg/scheme/process")))
    domains = set(shipped_graph.subjects(SKOS.inScheme, URIRef("https://w3id.org/ickg/scheme/domain")))
    assert {r for r, _ in emap.rows} == {str(p) for p in processes}
    assert {c for c, _ in emap.cols} == {str(d) for d in domains}
    table = explore.map_rows(emap)
    assert len(table) == len(processes) * len(domains)
    assert emap.gaps == sum(1 for r in table if r["statements"] == 0)
    for cell in emap.cells.values():
        assert sum(cell.directions.values()) == cell.count == len(set(cell.statements))
    with_cases = explore.evidence_map(ex).total
    assert with_cases > explore.evidence_map(ex, include_cases=False).total


def test_map_filters(ex):
    """Source and basis keep only such statements; level keeps statements about cases at that level."""
    stmts = explore.statements(ex)
    src = "https://w3id.org/ickg/source/goddard-mason-2016"
    emap = explore.evidence_map(ex, filters={"source": [src]})
    assert emap.total and all(stmts[s].source == src for c in emap.cells.values() for s in c.statements)
    basis = C + "basis/randomised-trial"
    emap = explore.evidence_map(ex, filters={"basis": [basis]})
    assert all(stmts[s].basis == basis for c in emap.cells.values() for s in c.statements)
    meso = C + "level/meso"
    cases = {c.iri: c for c in explore.case_table(ex)}
    emap = explore.evidence_map(ex, filters={"level": [meso]})
    for c in emap.cells.values():
        for s in c.statements:
            assert any(meso in cases[a].values("level") for a in stmts[s].about if a in cases), s


def test_mechanism_rows_and_cells(ex):
    """Mechanism rows; a cell's statements come with quotes; cell keys round-trip through the URL form."""
    emap = explore.evidence_map(ex, "mechanism")
    pooled = "https://w3id.org/ickg/mechanism/pooled-budget"
    assert pooled in {r for r, _ in emap.rows}
    key = explore.cell_key(pooled, C + "domain/hospital-use")
    assert key == "pooled-budget~hospital-use"
    assert explore.parse_cell_key(emap, key) == (pooled, C + "domain/hospital-use")
    assert explore.parse_cell_key(emap, "nope~hospital-use") is None and explore.parse_cell_key(emap, "") is None
    items = explore.cell_statements(ex, emap, pooled, C + "domain/hospital-use")
    assert items and all(s.quotes for s in items)
    assert [s.rank for s in items] == sorted(s.rank for s in items)
    rows = explore.statement_rows(items)
    assert all(r["quote"] and r["citation"] for r in rows)
    with pytest.raises(Exception):
        explore.evidence_map(ex, "country")


# ----------------------------------------------------------------------------- downloads

def test_csv_carries_release_filters_and_citation():
    """UTF-8 with BOM, # header lines with what was shown, then the table exactly."""
    rows = [{"a": "£250,000", "b": 'say "hi"\nnext'}, {"a": None, "b": "x"}]
    text = explore.csv_text(["a", "b"], rows, "0.1.0+abc", {"filters": {"level": ["Meso level"]},
                                                             "query": "SELECT *\nWHERE {}"})
    assert text.startswith("\ufeff# Integrated-care knowledge graph, release 0.1.0+abc\n")
    head = [x for x in text.lstrip("\ufeff").splitlines() if x.startswith("#")]
    assert "# filters: level=Meso level" in head and "# query:" in head and "#   SELECT *" in head
    assert any(x.startswith("# cite as: Integrated-care knowledge graph, release 0.1.0+abc") for x in head)
    body = "".join(line for line in io.StringIO(text.lstrip("\ufeff")) if not line.startswith("#"))
    assert list(csv.DictReader(io.StringIO(body))) == [{"a": "£250,000", "b": 'say "hi"\nnext'}, {"a": "", "b": "x"}]
    data = json.loads(explore.json_text(["a", "b"], rows, "0.1.0+abc", {"view": "test"}))
    assert data["ickg"]["release"] == "0.1.0+abc" and data["ickg"]["view"] == "test"
    assert data["rows"][0] == {"a": "£250,000", "b": 'say "hi"\nnext'}


def test_result_downloads(ex):
    """Query downloads: the status and the query in the header; SPARQL JSON with ickg metadata."""
    result = ex.named("case-profile", case="case:pace")
    csv_text = explore.result_csv(result, ex.release_id, {"query name": "case-profile"})
    assert "# query name: case-profile" in csv_text and f"# status: {result.status}" in csv_text
    data = json.loads(explore.result_json(result, ex.release_id, {"query": "x"}))
    assert data["ickg"]["release"] == ex.release_id and data["ickg"]["query"] == "x"
    assert len(data["results"]["bindings"]) == len(result.rows)


def test_graph_exports_round_trip(ex, shipped_graph):
    """The whole graph as Turtle, JSON-LD and N-Triples parses back to the same number of triples."""
    for fmt, rdf_format in (("ttl", pyoxigraph.RdfFormat.TURTLE), ("jsonld", pyoxigraph.RdfFormat.JSON_LD),
                            ("nt", pyoxigraph.RdfFormat.N_TRIPLES)):
        text, status = explore.graph_text(ex, fmt)
        assert len(list(pyoxigraph.parse(text.encode("utf-8"), rdf_format))) == len(shipped_graph), fmt
        assert status == f"{len(shipped_graph):,} triples"
    assert explore.graph_text(ex, "ttl")[0].startswith(f"# Integrated-care knowledge graph, release {ex.release_id}")


def test_construct_results_as_rdf_and_network(ex):
    """A CONSTRUCT result serialises as Turtle and JSON-LD and becomes a labelled network."""
    result = ex.named("case-neighbourhood", case="case:pace")
    ttl = explore.triples_text(result.triples, "ttl", ex.release_id, "case-neighbourhood")
    g = Graph().parse(data=ttl, format="turtle")
    assert len(g) == len(result.triples)
    net = explore.triples_graph(ex, result.triples)
    assert net.nodes[str(CASE["pace"])]["label"] == "PACE"
    assert all(not d["label"].startswith("http") for _, d in net.nodes(data=True))


# ----------------------------------------------------------------------------- ontology

def test_ontology_doc_matches_the_turtle():
    """Every ic: class and property of ickg.ttl, with its label and comment."""
    g = Graph().parse(ROOT / "ontology" / "ickg.ttl", format="turtle")
    ns = "https://w3id.org/ickg/ontology#"
    classes = {str(s) for s in g.subjects(RDF.type, OWL.Class) if str(s).startswith(ns)}
    props = {str(s) for t in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
             for s in g.subjects(RDF.type, t) if str(s).startswith(ns)}
    doc = explore.ontology_doc()
    assert {t.iri for t in doc.classes} == classes and {t.iri for t in doc.properties} == props
    case = next(t for t in doc.classes if t.name == "ic:CaseStudy")
    assert case.label == "Case study" and "programme" in case.comment
    uses = next(t for t in doc.properties if t.name == "ic:usesMechanism")
    assert (uses.kind, uses.domain, uses.range) == ("object property", ("ic:CaseStudy",), ("ic:Mechanism",))
    about = next(t for t in doc.properties if t.name == "ic:about")
    assert about.comment.startswith("What a statement is about")
    assert explore.ontology_turtle().startswith("@prefix")


def test_scheme_trees(ex):
    """Processes in notation order; narrower mechanisms sit under their broader one."""
    tree = explore.scheme_tree(ex, "scheme:process")
    assert [n.concept.notation for n in tree] == [str(i) for i in range(1, 8)]
    assert all(n.depth == 0 for n in tree)
    assert any(role == "definition" for n in tree for role, _ in n.quotes)
    mech = explore.scheme_tree(ex, "scheme:mechanism")
    seen: set[str] = set()
    for n in mech:
        if n.depth:
            assert any(b in seen for b in n.concept.broader), n.concept.label
        seen.add(n.concept.iri)
    assert any(n.depth for n in mech)
    assert {n.concept.iri for n in mech} == {c.iri for c in explore.scheme_concepts(ex, "scheme:mechanism")}


# ----------------------------------------------------------------------------- console helpers

def test_gallery_search_and_params(ex):
    """The gallery is searched by words and tags; parameters get labelled choices."""
    names = {q.name for q in explore.gallery("hospital")}
    assert {"findings-on-hospital-use", "financial-integration-and-hospital-use"} <= names
    assert all("designer" in q.tags for q in explore.gallery("", ["designer"]))
    assert explore.gallery("no such words anywhere") == []
    choices = dict(explore.param_choices(ex, "case"))
    assert choices["case:pace"] == "PACE"
    assert dict(explore.param_choices(ex, "domain"))["domain:hospital-use"] == "Hospital use"
    assert explore.param_choices(ex, "text") is None


def test_display_rows_and_chart(ex):
    """IRIs are shown by label with the compact IRI beside; a label and a number make a chart."""
    result = ex.named("statements-by-basis")
    cols, rows = explore.display_rows(ex, result)
    assert "basis IRI" in cols and "source IRI" not in cols
    assert all(not r["basis"].startswith("http") and r["basis IRI"].startswith("basis:") for r in rows)
    assert explore.chartable(result) == ("basisLabel", "statements")
    assert explore.chartable(ex.named("case-profile", case="case:pace")) is None


# ----------------------------------------------------------------------------- search

def test_alt_labels_widen_a_query(ex):
    """ "bed days" (an alternative label of Hospital use) finds every hospital-use finding, literal matches first."""
    res = search.search(ex, "bed days")
    assert [e.concept for e in res.expansions] == [C + "domain/hospital-use"]
    hospital = {s.iri for s in explore.statements(ex).values() if C + "domain/hospital-use" in s.domains}
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


def test_index_covers_every_kind(ex):
    """One document per case study, finding and concept."""
    idx = search.index(ex)
    kinds = Counter(d.kind for d in idx.docs)
    assert kinds["case study"] == len(explore.case_table(ex))
    assert kinds["finding"] == len(explore.statements(ex))
    assert kinds["mechanism"] + kinds["concept"] == len(explore.concepts(ex))


def test_views_never_use_a_cut_answer(tmp_path):
    """With a row limit of 3, the views ask again without it and get the whole answer."""
    evidence, sources = write_fixture(tmp_path)
    small = open_explorer({"evidence_dir": str(evidence), "sources_dir": str(sources), "max_rows": "3"}, workers=1)
    try:
        assert small.named("_case_facets").truncated
        assert len(explore.case_table(small)) == 2
        assert len(explore.statements(small)) == 5
    finally:
        small.close()
