"""The ontology page in a real browser: a concept's permalink opens the concept and scrolls it into view (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from browser_fixtures import assert_no_script_ran, open_view

from kg.records import load_evidence

pytestmark = pytest.mark.browser


def _in_view(pg, selector: str) -> dict:
    return pg.evaluate("""(sel) => { const el = document.querySelector(sel); if (!el) { return null; }
                                     const b = el.getBoundingClientRect();
                                     const m = document.querySelector('[data-testid="stMain"]');
                                     return {top: b.top, bottom: b.bottom, height: window.innerHeight,
                                             scrolled: Math.max(window.scrollY, m ? m.scrollTop : 0)}; }""",
                       selector)


def test_concept_permalink_scrolls_to_the_concept(page, app_server):
    """`?scheme=mechanism&concept=<the last mechanism>` shows that concept in the viewport, far down the tree."""
    corpus, _ = load_evidence(Path(__file__).resolve().parent.parent / "evidence")
    assert len(corpus.records["mechanisms"]) > 40  # a tree far longer than one screen
    target = "virtual-ward"
    assert target in corpus.records["mechanisms"]
    open_view(page, f"{app_server.base}/ontology?scheme=mechanism&concept={target}")
    selector = f".st-key-url_concept_{target}"
    page.wait_for_function("""(sel) => { const el = document.querySelector(sel); if (!el) { return false; }
                                         const b = el.getBoundingClientRect();
                                         return b.top >= 0 && b.top < window.innerHeight; }""",
                           arg=selector, timeout=30_000)
    box = _in_view(page, selector)
    assert 0 <= box["top"] < box["height"], box
    assert box["scrolled"] > 2 * box["height"], box  # the page really moved: the concept is far down
    # the concept is the open one, its definition showing
    details = page.locator(selector).first
    expect(details.locator("summary").first).to_be_visible(timeout=30_000)
    assert "mechanism:virtual-ward" in details.inner_text()
    assert_no_script_ran(page)
