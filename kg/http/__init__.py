"""The HTTP face of the graph: a read-only SPARQL 1.1 Protocol endpoint, served by ``ickg serve``.

What it serves (a Starlette app, run by uvicorn):

* ``/sparql``: queries by GET ``?query=``, POST form ``query=`` or POST
  ``application/sparql-query``, as the SPARQL 1.1 Protocol says. The answer is negotiated from
  the Accept header or a ``format=`` parameter: SELECT and ASK as SPARQL results JSON
  (default), XML, CSV or TSV; CONSTRUCT and DESCRIBE as Turtle (default), JSON-LD, N-Triples
  or RDF/XML. A GET without a query returns the SPARQL 1.1 Service Description.
* ``/gallery.ttl`` and ``/gallery.jsonld``: the named query gallery as SHACL executables, the
  way SIB's sparql-examples publish theirs, so YASGUI-style clients can offer them.
* ``/settings.json`` (the settings table, secrets withheld) and ``/health``.

Why it is built this way: every query goes through the project's one query engine
(:mod:`kg.store`), so the endpoint has exactly the checks of the CLI and the app: read-only
(updates, SERVICE and LOAD refused), the time limit and the row limit. Those limits are never
hidden: every answer carries ``X-ICKG-Truncated``, ``X-ICKG-Timed-Out``, ``X-ICKG-Release`` and
``X-ICKG-Elapsed-Ms`` headers, and JSON answers an ``"ickg"`` object. The blocking engine call
runs in a thread pool and the embedded store keeps a pool of killable worker processes, so one
slow query does not hold up the others. Failures use one JSON envelope
``{"ok": false, "error": ..., "status": ...}`` (plain text when the client asked for CSV or
TSV): 400 for a malformed or refused query, 504 when the time limit stops it.

What it deliberately does not do: SPARQL Update or the Graph Store Protocol (the graph is
rebuilt from the curated files, never edited over HTTP); dataset parameters
(``default-graph-uri``, ``named-graph-uri``: there is one default graph, and a parameter that
cannot be honoured is refused rather than ignored); authentication, rate limiting or caching
(put a reverse proxy in front for that); HTML pages (use YASGUI or the Streamlit explorer), so
nothing is ever reflected into HTML, and XML answers escape every value. It binds 127.0.0.1
unless told otherwise.
"""

from kg.http.description import (QUERY_NS, gallery_graph, public_settings, query_body, query_form,
                                 service_description)
from kg.http.negotiation import (GRAPH_FORMATS, TABLE_FORMATS, NotRepresentable, choose_format, negotiate,
                                 nt_term, render, render_csv, render_tsv, render_xml, result_graph,
                                 serialise_graph)
from kg.http.routes import MAX_BODY, create_app
from kg.http.serving import ServerThread, base_url, bind, is_loopback, run

__all__ = ["GRAPH_FORMATS", "MAX_BODY", "QUERY_NS", "TABLE_FORMATS", "NotRepresentable", "ServerThread",
           "base_url", "bind", "choose_format", "create_app", "gallery_graph", "is_loopback", "negotiate",
           "nt_term", "public_settings", "query_body", "query_form", "render", "render_csv", "render_tsv",
           "render_xml", "result_graph", "run", "serialise_graph", "service_description"]
