"""Issue 10, finding 8: the query kind was read from words, so ``PREFIX SELECT: <urn:x:> ASK
{?s ?p ?o}`` gave HTTP 500 (AssertionError), a CLI traceback and an app exception. Now the kind
comes from the parsed query.
"""

from __future__ import annotations

import httpx
from issue10 import ROOT, cli_args, ickg

TRICK = "PREFIX SELECT: <urn:x:> ASK {?s ?p ?o}"
TRICK_CONSTRUCT = "PREFIX ASK: <urn:x:> PREFIX SELECT: <urn:y:> CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 2"


def test_api(fx_store):
    r = fx_store.query(TRICK)
    assert r.kind == "ask" and r.boolean is True
    assert fx_store.query(TRICK_CONSTRUCT).kind == "graph"


def test_http(served):
    r = httpx.post(served.url + "/sparql", data={"query": TRICK}, timeout=30)
    assert r.status_code == 200 and r.json()["boolean"] is True
    r = httpx.post(served.url + "/sparql", data={"query": TRICK_CONSTRUCT}, timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")


def test_cli(fx_settings, tmp_path):
    path = tmp_path / "trick.rq"
    path.write_text(TRICK, encoding="utf-8")
    r = ickg(*cli_args(fx_settings), "query", str(path), "--format", "json")
    assert r.returncode == 0, r.stderr[-800:]
    assert "true" in r.stdout.lower() and "Traceback" not in r.stderr


def test_app(fx_settings, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.syspath_prepend(str(ROOT))
    monkeypatch.setenv("ICKG_EVIDENCE", fx_settings["evidence_dir"])
    at = AppTest.from_file(str(ROOT / "app_pages" / "sparql.py"), default_timeout=180)
    at.query_params["text"] = TRICK
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [m.value for m in at.metric] == ["yes"]
