"""The design assistant in a real browser: walk the five steps, see the results, download the brief."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from browser_fixtures import assert_no_script_ran, open_view, screenshot, wait_ready

pytestmark = pytest.mark.browser


def _pick(page, label: str, option: str) -> None:
    page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_ready(page)


def _multi(page, label: str, option: str) -> None:
    page.locator('[data-testid="stMultiSelect"]').filter(has_text=label).first.click()
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    wait_ready(page)


def _next(page) -> None:
    page.get_by_role("button", name=re.compile(r"^Next: ")).click()
    wait_ready(page)


def test_walk_the_five_steps_and_download_the_brief(page, app_server, tmp_path):
    """Goals, context, type, breadth, intensity; results recommend full integration; the brief downloads."""
    open_view(page, app_server.base + "/designer")
    body = page.inner_text("body")
    assert "what are you seeking to achieve" in body
    _multi(page, "Outcomes you seek", "Hospital use")
    _multi(page, "Target service-user group", "Frail older people at risk of institutional care")
    _pick(page, "Their level of need", "Long-term, severe, unstable need")
    _next(page)
    assert "how does the proposed project connect with other improvement programmes" in page.inner_text("body")
    _multi(page, "Sectors involved", "social care")
    _next(page)
    _multi(page, "The most important integrative processes", "Financial")
    _next(page)
    _multi(page, "Horizontal, vertical or both", "Vertical integration")
    _next(page)
    _pick(page, "Intensity (Leutz's levels)", "Full integration")
    q = parse_qs(urlparse(page.url).query)
    assert q["need"] == ["severe-unstable"] and q["proc"] == ["financial"] and q["int"] == ["full-integration"]
    _next(page)
    page.get_by_text("Suggested intensity:").first.wait_for(timeout=60_000)
    body = page.inner_text("body")
    assert "Full integration" in body and "Case studies ranked by fit" in body
    page.locator('[data-testid="stDataFrame"] canvas').first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    screenshot(page, "designer")
    with page.expect_download() as info:
        page.get_by_role("button", name="Brief (Markdown)").click()
    path = tmp_path / "brief.md"
    info.value.save_as(path)
    brief = path.read_text(encoding="utf-8")
    assert brief.startswith("# Integration design")
    assert "Suggested intensity: **Full integration**" in brief
    assert "## Sources of the quotes" in brief and re.search(r"^1\. “", brief, re.M)
    # the permalink reopens the same design
    open_view(page, page.url)
    assert "Suggested intensity:" in page.inner_text("body")
    assert_no_script_ran(page)
