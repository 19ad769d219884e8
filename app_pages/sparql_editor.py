"""The SPARQL console's editor: YASQE as a Streamlit component, Streamlit's text area where it cannot show.

The component (``kg/static/sparql-editor/``: ``index.html`` and ``editor.js`` around the
vendored ``@zazuko/yasqe``) highlights SPARQL, completes the predeclared prefixes and the
graph's terms from the lists passed to it (no network: no prefix.cc, no LOV), keeps the queries
run in the browser's localStorage, and runs on Ctrl+Enter or its "Run query" button. It sends the
editor's text only then, so what runs is exactly what the editor holds.

Until the component reports that it is showing (its first message), the page renders the plain
text area and button instead: under AppTest, which cannot render components, and for the moment
a browser needs to load it. The text the page sets (a permalink, a gallery query, a reopened
query) reaches the component with a version number and replaces the editor's content only when
the version changes, so a rerun for another reason never discards an edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st
import streamlit.components.v1 as components

import kg

EDITOR_DIR = Path(kg.__file__).resolve().parent / "static" / "sparql-editor"
_component = components.declare_component("sparql_editor", path=str(EDITOR_DIR))


@dataclass(frozen=True)
class Edit:
    """What the editor holds after this run, whether the user asked to run it now, and which editor showed."""

    text: str
    run: bool
    rich: bool


def new_send(value: Any, seen: Any) -> tuple[bool, tuple[str, int] | None]:
    """(is ``value`` a message from the component, its identity); a message is handled once, by identity."""
    if not isinstance(value, dict) or not isinstance(value.get("text"), str):
        return False, None
    ident = (str(value.get("id", "")), int(value.get("seq", 0) or 0))
    return ident != seen, ident


def sparql_editor(text: str, version: int, prefixes: dict[str, str], terms: list[tuple[str, str]], *,
                  key: str = "editor", height: int = 260) -> Edit:
    """Show the editor holding ``text`` (set anew whenever ``version`` changes) and return what it holds.

    Args:
        text: what the page says the editor holds (from the URL, the gallery or the last run).
        version: raised by the page each time it sets ``text`` itself.
        prefixes: prefix -> namespace IRI, offered after ``PREFIX`` and expanded in completions.
        terms: (prefixed name, label) pairs completed in the query.
        key: the text area's session-state key (the component's is ``<key>_component``).
    """
    value = _component(text=text, version=version, prefixes=prefixes, terms=[list(t) for t in terms],
                       height=height, key=f"{key}_component", default=None)
    fresh, ident = new_send(value, st.session_state.get(f"{key}_seen"))
    if ident is not None:
        if fresh:
            st.session_state[f"{key}_seen"] = ident
            return Edit(value["text"], bool(value.get("run")), True)
        return Edit(text, False, True)
    # the component is not showing (AppTest, or still loading): Streamlit's own widgets
    if key not in st.session_state or st.session_state.get(f"{key}_shown") != version:
        st.session_state[key] = text
        st.session_state[f"{key}_shown"] = version
    typed = st.text_area("SPARQL", key=key, height=height, label_visibility="collapsed",
                         help="Ctrl+Enter applies the text and runs it; so does Run query.")
    run = st.button("Run query", icon=":material/play_arrow:", type="primary", key=f"{key}_run")
    return Edit(typed, run, False)
