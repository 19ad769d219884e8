"""The source reader page under AppTest: permalinks, facts at a place, coverage, no texts, escaping."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kg import settings
from kg.fixtures import HOSTILE, REPORT, write_fixture

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _app_path(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))


@pytest.fixture(scope="module")
def fixture_once(tmp_path_factory):
    return write_fixture(tmp_path_factory.mktemp("reader-page"))


@pytest.fixture
def fixture_env(fixture_once, monkeypatch):
    evidence, sources = fixture_once
    monkeypatch.setenv("ICKG_EVIDENCE", str(evidence))
    monkeypatch.setenv("ICKG_SOURCES", str(sources))
    return evidence, sources


def run(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / "reader.py"), default_timeout=300)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def html(at: AppTest) -> str:
    return "\n".join(str(h.value) for h in at.get("html"))


def markdown(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def test_reader_opens_at_a_quote_permalink(fixture_env):
    """?source&start&end opens the section holding the quote, marks it selected and lists its facts with links."""
    words = "Riverside had the lowest use of hospital bed days in the region."
    start = REPORT.index(words)
    at = run({"source": "fixture-report", "start": str(start), "end": str(start + len(words))})
    body = html(at)
    assert 'class="ickg-k-finding ickg-selected"' in body
    assert f">{words}</a></mark>" in body
    md = markdown(at)
    assert "**Finding** (positive): Lowest bed\\-day use in the region\\." in md
    assert "[Open its page](cases?case=riverside)" in md
    assert f"workbench?source=fixture-report&start={start}&end={start + len(words)}" in md


def test_reader_by_quote_iri_and_coverage_tabs(fixture_env):
    """?quote=<IRI> works too; the coverage tab counts sentences per section."""
    start = REPORT.index("Evidence on costs is mixed.")
    at = run({"quote": f"https://w3id.org/ickg/quote/fixture-report.{start}-{start + 27}"})
    assert "Case study B: Hostile Valley" in html(at)
    assert "**10 of 10 sentences** of this text are quoted by some fact (100%), by 16 quotes." in markdown(at)
    assert at.dataframe, "the coverage table"


def test_hostile_labels_stay_text(fixture_env):
    """The hostile case-study label is escaped in the facts panel and the highlight titles."""
    start = REPORT.index("Evidence on costs is mixed.")
    at = run({"source": "fixture-report", "start": str(start), "end": str(start + 27)})
    page = html(at) + markdown(at) + "\n".join(str(c.value) for c in at.caption)
    assert "<img" not in page and "</script><img" not in page
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page


def test_without_source_texts_the_page_says_where_to_put_them(fixture_env, monkeypatch, tmp_path):
    """No texts: the page names the folder, ICKG_SOURCES and the files, and nothing fails."""
    monkeypatch.setenv("ICKG_SOURCES", str(tmp_path / "nowhere"))
    at = run({"source": "fixture-report"})
    assert any("nowhere" in w.value for w in at.warning)
    assert "ICKG_SOURCES" in markdown(at)
    assert any("fixture-report.txt" in t.value for t in at.text)
    assert not at.get("html") or "ickg-reader" not in html(at)


def test_a_malformed_permalink_falls_back_to_the_text(fixture_env):
    """Offsets past the end of the text are reported, and the reader shows the beginning."""
    at = run({"source": "fixture-report", "start": "99999", "end": "100000"})
    assert any("beyond the end" in w.value for w in at.warning)
    assert "ickg-reader" in html(at)


@pytest.mark.sources
@pytest.mark.parametrize("source", ["pike-mongan-2014", "shortell-2021", "poku-2019", "goddard-mason-2016",
                                    "overview-page"])
def test_every_shipped_source_is_readable_with_its_facts(source, monkeypatch):
    """Each of the five sources opens in the reader with highlighted facts and its coverage."""
    monkeypatch.setenv("ICKG_SOURCES", str(settings.get_path("sources_dir")))
    monkeypatch.delenv("ICKG_EVIDENCE", raising=False)
    at = run({"source": source})
    assert "<mark class=\"ickg-k-" in html(at)
    cap = "\n".join(str(c.value) for c in at.caption)
    assert "sentences quoted" in cap and "quoted passages" in cap


def test_quotes_elsewhere_link_to_the_reader(fixture_env):
    """A case study's quotes carry a "Read in context" link with the quote's source and offsets."""
    at = AppTest.from_file(str(ROOT / "app_pages" / "cases.py"), default_timeout=300)
    at.query_params["case"] = "riverside"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    words = "Riverside had the lowest use of hospital bed days in the region."
    start = REPORT.index(words)
    links = [m.value for m in at.markdown if "Read in context" in m.value]
    assert f"[Read in context](reader?source=fixture-report&start={start}&end={start + len(words)})" in links


def test_workbench_shows_problems_and_offers_no_save(fixture_env):
    """An invalid fact (a finding without an outcome domain) is reported and cannot be saved; data stays text."""
    evidence, _ = fixture_env
    words = "Hostile Valley paid a capitation fee to one provider for the whole population."
    start = REPORT.index(words)
    at = AppTest.from_file(str(ROOT / "app_pages" / "workbench.py"), default_timeout=300)
    for k, v in {"source": "fixture-report", "start": str(start), "end": str(start + len(words))}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    suggestions = "\n".join(m.value for m in at.markdown)
    assert "Hostile Valley" in suggestions and "<img" not in suggestions
    at.radio(key="wb_kind").set_value("finding").run()
    at.text_input(key="wb_f_id").set_value("capitation")
    at.text_input(key="wb_f_summary").set_value("Paid by capitation.")
    at.multiselect(key="wb_f_domains").set_value([]).run()
    before = sorted(p.read_text(encoding="utf-8") for p in evidence.glob("*/*.yaml"))
    at.button(key="wb_check").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Not valid" in e.value for e in at.error)
    assert any("domains" in t.value for t in at.text)
    assert not [b for b in at.button if b.key == "wb_save"]
    assert sorted(p.read_text(encoding="utf-8") for p in evidence.glob("*/*.yaml")) == before
