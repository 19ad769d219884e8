"""The SPARQL console's editor in a real browser: highlighting, completion, Ctrl+Enter, Run query, local history.

The editor is YASQE inside a Streamlit component (``app_pages/sparql_editor.py``,
``kg/static/sparql-editor/``). Every request the page makes is recorded: the editor must work
offline, so nothing may leave the app's own address (no CDN, no prefix.cc, no LOV).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlparse

import pytest
from browser_fixtures import assert_no_script_ran, open_view, wait_ready

from kg.namespaces import FIXED_PREFIXES

pytestmark = pytest.mark.browser

EDITOR = '[data-testid="stCustomComponentV1"]'


def _requests(pg) -> list[str]:
    urls: list[str] = []
    pg.on("request", lambda r: urls.append(r.url))
    return urls


def _editor(pg):
    """The component's frame, once YASQE has drawn its editor and the plain text area is gone."""
    pg.locator(EDITOR).first.wait_for(timeout=60_000)
    frame = pg.frame_locator(EDITOR).first
    frame.locator(".CodeMirror").wait_for(timeout=60_000)
    pg.wait_for_function("() => !document.querySelector('[data-testid=\"stTextArea\"] textarea')", timeout=60_000)
    wait_ready(pg)
    return frame


def _value(frame) -> str:
    return frame.locator(".CodeMirror").evaluate("el => el.CodeMirror.getValue()")


def _wait_rows(pg, n: int) -> None:
    pg.wait_for_function(f"() => document.body.innerText.match(/\\b{n} rows? in \\d+ ms/)", timeout=60_000)
    wait_ready(pg)


def test_editor_highlights_completes_runs_and_remembers(page, app_server):
    """Type with completion, run by Ctrl+Enter and by Run query, reload: the queries are in the history."""
    urls = _requests(page)
    open_view(page, app_server.base + "/sparql")
    frame = _editor(page)
    # the default query is highlighted by SPARQL's grammar
    assert frame.locator("span.cm-keyword", has_text="SELECT").count() >= 1
    assert frame.locator("span.cm-keyword", has_text="PREFIX").count() >= 1

    frame.locator(".CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    # a prefix: the predeclared concept-scheme prefixes are offered after PREFIX
    page.keyboard.type("PREFIX doma")
    page.keyboard.press("Control+Space")
    hint = frame.locator(".CodeMirror-hint", has_text="domain: <" + FIXED_PREFIXES["domain"] + ">")
    hint.wait_for(timeout=10_000)
    page.keyboard.press("Enter")  # takes the highlighted (first) suggestion
    assert _value(frame).startswith("PREFIX domain: <https://w3id.org/ickg/concept/domain/>")
    # a term: the ontology's classes, offered while typing, with their labels
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("SELECT ?c WHERE { ?c a ic:CaseStu")
    term = frame.locator(".CodeMirror-hint", has_text="ic:CaseStudy")
    term.wait_for(timeout=10_000)
    assert "Case study" in term.first.inner_text()
    page.keyboard.press("Enter")
    page.keyboard.type(" } LIMIT 4")
    first = _value(frame)
    assert first.endswith("SELECT ?c WHERE { ?c a ic:CaseStudy } LIMIT 4"), first
    assert frame.locator("span.cm-keyword", has_text="LIMIT").count() == 1

    page.keyboard.press("Control+Enter")
    _wait_rows(page, 4)
    assert parse_qs(urlparse(page.url).query)["text"] == [first]

    # a second edit, run with the button: exactly what the editor holds runs (issue 13)
    frame.locator(".CodeMirror").click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Backspace")
    page.keyboard.type("2")
    second = _value(frame)
    frame.get_by_role("button", name=re.compile("Run query")).click()
    _wait_rows(page, 2)
    assert parse_qs(urlparse(page.url).query)["text"] == [second]
    assert _value(frame) == second

    # reload: the permalink fills the editor, and both queries are in this browser's history
    page.reload()
    wait_ready(page)
    frame = _editor(page)
    assert _value(frame) == second
    history = frame.locator("select#history")
    titles = history.locator("option").evaluate_all("os => os.map(o => o.title)")
    assert [t for t in titles if t in (first, second)] == [second, first], titles
    history.select_option(index=titles.index(first))
    assert _value(frame) == first
    page.keyboard.press("Control+Enter")
    _wait_rows(page, 4)

    base = app_server.base
    assert urls and all(u.startswith((base, "data:", "blob:", "about:")) for u in urls), \
        [u for u in urls if not u.startswith(base)]
    assert_no_script_ran(page)


def test_query_text_from_a_link_stays_text(page, app_server):
    """A permalink's text holding markup shows in the editor as characters and runs no script."""
    text = '# </script><img src=x onerror=alert(1)> <b>bold</b>\nSELECT ?s WHERE { ?s a ic:Source } LIMIT 1'
    open_view(page, f"{app_server.base}/sparql?text={quote(text)}")
    frame = _editor(page)
    assert _value(frame) == text
    assert frame.locator("img").count() == 0 and frame.locator(".CodeMirror b").count() == 0
    assert "<img src=x onerror=alert(1)>" in frame.locator(".CodeMirror").inner_text()
    frame.get_by_role("button", name=re.compile("Run query")).click()
    _wait_rows(page, 1)
    titles = frame.locator("select#history option").evaluate_all("os => os.map(o => o.title)")
    assert text in titles
    assert page.locator("img[src='x']").count() == 0
    assert_no_script_ran(page)


def test_a_gallery_query_replaces_the_editor_text(page, app_server):
    """Choosing a gallery query puts its text in the editor, which keeps working (highlighting, running)."""
    from kg import queries

    open_view(page, app_server.base + "/sparql")
    frame = _editor(page)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Query").first.click()
    page.keyboard.type("How strong is the evidence")
    page.get_by_role("option", name=re.compile("How strong is the evidence")).first.click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('query') === 'statements-by-basis'",
                           timeout=30_000)
    wait_ready(page)
    frame = _editor(page)
    expected = queries.find("statements-by-basis").text
    page.wait_for_function("""() => { const f = document.querySelector('[data-testid="stCustomComponentV1"]');
                                      const cm = f && f.contentDocument.querySelector('.CodeMirror');
                                      return cm && cm.CodeMirror.getValue().includes('SELECT'); }""", timeout=30_000)
    assert _value(frame).strip() == expected.strip()
    assert frame.locator("span.cm-keyword", has_text="SELECT").count() >= 1
    frame.get_by_role("button", name=re.compile("Run query")).click()
    page.get_by_text(re.compile(r"^\d+ rows in \d+ ms$")).first.wait_for(timeout=30_000)
    assert_no_script_ran(page)
