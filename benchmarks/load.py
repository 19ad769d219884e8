"""Load test of `ickg serve`: cheap queries while slow clients push queries into the time limit.

Starts ``ickg serve`` on a free loopback port (the shipped graph, default settings unless given
with ``-s``), then runs for ``--seconds`` (default 30):

* ``--cheap`` clients (default 16), each sending a cheap query (the case-study list), one at a
  time, back to back;
* ``--slow`` clients (default 4), each sending a query that runs into the time limit (a
  four-way cross product), one at a time; each request spells it differently (a fresh
  variable name), so the server cannot know it in advance. A slow client that gets 429 or 503
  waits for ``Retry-After`` (at most 5 s), as a polite client does.

Every client has its own loopback source address (127.0.0.10 and up), so the server sees 20
clients, as it would on a network. Nothing leaves the machine: the server binds 127.0.0.1 and
every request goes to it. The run is bounded in time (``--seconds``, plus the time limit for
the last answers) and in count (``--max-requests``).

Prints, for the cheap queries: count, p50, p99 and maximum latency, 504s, 429/503s; for the slow
ones: count and status codes; and the worker isolation line of the server.

Usage::

    python benchmarks/load.py                    # 16 cheap + 4 slow clients, 30 s
    python benchmarks/load.py --seconds 10 --workers 4 -s short_query_ms=500
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent

CHEAP = """PREFIX ic: <https://w3id.org/ickg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?case ?label WHERE { ?case a ic:CaseStudy ; rdfs:label ?label } ORDER BY ?label"""

SLOW = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?{v} ?k ?l }}"


ERRORS: dict[tuple, str] = {}  # the first error body of each kind and status


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int, settings: list[str]) -> tuple[subprocess.Popen, list[str]]:
    args = [sys.executable, "-m", "kg", *[a for s in settings for a in ("-s", s)], "serve", "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines: list[str] = []

    def read() -> None:
        for line in proc.stdout:
            lines.append(line.rstrip())

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("ickg serve ended:\n" + "\n".join(lines))
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return proc, lines
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("ickg serve did not start within 300 s")


def client(url: str, source: str, kind: str, until: float, budget: list[int], out: list, lock: threading.Lock) -> None:
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(transport=transport, timeout=120) as http:
        n = 0
        while time.monotonic() < until:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            n += 1
            text = CHEAP if kind == "cheap" else SLOW.format(v=f"v{source.replace('.', '_')}_{n}")
            t0 = time.monotonic()
            try:
                r = http.post(url, data={"query": text}, headers={"Accept": "application/sparql-results+json"})
                status, retry = r.status_code, r.headers.get("retry-after")
                if status != 200:
                    with lock:
                        ERRORS.setdefault((kind, status), r.text[:300])
            except httpx.HTTPError as exc:
                status, retry = type(exc).__name__, None
            elapsed = time.monotonic() - t0
            with lock:
                out.append((kind, status, elapsed, t0))
            if kind == "slow" and status in (429, 503) and retry:
                time.sleep(min(5.0, float(retry)))


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--cheap", type=int, default=16)
    ap.add_argument("--slow", type=int, default=4)
    ap.add_argument("--workers", type=int, default=3, help="`ickg serve --workers` (default: its default, 3)")
    ap.add_argument("--max-requests", type=int, default=20_000, help="stop after this many requests in all")
    ap.add_argument("-s", "--setting", action="append", default=[], metavar="NAME=VALUE")
    args = ap.parse_args()
    if args.cheap + args.slow > 200:
        raise SystemExit("at most 200 clients")

    port = free_port()
    proc, lines = start_server(port, args.workers, args.setting)
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        out: list = []
        lock = threading.Lock()
        budget = [args.max_requests]
        start = time.monotonic()
        until = start + args.seconds
        threads = []
        for i in range(args.cheap + args.slow):
            kind = "slow" if i < args.slow else "cheap"
            source = f"127.0.0.{10 + i}"
            threads.append(threading.Thread(target=client, args=(url, source, kind, until, budget, out, lock)))
        for t in threads:
            t.start()
        for t in threads:
            t.join(args.seconds + 180)
        wall = time.monotonic() - start
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()

    cheap = [r for r in out if r[0] == "cheap"]
    slow = [r for r in out if r[0] == "slow"]
    ok = [r[2] for r in cheap if r[1] == 200]
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; server: ickg serve --workers "
          f"{args.workers} {' '.join('-s ' + s for s in args.setting)}".rstrip())
    for line in lines:
        if "query workers" in line or "time limit" in line:
            print("server:", line.strip())
    print(f"run: {args.cheap} cheap + {args.slow} slow clients for {args.seconds:g} s ({wall:.1f} s with the last answers)")
    print(f"cheap: {len(cheap)} queries, {len(ok)} answered 200, {len(cheap) / args.seconds:.1f} queries/s; "
          f"p50 {pct(ok, 50) * 1000:.0f} ms, p99 {pct(ok, 99) * 1000:.0f} ms, max {max(ok, default=0) * 1000:.0f} ms")
    windows = []
    for w0 in range(0, int(args.seconds), 10):
        part = [r[2] for r in cheap if r[1] == 200 and w0 <= r[3] - start < w0 + 10]
        windows.append(f"{w0}-{w0 + 10} s: p50 {pct(part, 50) * 1000:.0f} / p99 {pct(part, 99) * 1000:.0f} ms")
    print("cheap by start time: " + "; ".join(windows))
    codes = Counter(r[1] for r in cheap)
    print(f"cheap 504: {codes.get(504, 0)}; cheap 429/503: {codes.get(429, 0) + codes.get(503, 0)}; "
          f"other: {dict((k, v) for k, v in codes.items() if k not in (200, 504, 429, 503))}")
    scodes = Counter(r[1] for r in slow)
    print(f"slow: {len(slow)} queries; status {dict(sorted(scodes.items(), key=str))}")
    stopped = [r[2] for r in slow if r[1] == 504]
    if stopped:
        print(f"slow 504 answered after: min {min(stopped):.2f} s, median {statistics.median(stopped):.2f} s, "
              f"max {max(stopped):.2f} s (time limit plus the time to kill the worker)")
    for (kind, status), body in sorted(ERRORS.items(), key=str):
        print(f"  first {kind} {status}: {body}")


if __name__ == "__main__":
    main()
