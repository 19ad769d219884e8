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
    page.keyboard.type(option[:6])  # long lists render only the options in view
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
    name = page.get_by_label("Name of the design")
    name.fill("Frail older people at home")
    name.press("Enter")
    wait_ready(page)
    _multi(page, "Outcomes you seek", "Hospital use")
    _multi(page, "Target service-user group", "Frail older people at risk of institutional care")
    _pick(page, "Their level of need", "Long-term, severe, unstable need")
    _next(page)
    assert "how does the proposed project connect with other improvement programmes" in page.inner_text("body")
    _multi(page, "Sectors involved", "social care")
    _next(page)
    _multi(page, "The most important integrative processes", "Financial")
    _multi(page, "Mechanisms you mean to use", "Pooled budget")
    _next(page)
    _multi(page, "Horizontal, vertical or both", "Vertical integration")
    _next(page)
    _pick(page, "Intensity (Leutz's levels)", "Full integration")
    q = parse_qs(urlparse(page.url).query)
    assert q["need"] == ["severe-unstable"] and q["proc"] == ["financial"] and q["int"] == ["full-integration"]
    assert q["mech"] == ["pooled-budget"] and q["title"] == ["Frail older people at home"]
    _next(page)
    page.get_by_text("Suggested intensity:").first.wait_for(timeout=60_000)
    body = page.inner_text("body")
    assert "Full integration" in body and "Case studies ranked by fit" in body
    for section in ("What the evidence says for this design",
                    "The best-fitting cases' own negative, mixed and null findings, and their caveats",
                    "What is not known", "Readiness checklist", "Building shared values and principles",
                    "Compare with another design"):
        assert section in body, section
    page.locator('[data-testid="stDataFrame"] canvas').first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    screenshot(page, "designer")
    with page.expect_download() as info:
        page.get_by_role("button", name="Brief (Markdown)").click()
    path = tmp_path / "brief.md"
    info.value.save_as(path)
    brief = path.read_text(encoding="utf-8")
    assert brief.startswith("# Frail older people at home\n")
    assert brief.split("\n## ")[1].startswith("Key messages")
    assert "Suggested intensity: **Full integration**" in brief
    assert "## References" in brief and re.search(r"^1\. “", brief, re.M)
    with page.expect_download(timeout=180_000) as info:
        page.get_by_role("button", name="Brief (PDF)").click()
    pdf = tmp_path / "brief.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    with page.expect_download() as info:
        page.get_by_role("button", name="Design (Turtle)").click()
    saved = tmp_path / "design.ttl"
    info.value.save_as(saved)
    # the saved design reloads with its name, on a fresh page
    open_view(page, app_server.base + "/designer")
    page.locator("summary").filter(has_text="Load a saved design").first.click()
    page.locator('[data-testid="stSidebar"] input[type="file"]').first.set_input_files(str(saved))
    wait_ready(page)
    page.get_by_role("button", name="Load this design").click()
    wait_ready(page)
    page.get_by_text("Suggested intensity:").first.wait_for(timeout=60_000)
    assert page.get_by_label("Name of the design").input_value() == "Frail older people at home"
    assert parse_qs(urlparse(page.url).query)["title"] == ["Frail older people at home"]
    # the permalink reopens the same design
    open_view(page, page.url)
    assert "Suggested intensity:" in page.inner_text("body")
    assert_no_script_ran(page)
