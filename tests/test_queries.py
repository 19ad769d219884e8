"""Every gallery query, run on the shipped graph, answers as the sources give it.

Expected values come from the source texts (cited in each test's docstring) or, for counts,
from an independent computation over the rdflib graph, never from a previous run.
"""

from collections import Counter
from itertools import combinations

import pytest
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import SKOS

from kg import export, queries
from kg.namespaces import CASE, IC, concept
from kg.store import EmbeddedStore

D = "https://w3id.org/ickg/concept/"


@pytest.fixture(scope="module")
def store(shipped):
    s = EmbeddedStore(export.to_ntriples(shipped.built.graph).encode(), shipped.built.release_id, workers=1)
    yield s
    s.close()


@pytest.fixture(scope="module")
def run(store):
    def _run(name, **params):
        q = queries.find(name)
        assert q is not None, name
        result = store.query(q.text, q.bind(params))
        assert not result.truncated and not result.timed_out
        return result if result.kind != "select" else result.values()
    return _run


def test_gallery_is_complete_and_documented():
    """At least 30 queries, each with a title, a description, known tags and projected params."""
    gallery = queries.gallery()
    assert len(gallery) >= 30
    for q in gallery:
        assert q.title and len(q.description) > 60, q.name
        assert q.tags and set(q.tags) <= set(queries.TAGS), q.name
        head = q.text.split("WHERE")[0]
        for p in q.params:
            assert f"?{p.name}" in head, f"{q.name}: parameter ?{p.name} must be projected"


def test_every_query_has_a_test():
    """Each gallery query is exercised by a test in this module."""
    import inspect
    import sys

    source = inspect.getsource(sys.modules[__name__])
    for q in queries.gallery():
        assert f'"{q.name}"' in source, q.name


def _labels(rows, col="label"):
    return {r[col] for r in rows}


def test_case_studies(run, shipped):
    """All case studies are listed; Torbay is meso, real, in England (HRB case study 8)."""
    rows = run("case-studies")
    assert len(rows) == len(shipped.corpus.of("case-studies"))
    torbay = next(r for r in rows if r["label"] == "Torbay Care Trust")
    assert (torbay["levels"], torbay["forms"], torbay["countries"]) == ("Meso level", "Real integration", "England")
    assert int(torbay["statements"]) >= 6
    assert [int(r["number"]) for r in rows if r["number"]] == list(range(1, 19))


def test_numbered_case_studies(run):
    """The 18 numbered case studies with level and form as the HRB review gives them."""
    rows = {int(r["number"]): r for r in run("numbered-case-studies")}
    assert sorted(rows) == list(range(1, 19))
    # "examples of real-macro level integration included Mayo Clinic and Veterans Health
    # Administration and examples of virtual macro-level integration included Kaiser
    # Permanente, Geisinger, ... GRIPA ... CCNC"
    for n in (1, 2, 3, 4):
        assert (rows[n]["level"], rows[n]["form"]) == ("Macro level", "Virtual integration"), n
    for n in (5, 6):
        assert (rows[n]["level"], rows[n]["form"]) == ("Macro level", "Real integration"), n
    # "Two models are described – PACE in the USA and Torbay Care Trust in England"
    assert rows[7]["country"] == "United States" and rows[8]["country"] == "England"
    assert rows[15]["level"] == rows[16]["level"] == "Micro level"


def test_case_studies_at_level(run):
    """Macro level: the six US systems of case studies 1-6."""
    rows = run("case-studies-at-level", level="level:macro")
    assert {"Kaiser Permanente", "Geisinger", "Mayo Clinic", "Veterans Health Administration"} <= _labels(rows)
    assert all(r["levelLabel"] == "Macro level" and r["quote"] for r in rows)
    assert len(run("case-studies-at-level")) > len(rows)


def test_case_studies_using_mechanism(run):
    """Pooled budgets: Torbay ("pooled health and social care budget"), PACE ("pooled resources"), the English and Swedish pooled-budget schemes."""
    labels = _labels(run("case-studies-using-mechanism", mechanism="mechanism:pooled-budget"))
    assert {"Torbay Care Trust", "PACE"} <= labels
    assert any("Sweden" in x for x in labels) and any("England" in x for x in labels)


def test_case_studies_using_process(run):
    """Financial integration: Kaiser (capitation), Torbay (pooled budget), PACE (capitation)."""
    rows = {r["label"]: r for r in run("case-studies-using-process", process="process:financial")}
    assert {"Kaiser Permanente", "Torbay Care Trust", "PACE"} <= set(rows)
    assert "Capitation payment" in rows["Kaiser Permanente"]["mechanisms"]
    assert "Pooled budget" in rows["Torbay Care Trust"]["mechanisms"]


def test_findings_on_hospital_use(run):
    """Torbay's bed days (before-and-after) and PACE's hospital use (quasi-experimental)."""
    rows = {r["statement"].rsplit("/", 1)[-1]: r for r in run("findings-on-hospital-use")}
    assert rows["torbay-care-trust.hospital-bed-days"]["direction"] == "Positive"
    assert rows["torbay-care-trust.hospital-bed-days"]["basis"] == "Before-and-after study"
    assert rows["pace.hospital-use"]["basis"] == "Quasi-experimental comparison"
    assert "large decrease in hospital use" in rows["pace.hospital-use"]["quote"]


def test_findings_on_costs(run):
    """Torbay saved about £250,000; PACE's Medicaid saving has no empirical data behind it."""
    rows = {r["statement"].rsplit("/", 1)[-1]: r for r in run("findings-on-costs")}
    assert "£250,000" in rows["torbay-care-trust.management-savings"]["quote"]
    # "No empirical data were found to support this claim": a descriptive fact, so no direction
    assert rows["pace.medicaid-savings-no-data"]["claim"] == "Descriptive fact"
    assert rows["pace.medicaid-savings-no-data"].get("direction") is None
    assert rows["torbay-care-trust.management-savings"]["claim"] == "Measured outcome"
    assert {r.get("direction") for r in rows.values()} >= {"Positive", "Mixed", "Unclear"}


def test_findings_on_patient_experience(run):
    """Torbay: "Patient experience also appears to be positive."; Kaiser members' survey."""
    rows = run("findings-on-patient-experience")
    assert any(r["quote"] == "Patient experience also appears to be positive." for r in rows)
    assert any(r.get("aboutLabel") == "Kaiser Permanente" and r["basis"] == "Survey" for r in rows)


def test_findings_by_domain(run):
    """Hospital-use statements ordered by strength of design, strongest first."""
    rows = run("findings-by-domain", domain="domain:hospital-use")
    ranks = [int(r["rank"]) for r in rows]
    assert ranks == sorted(ranks)
    assert any(r["statement"].endswith("pace.hospital-use") for r in rows)


def test_financial_integration_and_hospital_use(run):
    """Torbay (pooled budget, fewer bed days) and PACE (capitation, less hospital use)."""
    rows = run("financial-integration-and-hospital-use")
    labels = _labels(rows)
    assert {"Torbay Care Trust", "PACE"} <= labels
    assert all(r["financialMechanisms"] for r in rows)


def test_mechanism_co_occurrence(run, shipped_graph):
    """Pair counts equal an independent count over the graph."""
    g = shipped_graph
    pairs = Counter()
    for case in g.subjects(RDF.type, IC.CaseStudy):
        mechs = sorted(str(m) for m in set(g.objects(case, IC.usesMechanism)))
        pairs.update(combinations(mechs, 2))
    expected = {k: v for k, v in pairs.items() if v > 1}
    rows = run("mechanism-co-occurrence")
    assert {(r["m1"], r["m2"]): int(r["cases"]) for r in rows} == expected
    assert [int(r["cases"]) for r in rows] == sorted((int(r["cases"]) for r in rows), reverse=True)


def test_countries_using_budgets(run):
    """Pooled budgets "have been used in England and in Sweden"; personal budgets "in the UK, Netherlands, US and Germany"."""
    rows = run("countries-using-budgets")
    stated = {(r["mechanismLabel"], r["countryLabel"]) for r in rows if r["via"] == "stated for the mechanism"}
    assert {("Pooled budget", "England"), ("Pooled budget", "Sweden")} <= stated
    assert {("Personal budget", c) for c in ("United Kingdom", "Netherlands", "United States", "Germany")} <= stated


@pytest.mark.parametrize("name,cls", [("enablers-most-reported", IC.Enabler), ("barriers-most-reported", IC.Barrier)])
def test_factors_most_reported(run, shipped_graph, name, cls):
    """Counts by theme equal an independent count; most frequent first."""
    g = shipped_graph
    expected = Counter(str(g.value(f, IC.factorTheme)) for f in g.subjects(RDF.type, cls)
                       if g.value(f, IC.factorTheme) is not None)
    rows = run(name)
    col = "enablers" if cls == IC.Enabler else "barriers"
    assert {r["theme"]: int(r[col]) for r in rows} == dict(expected)
    counts = [int(r[col]) for r in rows]
    assert counts == sorted(counts, reverse=True)


def test_barriers_include_torbays_information_systems(run):
    """Torbay's barrier "The initial absence of common information systems" counts under its theme."""
    rows = {r["themeLabel"]: r for r in run("barriers-most-reported")}
    assert int(rows["Shared information and ICT"]["caseStudies"]) >= 2


def test_what_sources_say_about_a_case(run):
    """PACE: the HRB review and Shortell's reading of On Lok/PACE both speak of it."""
    rows = run("what-sources-say-about-a-case", case="case:pace")
    sources = {r["source"] for r in rows}
    assert "The integration of health and social care services" in sources
    assert any("Leutz" in s for s in sources)


def test_evidence_behind_mechanism(run):
    """Pooled budgets: ordered by strength of design, with non-positive findings included."""
    rows = run("evidence-behind-mechanism", mechanism="mechanism:pooled-budget")
    ranks = [int(r["rank"]) for r in rows]
    assert ranks == sorted(ranks)
    assert {r["direction"] for r in rows} & {"Mixed", "No effect", "Unclear", "Negative"}
    assert any(r["route"] == "about the mechanism" for r in rows)


def test_shaw_questions(run):
    """The five questions in order, each with its prompts ending in a question mark."""
    rows = run("shaw-questions")
    assert [r["label"] for r in rows] == ["Goals", "Context", "Type", "Breadth", "Intensity"]
    assert all(r["prompts"].endswith("?") for r in rows)
    assert rows[0]["prompts"].startswith("*Goals* – what are you seeking to achieve")


def test_integration_for_need(run):
    """Nolte and McKee: mild to moderate -> linkage; moderate -> coordination; severe -> full integration."""
    rows = run("integration-for-need")
    assert [(r["need"].rsplit("/", 1)[-1], r["intensityLabel"]) for r in rows] == [
        ("mild-to-moderate", "Linkage"), ("moderate", "Coordination"), ("severe-unstable", "Full integration")]
    (row,) = run("integration-for-need", need="need:severe-unstable")
    assert "fully integrated system" in row["why"]


def test_concept_definitions(run):
    """Levels of aggregation: three concepts, defined in the HRB review's words."""
    rows = {r["label"]: r for r in run("concept-definitions", scheme="scheme:level")}
    assert set(rows) == {"Macro level", "Meso level", "Micro level"}
    assert "particular care group" in rows["Meso level"]["definition"]
    assert rows["Meso level"]["source"] == "The integration of health and social care services"


def test_citation_trail(run):
    """PACE's hospital-use finding cites the review's references 13, 22 and 23 (case study 7's heading)."""
    rows = run("citation-trail", statement="stmt:pace.hospital-use")
    assert any("large decrease in hospital use" in r["quote"] for r in rows)
    numbers = {r["referenceNumber"] for r in rows if r.get("referenceNumber")}
    assert {"13", "22", "23"} <= numbers
    assert all(int(r["end"]) > int(r["start"]) for r in rows)


def test_evidence_map(run):
    """Each cell's directions (and claims without one) add up to its statements; financial x hospital use is filled."""
    rows = run("evidence-map")
    for r in rows:
        parts = sum(int(r[k]) for k in ("positive", "negative", "mixed", "noEffect", "unclear", "withoutDirection"))
        assert parts == int(r["statements"]), r
    cell = next(r for r in rows if r["processLabel"] == "Financial" and r["domainLabel"] == "Hospital use")
    assert int(cell["positive"]) > 0


def test_evidence_gaps(run, shipped_graph):
    """Gaps are exactly the process x domain cells without a positive or negative statement."""
    gaps = {(r["process"], r["domain"]) for r in run("evidence-gaps")}
    decisive = {(r["process"], r["domain"]) for r in run("evidence-map")
                if int(r["positive"]) + int(r["negative"]) > 0}
    g = shipped_graph
    processes = set(g.subjects(SKOS.inScheme, URIRef("https://w3id.org/ickg/scheme/process")))
    domains = set(g.subjects(SKOS.inScheme, URIRef("https://w3id.org/ickg/scheme/domain")))
    grid = {(str(p), str(d)) for p in processes for d in domains}
    assert gaps == grid - decisive
    assert gaps, "the sources leave some cells open"


def test_statements_by_basis(run):
    """The overview page's claims are all uncited; the HRB review has quasi-experimental evidence."""
    rows = run("statements-by-basis")
    overview = {r["basisLabel"] for r in rows if r["source"] == "Integrated Care"}
    assert overview == {"Uncited claim"}
    assert any(r["source"].startswith("The integration") and r["basisLabel"] == "Quasi-experimental comparison" for r in rows)


def test_uncited_claims(run, shipped_graph):
    """Exactly the overview page's statements, all non-traceable."""
    rows = run("uncited-claims")
    g = shipped_graph
    src = URIRef("https://w3id.org/ickg/source/overview-page")
    from rdflib.namespace import DCTERMS

    expected = {str(s) for s in g.subjects(DCTERMS.source, src) if (s, RDF.type, IC.EvidenceStatement) in g}
    assert {r["statement"] for r in rows} == expected
    assert {r["source"] for r in rows} == {"Integrated Care"}


def test_case_profile(run):
    """Torbay: meso, real, England, each with its quote."""
    rows = run("case-profile", case="case:torbay-care-trust")
    got = {(r["propertyLabel"], r["valueLabel"]) for r in rows}
    assert {("level", "Meso level"), ("form", "Real integration"), ("country", "England")} <= got
    assert all(r["quote"] for r in rows)


def test_case_mechanisms(run):
    """Torbay: "pooled health and social care budget" (financial), "single assessment process" (clinical)."""
    rows = run("case-mechanisms", case="case:torbay-care-trust")
    got = {(r["processLabel"], r.get("mechanismLabel")) for r in rows}
    assert ("Financial", "Pooled budget") in got
    assert ("Clinical / service", "Single assessment process") in got


def test_case_factors(run):
    """Torbay's four enablers and four barriers, quoted."""
    rows = run("case-factors", case="case:torbay-care-trust")
    kinds = Counter(r["kind"] for r in rows)
    assert kinds["enabler"] >= 4 and kinds["barrier"] >= 4
    assert any(r["quote"] == "The initial absence of common information systems" for r in rows)


def test_mechanisms_by_process(run):
    """Pooled budgets fall under financial, single assessment under clinical/service."""
    rows = run("mechanisms-by-process")
    got = {(r["processLabel"], r["mechanismLabel"]) for r in rows}
    assert ("Financial", "Pooled budget") in got
    assert ("Clinical / service", "Single assessment process") in got


def test_most_used_mechanisms(run, shipped_graph):
    """Counts of case studies per mechanism equal an independent count; descending."""
    g = shipped_graph
    expected = Counter(str(m) for case in g.subjects(RDF.type, IC.CaseStudy) for m in set(g.objects(case, IC.usesMechanism)))
    rows = run("most-used-mechanisms")
    assert {r["mechanism"]: int(r["caseStudies"]) for r in rows} == dict(expected)


def test_leutz_levels(run):
    """Linkage, coordination, full integration; PACE is Shortell's example of full integration."""
    rows = run("leutz-levels")
    assert [r["label"] for r in rows] == ["Linkage", "Coordination", "Full integration"]
    assert "PACE" in rows[2]["caseStudies"]
    assert "Long-term, severe, unstable need" in rows[2]["suitsNeed"]


def test_kaiser_triangle(run):
    """65-80% supported self-care, 20-35% care or disease management, 5% case management."""
    rows = run("kaiser-triangle")
    text = " ".join(r["quotes"] for r in rows)
    assert len(rows) == 3
    for share in ("65–80%", "20–35%", "5%"):
        assert share in text


def test_sources(run):
    """Five sources; the overview page is non-traceable; Poku et al. carry their DOI."""
    rows = {r["title"]: r for r in run("sources")}
    assert len(rows) == 5
    assert rows["Integrated Care"]["supportType"].endswith("ECO_0000034")
    assert rows["Moving from Care Coordination to Care Integration"]["doi"] == "10.1007/s11606-019-05029-z"
    assert int(rows["The integration of health and social care services"]["references"]) == 83


def test_references_cited_most(run):
    """Curry and Ham (the HRB review's reference 13) is among the most cited behind findings."""
    rows = run("references-cited-most")
    top = [r["number"] for r in rows[:5] if "pike-mongan" in r["reference"]]
    assert "13" in top
    assert "Curry" in next(r["citation"] for r in rows if r["reference"].endswith("pike-mongan-2014.ref-13"))


def test_findings_with_figures(run):
    """Table 2: inpatient costs -27% in German DMPs; Torbay's £250,000."""
    rows = run("findings-with-figures")
    figures = " ".join(r["figures"] for r in rows)
    assert "-27%" in figures and "£250,000" in figures


def test_negative_mixed_and_null_findings(run):
    """Only negative, mixed or null findings; Goddard and Mason's reading of integrated funding among them."""
    rows = run("negative-mixed-and-null-findings")
    assert {r["direction"] for r in rows} <= {"Negative", "Mixed", "No effect"}
    assert any(r["source"] == "Integrated Care: A Pill for All Ills?" for r in rows)


def test_case_studies_by_country(run):
    """Countries ordered by their number of case studies; the United States includes Kaiser; England includes Torbay."""
    rows = run("case-studies-by-country")
    counts = [int(r["caseStudies"]) for r in rows]
    assert counts == sorted(counts, reverse=True)
    us = next(r for r in rows if r["label"] == "United States")
    assert "Kaiser Permanente" in us["names"]
    england = next(r for r in rows if r["label"] == "England")
    assert "Torbay Care Trust" in england["names"]
    # England and Scotland are within the United Kingdom: Torbay (England) and the managed
    # clinical networks (Scotland) count for it
    uk = next(r for r in rows if r["label"] == "United Kingdom")
    assert "Torbay Care Trust" in uk["names"] and int(uk["caseStudies"]) > int(england["caseStudies"])


def test_search_labels(run):
    """Finds pooled budgets by name; a hostile string is only ever a literal."""
    rows = run("search-labels", text="budget")
    assert "Pooled budget" in _labels(rows)
    # a framework's named group is found by its name too, as a collection (Suter et al.'s ten principles)
    suter = [r for r in run("search-labels", text="Suter") if r["thing"].endswith("/success-features/suter-principles")]
    assert [r["type"] for r in suter] == ["collection"]
    for hostile in ['budget" } UNION { ?thing ?p ?label } #', "}\nUNION {", "'; DROP", "# comment"]:
        assert run("search-labels", text=hostile) == []


def test_case_neighbourhood(run):
    """A CONSTRUCT graph around PACE: its capitation mechanism and labels."""
    result = run("case-neighbourhood", case="case:pace")
    assert result.kind == "graph"
    triples = {(s.value, p.value, o.value) for s, p, o in result.triples}
    pace = str(CASE["pace"])
    assert (pace, str(IC.usesMechanism), str(concept("mechanism", "capitation"))) in triples
    assert (pace, "http://www.w3.org/2000/01/rdf-schema#label", "PACE") in triples


def test_frameworks(run):
    """Framework schemes from sources and editorial vocabularies are told apart."""
    rows = {r["scheme"].rsplit("/", 1)[-1]: r for r in run("frameworks")}
    assert rows["level"]["editorial"] == "false" and int(rows["level"]["concepts"]) == 3
    assert rows["domain"]["editorial"] == "true"
    assert int(rows["shaw"]["concepts"]) == 5
    # Table 6 of the HRB review: 35 criteria under two column headings with two sub-headings each
    assert int(rows["registry-criteria"]["concepts"]) == 35 and int(rows["registry-criteria"]["collections"]) == 6
    assert int(rows["level"]["collections"]) == 0


def test_enablers_by_category(run, shipped_graph):
    """Counts by Goddard and Mason's three categories equal an independent count."""
    g = shipped_graph
    rows = run("enablers-by-category")
    for r in rows:
        cls = IC.Enabler if r["kind"] == "enabler" else IC.Barrier
        n = sum(1 for f in g.subjects(IC.factorCategory, URIRef(r["category"])) if (f, RDF.type, cls) in g)
        assert int(r["factors"]) == n
    assert {r["label"] for r in rows} == {"Professional and cultural", "Organisational", "Policy"}


def test_evidence_for_process(run):
    """Financial integration: statements about its mechanisms (pooled budgets, capitation) and
    about case studies that use it, each route named; Goddard and Mason's judgement included."""
    rows = run("evidence-for-process", process="process:financial")
    routes = {r["route"] for r in rows}
    assert routes == {"mechanism", "process", "case study"}
    quotes = " ".join(r["quote"] for r in rows)
    assert "the case for integrated funding has not yet been demonstrated" in quotes
    assert any(r["route"] == "case study" and r["aboutLabel"] == "Torbay Care Trust" for r in rows)
    ranks = [(r["domainLabel"], int(r["rank"])) for r in rows]
    assert ranks == sorted(ranks)  # by outcome, strongest design first
    assert {r["directionLabel"] for r in rows} >= {"Positive", "Mixed", "Unclear"}


def test_all_factors(run, shipped_graph):
    """Every enabler and barrier once per owner, general lists without an owner; counts match the graph."""
    rows = run("all-factors")
    factors = {r["factor"] for r in rows}
    expected = {str(f) for f in shipped_graph.subjects(RDF.type, IC.Factor)}
    assert factors == expected
    torbay = [r for r in rows if r.get("ownerLabel") == "Torbay Care Trust" and r["kind"] == "barrier"]
    assert any(r["quote"] == "The initial absence of common information systems" for r in torbay)
    assert any(not r.get("owner") and r["source"] == "Integrated Care: A Pill for All Ills?" for r in rows)


def test_claims_with_caveats(run):
    """PACE's Medicaid saving "in the order of 5%–15%": "However, no empirical data to support this
    observation were found."; the capitation review's 48 of 69 improved outcomes beside only 2 of
    70 significant; Kaiser's NHS comparison beside "much debate about the reliability of this study"."""
    rows = run("claims-with-caveats")
    key = lambda r: (r["statement"].rsplit("/", 1)[-1], r["caveat"].rsplit("/", 1)[-1])  # noqa: E731
    pace = [r for r in rows if key(r) == ("pace.medicaid-savings", "pace.medicaid-savings-no-data")]
    assert any("5%–15%" in r["quote"] and "no empirical data to support" in r["caveatQuote"] for r in pace)
    assert {(r["claim"], r["caveatClaim"]) for r in pace} == {("Measured outcome", "Descriptive fact")}
    assert ("capitation.cochrane-48-of-69", "capitation.cochrane-significance-2-of-70") in {key(r) for r in rows}
    kaiser = [r for r in rows if key(r)[1] == "kaiser-permanente.nhs-comparison-reliability-debated"]
    assert any("a third of the bed use" in r["quote"] for r in kaiser)
    assert all("much debate" in r["caveatQuote"] for r in kaiser)


def test_mechanism_uses(run):
    """CCNC's case management information system "is under development": planned, not in use;
    for case management "pooled health and social care budgets can assist": recommended."""
    rows = run("mechanism-uses")
    by = {(r["caseLabel"], r.get("mechanismLabel"), r["statusLabel"]) for r in rows}
    ccnc = next(r["caseLabel"] for r in rows if r["case"].endswith("/ccnc"))
    assert (ccnc, "Shared electronic health record", "Planned or under development") in by
    assert ("Case management", "Pooled budget", "Recommended or possible") in by
    assert ("Torbay Care Trust", "Pooled budget", "In use") in by
    users = {r["case"] for r in run("case-studies-using-mechanism", mechanism="mechanism:shared-electronic-record")}
    assert not any(c.endswith("/ccnc") for c in users)


def test_concept_scheme_prefixes_match_the_framework_files():
    """Every framework file's scheme is a predeclared prefix, so `<scheme>:<concept>` works in every query."""
    from pathlib import Path

    from kg.namespaces import CONCEPT_SCHEMES, FIXED_PREFIXES

    files = {p.stem for p in (Path(__file__).resolve().parent.parent / "evidence" / "frameworks").glob("*.yaml")}
    assert files and set(CONCEPT_SCHEMES) == files
    for s in CONCEPT_SCHEMES:
        assert FIXED_PREFIXES[s] == f"https://w3id.org/ickg/concept/{s}/"


def test_syntax_errors_read_as_one_line():
    """A parser error is one line with line, column and what stands there; no character-class dump (issue 13)."""
    from kg.store import QueryError, check_query

    with pytest.raises(QueryError) as err:
        check_query("SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER(?s = ) }")
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith("malformed query: line 3, column") and "\\u{" not in msg
    assert check_query("SELECT * WHERE { ?s ic:outcomeDomain domain:hospital-use ; ic:level level:meso }") == "select"
