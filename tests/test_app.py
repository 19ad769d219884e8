"""The explorer's pages under Streamlit's AppTest: they render, filter, keep their state in the URL, escape data.

Each page is run on its own (``AppTest.from_file("app_pages/<page>.py")``), on the shipped graph
unless a test points the settings at the fixture evidence (the explorer cache is keyed by the
settings, so both can live in one test process). Links between pages fall back to plain links
when a page runs alone; the browser tests cover real navigation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from kg import __version__
from kg.fixtures import HOSTILE, write_fixture

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("overview", "cases", "evidence_map", "compare", "sparql", "ontology")
N_CASES = len(list((ROOT / "evidence" / "case-studies").glob("*.yaml")))


@pytest.fixture(autouse=True)
def _app_path(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))  # pages import app_pages.common


@pytest.fixture(scope="module")
def fixture_dirs_once(tmp_path_factory):
    """The fixture evidence, written once (one folder, so one cached explorer serves every test)."""
    return write_fixture(tmp_path_factory.mktemp("app-fixture"))


@pytest.fixture
def fixture_env(fixture_dirs_once, monkeypatch):
    """Point the app at the fixture evidence (one case study carries a hostile label)."""
    evidence, sources = fixture_dirs_once
    monkeypatch.setenv("ICKG_EVIDENCE", str(evidence))
    monkeypatch.setenv("ICKG_SOURCES", str(sources))
    return evidence


def run(page: str, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{page}.py"), default_timeout=180)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error] + [x.value for x in at.text]
    return at


def texts(at: AppTest) -> list[str]:
    """Every text-like value on the page (Markdown source, captions, titles, plain text)."""
    out = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "text", "info", "warning", "code"):
        out += [str(e.value) for e in getattr(at, kind)]
    return out


def qp(at: AppTest, name: str) -> list[str]:
    """A URL parameter's values as a list (AppTest keeps a single value as a string)."""
    v = at.query_params.get(name, [])
    return [v] if isinstance(v, str) else list(v)


def case_facet(field: str, value: str) -> set[str]:
    out = set()
    for p in (ROOT / "evidence" / "case-studies").glob("*.yaml"):
        rec = yaml.safe_load(p.read_text(encoding="utf-8"))
        if value in {x["value"] for x in rec.get(field, [])}:
            out.add(p.stem)
    return out


# ----------------------------------------------------------------------------- every page

@pytest.mark.parametrize("page", PAGES)
def test_page_renders_with_the_release(page):
    """Each page renders without exception or error and names the data release."""
    at = run(page)
    release = [c.value for c in at.sidebar.caption if "Data release" in c.value]
    shown = __version__.replace(".", "\\.") + "\\+"  # as the Markdown-escaped caption prints it
    assert release and re.search(re.escape(shown) + "[0-9a-f]{12}", release[0]), release


def test_overview_counts_and_sources():
    """Counts from the graph; every source with its citation and BibTeX/RIS to copy."""
    at = run("overview")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Case studies"] == str(N_CASES)
    codes = [c.value for c in at.code]
    assert any(c.startswith("@article{Poku2019,") for c in codes)
    assert any(c.startswith("TY  - JOUR") and "AU  - Michael K Poku" in c for c in codes)
    plain = [t.value for t in at.text]
    assert any(t.startswith("Michael K Poku, Calvin M Kagan, Baligh Yehia.") for t in plain)


# ----------------------------------------------------------------------------- case studies

def heading(at: AppTest) -> str:
    return next(s.value for s in at.subheader if "case studies" in s.value)


def test_facets_filter_and_write_the_url():
    """Choosing a level narrows the list and writes ``level=meso``; a second facet narrows further."""
    at = run("cases")
    assert heading(at).startswith(f"{N_CASES} of {N_CASES}")
    meso = "https://w3id.org/ickg/concept/level/meso"
    at.multiselect(key="url_level").select(meso).run()
    assert qp(at, "level") == ["meso"]
    assert heading(at).startswith(f"{len(case_facet('level', 'meso'))} of {N_CASES}")
    at.multiselect(key="url_country").select("https://w3id.org/ickg/concept/country/gb-eng").run()
    both = case_facet("level", "meso") & case_facet("country", "gb-eng")
    assert heading(at).startswith(f"{len(both)} of {N_CASES}")
    table = at.dataframe[0].value
    assert set(table["Case study"]) >= {"Torbay Care Trust"} and "PACE" not in set(table["Case study"])
    assert not any(str(v).startswith("http") for v in table.to_numpy().ravel())  # labels, never IRIs


def test_filters_are_read_from_the_url():
    """A permalink with facets reopens the same list."""
    at = run("cases", {"level": "meso", "country": "gb-eng"})
    both = case_facet("level", "meso") & case_facet("country", "gb-eng")
    assert heading(at).startswith(f"{len(both)} of {N_CASES}")
    assert [v.rsplit("/", 1)[-1] for v in at.multiselect(key="url_level").value] == ["meso"]


def test_keyword_search_first_then_facets():
    """The search box is in the URL; "bed days" is widened to hospital use and lists findings."""
    at = run("cases", {"q": "bed days"})
    assert at.text_input(key="url_q").value == "bed days"
    assert any("Also searching for: Hospital use" in c.value for c in at.caption)
    assert any(t.label.startswith("Findings (") for t in at.tabs)
    at.text_input(key="url_q").input("Torbay").run()
    assert qp(at, "q") == ["Torbay"]
    assert at.dataframe[0].value["Case study"].iloc[0] == "Torbay Care Trust"


def test_no_results_suggests_widening():
    """Nothing matches: the page says so and suggests removing a filter."""
    at = run("cases", {"q": "zzqx qqzz"})
    assert any("No case study matches" in i.value and "Widen" in i.value for i in at.info)


def test_case_page_has_every_section_and_quote():
    """Torbay's page: key messages, evidence basis, sections, and quotes one click away."""
    at = run("cases", {"case": "torbay-care-trust"})
    assert at.title[0].value == "Torbay Care Trust"
    heads = [h.value for h in at.header]
    for h in ("Classification", "Integrative processes and mechanisms", "Findings by outcome",
              "Enablers and barriers", "What each source says", "Neighbourhood"):
        assert h in heads
    assert any(s.value == "Key messages" for s in at.subheader)
    md = texts(at)
    # a finding and its quote (inside the popover behind the line)
    assert any("lowest use of hospital bed days" in t for t in md)
    assert any(t.startswith("> ") for t in md)
    assert len(at.get("popover")) >= 10
    names = [b.label for b in at.get("download_button")]
    assert "Download CSV" in names and "Neighbourhood as Turtle" in names and "Printable page (HTML)" in names
    # key messages restate findings in plain words; the studies cited link to where the reference points
    assert any("Hospital use" in t and "Torbay had the lowest use of hospital bed days" in t and "positive result" in t
               for t in md)
    assert "Original studies cited" in heads
    assert any("](http://www.kingsfund.org.uk/" in t for t in md)


def test_unknown_case_says_so():
    """A link to a case that does not exist explains, and offers the way back."""
    at = AppTest.from_file(str(ROOT / "app_pages" / "cases.py"), default_timeout=180)
    at.query_params["case"] = "no-such-case"
    at.run()
    assert not at.exception
    assert any("no case study" in w.value for w in at.warning)
    at.button[0].click().run()
    assert "case" not in at.query_params


# ----------------------------------------------------------------------------- evidence map

def test_map_cell_from_the_url_lists_its_findings():
    """``?cell=financial~hospital-use`` opens that cell with its findings and their quotes."""
    at = run("evidence_map", {"cell": "financial~hospital-use"})
    assert any(s.value == "Financial × Hospital use" for s in at.subheader)
    assert at.selectbox(key="url_cell").value == "financial~hospital-use"
    assert len(at.get("popover")) > 3
    at.selectbox(key="url_cell").set_value("clinical~costs").run()
    assert qp(at, "cell") == ["clinical~costs"]
    assert any(s.value.startswith("Clinical / service × Costs") for s in at.subheader)


def test_map_rows_toggle_and_filters_write_the_url():
    """Rows by mechanism, a source filter and the case-study toggle all go into the URL."""
    at = run("evidence_map")
    at.segmented_control(key="url_rows").set_value("mechanism").run()
    assert qp(at, "rows") == ["mechanism"]
    at.multiselect(key="url_source").select("https://w3id.org/ickg/source/goddard-mason-2016").run()
    assert qp(at, "source") == ["goddard-mason-2016"]
    assert at.toggle(key="url_cases").value is False  # the case-level layer is off by default
    at.toggle(key="url_cases").set_value(True).run()
    assert qp(at, "cases") == ["1"]
    assert any("findings about processes and mechanisms" in c.value for c in at.caption)
    at.multiselect(key="url_population").select("https://w3id.org/ickg/concept/population/older-people").run()
    assert qp(at, "population") == ["older-people"]


def test_map_counts_only_direct_findings_and_shows_the_case_layer_apart():
    """By default the caption's gaps are the evidence-map query's; the case layer is a separate, labelled list."""
    from app_pages.common import get_explorer
    from kg.views import evidence_map

    at = run("evidence_map", {"cell": "financial~hospital-use"})
    ex = get_explorer()  # the explorer the page used (cached per process)
    emap = evidence_map.evidence_map(ex)
    direct = evidence_map.cell_statements(ex, emap, "https://w3id.org/ickg/concept/process/financial",
                                          "https://w3id.org/ickg/concept/domain/hospital-use")
    assert any(f"{emap.gaps} are gaps" in c.value for c in at.caption)
    assert not any("Case-level attribution" in m.value for m in at.markdown)
    assert len(at.get("popover")) == len(direct) + sum(len(s.caveats) for s in direct)  # a caveat has its quote
    at = run("evidence_map", {"cell": "financial~hospital-use", "cases": "1"})
    assert any("Case-level attribution" in m.value for m in at.markdown)
    assert any("Case-level layer" in c.value for c in at.caption)
    assert len(at.get("popover")) > len(direct) + sum(len(s.caveats) for s in direct)


def test_empty_cell_is_a_gap():
    """A cell without findings says it is a gap."""
    at = run("evidence_map", {"cell": "functional~carers"})
    assert any("gap" in i.value for i in at.info)


# ----------------------------------------------------------------------------- compare

def test_compare_two_cases_in_url_order():
    """Columns follow the URL's order; the classification rows show each case's values."""
    at = run("compare", {"cases": ["torbay-care-trust", "pace"]})
    assert [v.rsplit("/", 1)[-1] for v in at.multiselect(key="url_cases").value] == ["torbay-care-trust", "pace"]
    table = at.dataframe[0].value
    assert list(table.columns)[2:] == ["Torbay Care Trust", "PACE"]
    row = table[table["aspect"] == "Level of aggregation"].iloc[0]
    assert (row["Torbay Care Trust"], row["PACE"]) == ("Meso level", "Meso level")
    at.multiselect(key="url_cases").select("https://w3id.org/ickg/case/kaiser-permanente").run()
    assert qp(at, "cases") == ["torbay-care-trust", "pace", "kaiser-permanente"]


def test_compare_needs_two():
    """One case is not a comparison: the page says what to do."""
    at = run("compare", {"cases": "pace"})
    assert any("at least two" in i.value for i in at.info)


# ----------------------------------------------------------------------------- SPARQL

def test_gallery_query_from_the_url_runs():
    """``?query=case-profile&p.case=case:pace`` fills the editor and the form, runs, and shares."""
    at = run("sparql", {"query": "case-profile", "p.case": "case:pace"})
    assert "SELECT ?case ?property" in at.text_area(key="editor").value
    assert at.selectbox(key="url_p.case").value == "case:pace"
    status = [c.value for c in at.caption if re.fullmatch(r"\d+ rows? in \d+ ms", c.value)]
    assert status
    assert any("query=case-profile" in c.value and "p.case=case%3Apace" in c.value for c in at.code)
    df = at.dataframe[0].value
    assert "value IRI" in df.columns and not any(str(v).startswith("http") for v in df["value"])


def test_edited_query_goes_into_the_url_and_errors_are_shown():
    """Running an edited query puts its text in the URL; a malformed one shows the engine's message."""
    at = run("sparql")
    at.text_area(key="editor").input("SELECT ?s WHERE { ?s a <https://w3id.org/ickg/ontology#CaseStudy> }").run()
    at.button[0].click().run()
    assert qp(at, "text")[0].startswith("SELECT ?s WHERE")
    assert any(c.value == f"{N_CASES} rows in " + c.value.split(" in ")[1] for c in at.caption
               if c.value.endswith(" ms") and " rows in " in c.value)
    for bad, says in (("SELECT WHERE {", "malformed query: line 1"), ("DELETE WHERE { ?s ?p ?o }", "read-only")):
        at2 = AppTest.from_file(str(ROOT / "app_pages" / "sparql.py"), default_timeout=180)
        at2.query_params["text"] = bad
        at2.run()
        assert not at2.exception
        assert any("could not be run" in e.value for e in at2.error)
        assert any(says in t.value for t in at2.text), [t.value for t in at2.text]


def test_second_edit_is_what_run_query_runs():
    """Edit, run, edit again, run: the second edit runs and goes into the URL (issue 13)."""
    at = run("sparql")
    first = "SELECT ?s WHERE { ?s a ic:CaseStudy }"
    second = "SELECT ?s WHERE { ?s a ic:CaseStudy } LIMIT 3"
    at.text_area(key="editor").input(first)
    at.button[0].click().run()
    assert qp(at, "text") == [first]
    at.text_area(key="editor").input(second)
    at.button[0].click().run()
    assert at.text_area(key="editor").value == second
    assert qp(at, "text") == [second]
    assert any(c.value.startswith("3 rows in ") for c in at.caption), [c.value for c in at.caption]
    # the session's history reopens the first query
    recent = at.selectbox(key="sparql_recent")
    assert recent.options[1:] == [second, first]
    recent.set_value(first).run()
    assert at.text_area(key="editor").value == first


def test_predeclared_concept_prefix_and_chart_choice():
    """`domain:hospital-use` runs undeclared; the chart plots a chosen number column without summing."""
    q = ("SELECT ?domain (COUNT(?s) AS ?n) WHERE { ?s ic:outcomeDomain ?domain "
         "FILTER(?domain IN (domain:hospital-use, domain:costs)) } GROUP BY ?domain")
    at = run("sparql", {"text": q})
    assert not at.error
    df = at.dataframe[0].value
    assert len(df) == 2 and df["n"].dtype.kind == "i"  # numbers sort as numbers
    assert at.selectbox(key="chart_y").value == "n"
    assert at.selectbox(key="chart_type").options == ["bar", "line", "point"]
    assert any("nothing summed" in c.value for c in at.caption)


def test_construct_offers_rdf_downloads():
    """A CONSTRUCT query: triples, and Turtle and JSON-LD downloads."""
    at = run("sparql", {"query": "case-neighbourhood", "p.case": "case:pace"})
    names = [b.label for b in at.get("download_button")]
    assert {"Download CSV", "Download JSON", "Download Turtle", "Download JSON-LD"} <= set(names)


# ----------------------------------------------------------------------------- ontology

def test_ontology_scheme_and_concept_from_the_url():
    """``?scheme=level&concept=meso`` opens Meso level with its quoted definition."""
    at = run("ontology", {"scheme": "level", "concept": "meso"})
    assert at.selectbox(key="url_scheme").value == "level"
    assert any("particular care group" in t for t in texts(at))
    classes = at.dataframe[0].value
    assert "ic:CaseStudy" in set(classes["term"])
    assert {"Ontology (Turtle)", "Whole graph (Turtle)", "Whole graph (JSON-LD)"} <= {
        b.label for b in at.get("download_button")}


def test_ontology_lists_collections_with_members():
    """Table 6's sub-heading "Data quality" is a collection: a heading with its eleven criteria as members,
    nested under the column heading "Disease registry data and use"; the scheme list counts collections."""
    at = run("ontology", {"scheme": "registry-criteria", "concept": "data-quality"})
    shown = texts(at)
    assert any(t.startswith("**Collections** (6)") for t in shown), shown[:20]
    members = next(t for t in shown if "Age of the registry" in t)
    assert members.count("\n- ") == 10 and "Controls for data integrity" in members
    assert any("Data quality" in e.label and "11 members" in e.label and "↳" in e.label for e in at.expander)
    assert any("Disease registry data and use" in e.label and "2 members" in e.label for e in at.expander)


# ----------------------------------------------------------------------------- hostile data

def _no_live_markup(at: AppTest) -> None:
    for t in texts(at):
        assert "<img" not in t and "</script>" not in t and "<b>" not in t, t


def test_hostile_label_is_text_in_the_list(fixture_env):
    """In the list the hostile label is a table cell (text), and no Markdown carries it unescaped."""
    at = run("cases")
    assert HOSTILE in set(at.dataframe[0].value["Case study"])
    _no_live_markup(at)


def test_hostile_label_is_escaped_on_its_page(fixture_env):
    """On its page the title is escaped Markdown: the browser shows the characters, runs nothing."""
    at = run("cases", {"case": "hostile-valley"})
    title = at.title[0].value
    assert title == r'&lt;/script&gt;&lt;img src\=x onerror\=alert\(1\)&gt; &amp; "Care" &lt;b&gt;Trust&lt;/b&gt;'
    _no_live_markup(at)


@pytest.mark.parametrize("page,params", [("compare", {"cases": ["hostile-valley", "riverside"]}),
                                         ("evidence_map", {"cell": "financial~costs"}),
                                         ("sparql", {"query": "case-studies"}),
                                         ("overview", {})])
def test_hostile_label_elsewhere(fixture_env, page, params):
    """Compare, the map's cell list, console results and the overview never emit the label as markup."""
    at = run(page, params)
    _no_live_markup(at)


# ----------------------------------------------------------------------------- a failing endpoint

def test_unreachable_endpoint_is_explained_and_the_ontology_still_works(monkeypatch):
    """With an endpoint that does not answer, pages say so; the ontology's terms still show."""
    monkeypatch.setenv("ICKG_SPARQL_ENDPOINT", "http://127.0.0.1:9/sparql")
    at = AppTest.from_file(str(ROOT / "app_pages" / "ontology.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert any("could not be loaded from the SPARQL endpoint http://127.0.0.1:9/sparql" in e.value for e in at.error)
    assert any("ic:CaseStudy" in set(df.value["term"]) for df in at.dataframe)
    assert "Ontology (Turtle)" in {b.label for b in at.get("download_button")}
    at = AppTest.from_file(str(ROOT / "app_pages" / "cases.py"), default_timeout=60)
    at.run()
    assert not at.exception and at.error
    assert any("Data release: unavailable" in c.value for c in at.sidebar.caption)


def test_choosing_a_gallery_query_replaces_an_edited_text():
    """After running an edited query, picking a gallery query loads that query, not the old text."""
    at = run("sparql", {"text": "SELECT ?x WHERE { ?x a <https://w3id.org/ickg/ontology#Source> }"})
    assert at.text_area(key="editor").value.startswith("SELECT ?x WHERE")
    at.selectbox(key="url_query").set_value("frameworks").run()
    assert "text" not in at.query_params and qp(at, "query") == ["frameworks"]
    assert "?scheme a skos:ConceptScheme" in at.text_area(key="editor").value


def test_md_escapes_markup_and_links():
    """The escaping helper leaves no HTML, Markdown syntax, Streamlit directive or autolink in data."""
    from app_pages.common import md

    out = md('<b>x</b> [l](javascript:alert(1)) :red[z] $5 **bold** see https://example.org www.example.org a@b.org')
    assert "<" not in out and ">" not in out
    assert not re.search(r"(?<!\\)[\[\]()$*:]", out), out  # every Markdown character is escaped
    for raw in ("https://", "www.", "a@b"):
        assert raw not in out.replace("\\", ""), raw  # and a word joiner breaks every autolink
    assert md("line\nbreak\ttab") == "line break tab"


# ----------------------------------------------------------------------------- resources

def test_resource_page_and_links_from_tables():
    """``?iri=case:pace`` shows its label, properties, incoming links and quotes; table IRIs link there (issue 13)."""
    at = run("resource", {"iri": "case:pace"})
    assert at.title[0].value == "PACE"
    heads = [h.value for h in at.header]
    assert "Properties" in heads and any(h.startswith("Linked from (") for h in heads)
    assert any(h.startswith("Quotes (") and h != "Quotes (0)" for h in heads)
    assert any("](resource?iri=" in m.value for m in at.markdown)
    at = run("sparql", {"query": "case-profile", "p.case": "case:pace"})
    df = at.dataframe[0].value
    assert all(str(v).startswith("resource?iri=") for v in df["value IRI"] if v)


def test_quote_emphasis_markers_render_as_emphasis():
    """A quote's own `*Macro level*` shows as emphasis, the rest escaped (issue 13)."""
    from app_pages.common import quote_md

    assert quote_md("*Macro level*: integrated care") == "*Macro level*\\: integrated care"
    assert quote_md("**Systemic** <b>x</b>") == "**Systemic** &lt;b&gt;x&lt;/b&gt;"
    assert quote_md("5 * 3 and *") == "5 \\* 3 and \\*"
