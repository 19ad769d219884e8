"""Shared page helpers: the cached explorer, the release badge, escaping, URL state, downloads, links.

Rendering only: what to show comes from :mod:`kg.views` and :mod:`kg.search`. Three rules
every page follows through these helpers:

* **Escape data.** Labels, quotes and results reach the screen through elements that render
  text (``st.text``, ``st.dataframe``, ``st.code``) or through :func:`md`, which escapes HTML
  and Markdown (``st.markdown`` would otherwise render ``<b>``, ``[links](...)``, ``:red[...]``
  and ``$maths$`` written in the data).
* **State lives in the URL.** Filters and selections are read from ``st.query_params`` on load
  and written back on change (:func:`url_multiselect`, :func:`url_text`, :func:`url_choice`),
  so every view has a permalink; links between pages carry their parameters (:func:`link`).
* **Say what was cut.** Downloads carry the release, the filters or query and the citation;
  statuses come from :class:`kg.store.QueryResult` and name the limit that was reached.
"""

from __future__ import annotations

import html
import re
from typing import Any, Callable, Iterable
from urllib.parse import quote as urlquote
from urllib.parse import urlencode

import streamlit as st

from kg import cite, search, serialise, settings
from kg.views.reader import read_in_context
from kg.errors import IckgError
from kg.views import cases, common, evidence_map

#: url_path -> page file, as app.py registers them.
PAGES = {"overview": "app_pages/overview.py", "cases": "app_pages/cases.py",
         "evidence-map": "app_pages/evidence_map.py", "compare": "app_pages/compare.py",
         "graph": "app_pages/graph.py", "sparql": "app_pages/sparql.py", "ontology": "app_pages/ontology.py",
         "designer": "app_pages/designer.py", "reader": "app_pages/reader.py",
         "workbench": "app_pages/workbench.py", "resource": "app_pages/resource.py"}

#: Colours of the directions of findings (colour-blind-safe diverging palette, grey for unclear).
DIRECTION_COLOURS = {"positive": "#1a9850", "mixed": "#fdae61", "no-effect": "#4575b4",
                     "negative": "#d73027", "unclear": "#9e9e9e", "none": "#d9d9d9"}
DIRECTION_SYMBOLS = {"positive": "▲", "mixed": "◆", "no-effect": "●", "negative": "▼", "unclear": "?", "none": "–"}


# ----------------------------------------------------------------------------- the explorer

def _settings_key() -> tuple[str, ...]:
    return tuple(settings.get(n) for n in ("evidence_dir", "ontology_dir", "sparql_endpoint",
                                           "query_time_limit_ms", "max_rows"))


def _release(ex) -> None:
    ex.close()  # an evicted explorer stops its query workers


@st.cache_resource(show_spinner="Loading the knowledge graph (validating the curated evidence) ...",
                   max_entries=4, on_release=_release)
def _explorer(key: tuple[str, ...]):
    from kg.service import open_explorer

    ex = open_explorer()
    try:
        warm(ex)
    except IckgError:
        pass  # a view that needs the data will say what failed
    return ex


def warm(ex) -> None:
    """Compute the data every view shares once, when the explorer opens, not on a visitor's click."""
    common.labels(ex)
    common.sources(ex)
    common.statements(ex)
    cases.case_table(ex)
    evidence_map.placements(ex)
    common.concepts(ex)
    search.index(ex)


def reload_explorer() -> None:
    """Drop the cached explorers, so the next page load builds the graph from the files again."""
    _explorer.clear()


def get_explorer():
    """The explorer for the current settings (opened once per server), or raise IckgError."""
    return _explorer(_settings_key())


def frame(title: str | None = None):
    """Open the explorer or explain why not; show the data release in the sidebar and the page.

    Returns the explorer, or None when the graph cannot be loaded (the page then shows what it
    can without it).
    """
    try:
        ex = get_explorer()
    except Exception as exc:  # noqa: BLE001 - any failure to load must leave a readable page
        endpoint = settings.get("sparql_endpoint")
        where = f"the SPARQL endpoint {endpoint}" if endpoint else "the embedded store"
        st.error(f"The knowledge graph could not be loaded from {where}.")
        st.text(str(exc))
        if endpoint:
            st.caption("Check that the endpoint is running, or unset ICKG_SPARQL_ENDPOINT to use the embedded "
                       "store. Views that need no query (the ontology's classes and properties) still work.")
        st.sidebar.caption("Data release: unavailable")
        return None
    st.sidebar.caption(f"Data release **{md(ex.release_id)}**", help=f"Served by {md(ex.location)}")
    if title:
        st.title(title)
    st.caption(f"Data release {md(ex.release_id)} · {md(ex.location)}")
    return ex


def failed(exc: Exception, what: str) -> None:
    """A query that failed: say which, keep the rest of the page working."""
    st.error(f"Could not load {what}.")
    st.text(str(exc))


# ----------------------------------------------------------------------------- escaping

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:$>^=])")
# Streamlit turns bare URLs, www. names and e-mail addresses into links even when escaped; a word
# joiner (U+2060, invisible) inside the pattern stops that, so no link is ever built from data.
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(?=://)|(?<=\bwww)(?=\.)|(?<=@)")


def md(text: Any) -> str:
    """Text made safe for ``st.markdown``: HTML escaped, Markdown punctuation backslash-escaped, no autolinks."""
    s = " ".join(str("" if text is None else text).split())
    s = _AUTOLINK.sub("\u2060", s)
    s = html.escape(s, quote=False)
    return _MD_SPECIAL.sub(r"\\\1", s)


_EMPHASIS = re.compile(r"(\*\*[^*\n]+?\*\*|\*[^*\s][^*\n]*?\*)")


def quote_md(text: Any) -> str:
    """A verbatim quote for ``st.markdown``: escaped as :func:`md`, but the source's own emphasis markers
    (``*Macro level*``, ``**Systemic**``, kept in the quote word for word) show as emphasis, not asterisks."""
    s = " ".join(str("" if text is None else text).split())
    out = []
    for part in _EMPHASIS.split(s):
        if _EMPHASIS.fullmatch(part):
            mark = "**" if part.startswith("**") else "*"
            out.append(mark + md(part.strip("*")) + mark)
        elif part:
            out.append((" " if part[0] == " " else "") + md(part) + (" " if part[-1] == " " and part.strip() else ""))
    return "".join(out)


def code(text: str) -> str:
    """Inline code for Markdown (for IRIs and prefixed names; backticks cannot occur in an IRI)."""
    return "`" + str(text).replace("`", "'") + "`"


def doi_link(doi: str | None) -> str:
    """A Markdown link to a DOI's resolver, or an empty string; the only outside link built from data."""
    url = cite.doi_url(doi)
    if not url:
        return ""
    return f"[doi:{md(doi)}]({urlquote(url, safe=':/.-_~')})"


# ----------------------------------------------------------------------------- URL state

def safe_link(url: str, text: str | None = None) -> str:
    """A Markdown link to an http(s) address taken from a reference's text; anything else is shown as text."""
    if not re.fullmatch(r"https?://[^\s<>\"'`]+", url or ""):
        return md(url)
    return f"[{md(text or url)}]({urlquote(url, safe=':/.-_~%?&=#+')})"


def print_styles() -> None:
    """CSS that leaves the menus, buttons and widgets off a printed page."""
    st.markdown("<style>@media print { [data-testid='stSidebar'], [data-testid='stHeader'], "
            "[data-testid='stToolbar'], .stButton, .stDownloadButton, [data-testid='stPopover'], "
            "[data-testid='stExpander'] details:not([open]) { display: none !important; } "
            "[data-testid='stMainBlockContainer'] { max-width: 100% !important; padding: 0 !important; } }</style>",
                unsafe_allow_html=True)


def _set_param(name: str, value: Any) -> None:
    if value in (None, "", [], ()):
        if name in st.query_params:
            del st.query_params[name]
    elif isinstance(value, (list, tuple)):
        st.query_params[name] = [str(v) for v in value]
    else:
        st.query_params[name] = str(value)


def _sync(key: str, name: str, to_url: Callable[[Any], Any]) -> None:
    _set_param(name, to_url(st.session_state[key]))


def url_multiselect(label: str, options: list[str], name: str, format_func: Callable[[str], str] = str,
                    to_id: Callable[[str], str] = common.local, help: str | None = None,
                    container: Any = st, key_prefix: str = "", default: list[str] | None = None,
                    widget: str = "multiselect", **kwargs) -> list[str]:
    """A multiselect (or multi-select pills) whose selection is the URL parameter ``name``.

    Values go into the URL as stable ids (``to_id``, an IRI's last segment by default), in the
    order chosen. With a ``default``, the default selection is left out of the URL.
    """
    key = f"{key_prefix}url_{name}"
    default = list(default or [])
    if key not in st.session_state:  # in the URL's order (it matters for comparisons)
        by_id = {to_id(o): o for o in options}
        wanted = [by_id.get(w, w) for w in st.query_params.get_all(name)]
        chosen = list(dict.fromkeys(w for w in wanted if w in options))
        st.session_state[key] = chosen if name in st.query_params else default
    else:  # keep only values that are still options
        st.session_state[key] = [o for o in st.session_state[key] if o in options]

    def to_url(v: list[str]) -> list[str] | None:
        return None if list(v) == default else [to_id(x) for x in v]

    if widget == "pills":
        value = container.pills(label, options, selection_mode="multi", format_func=format_func, key=key, help=help,
                                on_change=_sync, args=(key, name, to_url), **kwargs)
    else:
        value = container.multiselect(label, options, format_func=format_func, key=key, help=help,
                                      on_change=_sync, args=(key, name, to_url), **kwargs)
    return list(value or [])


def url_text(label: str, name: str, container: Any = st, key_prefix: str = "", **kwargs) -> str:
    """A text input whose value is the URL parameter ``name``."""
    key = f"{key_prefix}url_{name}"
    if key not in st.session_state:
        st.session_state[key] = st.query_params.get(name, "")
    return container.text_input(label, key=key, on_change=_sync, args=(key, name, lambda v: v.strip()), **kwargs)


def url_choice(label: str, options: list[str], name: str, default: str, format_func: Callable[[str], str] = str,
               widget: str = "segmented", container: Any = st, key_prefix: str = "", **kwargs) -> str:
    """A single choice (segmented control, radio or selectbox) kept in the URL parameter ``name``.

    The default is left out of the URL, so plain links stay short.
    """
    key = f"{key_prefix}url_{name}"
    if key not in st.session_state:
        v = st.query_params.get(name)
        st.session_state[key] = v if v in options else default
    args = (key, name, lambda v: None if v in (None, default) else v)
    if widget == "segmented":
        value = container.segmented_control(label, options, format_func=format_func, key=key, on_change=_sync,
                                            args=args, required=True, **kwargs)
    elif widget == "radio":
        value = container.radio(label, options, format_func=format_func, key=key, on_change=_sync, args=args,
                                **kwargs)
    else:
        value = container.selectbox(label, options, format_func=format_func, key=key, on_change=_sync, args=args,
                                    **kwargs)
    return value if value is not None else default


def url_toggle(label: str, name: str, default: bool, container: Any = st, key_prefix: str = "", **kwargs) -> bool:
    """A toggle kept in the URL parameter ``name`` (``1``/``0``; the default is left out)."""
    key = f"{key_prefix}url_{name}"
    if key not in st.session_state:
        v = st.query_params.get(name)
        st.session_state[key] = default if v is None else v not in ("0", "false", "no")
    args = (key, name, lambda v: None if v == default else ("1" if v else "0"))
    return container.toggle(label, key=key, on_change=_sync, args=args, **kwargs)


def url_tabs(labels: list[str], name: str, ids: list[str]) -> Any:
    """Tabs whose active tab is the URL parameter ``name`` (the first tab is left out of the URL)."""
    key = f"url_{name}"
    want = st.query_params.get(name)
    default = labels[ids.index(want)] if want in ids else labels[0]
    return st.tabs(labels, default=default, key=key, on_change=_sync,
                   args=(key, name, lambda v: None if v in (None, labels[0]) else ids[labels.index(v)]))


def _open_param(key: str, name: str, value: str) -> None:
    if st.session_state.get(key):
        _set_param(name, value)
    elif st.query_params.get(name) == value:
        _set_param(name, None)


def url_expander(label: str, name: str, value: str, container: Any = st, **kwargs) -> Any:
    """An expander that is open when the URL parameter ``name`` equals ``value``, and sets it when opened."""
    key = f"url_{name}_{value}"
    return container.expander(label, expanded=st.query_params.get(name) == value, key=key, on_change=_open_param,
                              args=(key, name, value), **kwargs)


def element_class(key: str) -> str:
    """The CSS class Streamlit gives the element with widget key ``key`` (``st-key-`` + the key, other characters as ``-``)."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


def scroll_script(key: str) -> str:
    """A script that scrolls the element with widget key ``key`` to the top of the view once it is drawn.

    Nothing but the element's class reaches the script, and the class holds only ``[A-Za-z0-9_-]``
    (:func:`element_class`), so a URL parameter cannot write into it. An element already in view
    is left where it is (an expander the reader just opened does not jump).
    """
    cls = element_class(key)
    return ("<script>(() => { let tries = 0; const timer = setInterval(() => {"
            f" const el = document.querySelector('.{cls}'); tries += 1;"
            " if (el) { clearInterval(timer); const box = el.getBoundingClientRect();"
            " if (box.top < 0 || box.top > window.innerHeight - 80) { el.scrollIntoView({block: 'start'}); } }"
            " else if (tries > 150) { clearInterval(timer); } }, 100); })();</script>")


def scroll_to(key: str) -> None:
    """Scroll the page to the element with widget key ``key`` (a permalink's target), once per session and key.

    Streamlit has no scrolling of its own for a widget; the script runs in the page (``st.html``
    with ``unsafe_allow_javascript``) and waits for the element, which may be drawn after it.
    """
    done = st.session_state.setdefault("_scrolled_to", set())
    if key in done:
        return
    done.add(key)
    st.html(scroll_script(key), unsafe_allow_javascript=True)


def set_params(**values: Any) -> None:
    """Write URL parameters (None or empty removes one)."""
    for k, v in values.items():
        _set_param(k, v)


def share_url(params: dict[str, Any], page: str | None = None) -> str:
    """An absolute link to this view with ``params`` (relative when the URL is unknown, as in tests)."""
    base = ""
    try:
        base = st.context.url or ""
    except Exception:  # noqa: BLE001 - no browser context (AppTest)
        base = ""
    if page is not None and base:
        base = re.sub(r"/[^/]*$", "/" + page, base)
    items = []
    for k, v in params.items():
        if v in (None, "", [], ()):
            continue
        for x in (v if isinstance(v, (list, tuple)) else [v]):
            items.append((k, str(x)))
    query = urlencode(items)
    return (base or (page or "")) + ("?" + query if query else "")


# ----------------------------------------------------------------------------- links

def link(page: str, label: str, params: dict[str, Any] | None = None, icon: str | None = None,
         container: Any = st, help: str | None = None) -> None:
    """A link to one of the app's views with URL parameters; ``label`` is plain text (escaped here).

    Uses ``st.page_link`` (Streamlit clears query parameters on navigation, so they are passed
    explicitly); when the page is not registered (a page run on its own, as in unit tests, or a
    page not installed), falls back to a plain relative link.
    """
    clean = {k: v for k, v in (params or {}).items() if v not in (None, "", [], ())}
    try:
        container.page_link(PAGES.get(page, page), label=md(label), icon=icon, help=help,
                            query_params=clean or None)
    except Exception:  # noqa: BLE001 - StreamlitPageNotFoundError and friends
        container.markdown(f"[{md(label)}]({share_url(clean, page)})")


def go(page: str, params: dict[str, Any] | None = None) -> None:
    """Switch to a view with URL parameters (falls back to setting this page's parameters)."""
    clean = {k: v for k, v in (params or {}).items() if v not in (None, "", [], ())}
    try:
        st.switch_page(PAGES.get(page, page), query_params=clean or None)
    except Exception as exc:  # noqa: BLE001
        if type(exc).__name__ in ("RerunException", "StopException"):
            raise
        set_params(**clean)
        st.rerun()


# ----------------------------------------------------------------------------- rendering bits

def quote_block(quotes: Iterable[Any], container: Any = st) -> None:
    """Quotes with their source, locator and DOI, as text."""
    for q in quotes:
        container.markdown("> " + quote_md(q.text))
        bits = [md(q.source_label), md(q.locator)]
        link_md = doi_link(q.doi)
        if link_md:
            bits.append(link_md)
        container.caption(" · ".join(b for b in bits if b))
        if q.citation:
            container.caption(md(q.citation))
        in_context = read_in_context(q)
        if in_context:
            link("reader", "Read in context", in_context, icon=":material/menu_book:", container=container)


def quote_button(quotes: list[Any], key: str, container: Any = st, label: str | None = None) -> None:
    """One click to the quotes behind a line: a popover with each quote and its citation."""
    n = len(quotes)
    if not n:
        container.caption("no quote")
        return
    with container.popover(label or ("Quote" if n == 1 else f"{n} quotes"), icon=":material/format_quote:",
                           key=key):
        quote_block(quotes)


def direction_badge(direction_id: str, text: str) -> str:
    """Coloured Markdown for a direction (the label itself is a fixed vocabulary, escaped anyway)."""
    colour = {"positive": "green", "mixed": "orange", "no-effect": "blue", "negative": "red"}.get(direction_id, "gray")
    return f":{colour}-badge[{DIRECTION_SYMBOLS.get(direction_id, '')} {md(text)}]"


def caveat_lines(caveats: Iterable[Any], key: str, container: Any = st) -> None:
    """Each caveat of a claim, marked as such, with its own quotes one click away."""
    for i, c in enumerate(caveats):
        a, b = container.columns([5, 1], vertical_alignment="center")
        a.markdown(":orange-badge[:material/warning: Caveat] " + md(c.summary))
        a.caption(" · ".join(md(x) for x in [c.claim_label, c.source_label, c.locator] if x))
        quote_button(list(c.quotes), key=f"{key}_cav{i}", container=b)


def claim_caption(claim_label: str, *rest: str) -> str:
    """The caption under a finding: its claim kind first, then basis, source, locator ..."""
    return " · ".join(md(x) for x in ([f"Claim: {claim_label.lower()}"] if claim_label else []) + list(rest) if x)


# ----------------------------------------------------------------------------- downloads

def download_buttons(name: str, columns: Iterable[str], rows: list[dict[str, Any]], what: dict[str, Any],
                     key: str, container: Any = st, formats: tuple[str, ...] = ("csv", "json", "zip")) -> None:
    """Downloads of a table exactly as shown: plain CSV, JSON with its provenance, and CSV + provenance zipped."""
    try:
        release = get_explorer().release_id
    except Exception:  # noqa: BLE001 - the graph did not load; the table (e.g. the ontology's) still did
        release = "unknown (the knowledge graph could not be loaded)"
    cols = list(columns)
    parts = container.columns(len(formats)) if len(formats) > 1 else [container]
    for part, fmt in zip(parts, formats):
        if fmt == "csv":
            part.download_button("Download CSV", data=serialise.csv_text(cols, rows).encode("utf-8"),
                                 file_name=f"{name}.csv", mime="text/csv; charset=utf-8", key=f"{key}_csv",
                                 icon=":material/download:", on_click="ignore",
                                 help="Plain CSV, the header on the first line.")
        elif fmt == "json":
            part.download_button("Download JSON", data=serialise.json_text(cols, rows, release, what).encode("utf-8"),
                                 file_name=f"{name}.json", mime="application/json", key=f"{key}_json",
                                 icon=":material/download:", on_click="ignore")
        elif fmt == "zip":
            part.download_button("CSV + provenance (zip)", data=serialise.csv_zip(name, cols, rows, release, what),
                                 file_name=f"{name}.zip", mime="application/zip", key=f"{key}_zip",
                                 icon=":material/folder_zip:", on_click="ignore",
                                 help="The CSV and a JSON file saying what it is: view, filters or query, "
                                      "release, citation.")


def resource_url(compact_iri: str) -> str:
    """The resource page's link for an IRI (compact or full), for tables' link columns."""
    return f"resource?iri={urlquote(compact_iri, safe=':/#')}" if compact_iri else ""


def iri_link_column(title: str) -> Any:
    """A table column whose IRIs link to their resource pages, shown as the compact IRI."""
    return st.column_config.LinkColumn(title, display_text=r"resource\?iri=(.*)",
                                       help="Compact IRI; opens its page (label, properties, links, quotes)")


def release_footer(ex) -> None:
    """The citation of the data, at the foot of a page."""
    st.divider()
    st.caption("Cite as: " + md(cite.dataset_citation(ex.release_id)))
