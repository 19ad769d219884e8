"""Issue 10, finding 2: about 3,000 nested braces segfaulted pyoxigraph and took `ickg serve`,
Streamlit or the CLI (exit 139) down with it. Now the depth has an explicit limit, checked by a
flat scan in the worker before any recursive parser runs, and a crash costs one worker only.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import httpx
import pytest
from issue10 import ROOT, cli_args, ickg

from kg.protocol import MAX_DEPTH
from kg.store import QueryError, QueryRefused

DEEP = "SELECT * WHERE " + "{" * 3000 + " ?s ?p ?o " + "}" * 3000
CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_api_refuses_deep_nesting_with_a_clear_message(fx_store):
    with pytest.raises(QueryRefused, match=f"more than {MAX_DEPTH} deep"):
        fx_store.query(DEEP)
    parens = "SELECT * WHERE { FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ") }"
    with pytest.raises(QueryRefused, match="deep"):
        fx_store.query(parens)
    assert fx_store.query("ASK { ?s ?p ?o }").boolean is True


def test_nesting_within_the_limit_still_runs(fx_store):
    ok = "SELECT * WHERE " + "{" * (MAX_DEPTH - 1) + " ?s ?p ?o " + "}" * (MAX_DEPTH - 1) + " LIMIT 1"
    assert len(fx_store.query(ok).rows) == 1


def test_ickg_serve_answers_400_and_lives_on(served):
    r = httpx.post(served.url + "/sparql", content=DEEP.encode(), timeout=30,
                   headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and f"more than {MAX_DEPTH} deep" in r.json()["error"]
    assert httpx.get(served.url + "/health", timeout=10).status_code == 200
    assert served.proc.poll() is None


def test_cli_exits_2_with_a_message(fx_settings, tmp_path):
    path = tmp_path / "deep.rq"
    path.write_text(DEEP, encoding="utf-8")
    r = ickg(*cli_args(fx_settings), "query", str(path))
    assert r.returncode == 2, (r.returncode, r.stderr[-500:])
    assert f"more than {MAX_DEPTH} deep" in r.stderr and "Traceback" not in r.stderr


def test_app_shows_an_error(fx_settings, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.syspath_prepend(str(ROOT))
    monkeypatch.setenv("ICKG_EVIDENCE", fx_settings["evidence_dir"])
    at = AppTest.from_file(str(ROOT / "app_pages" / "sparql.py"), default_timeout=180)
    at.query_params["text"] = DEEP
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("deep" in t.value for t in at.text)


def _busy_worker_pids(store) -> set[int]:
    idle = {w.proc.pid for w in store._pool._idle}
    kids = set()
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children") as f:
            kids |= {int(p) for p in f.read().split()}
    return {p for p in kids if p not in idle and "kg.worker" in open(f"/proc/{p}/cmdline").read()}


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs Linux /proc")
def test_a_crashing_worker_costs_only_that_worker(fx_store):
    """A worker that dies of SIGSEGV mid-query gives a clean error; the store answers the next query."""
    outcome: dict = {}

    def run() -> None:
        try:
            fx_store.query(CROSS, time_limit_ms=20_000)
        except QueryError as exc:
            outcome["error"] = exc

    t = threading.Thread(target=run)
    t.start()
    deadline = time.monotonic() + 10
    busy: set[int] = set()
    while not busy and time.monotonic() < deadline:
        time.sleep(0.2)
        busy = _busy_worker_pids(fx_store)
    assert busy, "no worker was running the query"
    for pid in busy:
        os.kill(pid, signal.SIGSEGV)
    t.join(30)
    assert "signal 11" in str(outcome.get("error")), outcome
    assert fx_store.query("ASK { ?s ?p ?o }").boolean is True
