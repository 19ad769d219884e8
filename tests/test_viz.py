"""Network HTML: hostile labels stay data, nothing is fetched from a network, the cap is honest."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser

import networkx as nx
import pytest

from kg import export, pipeline, viz
from kg.fixtures import HOSTILE, write_fixture
from kg.service import Explorer
from kg.store import EmbeddedStore

PAYLOAD = "</script><img src=x onerror=alert(1)>"
CASE = "https://w3id.org/ickg/case/"
MECH = "https://w3id.org/ickg/mechanism/"
CDN_HOSTS = ("cdnjs", "jsdelivr", "unpkg", "googleapis", "bootstrapcdn", "cloudflare", "jquery.com")


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of every script."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def _data(page: str, name: str) -> list[dict]:
    """The JSON handed to vis.DataSet for nodes or edges."""
    m = re.search(name + r" = new vis\.DataSet\((\[.*?\])\);", page, re.S)
    assert m, name
    return json.loads(m.group(1))


def hostile_graph() -> nx.Graph:
    g = nx.Graph(release="r-test")
    g.add_node(CASE + "evil", label=PAYLOAD + " & " + HOSTILE, kind="case")
    g.add_node(MECH + "link", label='Pooled <a href="javascript:alert(2)">budget</a>', kind="mechanism")
    g.add_node(MECH + "plain", label="Capitation", kind="mechanism")
    g.add_edge(CASE + "evil", MECH + "link", source=CASE + "evil", relation="usesMechanism")
    g.add_edge(CASE + "evil", MECH + "plain", source=CASE + "evil")
    return g


def star(n: int) -> nx.Graph:
    """A hub, ``n - 1`` spokes and a chain hanging off the first spoke."""
    g = nx.Graph(release="r-star")
    g.add_node(CASE + "hub", label="Hub", kind="case")
    for i in range(1, n):
        g.add_node(MECH + f"m{i:04d}", label=f"Mechanism {i:04d}", kind="mechanism")
        g.add_edge(CASE + "hub", MECH + f"m{i:04d}")
    return g


# ----------------------------------------------------------------------- escaping

def test_hostile_label_never_appears_unescaped():
    """The payload is only ever inside the node JSON, with < > & written as \\u003c-style escapes."""
    page, _ = viz.network_html(hostile_graph())
    assert PAYLOAD not in page
    assert HOSTILE not in page
    assert "<img" not in page and "<b>Trust" not in page and '<a href="javascript' not in page
    assert "\\u003c/script\\u003e\\u003cimg src=x onerror=alert(1)\\u003e" in page
    tags = Tags(page)
    assert not [t for t, _ in tags.tags if t in ("img", "a", "b", "iframe", "object", "embed")]
    nodes = {n["id"]: n for n in _data(page, "nodes")}
    assert nodes[CASE + "evil"]["title"].startswith("Case study: " + PAYLOAD)  # the data itself is intact


def test_titles_are_text_even_with_href():
    """A title containing "href" does not switch pyvis to its innerHTML tooltip; no raw heading."""
    page, _ = viz.network_html(hostile_graph())
    assert "popup.innerHTML" not in page
    assert "<h1>" not in page


def test_every_script_is_allowed_by_hash_and_nothing_else():
    """The Content-Security-Policy lists a hash for each inline script and forbids everything else."""
    page, _ = viz.network_html(hostile_graph())
    tags = Tags(page)
    [csp] = [a["content"] for t, a in tags.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    for script in tags.scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert len(tags.scripts) == len(re.findall(r"'sha256-", csp))


# ------------------------------------------------------------------------ offline

def test_no_cdn_and_no_remote_resource():
    """The libraries are inlined; no src/href points anywhere, no CDN host is named at all."""
    page, _ = viz.network_html(hostile_graph())
    for tag, attrs in Tags(page).tags:
        for name in ("src", "href"):
            assert not re.match(r"\s*(https?:)?//", attrs.get(name) or ""), (tag, attrs)
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", page, re.I)
    for host in CDN_HOSTS:
        assert host not in page, host
    assert "vis.Network" in page and len(page) > 400_000  # vis-network itself is in the page


def test_iframe_src_is_a_self_contained_data_url():
    """The data: URL decodes to the page itself (an opaque-origin frame, no server round trip)."""
    page, _ = viz.network_html(hostile_graph())
    src = viz.iframe_src(page)
    prefix = "data:text/html;charset=utf-8;base64,"
    assert src.startswith(prefix)
    assert base64.b64decode(src[len(prefix):]).decode("utf-8") == page
    with pytest.raises(ValueError, match="lower the node cap"):
        viz.iframe_src("x" * viz.MAX_URL)


# --------------------------------------------------------------- layout and cap

def test_positions_are_computed_and_physics_is_off():
    """Every node has fixed x/y; vis-network is told not to simulate; the result is reproducible."""
    g = star(40)
    page, _ = viz.network_html(g)
    nodes = _data(page, "nodes")
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) and n["physics"] is False for n in nodes)
    assert len({(n["x"], n["y"]) for n in nodes}) == len(nodes)
    assert '"physics": {"enabled": false}' in page
    assert viz.network_html(g)[0] == page


def test_cap_keeps_the_best_connected_and_says_so():
    """412 nodes under a cap of 150: the hub stays, and the message gives both numbers."""
    g = star(412)
    page, info = viz.network_html(g, cap=150)
    assert (info["shown"], info["total"], info["capped"]) == (150, 412, True)
    assert info["message"].startswith("Showing 150 of 412 nodes")
    assert "Showing 150 of 412 nodes" in page
    nodes = _data(page, "nodes")
    assert len(nodes) == 150 and CASE + "hub" in {n["id"] for n in nodes}
    # ties broken by label: the first 149 spokes in label order
    assert sorted(n["id"] for n in nodes if n["id"] != CASE + "hub") == [MECH + f"m{i:04d}" for i in range(1, 150)]
    assert info["edges_shown"] == 149 and info["edges_total"] == 411
    _, small = viz.network_html(star(12), cap=150)
    assert (small["capped"], small["message"]) == (False, "Showing all 12 nodes.")


def test_cap_around_a_focus_keeps_the_nearest():
    """On a path a-b-c-d-e-f-g with focus d and a cap of 3, c, d and e are drawn."""
    g = nx.path_graph([CASE + x for x in "abcdefg"])
    nx.set_node_attributes(g, "case", "kind")
    g.graph["focus"] = CASE + "d"
    assert viz.select_nodes(g, 3, CASE + "d") == [CASE + "c", CASE + "d", CASE + "e"]
    _, info = viz.network_html(g, cap=3)
    assert "closest to the focus" in info["message"]


def test_legend_colours_and_labels():
    """Each kind present gets its own colour and count; nodes are coloured by kind; no bare IRIs."""
    g = hostile_graph()
    g.add_node("https://w3id.org/ickg/concept/process/financial", kind="process")
    page, info = viz.network_html(g)
    assert [(i["label"], i["count"]) for i in info["legend"]] == [
        ("Case study", 1), ("Mechanism", 2), ("Integrative process", 1)]
    assert len(set(viz.COLOURS.values())) == len(viz.COLOURS)
    nodes = {n["id"]: n for n in _data(page, "nodes")}
    assert nodes[MECH + "plain"]["color"]["background"] == viz.COLOURS["mechanism"]
    assert nodes["https://w3id.org/ickg/concept/process/financial"]["label"] == "Financial"
    assert all(n["label"] != n["id"] for n in nodes.values())
    assert "Integrative process (1)" in page
    assert info["height"] == viz.DEFAULT_HEIGHT + viz.HEADER


def test_large_graphs_use_the_numpy_only_layout():
    """From 500 nodes the layout needs no scipy, and still gives every node its own place."""
    g = star(600)
    pos = viz.layout(g)
    assert len(pos) == 600 and len(set(pos.values())) == 600


def test_neighbourhood_html_on_the_fixture(tmp_path):
    """The hostile case study's neighbourhood draws it at the centre, escaped."""
    evidence, _ = write_fixture(tmp_path)
    outcome = pipeline.run({"evidence_dir": str(evidence)})
    assert outcome.ok
    store = EmbeddedStore(export.to_ntriples(outcome.built.graph).encode(), outcome.built.release_id, workers=1)
    try:
        ex = Explorer(store, outcome.built.release_id)
        page, info = viz.neighbourhood_html(ex, "case:hostile-valley", cap=4)
        assert HOSTILE not in page and "<img" not in page
        assert info["capped"] and info["shown"] == 4 and info["release"] == outcome.built.release_id
        nodes = {n["id"]: n for n in _data(page, "nodes")}
        assert nodes[CASE + "hostile-valley"]["borderWidth"] == 3
        with pytest.raises(Exception, match="no case study"):
            viz.neighbourhood_html(ex, "case:nowhere")
    finally:
        store.close()
