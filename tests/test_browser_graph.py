"""The graph page in a real browser: the network is drawn in its frame, offline, and data stays data.

Starts ``streamlit run`` on 127.0.0.1 and drives Debian's Chromium with Playwright. When
``app.py`` cannot start yet because a page it registers does not exist, a one-page router is
written to a temporary folder (never into the repository) and the graph page is served alone;
the test prints which one it used.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import networkx as nx
import pytest

from browser_fixtures import screenshot_path
from kg import viz
from kg.fixtures import HOSTILE, write_fixture

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
FRAME = 'iframe[src^="data:text/html"]'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _script(tmp: Path) -> Path:
    """app.py when every page it registers exists, else a temporary router for the graph page."""
    pages = re.findall(r'st\.Page\(\s*"([^"]+)"', (ROOT / "app.py").read_text(encoding="utf-8"))
    missing = [p for p in pages if not (ROOT / p).exists()]
    if not missing:
        print("serving app.py")
        return ROOT / "app.py"
    print(f"serving the graph page through a temporary router (app.py registers missing pages: {missing})")
    router = tmp / "router.py"
    # the default page is served at "/", so the graph page must not be it to keep its url path
    router.write_text("import streamlit as st\n"
                      "st.set_page_config(page_title='Graph', layout='wide')\n"
                      "st.navigation([st.Page(lambda: st.write('home'), title='Home', url_path='home', default=True),\n"
                      f"               st.Page({str(ROOT / 'app_pages' / 'graph.py')!r}, title='Graph', "
                      "url_path='graph')]).run()\n", encoding="utf-8")
    return router


@contextmanager
def _server(tmp: Path, env: dict[str, str]):
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(_script(tmp)), "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    full_env = {**os.environ, **env, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    log = open(tmp / "streamlit.log", "wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as resp:
                    if resp.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("streamlit did not start:\n" + (tmp / "streamlit.log").read_text(errors="replace"))
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(chromium):
    """The session's Chromium (tests/browser_fixtures.py): one Playwright instance per process."""
    return chromium


@pytest.fixture(scope="module")
def fixture_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser-fixture")
    evidence, sources = write_fixture(tmp)
    with _server(tmp, {"ICKG_EVIDENCE": str(evidence), "ICKG_SOURCES": str(sources)}) as base:
        yield base


@pytest.fixture(scope="module")
def shipped_server(tmp_path_factory):
    with _server(tmp_path_factory.mktemp("browser-shipped"), {}) as base:
        yield base


def _graph_frame(page):
    """Wait until the network in the page's frame has drawn; return the frame."""
    page.wait_for_selector(FRAME, state="attached", timeout=180_000)
    page.frame_locator(FRAME).locator("body[data-drawn]").wait_for(state="attached", timeout=60_000)
    [frame] = [f for f in page.frames if f.url.startswith("data:text/html")]
    return frame


def _canvas_size(frame) -> tuple[int, int]:
    return tuple(frame.evaluate("() => { const c = document.querySelector('#mynetwork canvas');"
                                " return c ? [c.width, c.height] : [0, 0]; }"))


def test_hostile_label_is_drawn_as_text(browser, fixture_server):
    """The hostile case study's neighbourhood draws; its label shows as text; no script of the data runs."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    dialogs, console = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: console.append(m.text))
    page.goto(fixture_server + "/graph?view=neighbourhood&case=hostile-valley", wait_until="domcontentloaded")
    frame = _graph_frame(page)
    width, height = _canvas_size(frame)
    assert width > 300 and height > 300

    # hover the case study: vis-network shows its title as text in the tooltip
    x, y = frame.evaluate("""() => { const id = 'https://w3id.org/ickg/case/hostile-valley';
        const p = network.canvasToDOM(network.getPositions([id])[id]); return [p.x, p.y]; }""")
    page.locator(FRAME).scroll_into_view_if_needed()
    box = page.locator(FRAME).bounding_box()
    canvas_top = frame.evaluate("() => document.querySelector('#mynetwork').getBoundingClientRect().top")
    page.mouse.move(box["x"] + x - 30, box["y"] + canvas_top + y - 30)
    page.mouse.move(box["x"] + x, box["y"] + canvas_top + y, steps=5)
    frame.wait_for_selector(".vis-tooltip", state="visible", timeout=10_000)
    assert HOSTILE in frame.inner_text(".vis-tooltip")
    page.wait_for_timeout(500)

    assert page.get_by_text("Page not found").count() == 0
    assert dialogs == []
    assert frame.locator("img").count() == 0 and page.locator('img[src="x"]').count() == 0
    assert not [m for m in console if "Content Security Policy" in m], console
    page.close()


def test_shipped_graph_offline_with_screenshot(browser, shipped_server):
    """The default view of the shipped graph draws in its frame, and the frame fetches nothing."""
    page = browser.new_page(viewport={"width": 1440, "height": 1150})
    outside = []  # (url, the frame that asked)
    page.on("request", lambda r: None if r.url.startswith((shipped_server, "data:")) else outside.append((r.url, r.frame.url)))
    page.goto(shipped_server + "/graph", wait_until="domcontentloaded")
    frame = _graph_frame(page)
    width, height = _canvas_size(frame)
    assert width > 600 and height > 400
    assert "Case study (" in frame.inner_text("#ickg-legend")
    page.wait_for_timeout(1500)  # let the tables below settle before the picture
    page.screenshot(path=str(screenshot_path("graph")))
    # Streamlit itself may fetch a Material icon for a page_icon from Google Fonts; the graph's frame
    # must fetch nothing at all
    assert [u for u, f in outside if f.startswith("data:")] == []
    if outside:
        print("requests outside the app, not from the graph:", sorted({u for u, _ in outside}))
    page.close()


def test_a_thousand_nodes_draw_quickly(browser):
    """1,000 nodes with physics off draw in a few seconds at most (with physics on: 53 s)."""
    rnd = __import__("random").Random(3)
    g = nx.Graph()
    kinds = ["case", "mechanism", "process", "statement", "domain", "concept"]
    for i in range(1000):
        g.add_node(f"https://w3id.org/ickg/case/n{i}", label=f"Node {i}", kind=kinds[i % 6])
    nodes = list(g)
    for i in range(1, 1000):
        g.add_edge(nodes[i], nodes[rnd.randrange(i)])
        g.add_edge(nodes[i], nodes[rnd.randrange(i)])
    page_html, info = viz.network_html(g, cap=None)
    assert info["shown"] == 1000
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    started = time.perf_counter()
    page.set_content(page_html, wait_until="commit")
    page.wait_for_selector("body[data-drawn]", state="attached", timeout=60_000)
    wall = time.perf_counter() - started
    drawn_ms = int(page.get_attribute("body", "data-drawn"))
    print(f"1,000 nodes, physics off: drawn {drawn_ms} ms after the page started; {wall:.2f} s wall")
    assert drawn_ms < 10_000
    page.close()
