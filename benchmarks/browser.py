"""Time the app as a user feels it, in a real browser: start-up, then every page's first heading.

Starts ``streamlit run app.py`` (headless, 127.0.0.1, a free port) and Debian's Chromium
through Playwright (no browser download), as ``tests/browser_fixtures.py`` does, then prints:

* **start-up**: from launching ``streamlit run`` to the first page's heading (``h1``) visible
  in the browser, the graph loaded (the build cache warm, as after any earlier command; with
  ``--cold``, the cache emptied first so the build and SHACL run);
* **each page, cold and warm**: a fresh browser tab opened on the page's URL until its first
  heading is visible. *cold* is the first visit of that page since the server started (its data
  computed then), *warm* the median of ``--runs`` later visits (what the next visitor waits for).
* **each page, in the app**: what a user who is already in the app waits for: a click on the
  page's link in the sidebar (one tab, its cache warm, the previous page showing) until the new
  page's first heading is visible; the median of ``--runs`` rounds through every page.
* **CPU**: what the server process and its query workers used (``/proc``), for the start-up and
  per warm visit (the whole page run, not only until its heading). On a shared machine the wall
  clock includes waiting for a core; the CPU time does not, so it shows what the app itself costs.

Usage::

    python benchmarks/browser.py                  # all pages, 3 warm runs each
    python benchmarks/browser.py --runs 5 --json out.json
    python benchmarks/browser.py --cold           # start-up with an empty build cache

A script that prints numbers, not a timed test; run it on a quiet machine for figures that mean
something, and read the load average it prints.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]


def pages() -> list[tuple[str, str]]:
    """(url_path, title) of every page app.py registers, in its order."""
    text = (ROOT / "app.py").read_text(encoding="utf-8")
    # the default page is served at the root: its url_path answers "Page not found"
    return [("" if "default=True" in m.group(0) else m.group(2), m.group(1))
            for m in re.finditer(r'st\.Page\([^)]*?title="([^"]+)"[^)]*?url_path="([^"]+)"[^)]*\)', text)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its descendants (the query workers).

    On a shared machine the wall clock includes waiting for a core; this does not.
    """
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        p = int(stat.parent.name)
        children.setdefault(int(fields[1]), []).append(p)
        cpu[p] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += cpu.get(p, 0.0)
        todo.extend(children.get(p, []))
    return total


def heading_time(browser, url: str, timeout_s: float) -> float:
    """Seconds from opening ``url`` in a fresh tab to its first ``h1`` being visible."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        t = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        page.locator("h1").first.wait_for(state="visible", timeout=timeout_s * 1000)
        return time.perf_counter() - t
    finally:
        context.close()


def in_app_times(browser, base: str, all_pages: list[tuple[str, str]], runs: int,
                 timeout_s: float) -> dict[str, list[float]]:
    """Seconds from a click on a page's sidebar link to that page's first ``h1`` being visible."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    out: dict[str, list[float]] = {path: [] for path, _ in all_pages}
    try:
        page.goto(f"{base}/{all_pages[0][0]}", wait_until="commit", timeout=timeout_s * 1000)
        page.locator("h1").first.wait_for(state="visible", timeout=timeout_s * 1000)
        current = all_pages[0][0]
        for _ in range(runs):
            for path, _title in all_pages:
                if path == current:
                    continue
                old = page.locator("h1").first.inner_text()
                link = page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').first
                t = time.perf_counter()
                link.click()
                page.wait_for_function(
                    "([p, old]) => location.pathname.endsWith('/' + p) && [...document.querySelectorAll('h1')]"
                    ".some(h => h.offsetParent !== null && h.innerText.trim() && h.innerText !== old)",
                    arg=[path, old], timeout=timeout_s * 1000)
                out[path].append(time.perf_counter() - t)
                current = path
    finally:
        context.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="warm visits per page (default 3)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds to wait for a heading (default 120)")
    ap.add_argument("--cold", action="store_true", help="empty the build cache first (start-up includes the build)")
    ap.add_argument("--json", help="also save the figures to this JSON file")
    args = ap.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from kg import cache

    if args.cold:
        shutil.rmtree(cache.cache_dir(), ignore_errors=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tempfile.NamedTemporaryFile(prefix="ickg-browser-bench-", suffix=".log", delete=False)
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    result: dict = {"pages": {}, "loadavg_before": os.getloadavg(), "cpus": os.cpu_count()}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            while True:  # the server answers
                try:
                    with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as resp:
                        if resp.read().strip() == b"ok":
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.perf_counter() - t0 > args.timeout:
                    raise SystemExit(f"streamlit did not start; log: {log.name}")
                time.sleep(0.05)
            result["server_up_s"] = time.perf_counter() - t0
            all_pages = pages()
            first = all_pages[0][0]
            t = time.perf_counter()
            heading_time(browser, f"{base}/{first}", args.timeout)
            result["startup_s"] = time.perf_counter() - t0
            result["first_page_s"] = time.perf_counter() - t
            result["startup_server_cpu_s"] = tree_cpu_s(proc.pid)
            print(f"start-up: `streamlit run` to the first page's heading: {result['startup_s']:.2f} s "
                  f"(server answering after {result['server_up_s']:.2f} s; the server and its workers used "
                  f"{result['startup_server_cpu_s']:.2f} s of CPU)", flush=True)
            print(f"\n| page | first visit s | warm median s (of {args.runs}) | warm runs s | server CPU per warm visit s |")
            print("|---|---:|---:|---|---:|")
            for path, title in all_pages:
                cold = heading_time(browser, f"{base}/{path}", args.timeout) if path != first else result["first_page_s"]
                c0 = tree_cpu_s(proc.pid)
                warm = [heading_time(browser, f"{base}/{path}", args.timeout) for _ in range(args.runs)]
                cpu = (tree_cpu_s(proc.pid) - c0) / len(warm)
                result["pages"][path] = {"title": title, "first_s": cold, "warm_s": statistics.median(warm),
                                         "warm_runs_s": warm, "warm_server_cpu_s": cpu}
                print(f"| {title} (`/{path}`) | {cold:.2f} | {statistics.median(warm):.2f} | "
                      f"{', '.join(f'{w:.2f}' for w in warm)} | {cpu:.2f} |", flush=True)
            nav = in_app_times(browser, base, all_pages, args.runs, args.timeout)
            print(f"\n| page | in the app: click to heading, median s (of {args.runs}) | runs s |")
            print("|---|---:|---|")
            for path, title in all_pages:
                if nav[path]:
                    result["pages"][path]["in_app_s"] = statistics.median(nav[path])
                    result["pages"][path]["in_app_runs_s"] = nav[path]
                    print(f"| {title} (`/{path}`) | {statistics.median(nav[path]):.2f} | "
                          f"{', '.join(f'{w:.2f}' for w in nav[path])} |", flush=True)
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
            browser.close()
    result["loadavg_after"] = os.getloadavg()
    warm = {k: v["warm_s"] for k, v in result["pages"].items()}
    worst = max(warm, key=warm.get)
    print(f"\nTargets: start-up under 5 s: {'PASS' if result['startup_s'] < 5 else 'MISS'} "
          f"({result['startup_s']:.2f} s); every page's first heading under 1 s warm: "
          f"{'PASS' if warm[worst] < 1 else 'MISS'} (slowest {worst} {warm[worst]:.2f} s)")
    nav = {k: v["in_app_s"] for k, v in result["pages"].items() if "in_app_s" in v}
    if nav:
        slow = max(nav, key=nav.get)
        print(f"In the app (a click in the sidebar): every page's heading under 1 s: "
              f"{'PASS' if nav[slow] < 1 else 'MISS'} (slowest {slow} {nav[slow]:.2f} s)")
    print(f"Load average before/after: {result['loadavg_before'][0]:.1f} / {result['loadavg_after'][0]:.1f} "
          f"on {os.cpu_count()} CPUs; server log {log.name}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
