"""The SPARQL editor component's Python side: its fallback to the plain text area, its messages, its assets.

AppTest cannot render a custom component, so under AppTest the editor is Streamlit's text area
and button: these tests drive that fallback as the page uses it. The component itself (YASQE in
the browser) is covered by ``tests/test_browser_sparql_editor.py``.
"""

from __future__ import annotations

import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import streamlit as st
from app_pages.sparql_editor import sparql_editor

st.session_state.setdefault("page_text", "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
st.session_state.setdefault("page_version", 0)
edit = sparql_editor(st.session_state["page_text"], st.session_state["page_version"],
                     {"ic": "https://w3id.org/ickg/ontology#"}, [("ic:CaseStudy", "Case study")])
st.session_state["edits"] = st.session_state.get("edits", []) + [edit]
"""


@pytest.fixture(autouse=True)
def _app_path(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))


def _last(at: AppTest):
    return at.session_state["edits"][-1]


def test_fallback_is_the_text_area_and_runs_on_the_button():
    """Without the component: the text area holds the page's text; Run query returns exactly the typed text."""
    at = AppTest.from_string(SCRIPT, default_timeout=60).run()
    assert not at.exception
    assert at.text_area(key="editor").value == "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
    edit = _last(at)
    assert (edit.text, edit.run, edit.rich) == ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", False, False)
    typed = "SELECT ?s WHERE { ?s a ic:CaseStudy } LIMIT 2"
    at.text_area(key="editor").input(typed)
    at.button(key="editor_run").click().run()
    assert (_last(at).text, _last(at).run) == (typed, True)
    at.run()  # a rerun for another reason: the edit stays, and is not a new run
    assert (_last(at).text, _last(at).run) == (typed, False)
    assert at.text_area(key="editor").value == typed


def test_page_text_replaces_the_edit_only_with_a_new_version():
    """The page's text wins when it raises the version (gallery, reopened query), never on a plain rerun."""
    at = AppTest.from_string(SCRIPT, default_timeout=60).run()
    at.text_area(key="editor").input("SELECT ?edited WHERE {}").run()
    at.session_state["page_text"] = "SELECT ?gallery WHERE {}"
    at.run()
    assert at.text_area(key="editor").value == "SELECT ?edited WHERE {}"  # same version: the edit stays
    at.session_state["page_version"] = 1
    at.run()
    assert at.text_area(key="editor").value == "SELECT ?gallery WHERE {}"
    assert _last(at).text == "SELECT ?gallery WHERE {}" and not _last(at).run


def test_component_messages_are_handled_once():
    """A message from the component counts once (by its id and sequence number); anything else is no message."""
    from app_pages.sparql_editor import new_send

    assert new_send(None, None) == (False, None)
    assert new_send({"seq": 1}, None) == (False, None)  # no text: not the editor's message
    msg = {"text": "SELECT * {}", "id": "a1", "seq": 2, "run": True}
    assert new_send(msg, None) == (True, ("a1", 2))
    assert new_send(msg, ("a1", 2)) == (False, ("a1", 2))
    # a new mount of the editor starts its count again: still a new message
    assert new_send({**msg, "id": "b7", "seq": 2}, ("a1", 2)) == (True, ("b7", 2))


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.refs += [v for k, v in attrs if k in ("src", "href") and v]


def test_component_loads_only_its_own_files_and_they_are_packaged():
    """index.html refers only to files beside it (no CDN), and pyproject ships that folder in the wheel."""
    from app_pages.sparql_editor import EDITOR_DIR

    parser = _Refs()
    parser.feed((EDITOR_DIR / "index.html").read_text(encoding="utf-8"))
    assert set(parser.refs) == {"yasqe.min.css", "editor.css", "yasqe.min.js", "editor.js"}
    for ref in parser.refs:
        assert (EDITOR_DIR / ref).is_file(), ref
    # the script asks nothing of the network: no fetch, no XHR, no absolute URL
    script = (EDITOR_DIR / "editor.js").read_text(encoding="utf-8")
    assert not re.search(r"\bfetch\(|XMLHttpRequest|https?://", script)
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    assert "static/sparql-editor/*" in data["kg"]
    assert EDITOR_DIR == ROOT / "kg" / "static" / "sparql-editor"
