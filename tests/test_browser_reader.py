"""The source reader in a real browser: a quote's permalink opens the text at the highlighted quote.

The screenshot goes to a temporary folder, or to ``docs/screenshots/reader.png`` when
``ICKG_UPDATE_SCREENSHOTS=1``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from browser_fixtures import assert_no_script_ran, open_view, wait_ready

from kg.fixtures import REPORT
from kg.records import load_evidence

pytestmark = [pytest.mark.browser, pytest.mark.sources]

ROOT = Path(__file__).resolve().parent.parent


def _shot(pg, tmp_path: Path) -> Path:
    out = (ROOT / "docs" / "screenshots" if os.environ.get("ICKG_UPDATE_SCREENSHOTS") == "1" else tmp_path) / "reader.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(out))
    return out


def test_reader_opens_at_a_quote_permalink(page, app_server, tmp_path):
    """Torbay's bed-days finding: the permalink shows the quote highlighted, visible, and links to the case."""
    corpus, _ = load_evidence(ROOT / "evidence")
    finding = next(f for f in corpus.records["case-studies"]["torbay-care-trust"].model.findings
                   if f.id == "hospital-bed-days")
    a = finding.anchor
    open_view(page, f"{app_server.base}/reader?source={finding.source}&start={a.start}&end={a.end}")
    mark = page.locator("mark.ickg-selected").first
    expect(mark).to_be_attached(timeout=30_000)
    mark.scroll_into_view_if_needed()
    expect(mark).to_be_visible(timeout=30_000)
    assert " ".join(mark.inner_text().split()) in " ".join(finding.quote.split())
    assert "Torbay had the lowest use of hospital bed days" in page.inner_text("body")
    box = mark.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0
    out = _shot(page, tmp_path)
    assert out.stat().st_size > 10_000
    # the facts at this place link to the case study's page
    page.get_by_role("link", name="Open its page").first.click()
    page.wait_for_url(re.compile(r"/cases\?case=torbay-care-trust"), timeout=60_000)
    assert_no_script_ran(page)


def test_reader_keeps_a_hostile_label_as_text(page, fixture_server):
    """On the fixture (a case study labelled with a script), the reader runs no script from the data."""
    start = REPORT.index("Evidence on costs is mixed.")
    open_view(page, f"{fixture_server.base}/reader?source=fixture-report&start={start}&end={start + 27}")
    expect(page.locator("mark.ickg-selected").first).to_be_visible(timeout=30_000)
    assert "</script><img src=x onerror=alert(1)>" in page.inner_text("body")
    assert page.locator("img[src=x]").count() == 0
    assert_no_script_ran(page)


def test_a_click_on_a_highlight_opens_its_facts(page, fixture_server):
    """Clicking a highlighted passage opens the reader at it, with the fact and a link to its page."""
    open_view(page, f"{fixture_server.base}/reader?source=fixture-report")
    words = "Riverside had the lowest use of hospital bed days in the region."
    page.locator("mark a", has_text=words).first.click()
    start = REPORT.index(words)
    page.wait_for_url(re.compile(rf"start={start}&end={start + len(words)}"), timeout=60_000)
    wait_ready(page)
    expect(page.locator("mark.ickg-selected").first).to_be_visible(timeout=30_000)
    body = page.inner_text("body")
    assert "Selected passage" in body and "Lowest bed-day use in the region." in body
    page.get_by_role("link", name="Open its page").first.click()
    page.wait_for_url(re.compile(r"/cases\?case=riverside"), timeout=60_000)
    assert_no_script_ran(page)
