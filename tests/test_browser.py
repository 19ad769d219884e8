"""The explorer in a real browser: each view opens, filters, navigates, downloads, and data stays data.

Drives Debian's Chromium with Playwright against ``streamlit run app.py`` (fixtures in
``tests/browser_fixtures.py``) and saves a screenshot of each view to ``build/screenshots/`` (to
``docs/screenshots/`` with ``ICKG_UPDATE_SCREENSHOTS=1``). The shipped evidence is used for the
views; the fixture evidence, whose case study carries a script-bearing label, is used to prove
that no script from the data runs.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect
from browser_fixtures import assert_no_script_ran, open_view, screenshot, screenshot_path, wait_ready

from kg.fixtures import HOSTILE
from kg import __version__

pytestmark = pytest.mark.browser


def params(pg) -> dict[str, list[str]]:
    return parse_qs(urlparse(pg.url).query)


def wait_param(pg, name: str, value: str, timeout_ms: int = 30_000) -> None:
    pg.wait_for_function(f"() => new URLSearchParams(location.search).getAll({name!r}).includes({value!r})",
                         timeout=timeout_ms)
    wait_ready(pg)


def test_overview(page, app_server):
    """The overview shows the counts, where to start, the frameworks and the sources."""
    open_view(page, app_server.base + "/")
    body = page.inner_text("body")
    for text in ("Where to start", "Policymakers", "Researchers", "Service designers",
                 "The frameworks at a glance", "Sources", "Brigid Pike, Deirdre Mongan."):
        assert text in body, text
    screenshot(page, "overview")
    page.get_by_role("link", name="Browse the case studies").click()
    page.wait_for_url(re.compile(r"/cases"))
    wait_ready(page)
    assert_no_script_ran(page)


def test_cases_facet_then_open_a_case(page, app_server):
    """Choosing a level writes it to the URL and narrows the list; selecting a row opens the case."""
    open_view(page, app_server.base + "/cases")
    page.locator('[data-testid="stMultiSelect"]').filter(has_text="Level").first.click()
    page.get_by_role("option", name=re.compile(r"^Meso level \(\d+\)")).click()
    wait_param(page, "level", "meso")
    page.keyboard.press("Escape")
    heading = page.get_by_role("heading", name=re.compile(r"\d+ of \d+ case studies")).inner_text()
    shown, total = map(int, re.findall(r"\d+", heading)[:2])
    assert 0 < shown < total
    screenshot(page, "cases")
    # select the first row of the table (its selection box) to open the case study
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 14, box["y"] + 35 + 17)
    page.wait_for_function("() => new URLSearchParams(location.search).has('case')", timeout=30_000)
    wait_ready(page)
    assert params(page)["level"] == ["meso"]  # the list's filters stay in the URL for the way back
    expect(page.get_by_role("heading", name="Key messages")).to_be_visible(timeout=30_000)
    # the quote behind a line is one click away
    page.get_by_role("button", name=re.compile(r"^(format_quote\s*)?Quote$")).first.click()
    popover = page.locator('[data-testid="stPopoverBody"]').first
    popover.wait_for(timeout=10_000)
    assert popover.locator("blockquote").first.inner_text().strip()
    page.keyboard.press("Escape")
    assert_no_script_ran(page)


def test_case_study_page(page, app_server):
    """Torbay's page: classification, processes, findings by outcome, enablers and barriers, graph."""
    open_view(page, app_server.base + "/cases?case=torbay-care-trust")
    page.get_by_role("heading", name="Use this case study").wait_for(timeout=60_000)  # a long page
    wait_ready(page)
    body = page.inner_text("body")
    for text in ("Torbay Care Trust", "Key messages", "Evidence basis", "Classification",
                 "Integrative processes and mechanisms", "Findings by outcome", "Hospital use",
                 "Enablers and barriers", "What each source says", "Neighbourhood"):
        assert text in body, text
    assert "https://w3id.org/ickg/concept/" not in body  # labels, never bare IRIs
    screenshot(page, "case-study")
    assert_no_script_ran(page)


def test_evidence_map_cell_click(page, app_server):
    """Clicking the Financial × Hospital use cell puts it in the URL and lists its findings."""
    open_view(page, app_server.base + "/evidence-map")
    cell = page.locator('path[aria-label^="col: Hospital use; row: Financial;"]').first
    cell.wait_for(timeout=30_000)
    cell.click(position={"x": 8, "y": 5})  # a corner: the bubbles sit mid-height
    wait_param(page, "cell", "financial~hospital-use")
    page.get_by_role("heading", name="Financial × Hospital use").wait_for(timeout=60_000)
    assert page.get_by_role("button", name=re.compile(r"Quote|quotes")).count() > 3
    screenshot(page, "evidence-map")
    assert_no_script_ran(page)


def test_compare(page, app_server):
    """Three case studies side by side, in the URL's order."""
    open_view(page, app_server.base + "/compare?cases=kaiser-permanente&cases=torbay-care-trust&cases=pace")
    page.get_by_text("Aspect").first.wait_for(timeout=60_000)
    wait_ready(page)
    body = page.inner_text("body")
    assert body.index("Kaiser Permanente") < body.index("Torbay Care Trust", body.index("Aspect"))
    for text in ("Classification", "Mechanisms by process", "Findings by outcome", "Enablers", "Barriers"):
        assert text in body
    screenshot(page, "compare")
    assert_no_script_ran(page)


def test_sparql_gallery_query_and_csv(page, app_server, tmp_path):
    """A gallery query chosen in the console runs; its CSV is plain, its provenance zipped beside it."""
    open_view(page, app_server.base + "/sparql")
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Query").first.click()
    page.keyboard.type("How strong is the evidence")
    page.get_by_role("option", name=re.compile("How strong is the evidence")).first.click()
    wait_param(page, "query", "statements-by-basis")
    page.get_by_text(re.compile(r"^\d+ rows in \d+ ms$")).first.wait_for(timeout=30_000)
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile("Download CSV")).first.click()
    path = tmp_path / "result.csv"
    info.value.save_as(path)
    text = path.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "source,basis,basisLabel,rank,statements" and not any(x.startswith("#") for x in lines)
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile("CSV \\+ provenance")).first.click()
    zpath = tmp_path / "result.zip"
    info.value.save_as(zpath)
    import json
    import zipfile

    with zipfile.ZipFile(zpath) as z:
        meta = json.loads(z.read("query-statements-by-basis.json"))
    assert meta["query name"] == "statements-by-basis" and meta["release"].startswith(f"{__version__}+")
    assert meta["citation"]
    screenshot(page, "sparql")
    assert_no_script_ran(page)


def test_ontology(page, app_server):
    """A concept scheme as a tree with quoted definitions; classes and properties; downloads."""
    open_view(page, app_server.base + "/ontology?scheme=process&concept=financial")
    body = page.inner_text("body")
    assert "budgetary and payment systems" in body and "Definition" in body
    screenshot(page, "ontology")
    page.get_by_role("tab", name="Classes and properties").click()
    wait_param(page, "tab", "terms")
    assert "ic:CaseStudy" in page.inner_text("body") or page.locator('[data-testid="stDataFrame"]').count()
    assert_no_script_ran(page)


@pytest.mark.parametrize("path", ["/cases?case=hostile-valley", "/cases", "/cases?q=Hostile",
                                  "/compare?cases=hostile-valley&cases=riverside",
                                  "/evidence-map?cell=financial~costs", "/sparql?query=case-studies", "/"])
def test_no_script_from_the_data_runs(page, fixture_server, path):
    """Every view of the fixture shows the hostile label as characters and runs none of it."""
    open_view(page, fixture_server.base + path)
    if path == "/cases?case=hostile-valley":
        assert page.locator("h1").first.inner_text().strip() == HOSTILE
        page.get_by_role("button", name=re.compile(r"^(format_quote\s*)?Quote$")).first.click()
        page.wait_for_timeout(500)
    page.wait_for_timeout(800)  # give an injected handler time to fire
    assert page.locator("img[src='x']").count() == 0
    # links go only to the app's own views and to DOIs, never to something built from data
    base = fixture_server.base
    for href in page.locator('[data-testid="stMain"] a[href]').evaluate_all("els => els.map(e => e.href)"):
        assert href.startswith((base, "https://doi.org/")) or href.startswith("#"), href
    assert_no_script_ran(page)


def test_evidence_map_phone_list(page, app_server):
    """At 390 px the map reads as a list of rows with their cells; the chart is hidden (issue 13)."""
    page.set_viewport_size({"width": 390, "height": 844})
    open_view(page, app_server.base + "/evidence-map")
    page.get_by_role("heading", name="The map as a table").wait_for(timeout=60_000)
    narrow = page.locator(".st-key-map_narrow")
    expect(narrow).to_be_visible(timeout=30_000)  # retried: the layout settles after the first paint
    expect(page.locator(".st-key-map_wide")).to_be_hidden(timeout=30_000)
    narrow.get_by_text(re.compile(r"^Financial — \d+ domains with evidence, \d+ gaps")).first.click()
    page.wait_for_timeout(800)
    assert "Hospital use" in narrow.inner_text()
    page.screenshot(path=str(screenshot_path("evidence-map-phone")))
    page.set_viewport_size({"width": 1400, "height": 1000})
    wait_ready(page)
    expect(page.locator(".st-key-map_wide")).to_be_visible(timeout=30_000)
    expect(narrow).to_be_hidden(timeout=30_000)
    assert_no_script_ran(page)


def test_sparql_second_edit_runs(page, app_server):
    """Edit and run, edit again and press Run query: the second text runs (issue 13)."""
    open_view(page, app_server.base + "/sparql")
    frame = page.frame_locator('[data-testid="stCustomComponentV1"]').first
    editor = frame.locator(".CodeMirror")  # YASQE (the plain text area shows only until it has loaded)
    editor.wait_for(timeout=60_000)
    for text, expect in (("SELECT ?s WHERE { ?s a ic:CaseStudy } LIMIT 5", 5),
                         ("SELECT ?s WHERE { ?s a ic:CaseStudy } LIMIT 3", 3)):
        editor.evaluate("(el, t) => el.CodeMirror.setValue(t)", text)
        frame.get_by_role("button", name=re.compile("Run query")).click()
        page.wait_for_function(f"() => document.body.innerText.match(/\\b{expect} rows? in \\d+ ms/)",
                               timeout=30_000)
        wait_ready(page)
        assert editor.evaluate("el => el.CodeMirror.getValue()") == text
    assert params(page)["text"] == ["SELECT ?s WHERE { ?s a ic:CaseStudy } LIMIT 3"]
    assert_no_script_ran(page)


def test_resource_page(page, app_server):
    """Every IRI has a page; a case study's links to its properties' resources."""
    open_view(page, app_server.base + "/resource?iri=case:torbay-care-trust")
    page.get_by_role("heading", name=re.compile(r"^Quotes \(")).wait_for(timeout=60_000)
    wait_ready(page)
    body = page.inner_text("body")
    for text in ("Torbay Care Trust", "Properties", "Linked from", "Quotes"):
        assert text in body, text
    screenshot(page, "resource")
    assert_no_script_ran(page)
