"""Browser-test fixtures: ``streamlit run app.py`` servers and Playwright pages on Debian's Chromium.

Loaded from ``tests/conftest.py`` (``pytest_plugins``). Two servers start once per session, on
free ports of 127.0.0.1, only when a browser test asks for them:

* ``app_server``: the app on the shipped evidence (what the screenshots show);
* ``fixture_server``: the app on the fixture evidence, whose case study is labelled
  ``</script><img src=x onerror=alert(1)> & "Care" <b>Trust</b>``.

``page`` gives a fresh page that records every dialog and, through an init script in every
frame, turns ``alert``/``confirm``/``prompt`` into a flag (``window.__xss``); a test ends by
asserting that no script from the data ran (:func:`assert_no_script_ran`).

When ``app.py`` registers a page whose file does not exist yet, the server runs a temporary
router (written outside the repository) that registers the pages that do exist, with the same
url paths; a symlink keeps ``app_pages/...`` paths and ``st.page_link`` working.

Screenshots go to ``build/screenshots/`` (ignored by git), so a test run leaves the working tree
as it found it; ``ICKG_UPDATE_SCREENSHOTS=1`` writes them to ``docs/screenshots/`` instead, to
refresh the pictures the README shows (:func:`screenshot_path`).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
#: Time for the first page of a fresh server: the pipeline validates the evidence before serving.
FIRST_LOAD_MS = 180_000

_FLAG_SCRIPT = """
(() => {
  const flag = (kind) => function () { window.__xss = (window.__xss || []).concat([kind]); };
  window.alert = flag('alert'); window.confirm = flag('confirm'); window.prompt = flag('prompt');
})();
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _entry(tmp: Path) -> Path:
    """app.py, or a temporary router of the pages that exist when app.py names a missing one."""
    text = (ROOT / "app.py").read_text(encoding="utf-8")
    pages = re.findall(r'st\.Page\(\s*"([^"]+)"', text)
    missing = [p for p in pages if not (ROOT / p).exists()]
    if not missing:
        return ROOT / "app.py"
    (tmp / "app_pages").symlink_to(ROOT / "app_pages", target_is_directory=True)
    lines = [line for line in text.splitlines()
             if not any(f'"{m}"' in line for m in missing)]
    router = tmp / "app.py"
    router.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"browser tests: app.py registers missing pages {missing}; serving the others through {router}")
    return router


class Server:
    """A running ``streamlit run`` process and its base URL."""

    def __init__(self, tmp: Path, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        entry = _entry(tmp)
        cmd = [sys.executable, "-m", "streamlit", "run", str(entry), "--server.headless", "true",
               "--server.address", "127.0.0.1", "--server.port", str(self.port),
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
        self.log_path = tmp / "streamlit.log"
        self._log = open(self.log_path, "wb")
        full_env = {**os.environ, **env,
                    "PYTHONPATH": os.pathsep.join(x for x in (str(ROOT), os.environ.get("PYTHONPATH", "")) if x)}
        self.proc = subprocess.Popen(cmd, cwd=entry.parent, env=full_env, stdout=self._log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(self.base + "/_stcore/health", timeout=2) as resp:
                    if resp.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"streamlit did not start:\n{self.log_path.read_text(errors='replace')}")
            time.sleep(0.3)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """The app on the shipped evidence."""
    server = Server(tmp_path_factory.mktemp("app-server"), {})
    yield server
    server.stop()


@pytest.fixture(scope="session")
def fixture_server(tmp_path_factory):
    """The app on the fixture evidence (with the hostile label)."""
    from kg.fixtures import write_fixture

    folder = tmp_path_factory.mktemp("fixture-server")
    evidence, sources = write_fixture(folder / "data")
    server = Server(folder, {"ICKG_EVIDENCE": str(evidence), "ICKG_SOURCES": str(sources)})
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium through Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A fresh page that records dialogs and flags any alert/confirm/prompt call in any frame."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.add_init_script(_FLAG_SCRIPT)
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()


def wait_ready(pg, timeout_ms: int = FIRST_LOAD_MS) -> None:
    """Wait until Streamlit has finished running the page (no running indicator, no skeletons)."""
    pg.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    pg.wait_for_timeout(500)
    pg.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
                 && !document.querySelector('[data-testid="stSkeleton"]')
                 && document.body.innerText.includes('Data release')""", timeout=timeout_ms)
    pg.wait_for_timeout(600)


def open_view(pg, url: str, timeout_ms: int = FIRST_LOAD_MS) -> None:
    """Go to a URL of the app and wait for the page to be ready."""
    pg.goto(url, timeout=timeout_ms)
    wait_ready(pg, timeout_ms)


def assert_no_script_ran(pg) -> None:
    """No dialog opened and no frame called alert/confirm/prompt."""
    assert pg.dialogs == [], pg.dialogs
    for frame in pg.frames:
        try:
            flagged = frame.evaluate("() => window.__xss")
        except Exception:  # noqa: BLE001 - a frame with an opaque origin may refuse evaluation
            continue
        assert flagged is None, (frame.url[:80], flagged)


def screenshot_path(name: str) -> Path:
    """Where the screenshot ``name`` goes: docs/screenshots/ when ICKG_UPDATE_SCREENSHOTS=1, else build/screenshots/."""
    folder = ("docs" if os.environ.get("ICKG_UPDATE_SCREENSHOTS") == "1" else "build") + "/screenshots"
    out = ROOT / folder / f"{name}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def screenshot(pg, name: str, max_height: int = 2400) -> Path:
    """Save the whole main column (up to ``max_height`` pixels) to :func:`screenshot_path`."""
    height = pg.evaluate("""() => { const m = document.querySelector('[data-testid="stMain"]');
                                   if (m) { m.scrollTop = 0; } window.scrollTo(0, 0);
                                   return m ? m.scrollHeight : 1000 }""")
    pg.set_viewport_size({"width": 1400, "height": max(1000, min(int(height), max_height))})
    pg.wait_for_timeout(600)
    out = screenshot_path(name)
    pg.screenshot(path=str(out))
    pg.set_viewport_size({"width": 1400, "height": 1000})
    return out
