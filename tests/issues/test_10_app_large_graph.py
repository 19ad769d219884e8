"""Issue 10, finding 7: the app's SPARQL page crashed on a CONSTRUCT or DESCRIBE of 10,000 triples
(uncaught ``ValueError: network is too large to embed`` from ``viz.iframe_src``). Now it says the
result is too large to draw and keeps the triples table and downloads.
"""

from __future__ import annotations

from issue10 import ROOT
from streamlit.testing.v1 import AppTest

BIG = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 10000"
BIG_DESCRIBE = "DESCRIBE ?s WHERE { ?s ?p ?o } LIMIT 3000"


def _run(text: str, monkeypatch) -> AppTest:
    monkeypatch.syspath_prepend(str(ROOT))
    at = AppTest.from_file(str(ROOT / "app_pages" / "sparql.py"), default_timeout=300)
    at.query_params["text"] = text
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_construct_of_ten_thousand_triples(monkeypatch):
    """On the shipped graph: no exception; a graph or the message that it is too large to draw."""
    at = _run(BIG, monkeypatch)
    assert any("triples in" in c.value for c in list(at.caption) + list(at.warning))


def test_over_the_url_limit_is_a_message(monkeypatch):
    """When the drawing is over the browser's URL limit, the page says so instead of failing."""
    from kg import viz

    monkeypatch.setattr(viz, "MAX_URL", 1000)
    at = _run(BIG_DESCRIBE, monkeypatch)
    assert any("too large to draw" in i.value for i in at.info), [i.value for i in at.info]
