"""The curation workbench: drafts validated like `ickg validate`, saves, suggestions, `ickg source add`, end to end."""

import shutil
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from kg import settings
from kg import workbench as wb
from kg.checks import check_quotes
from kg.cli import cli
from kg.fixtures import REPORT
from kg.quotes import SourceText
from kg.records import load_evidence
from kg.sources_add import add_source, normalise_text

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(fixture_dirs, tmp_path):
    evidence, sources = fixture_dirs
    return wb.Project(evidence, ROOT / "ontology", sources)


def _sel(words: str, source: str = "fixture-report", text: str = REPORT) -> wb.Selection:
    i = text.index(words)
    return wb.Selection(source, i, i + len(words))


def test_a_drafted_enabler_is_valid_and_saved_with_its_anchor(project):
    """The draft takes the quote and anchor from the selection, passes every check, and saves canonically."""
    sel = _sel("Each team uses a single assessment process")
    d = wb.draft(project, sel, "enabler", wb.Target("case-studies", "riverside"),
                 {"label": "A single assessment process", "category": "organisational"})
    assert d.ok, d.errors
    assert d.shacl_checked
    assert d.item["quote"] == "Each team uses a single assessment process"
    expected = SourceText(REPORT).locate("Each team uses a single assessment process")
    assert (d.item["anchor"]["start"], d.item["anchor"]["end"]) == (expected.start, expected.end) == (sel.start, sel.end)
    assert d.item["section"] == "Case study A: Riverside Care Trust"
    # the factor gets a stable id made from its label (docs/curation.md, "stable ids")
    assert "+  - id: a-single-assessment-process\n+    label: A single assessment process" in d.diff
    wb.save(d)
    corpus, problems = load_evidence(project.evidence_dir)
    assert not [p for p in problems if p.severity == "error"]
    assert [e.label for e in corpus.records["case-studies"]["riverside"].model.enablers][-1] == "A single assessment process"
    assert check_quotes(corpus, project.sources_dir).problems == []


def test_a_trimmed_quote_is_anchored_inside_the_selection(project):
    """A curator may trim the selected words; the anchor follows the trimmed quote."""
    sel = _sel("Each team uses a single assessment process and a pooled budget.")
    trimmed = wb.Selection(sel.source, sel.start, sel.end, "a pooled budget.")
    d = wb.draft(project, trimmed, "mechanism", wb.Target("case-studies", "hostile-valley"),
                 {"process": "financial", "mechanism": "pooled-budget"}, shacl=False)
    assert d.ok, d.errors
    assert d.item["anchor"]["start"] == REPORT.index("a pooled budget.")


def test_an_invalid_draft_names_the_problem_and_cannot_be_saved(project):
    """An unknown outcome domain fails the reference check: the problem is shown and nothing is written."""
    path = project.evidence_dir / "case-studies" / "riverside.yaml"
    before = path.read_text(encoding="utf-8")
    d = wb.draft(project, _sel("Each team uses a single assessment process"), "finding",
                 wb.Target("case-studies", "riverside"),
                 {"id": "assessment", "summary": "One assessment.", "claim": "measured-outcome", "domains": ["bed-use"],
                  "direction": "positive"})
    assert not d.ok
    assert any("unknown domain concept 'bed-use'" in p.message and "findings[2].domains[0]" in p.field for p in d.errors)
    with pytest.raises(wb.WorkbenchError, match="not written"):
        wb.save(d)
    assert path.read_text(encoding="utf-8") == before


def test_a_model_error_is_reported_not_raised(project):
    """A finding without a summary fails the model; the draft carries the message."""
    d = wb.draft(project, _sel("Each team uses a single assessment process"), "finding",
                 wb.Target("case-studies", "riverside"), {"id": "x", "domains": ["costs"], "direction": "mixed"})
    assert not d.ok and d.new_text == ""
    assert any(p.field == "findings[2].summary" for p in d.errors)


def test_a_quote_not_in_the_source_is_refused(project):
    """Words that are not the source's, character for character, never become a quote."""
    sel = _sel("Each team uses a single assessment process")
    with pytest.raises(wb.WorkbenchError, match="not verbatim|absent"):
        wb.draft(project, wb.Selection(sel.source, sel.start, sel.end, "Each team uses one assessment process"),
                 "enabler", wb.Target("case-studies", "riverside"), {"label": "x"})


def test_save_refuses_a_file_changed_since_the_draft(project):
    """A file edited on disk after the draft is not overwritten."""
    d = wb.draft(project, _sel("Long-term commitment to joint working."), "enabler",
                 wb.Target("case-studies", "hostile-valley"), {"label": "Commitment"}, shacl=False)
    assert d.ok
    d.path.write_text(d.old_text + "# edited\n", encoding="utf-8")
    with pytest.raises(wb.WorkbenchError, match="changed on disk"):
        wb.save(d)


def test_read_only_app_never_writes(project, monkeypatch):
    """With read_only set, a valid draft is refused with a clear reason and the file is untouched."""
    d = wb.draft(project, _sel("Long-term commitment to joint working."), "enabler",
                 wb.Target("case-studies", "hostile-valley"), {"label": "Commitment"}, shacl=False)
    assert d.ok
    before = d.path.read_bytes()
    monkeypatch.setenv("ICKG_READ_ONLY", "true")
    assert wb.read_only()
    with pytest.raises(wb.WorkbenchError, match="read-only"):
        wb.save(d)
    assert d.path.read_bytes() == before
    monkeypatch.setenv("ICKG_READ_ONLY", "maybe")
    assert wb.read_only()  # an unclear value keeps the app read-only ...
    assert any("read_only" in p for p in settings.problems())  # ... and is reported by the settings check
    monkeypatch.setenv("ICKG_READ_ONLY", "false")
    assert not wb.read_only() and wb.save(d) == d.path


def test_new_records_and_definitions(project):
    """A new case study is created with the fact; a taken id or a second definition is refused."""
    d = wb.draft(project, _sel("Hostile Valley paid a capitation fee"), "classification",
                 wb.Target("case-studies", "valley-fund", new=True, label="Valley fund", case_kind="scheme"),
                 {"field": "country", "value": "us"})
    assert d.ok, d.errors
    assert d.old_text == "" and d.diff.startswith("--- /dev/null")
    with pytest.raises(wb.WorkbenchError, match="exists already"):
        wb.draft(project, _sel("Hostile Valley paid a capitation fee"), "classification",
                 wb.Target("case-studies", "riverside", new=True, label="x"), {"field": "country", "value": "us"})
    with pytest.raises(wb.WorkbenchError, match="has a definition already"):
        wb.draft(project, _sel("Macro level: integrated care for the whole population."), "definition",
                 wb.Target("frameworks", "level"), {"concept": "macro"})
    d = wb.draft(project, _sel("Meso level: integrated care for a particular care group."), "definition",
                 wb.Target("frameworks", "level"), {"concept": "micro"}, shacl=False)
    assert d.ok, d.errors


def test_suggestions_name_the_case_and_the_findings_like_it(project):
    """A passage that names a case suggests it first; similar findings suggest domain and direction."""
    corpus, _ = project.load()
    s = wb.suggest(corpus, "Riverside Care Trust cut the use of hospital bed days in the region.")
    assert s.cases[0].value == "riverside" and s.cases[0].why == "the passage names “Riverside Care Trust”"
    assert s.similar[0].value == "case-studies:riverside#bed-days"
    assert s.domains[0].value == "hospital-use"
    assert s.directions[0].value == "positive"
    assert wb.suggest(corpus, "").similar == []


# ----------------------------------------------------------------------------- ickg source add

def test_normalise_text_keeps_words_and_fixes_encoding_details():
    """BOM, CR LF, decomposed accents, form feeds and trailing spaces are normalised; nothing else."""
    raw = "\ufeffCafe\u0301 “quoted” — text  \r\nline two\x0cpage two   \n\n\n"
    out = normalise_text(raw)
    assert out == "Café “quoted” — text\nline two\npage two\n"
    assert unicodedata.is_normalized("NFC", out)


def test_source_add_writes_the_text_and_a_valid_record(fixture_dirs, tmp_path):
    """`ickg source add` normalises the text into the sources folder and writes a record the loader accepts."""
    evidence, sources = fixture_dirs
    f = tmp_path / "new.txt"
    f.write_bytes("New report\r\n\r\nIt says things.\r\n".encode("utf-8"))
    fx = ["-s", f"evidence_dir={evidence}", "-s", f"sources_dir={sources}"]
    r = CliRunner().invoke(cli, [*fx, "source", "add", str(f), "--id", "new-report", "--title", "New report",
                                 "--type", "report", "--creator", "A. Author", "--date", "2024"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert (sources / "new-report.txt").read_text(encoding="utf-8") == "New report\n\nIt says things.\n"
    corpus, problems = load_evidence(evidence)
    assert not [p for p in problems if p.severity == "error"]
    src = corpus.records["sources"]["new-report"].model
    assert (src.file, src.title, src.creators, src.type, src.support) == (
        "new-report.txt", "New report", ["A. Author"], "report", "traceable")
    again = CliRunner().invoke(cli, [*fx, "source", "add", str(f), "--id", "new-report", "--title", "x"])
    assert again.exit_code == 2 and "is taken" in again.output


def test_source_add_refuses_bad_input(fixture_dirs, tmp_path):
    """Not UTF-8, a bad DOI, or a PDF without pypdf: a clear message and nothing written."""
    evidence, sources = fixture_dirs
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Caf\xe9".encode("latin-1"))
    with pytest.raises(Exception, match="not UTF-8"):
        add_source(bad, "latin", {"title": "x", "type": "report", "support": "traceable"}, evidence, sources)
    good = tmp_path / "ok.txt"
    good.write_text("Some words here.", encoding="utf-8")
    with pytest.raises(Exception, match="DOI"):
        add_source(good, "bad-doi", {"title": "x", "type": "report", "support": "traceable",
                                     "doi": "https://doi.org/10.1/x"}, evidence, sources)
    assert not (sources / "bad-doi.txt").exists() and not (evidence / "sources" / "bad-doi.yaml").exists()
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%...")
    try:
        import pypdf  # noqa: F401
    except ImportError:
        with pytest.raises(Exception, match="install pypdf"):
            add_source(pdf, "pdf-doc", {"title": "x", "type": "report", "support": "traceable"}, evidence, sources)


# ----------------------------------------------------------------------------- end to end

NEW_SOURCE = """Harbour Health Alliance: an evaluation

Background

The Harbour Health Alliance joined the council's social care team and two general practices in one English coastal town in 2019. The alliance used a pooled budget held by the council.

Results

Emergency admissions of people aged 75 and over fell by 12% in the first two years. Staff reported that shared offices made joint working easier.
"""


def _workbench(words: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / "workbench.py"), default_timeout=600)
    i = NEW_SOURCE.index(words)
    at.query_params["source"] = "harbour-2024"
    at.query_params["start"] = str(i)
    at.query_params["end"] = str(i + len(words))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _check_and_save(at: AppTest) -> None:
    at.button(key="wb_check").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error] + [t.value for t in at.text]
    assert any("passes the checks of" in s.value for s in at.success)
    at.button(key="wb_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Saved" in s.value for s in at.success), [s.value for s in at.success]


@pytest.mark.sources
def test_end_to_end_add_a_source_curate_three_facts_validate_and_explore(tmp_path, monkeypatch):
    """A new source in a temporary project: add it, curate three facts in the workbench, validate, see them in the graph."""
    from kg import pipeline
    from kg.service import open_explorer
    from kg.views import reader

    evidence, ontology, sources, dist = tmp_path / "evidence", tmp_path / "ontology", tmp_path / "sources", tmp_path / "dist"
    shutil.copytree(ROOT / "evidence", evidence)
    shutil.copytree(ROOT / "ontology", ontology)
    sources.mkdir()
    for f in settings.get_path("sources_dir").glob("*.txt"):
        shutil.copy(f, sources / f.name)
    for name, value in (("ICKG_EVIDENCE", evidence), ("ICKG_ONTOLOGY", ontology), ("ICKG_SOURCES", sources),
                        ("ICKG_DIST", dist)):
        monkeypatch.setenv(name, str(value))
    monkeypatch.syspath_prepend(str(ROOT))
    text = tmp_path / "harbour.txt"
    text.write_text(NEW_SOURCE, encoding="utf-8")

    r = CliRunner().invoke(cli, ["source", "add", str(text), "--id", "harbour-2024", "--title",
                                 "Harbour Health Alliance: an evaluation", "--type", "report", "--date", "2024"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert (sources / "harbour-2024.txt").is_file() and (evidence / "sources" / "harbour-2024.yaml").is_file()

    # 1. a new case study, classified by country
    at = _workbench("one English coastal town")
    at.radio(key="wb_kind").set_value("classification").run()
    at.selectbox(key="wb_target_classification").set_value("case-studies:+new").run()
    at.text_input(key="wb_new_id").set_value("harbour-health-alliance")
    at.text_input(key="wb_new_label").set_value("Harbour Health Alliance")
    at.selectbox(key="wb_new_kind").set_value("programme")
    at.selectbox(key="wb_cl_field").set_value("country").run()
    at.selectbox(key="wb_cl_value").set_value("gb-eng").run()
    _check_and_save(at)

    # 2. the mechanism it uses; the passage names the case, so it is the suggested record
    at = _workbench("The alliance used a pooled budget held by the council.")
    at.radio(key="wb_kind").set_value("mechanism").run()
    at.selectbox(key="wb_target_mechanism").set_value("case-studies:harbour-health-alliance").run()
    at.selectbox(key="wb_process").set_value("financial")
    at.selectbox(key="wb_mechanism").set_value("pooled-budget").run()
    _check_and_save(at)

    # 3. a finding, with the suggested outcome domain confirmed
    at = _workbench("Emergency admissions of people aged 75 and over fell by 12% in the first two years.")
    assert "Hospital use" in "\n".join(m.value for m in at.markdown), "hospital use is suggested"
    at.radio(key="wb_kind").set_value("finding").run()
    at.selectbox(key="wb_target_finding").set_value("case-studies:harbour-health-alliance").run()
    at.text_input(key="wb_f_id").set_value("emergency-admissions")
    at.text_input(key="wb_f_summary").set_value("Emergency admissions of people aged 75 and over fell by 12% in two years.")
    at.multiselect(key="wb_f_domains").set_value(["hospital-use"])
    at.selectbox(key="wb_f_claim").set_value("measured-outcome")
    at.selectbox(key="wb_f_direction").set_value("positive")
    at.text_input(key="wb_f_figures").set_value("12%").run()
    _check_and_save(at)

    v = CliRunner().invoke(cli, ["validate"], catch_exceptions=False)
    assert v.exit_code == 0, v.output
    assert v.output.strip().endswith("valid")

    outcome = pipeline.run()
    assert outcome.ok
    g = outcome.built.graph
    from rdflib import URIRef
    case = URIRef("https://w3id.org/ickg/case/harbour-health-alliance")
    ic = "https://w3id.org/ickg/ontology#"
    assert (case, URIRef(ic + "country"), URIRef("https://w3id.org/ickg/concept/country/gb-eng")) in g
    assert (case, URIRef(ic + "usesMechanism"), URIRef("https://w3id.org/ickg/mechanism/pooled-budget")) in g
    stmt = URIRef("https://w3id.org/ickg/statement/harbour-health-alliance.emergency-admissions")
    assert (stmt, URIRef(ic + "effectDirection"), URIRef("https://w3id.org/ickg/concept/direction/positive")) in g

    x = open_explorer(workers=1)
    try:
        kinds = {f.kind for h in reader.highlights(x, "harbour-2024") for f in h.facts}
        assert {"classification", "mechanism", "finding"} <= kinds
        from kg.views import cases as explore
        detail = explore.case_detail(x, str(case))
        assert [f.value for b in detail.domains for f in b.findings] == [
            "Emergency admissions of people aged 75 and over fell by 12% in two years."]
    finally:
        x.close()


def test_fields_the_form_does_not_know_reach_the_model(project):
    """A field the workbench does not name is passed to the record's model, which decides (never silently dropped)."""
    d = wb.draft(project, _sel("Each team uses a single assessment process"), "mechanism",
                 wb.Target("case-studies", "riverside"), {"process": "clinical", "certainty": "high"}, shacl=False)
    assert not d.ok
    assert any(p.field == "processes[2].certainty" and "Extra inputs" in p.message for p in d.errors)


def test_read_only_page_says_so_before_any_draft(monkeypatch):
    """A read-only app tells the curator up front that nothing will be saved; a writable one does not."""
    monkeypatch.setenv("ICKG_READ_ONLY", "true")
    at = AppTest.from_file(str(ROOT / "app_pages" / "workbench.py"), default_timeout=600).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("read-only" in i.value for i in at.info), [i.value for i in at.info]
    monkeypatch.setenv("ICKG_READ_ONLY", "false")
    at = AppTest.from_file(str(ROOT / "app_pages" / "workbench.py"), default_timeout=600).run()
    assert not any("read-only" in i.value for i in at.info)
