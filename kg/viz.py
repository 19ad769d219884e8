"""Interactive network views as self-contained HTML: the only module that makes HTML for networks.

A view is drawn by vis-network 9.1.2 through pyvis 0.3.2's template, with pyvis's copy of the
JavaScript and CSS inlined (``cdn_resources="in_line"``), so the HTML works offline and can be
saved and opened anywhere. What was measured and how it is handled here:

* **Escaping.** pyvis inserts its ``heading`` as raw HTML, and as soon as one node title contains
  ``href`` it switches every tooltip to ``innerHTML``. Inside Streamlit a graph's frame can
  reach the app page, so both would let a curated label run script. We therefore render pyvis's
  template ourselves with no heading and with that switch off: titles are plain text (vis-network
  shows a string title with ``innerText``), labels are drawn on the canvas, and both reach the
  page only inside the node JSON, which Jinja's ``tojson`` writes with ``<``, ``>``, ``&`` and
  ``'`` as ``\\u003c``-style escapes so no label can close the script element. Our own additions
  (legend, cap message) are escaped with :func:`html.escape`.
* **Defence in depth.** The page carries a Content-Security-Policy that allows only its own
  inline scripts, by hash: an injected event handler or ``<script>`` would not run, and the
  frame cannot fetch anything (``default-src 'none'``). :func:`iframe_src` wraps the HTML in a
  ``data:`` URL, which gives the frame an opaque origin: unlike ``st.iframe(html)`` (``srcdoc``,
  same origin as the app) it cannot touch the app page, its cookies or its storage.
* **Offline.** ``in_line`` still links Bootstrap from a CDN; those elements are removed and any
  remaining remote ``src``/``href`` is an error, so a pyvis upgrade cannot add one silently.
* **Speed.** With physics on, 1,000 nodes took 53 s to settle in headless Chromium; positions
  computed once in networkx with physics off are drawn 0.5-1.0 s after the page starts
  (``tests/test_browser_graph.py`` measures it). Layout: networkx's
  ``spring_layout`` (fixed seed) below 500 nodes, ForceAtlas2 (fixed seed) from 500 up, because
  networkx's spring layout for large graphs needs scipy, which this project does not depend on.
* **Cap.** At most ``cap`` nodes are drawn, chosen deterministically (closest to the focus
  node, else best-connected; ties by label) and the returned info says so ("Showing 150 of
  412 nodes").

What it does not do: query the store or decide what a node is (graphs come from
:mod:`kg.analytics`, with ``label`` and ``kind`` attributes), or call Streamlit.
"""

from __future__ import annotations

import base64
import hashlib
import html as htmllib
import json
import math
import re
from html.parser import HTMLParser

import networkx as nx

from kg.analytics import KINDS, fallback_label, neighbourhood_graph

#: Colours by node kind (Okabe-Ito, distinguishable with common colour-vision deficiencies).
COLOURS: dict[str, str] = {
    "case": "#0072B2",
    "mechanism": "#E69F00",
    "process": "#009E73",
    "domain": "#CC79A7",
    "statement": "#56B4E9",
    "concept": "#999999",
    "other": "#D0D0D0",
}

DEFAULT_CAP = 150
DEFAULT_HEIGHT = 600
SEED = 7
STRETCH = 1.6
HEADER = 40
LABEL_CHARS = 32
MAX_URL = 2 * 1024 * 1024  # Chromium's url::kMaxURLChars

# vis-network options: physics off (positions come from networkx), no layout pass of its own.
OPTIONS = {
    "physics": {"enabled": False},
    "layout": {"improvedLayout": False},
    "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": True},
    "edges": {"smooth": False, "color": {"color": "#c8c8c8", "highlight": "#444444", "hover": "#888888"},
              "width": 1},
    # node size and label size grow with the number of links ("value"), so the hubs stay
    # legible when a large network is zoomed out to fit
    "nodes": {"shape": "dot", "borderWidth": 1,
              "scaling": {"min": 8, "max": 36,
                          "label": {"enabled": True, "min": 12, "max": 30, "maxVisible": 30, "drawThreshold": 6}},
              "font": {"size": 14, "face": "Helvetica, Arial, sans-serif", "color": "#222222",
                       "strokeWidth": 3, "strokeColor": "#ffffff"}},
}

_REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?https?://[^>]*>", re.I | re.S)
_REMOTE_SCRIPT = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?https?://[^>]*>\s*</script>", re.I | re.S)
_REMOTE_ANY = re.compile(r"\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", re.I)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>", re.I)
_TEMPLATE_COMMENT = re.compile(r"<!--\s*<link[^>]*node_modules.*?-->", re.S)

_STYLE = """<style>
html, body { margin: 0; padding: 0; font-family: Helvetica, Arial, sans-serif; }
#mynetwork { float: none !important; box-sizing: border-box; }
.ickg-head { height: 40px; box-sizing: border-box; padding: 3px 6px; font-size: 12px; line-height: 17px;
  overflow: hidden; color: #222; }
.ickg-head span.k { display: inline-block; margin-right: 12px; white-space: nowrap; }
.ickg-head i { display: inline-block; width: 10px; height: 10px; border-radius: 50%;
  margin-right: 4px; vertical-align: -1px; }
.ickg-head .msg { color: #555; }
.vis-tooltip { white-space: pre-wrap !important; max-width: 420px; font-size: 12px; }
</style>"""

# Marks a completed drawing on <body data-drawn="ms since the page started">, for tests and
# timing. The first draw may already have happened, so draw once more, synchronously.
_DRAWN = ('network.once("afterDrawing", function () {'
          ' document.body.setAttribute("data-drawn", String(Math.round(performance.now()))); });'
          ' network.redraw();')


def _short(text: str, n: int = LABEL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _words(relation: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", relation).lower()


def legend(graph: nx.Graph) -> list[dict]:
    """The kinds present in ``graph``, in legend order, with display name, colour and count."""
    counts: dict[str, int] = {}
    for _, kind in graph.nodes(data="kind"):
        key = kind if kind in KINDS else "other"
        counts[key] = counts.get(key, 0) + 1
    return [{"kind": k, "label": KINDS[k], "colour": COLOURS[k], "count": counts[k]}
            for k in KINDS if k in counts]


def select_nodes(graph: nx.Graph, cap: int | None, focus: str | None = None) -> list[str]:
    """The nodes to draw under the cap, in the graph's own order.

    Without a cap, or when the graph fits, every node. Otherwise the ``cap`` nodes closest to
    ``focus`` (breadth-first), or without a focus the best-connected; ties by label, then IRI.
    """
    if cap is None or len(graph) <= cap:
        return list(graph)
    if cap < 1:
        raise ValueError(f"the node cap must be at least 1, got {cap}")
    distance = nx.single_source_shortest_path_length(graph, focus) if focus in graph else {}

    def key(n: str) -> tuple:
        return (distance.get(n, math.inf) if distance else 0, -graph.degree(n),
                str(graph.nodes[n].get("label") or fallback_label(n)).casefold(), n)

    keep = set(sorted(graph, key=key)[:cap])
    return [n for n in graph if n in keep]


def _radius(n: int) -> float:
    return 0.0 if n <= 1 else max(60.0, 70.0 * math.sqrt(n))


def _component_layout(graph: nx.Graph, seed: int) -> dict[str, tuple[float, float]]:
    n = len(graph)
    if n == 1:
        return {next(iter(graph)): (0.0, 0.0)}
    if n < 500:
        # k twice networkx's default spreads the leaves of hubs (a case study's neighbourhood)
        pos = nx.spring_layout(graph, seed=seed, iterations=200, k=2 / math.sqrt(n))
    else:
        pos = nx.forceatlas2_layout(graph, seed=seed, max_iter=100)
    pos = nx.rescale_layout_dict(pos, scale=_radius(n))
    # the drawing is about twice as wide as it is tall: use the width
    return {k: (float(x) * STRETCH, float(y)) for k, (x, y) in pos.items()}


def layout(graph: nx.Graph, seed: int = SEED, gap: float = 60.0) -> dict[str, tuple[float, float]]:
    """Node positions in vis-network pixels, computed once (deterministic for a seed).

    Each connected component is laid out on its own and scaled by its size (one spring layout
    of everything pushes small components far out and squeezes the large one). The largest
    goes on the left; the others are stacked in columns to its right, no taller than it, so
    the whole fits the wide drawing area.
    """
    if len(graph) == 0:
        return {}
    undirected = graph.to_undirected(as_view=True) if graph.is_directed() else graph
    order = {n: i for i, n in enumerate(graph)}
    components = sorted((sorted(c, key=order.__getitem__) for c in nx.connected_components(undirected)),
                        key=lambda c: (-len(c), order[c[0]]))
    parts = []
    for c in components:
        pos = _component_layout(graph.subgraph(c), seed)
        x0, y0 = min(p[0] for p in pos.values()), min(p[1] for p in pos.values())
        pos = {n: (px - x0, py - y0) for n, (px, py) in pos.items()}
        parts.append((pos, max(p[0] for p in pos.values()), max(p[1] for p in pos.values())))
    out: dict[str, tuple[float, float]] = {}
    first, w0, h0 = parts[0]
    out.update(first)
    column_height = max(h0, 300.0)
    x, y, column_width = w0 + gap, 0.0, 0.0
    for pos, w, h in parts[1:]:
        if y > 0 and y + h > column_height:
            x, y, column_width = x + column_width + gap, 0.0, 0.0
        out.update({n: (x + px, y + py) for n, (px, py) in pos.items()})
        y += h + gap
        column_width = max(column_width, w)
    xs, ys = [p[0] for p in out.values()], [p[1] for p in out.values()]
    mx, my = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    return {n: (round(out[n][0] - mx, 1), round(out[n][1] - my, 1)) for n in graph}


def _node_title(graph: nx.Graph, n: str) -> str:
    data = graph.nodes[n]
    kind = data.get("kind", "other")
    lines = [f"{KINDS.get(kind, KINDS['other'])}: {data.get('label') or fallback_label(n)}"]
    if data.get("direction"):
        lines.append(f"Effect: {data['direction']}")
    degree = graph.degree(n)
    lines.append(f"{degree} link{'s' if degree != 1 else ''}")
    lines.append(n)
    return "\n".join(lines)


def _network(sub: nx.Graph, total: nx.Graph, focus: str | None) -> tuple[list[dict], list[dict]]:
    pos = layout(sub)
    nodes = []
    for n, data in sub.nodes(data=True):
        kind = data.get("kind") if data.get("kind") in KINDS else "other"
        label = str(data.get("label") or fallback_label(n))
        node = {"id": n, "label": _short(label), "title": _node_title(total, n), "shape": "dot",
                "color": {"background": COLOURS[kind], "border": "#333333" if n == focus else COLOURS[kind],
                          "highlight": {"background": COLOURS[kind], "border": "#000000"}},
                "value": total.degree(n), "x": pos[n][0], "y": pos[n][1],
                "physics": False}
        if n == focus:
            node["borderWidth"] = 3
        nodes.append(node)
    directed = sub.is_directed()
    edges = []
    for s, t, data in sub.edges(data=True):
        if data.get("source") == t:
            s, t = t, s
        edge = {"from": s, "to": t, "arrows": "to" if directed else ""}
        if data.get("relation"):
            edge["title"] = _words(str(data["relation"]))
            if total.graph.get("edge_labels"):  # a CONSTRUCT result: say what each link is (issue 13)
                edge["label"] = _words(str(data["relation"]))
                edge["font"] = {"size": 10, "color": "#555555", "strokeWidth": 0}
        edges.append(edge)
    return nodes, edges


def _render(nodes: list[dict], edges: list[dict], height: int) -> str:
    from pyvis.network import Network

    net = Network(height=f"{int(height)}px", width="100%", directed=True, cdn_resources="in_line")
    template = net.templateEnv.get_template(net.path)
    # Our own call of pyvis's template (Network.generate_html would turn on the innerHTML
    # tooltip for titles containing "href" and print ``heading`` raw).
    return template.render(height=f"{int(height)}px", width="100%", nodes=nodes, edges=edges, heading="",
                           options=json.dumps(OPTIONS), physics_enabled=False, use_DOT=False,
                           dot_lang=[], widget=False, bgcolor="#ffffff", conf=False,
                           tooltip_link=False, neighborhood_highlight=False, select_menu=False,
                           filter_menu=False, notebook=False, cdn_resources="in_line")


def _header(items: list[dict], message: str) -> str:
    chips = "".join(f'<span class="k"><i style="background:{htmllib.escape(i["colour"])}"></i>'
                    f'{htmllib.escape(i["label"])} ({int(i["count"])})</span>' for i in items)
    return (f'<div class="ickg-head" id="ickg-legend">{chips}'
            f'<div class="msg">{htmllib.escape(message)}</div></div>')


class _Scripts(HTMLParser):
    """The text of every inline script, as the browser's parser splits the page."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=False)
        self.texts: list[str] = []
        self._open = False
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._open = True
            self.texts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = False

    def handle_data(self, data):
        if self._open:
            self.texts[-1] += data


def _csp(page: str) -> str:
    hashes = sorted({"'sha256-" + base64.b64encode(hashlib.sha256(t.encode("utf-8")).digest()).decode() + "'"
                     for t in _Scripts(page).texts})
    policy = (f"default-src 'none'; script-src {' '.join(hashes)}; style-src 'unsafe-inline'; "
              f"img-src data:; font-src data:; base-uri 'none'; form-action 'none'")
    return f'<meta http-equiv="Content-Security-Policy" content="{htmllib.escape(policy, quote=False)}">'


def _finish(page: str, header: str) -> str:
    page = _REMOTE_LINK.sub("", page)
    page = _REMOTE_SCRIPT.sub("", page)
    page = _EMPTY_HEADING.sub("", page)
    page = _TEMPLATE_COMMENT.sub("", page)
    if _REMOTE_ANY.search(page):
        raise RuntimeError("the network HTML still loads a remote resource: "
                           + _REMOTE_ANY.search(page).group(0))
    page = page.replace("<body>", "<body>\n" + header, 1)
    page = page.replace("</body>", f"<script>{_DRAWN}</script>\n</body>", 1)
    charset = '<meta charset="utf-8">'
    if charset not in page:
        raise RuntimeError("pyvis's template no longer declares its charset; check kg.viz against it")
    page = page.replace(charset, charset + "\n" + _STYLE, 1)
    # The policy hashes the final scripts, so it is added last (it contains no script itself).
    page = page.replace(charset, charset + "\n" + _csp(page), 1)
    return "<!DOCTYPE html>\n" + page.lstrip()


def network_html(graph: nx.Graph, *, cap: int | None = DEFAULT_CAP, height: int = DEFAULT_HEIGHT,
                 focus: str | None = None) -> tuple[str, dict]:
    """A self-contained interactive HTML page of ``graph``, and what it shows.

    Args:
        graph: nodes are IRIs with ``label`` and ``kind`` attributes (see :mod:`kg.analytics`).
        cap: the most nodes to draw (``None``: all).
        height: the drawing's height in pixels (the page adds a 40-pixel legend above it).
        focus: a node to centre the selection on (default: the graph's ``focus`` attribute).

    Returns:
        ``(html, info)``; ``info`` has ``shown``, ``total``, ``edges_shown``, ``edges_total``,
        ``capped``, ``message`` ("Showing 150 of 412 nodes ..."), ``legend`` (see
        :func:`legend`), ``height`` (of the whole page, legend included: give the frame this)
        and ``release``.
    """
    focus = focus or graph.graph.get("focus")
    focus = focus if focus in graph else None
    keep = select_nodes(graph, cap, focus)
    sub = graph.subgraph(keep)
    total, shown = len(graph), len(sub)
    if shown < total:
        which = "closest to the focus" if focus else "best-connected"
        message = f"Showing {shown:,} of {total:,} nodes (cap {cap:,}; the {which} are drawn)."
    else:
        message = f"Showing all {total:,} node{'s' if total != 1 else ''}."
    items = legend(sub)
    nodes, edges = _network(sub, graph, focus)
    page = _finish(_render(nodes, edges, height), _header(items, message))
    info = {"shown": shown, "total": total, "edges_shown": sub.number_of_edges(),
            "edges_total": graph.number_of_edges(), "capped": shown < total, "message": message,
            "legend": items, "height": int(height) + HEADER, "release": str(graph.graph.get("release", ""))}
    return page, info


def neighbourhood_html(explorer, case_iri: str, *, cap: int | None = DEFAULT_CAP,
                       height: int = DEFAULT_HEIGHT) -> tuple[str, dict]:
    """The network of one case study (see :func:`kg.analytics.neighbourhood_graph`) as HTML.

    Raises:
        IckgError: when the release has no such case study.
    """
    return network_html(neighbourhood_graph(explorer, case_iri), cap=cap, height=height)


def iframe_src(page: str) -> str:
    """A ``data:`` URL of the page, for ``st.iframe(src, height=info["height"])``.

    A frame loaded from a ``data:`` URL has an opaque origin, so its scripts cannot reach the
    app page (``st.iframe`` with an HTML string uses ``srcdoc``, which is same-origin).

    Raises:
        ValueError: when the URL would pass Chromium's limit of 2 MiB for a URL (a blank frame
            otherwise; 1,000 nodes make about 1.7 MB): lower the node cap.
    """
    src = "data:text/html;charset=utf-8;base64," + base64.b64encode(page.encode("utf-8")).decode("ascii")
    if len(src) > MAX_URL:
        raise ValueError(f"the network is too large to embed ({len(src):,} characters; browsers take "
                         f"{MAX_URL:,}): lower the node cap")
    return src
