"""The routes of the SPARQL endpoint, and the admission control in front of the query engine.

The server process never reads a query's text beyond taking it out of the request: the query
goes to the store, whose worker processes check and run it (:mod:`kg.store`). The answer's
format is chosen from the form the worker found.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kg import settings
from kg.errors import IckgError
from kg.http.description import gallery_graph, public_settings, service_description
from kg.http.negotiation import (_GRAPH_NAMES, _GRAPH_OFFERS, GRAPH_FORMATS, HttpError, NotRepresentable,
                                 _requested, _wants_text, choose_format, negotiate, render, serialise_graph)
from kg.queries import NamedQuery, gallery
from kg.store import QueryBusy, QueryError, QueryMemory, QueryRefused, QueryTimeout

MAX_BODY = 1_000_000  # bytes of a POSTed query; far above any real query, well below harm
_EXPOSED = ["X-ICKG-Truncated", "X-ICKG-Timed-Out", "X-ICKG-Release", "X-ICKG-Elapsed-Ms", "X-ICKG-Note"]


def _response(body: str | bytes, media_type: str, status: int = 200,
              headers: dict[str, str] | None = None) -> Response:
    if media_type.startswith("text/"):
        media_type += "; charset=utf-8"
    all_headers = {"X-Content-Type-Options": "nosniff", **(headers or {})}
    return Response(body, status_code=status, media_type=media_type, headers=all_headers)


def _error(status: int, message: str, as_text: bool = False, headers: dict[str, str] | None = None) -> Response:
    if as_text:
        return _response(f"error {status}: {message}\n", "text/plain", status, headers)
    envelope = {"ok": False, "error": message, "status": status}
    return _response(json.dumps(envelope, ensure_ascii=False), "application/json", status, headers)


def _header_text(value: str) -> str:
    return "".join(c if " " <= c <= "~" else "?" for c in value)


async def _read_body(request: Request) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise HttpError(413, f"the request body is over {MAX_BODY:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(400, "the request body is not UTF-8") from None


async def _read_request(request: Request) -> tuple[str | None, dict[str, list[str]]]:
    """The query text (None if there is none) and every parameter, per the SPARQL 1.1 Protocol."""
    params: dict[str, list[str]] = {}
    try:  # strict: invalid percent-encoded UTF-8 is refused, never turned into U+FFFD and run
        pairs = parse_qsl(request.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True,
                          encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise HttpError(400, "the URL's query string is not percent-encoded UTF-8") from None
    for key, value in pairs:
        params.setdefault(key, []).append(value)
    direct = None
    if request.method == "POST":
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "application/sparql-update":
            raise HttpError(400, "this endpoint is read-only: SPARQL Update is not accepted")
        if ctype == "application/x-www-form-urlencoded":
            try:
                form = parse_qsl(_decode(await _read_body(request)), keep_blank_values=True,
                                 encoding="utf-8", errors="strict")
            except UnicodeDecodeError:
                raise HttpError(400, "the form is not UTF-8") from None
            for key, value in form:
                params.setdefault(key, []).append(value)
        elif ctype == "application/sparql-query":
            direct = _decode(await _read_body(request))
            if "query" in params:
                raise HttpError(400, "the query was sent twice: in the body and as a query= parameter")
        else:
            raise HttpError(415, "send the query as application/x-www-form-urlencoded (query=...) or as an "
                                  "application/sparql-query body (SPARQL 1.1 Protocol)")
    if "update" in params:
        raise HttpError(400, "this endpoint is read-only: SPARQL Update (update=) is not accepted")
    for key in ("default-graph-uri", "named-graph-uri"):
        if any(v.strip() for v in params.get(key, [])):
            raise HttpError(400, f"{key} is not supported: this endpoint serves one default graph; "
                                  "leave the parameter out")
    if direct is not None:
        return direct, params
    texts = params.get("query", [])
    if len(texts) > 1:
        raise HttpError(400, "send exactly one query= parameter")
    return (texts[0] if texts else None), params


class Admission:
    """At most ``limit`` queries in progress per client address; the rest get 429 with Retry-After."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._running: dict[str, int] = {}

    def enter(self, client: str) -> bool:
        """Count a query in, or refuse it."""
        with self._lock:
            n = self._running.get(client, 0)
            if n >= self.limit:
                return False
            self._running[client] = n + 1
            return True

    def leave(self, client: str) -> None:
        """Count a query out."""
        with self._lock:
            n = self._running.get(client, 1) - 1
            if n <= 0:
                self._running.pop(client, None)
            else:
                self._running[client] = n


def create_app(store: Any, overrides: dict[str, str] | None = None,
               queries: Sequence[NamedQuery] | None = None, base_url: str | None = None) -> Starlette:
    """The ASGI app serving ``store`` (an EmbeddedStore or RemoteStore) over HTTP.

    Args:
        store: the query engine; every query goes through its ``query`` (checks and limits).
        overrides: the settings overrides in force, for ``/settings.json``.
        queries: the gallery to publish; the package's gallery when None.
        base_url: the public URL of the server; else the ``base_url`` setting, else the address
            the server listens on (set by :mod:`kg.http.serving`). Never the Host header.
    """
    cache: dict[str, Any] = {}
    admission = Admission(settings.get_int("max_client_queries", overrides))
    configured = (base_url or settings.get("base_url", overrides) or "").rstrip("/")

    def release_headers() -> dict[str, str]:
        return {"X-ICKG-Release": _header_text(store.release_id or "")}

    def triple_count() -> int | None:
        # counted once, only where it is cheap: a remote store may hold billions of triples
        if "triples" not in cache:
            cache["triples"] = None
            if getattr(store, "backend", "") == "embedded":
                try:
                    result = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
                    cache["triples"] = int(result.rows[0][0].value)
                except (IckgError, ValueError, IndexError):
                    cache.pop("triples")
        return cache.get("triples")

    def base(request: Request) -> str:
        return configured or getattr(request.app.state, "base_url", "") or "http://127.0.0.1"

    def endpoint_url(request: Request) -> str:
        return base(request) + "/sparql"

    async def sparql(request: Request) -> Response:
        accept = request.headers.get("accept")
        params: dict[str, list[str]] = {}
        try:
            text, params = await _read_request(request)
            if text is None:
                if request.method == "POST":
                    raise HttpError(400, "no query: send query=... (SPARQL 1.1 Protocol)")
                return await description(request, params, accept)
            if not text.strip():
                raise HttpError(400, "the query is empty")
            client = request.client.host if request.client else "-"
            if not admission.enter(client):
                return _error(429, f"too many queries in progress from {client} (at most {admission.limit}; "
                                   f"setting max_client_queries): wait for an answer first",
                              _wants_text(params, accept), {**release_headers(), "Retry-After": "1"})
            try:
                result = await run_in_threadpool(lambda: store.query(text, client=client))
            except QueryTimeout as exc:
                return _error(504, str(exc), _wants_text(params, accept),
                              {**release_headers(), "X-ICKG-Timed-Out": "true"})
            except QueryBusy as exc:
                return _error(503, str(exc), _wants_text(params, accept),
                              {**release_headers(), "Retry-After": str(exc.retry_after)})
            except (QueryRefused, QueryMemory) as exc:
                raise HttpError(400, str(exc)) from None
            except QueryError as exc:
                # the engine's, the worker's or the upstream's failure
                raise HttpError(502 if getattr(store, "backend", "") == "remote" else 500, str(exc)) from None
            except IckgError as exc:
                raise HttpError(503, str(exc)) from None
            finally:
                admission.leave(client)
            fmt = choose_format(result.kind, params, accept)
            try:
                body, media = render(result, fmt, store.release_id)
            except NotRepresentable as exc:
                raise HttpError(406, str(exc)) from None
        except HttpError as exc:
            return _error(exc.status, exc.message, _wants_text(params, accept), release_headers())
        headers = {**release_headers(), "X-ICKG-Truncated": str(result.truncated).lower(),
                   "X-ICKG-Timed-Out": str(result.timed_out).lower(),
                   "X-ICKG-Elapsed-Ms": f"{result.elapsed_ms:.1f}", "Vary": "Accept"}
        if result.note:
            headers["X-ICKG-Note"] = _header_text(result.note)
        return _response(body, media, headers=headers)

    async def description(request: Request, params: dict[str, list[str]], accept: str | None) -> Response:
        fmt = next((_GRAPH_NAMES[v] for v in _requested(params) if v in _GRAPH_NAMES), None)
        fmt = fmt or negotiate(accept, _GRAPH_OFFERS) or "turtle"
        triples = await run_in_threadpool(triple_count)
        g = service_description(endpoint_url(request), store.release_id, triples,
                                store.time_limit_ms, store.max_rows)
        return _response(serialise_graph(g, fmt), GRAPH_FORMATS[fmt], headers={**release_headers(), "Vary": "Accept"})

    async def gallery_route(request: Request) -> Response:
        fmt = "jsonld" if request.url.path.endswith(".jsonld") else "turtle"
        try:
            published = queries if queries is not None else await run_in_threadpool(gallery)
            g = await run_in_threadpool(gallery_graph, published, endpoint_url(request))
        except HttpError as exc:
            return _error(exc.status, exc.message)
        except IckgError as exc:
            return _error(500, f"the query gallery could not be read: {exc}")
        return _response(serialise_graph(g, fmt), GRAPH_FORMATS[fmt])

    async def settings_route(request: Request) -> Response:
        return _response(json.dumps(public_settings(overrides, store), indent=1), "application/json")

    async def health(request: Request) -> Response:
        data = {"ok": True, "release": store.release_id, "backend": store.backend,
                "location": settings.mask(store.location), "triples": await run_in_threadpool(triple_count),
                "time_limit_ms": store.time_limit_ms, "max_rows": store.max_rows}
        return _response(json.dumps(data), "application/json", headers=release_headers())

    async def index(request: Request) -> Response:
        root = base(request)
        data = {"sparql": root + "/sparql", "gallery": [root + "/gallery.ttl", root + "/gallery.jsonld"],
                "settings": root + "/settings.json", "health": root + "/health", "release": store.release_id}
        return _response(json.dumps(data, indent=1), "application/json")

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return _error(exc.status_code, exc.detail, headers=dict(exc.headers or {}))

    async def server_error(request: Request, exc: Exception) -> Response:
        return _error(500, f"internal error ({type(exc).__name__}); see the server log")

    routes = [Route("/", index), Route("/sparql", sparql, methods=["GET", "POST"], name="sparql"),
              Route("/gallery.ttl", gallery_route), Route("/gallery.jsonld", gallery_route),
              Route("/settings.json", settings_route), Route("/health", health)]
    from kg import http_ld  # linked data: IRIs dereferenced, VoID, YASGUI at / (before / here, for browsers)

    routes = http_ld.routes(store, index) + routes
    # YASGUI and other browser clients call from any origin; nothing here uses cookies
    cors = Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"], allow_headers=["*"],
                      allow_credentials=False, expose_headers=_EXPOSED, max_age=600)
    return Starlette(routes=routes, middleware=[cors],
                     exception_handlers={HTTPException: http_error, Exception: server_error})

