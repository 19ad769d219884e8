"""Linked data over ``ickg serve``: the graph's own IRIs dereferenced, a VoID description, YASGUI at ``/``.

* ``GET /<path>`` for ``https://w3id.org/ickg/<path>`` (``/case/pace``, ``/concept/domain/costs``,
  ``/quote/...``): the triples about the IRI and those that point to it, as Turtle, JSON-LD,
  N-Triples or an HTML page, by the Accept header (or ``?format=ttl|jsonld|nt|html``); 404 when the
  graph holds nothing about it. w3id.org redirects there once the permanent IRIs point to a server.
* ``GET /void.ttl`` (also ``/.well-known/void``): a VoID description of the dataset with its
  statistics (triples, distinct subjects, objects, properties and classes, a partition per class
  and per property), its SPARQL endpoint and its vocabulary.
* ``GET /`` from a browser: YASGUI (``@zazuko/yasgui`` from npm, vendored in ``kg/static/yasgui``
  so it works offline) on this endpoint; other clients still get the JSON index.

Every lookup is a named query with the IRI as a binding and goes through the store's checks and
limits. What this module does not do: the SPARQL protocol itself (:mod:`kg.http`).
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any, Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from kg.errors import IckgError
from kg.namespaces import BASE, FIXED_PREFIXES

STATIC = Path(__file__).resolve().parent / "static"
#: Media types a resource can be had in, by ``format=`` name.
FORMATS = {"ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples",
           "html": "text/html"}
#: First path segments of the graph's own IRIs (``https://w3id.org/ickg/<segment>/...``).
SEGMENTS = ("case", "mechanism", "statement", "source", "quote", "scheme", "concept", "factor", "assertion",
            "goal", "figure", "use", "release", "query", "design")

_DESCRIBE = """CONSTRUCT { ?iri ?p ?o . ?s ?q ?iri } WHERE { { ?iri ?p ?o } UNION { ?s ?q ?iri } }"""
_NAME_PROPS = ("http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label")


def negotiate(request: Request) -> str:
    """``ttl``, ``jsonld``, ``nt`` or ``html`` from ``?format=`` or the Accept header (Turtle by default)."""
    fmt = request.query_params.get("format")
    if fmt in FORMATS:
        return fmt
    best, best_q = "ttl", -1.0
    for part in (request.headers.get("accept") or "").split(","):
        kind, *params = [x.strip() for x in part.split(";")]
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        for name, media in FORMATS.items():
            if kind == media and q > best_q:
                best, best_q = name, q
        if kind in ("application/xhtml+xml",) and q > best_q:
            best, best_q = "html", q
    return best


def _iri_of(request: Request) -> str:
    return BASE + request.url.path.lstrip("/")


def _describe(store: Any, iri: str) -> Any:
    from kg.store import Term

    return store.query(_DESCRIBE, {"iri": Term.uri(iri)})


def resource_html(iri: str, triples: list, label_of: Callable[[str], str]) -> str:
    """A plain page of a resource's triples; the graph's own IRIs link to their local pages."""
    def show(t: Any) -> str:
        if t.type == "uri":
            href = "/" + t.value[len(BASE):] if t.value.startswith(BASE) and "#" not in t.value else t.value
            safe_href = href if href.startswith(("/", "http://", "https://")) else "#"
            return f"<a href='{escape(safe_href, quote=True)}'>{escape(label_of(t.value))}</a>"
        note = f" <small>@{escape(t.lang)}</small>" if t.lang else ""
        return escape(t.value) + note

    out_rows = [f"<tr><td>{show(p)}</td><td>{show(o)}</td></tr>" for s, p, o in triples if s.value == iri]
    in_rows = [f"<tr><td>{show(s)}</td><td>{show(p)}</td></tr>" for s, p, o in triples if o.value == iri
               and s.value != iri]
    title = label_of(iri)
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{escape(title)}</title><style>body{{font:15px/1.5 system-ui,sans-serif;max-width:60em;"
            "margin:2em auto;padding:0 1em}td{vertical-align:top;padding:.2em .6em}</style></head><body>"
            f"<h1>{escape(title)}</h1><p><code>{escape(iri)}</code> · also as "
            "<a href='?format=ttl'>Turtle</a>, <a href='?format=jsonld'>JSON-LD</a>, "
            "<a href='?format=nt'>N-Triples</a></p>"
            f"<h2>Properties</h2><table>{''.join(out_rows)}</table>"
            f"<h2>Linked from</h2><table>{''.join(in_rows) or '<tr><td>nothing</td></tr>'}</table></body></html>")


def void_turtle(store: Any, endpoint: str, release: str) -> str:
    """The VoID description of the dataset, with statistics counted by queries."""
    def one(q: str) -> int:
        r = store.query(q)
        return int(r.rows[0][0].value) if r.rows and r.rows[0][0] is not None else 0

    stats = {
        "triples": one("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
        "distinctSubjects": one("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"),
        "distinctObjects": one("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"),
        "properties": one("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"),
        "classes": one("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }"),
        "entities": one("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c }"),
    }
    classes = store.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c")
    props = store.query("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p")

    def lit(v: str) -> str:
        return json.dumps(v, ensure_ascii=False)

    ds = f"<{BASE}void#dataset>"
    lines = ["@prefix void: <http://rdfs.org/ns/void#> .", "@prefix dct: <http://purl.org/dc/terms/> .",
             "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .", "",
             f"{ds} a void:Dataset ;", f"  dct:title {lit('Integrated-care knowledge graph')} ;",
             f"  dct:hasVersion {lit(release)} ;", f"  void:sparqlEndpoint <{endpoint}> ;",
             f"  void:uriSpace {lit(BASE)} ;", f"  void:vocabulary <{FIXED_PREFIXES['ic']}> ;",
             f"  void:exampleResource <{FIXED_PREFIXES['case']}pace> ;"]
    lines += [f"  void:{k} {v} ;" for k, v in stats.items()]
    parts = []
    for i, row in enumerate(classes.rows):
        parts.append(f"  void:classPartition [ void:class <{row[0].value}> ; void:entities {int(row[1].value)} ]")
    for row in props.rows:
        parts.append(f"  void:propertyPartition [ void:property <{row[0].value}> ; void:triples {int(row[1].value)} ]")
    lines += [(" ;\n".join(parts) + " .") if parts else "  void:triples 0 ."]
    if not parts:
        lines[-2] = lines[-2].rstrip(" ;")
    return "\n".join(lines) + "\n"


def yasgui_page(endpoint: str) -> str:
    """YASGUI on the endpoint, from the vendored files (no CDN), with the project prefixes declared."""
    prefixes = "".join(f"PREFIX {p}: <{FIXED_PREFIXES[p]}>\n" for p in ("ic", "rdfs", "case"))
    query = prefixes + "SELECT ?case ?label WHERE {\n  ?case a ic:CaseStudy ; rdfs:label ?label .\n}\nLIMIT 20"
    config = json.dumps({"requestConfig": {"endpoint": endpoint, "method": "POST"},
                         "copyEndpointOnNewTab": True, "endpointCatalogueOptions": {"getData": None}})
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<title>Integrated-care knowledge graph: SPARQL</title>"
            "<link rel='stylesheet' href='/static/yasgui/yasgui.min.css'>"
            "<script src='/static/yasgui/yasgui.min.js'></script>"
            "<style>body{margin:0;font-family:system-ui,sans-serif}header{padding:.5em 1em;background:#f4f4f4}"
            "</style></head><body><header>Integrated-care knowledge graph · SPARQL endpoint "
            f"<code>{escape(endpoint)}</code> · <a href='/void.ttl'>VoID</a> · "
            "<a href='/gallery.ttl'>query gallery</a></header><div id='yasgui'></div><script>"
            f"const config = {_js(json.loads(config))}; delete config.endpointCatalogueOptions;"
            "const y = new Yasgui(document.getElementById('yasgui'), config);"
            f"if (!localStorage.getItem('ickg-yasgui-seen')) {{ y.getTab().setQuery({_js(query)});"
            " localStorage.setItem('ickg-yasgui-seen', '1'); }"
            "</script></body></html>")


def _js(value: Any) -> str:
    """A value as a JavaScript literal that is safe inside a <script> element."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def routes(store: Any, index: Callable[[Request], Awaitable[Response]]) -> list:
    """The linked-data routes, to be placed before :mod:`kg.http`'s own (``/`` answers browsers with YASGUI)."""
    cache: dict[str, str] = {}

    def endpoint_of(request: Request) -> str:
        return str(request.base_url).rstrip("/") + "/sparql"

    async def home(request: Request) -> Response:
        if "text/html" in (request.headers.get("accept") or "") and request.query_params.get("format") != "json":
            return HTMLResponse(yasgui_page(endpoint_of(request)))
        return await index(request)

    async def void(request: Request) -> Response:
        try:
            if "void" not in cache:
                cache["void"] = await run_in_threadpool(void_turtle, store, endpoint_of(request),
                                                        store.release_id or "")
        except IckgError as exc:
            return Response(f"the VoID statistics could not be counted: {exc}", 500, media_type="text/plain")
        return Response(cache["void"], media_type="text/turtle; charset=utf-8")

    async def deref(request: Request) -> Response:
        from kg import serialise

        iri = _iri_of(request)
        fmt = negotiate(request)
        try:
            result = await run_in_threadpool(_describe, store, iri)
        except IckgError as exc:
            return Response(f"could not look up {iri}: {exc}", 400, media_type="text/plain")
        if not result.triples:
            return Response(f"the graph holds nothing about {iri}", 404, media_type="text/plain")
        headers = {"Vary": "Accept", "X-ICKG-Release": store.release_id or ""}
        if fmt == "html":
            from kg.views.common import compact

            names = {t[0].value: t[2].value for t in result.triples
                     if t[1].value in _NAME_PROPS and t[2].type == "literal"}
            page = resource_html(iri, result.triples, lambda node: names.get(node) or compact(node))
            return HTMLResponse(page, headers=headers)
        text = serialise.triples_text(result.triples, fmt, store.release_id or "")
        return Response(text, media_type=f"{FORMATS[fmt]}; charset=utf-8", headers=headers)

    out = [Route("/", home), Route("/void.ttl", void), Route("/.well-known/void", void)]
    out += [Route(f"/{seg}/{{rest:path}}", deref) for seg in SEGMENTS]
    if (STATIC / "yasgui").is_dir():
        out.append(Mount("/static", StaticFiles(directory=str(STATIC)), name="static"))
    return out
