"""The remote backend: any SPARQL 1.1 Protocol endpoint, with the embedded backend's answers and checks.

Queries are checked before they are sent, by a query worker that holds no data
(:func:`kg.store.checker`): the same grammar check as the embedded store (no update, no SERVICE,
the depth limit), so a remote endpoint that supports federation is never asked to call out.
The text sent is the checked, normalised text, with the prologue, bindings and row limit
added at the offsets the worker found (:func:`kg.querycheck.shape`).
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from kg import settings
from kg.protocol import BASE_IRI, QueryError, QueryTimeout, Term, escape_iri, to_term
from kg.querycheck import Shape
from kg.store import QueryResult, checker, prologue, values_block

_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = _XSD + "string"
_BASE_IRI = BASE_IRI
_TIMEOUT_TEXT = re.compile(r"S1T00|timed? ?out|exceeds the limit of \d+ \(sec\)|estimated execution time"
                           r"|killed by SQLCancel|\bHY008\b", re.I)  # HY008/SR203: cancelled at the time limit
_SORT_CAP = re.compile(r"SR353\b.*?Only (\d+) are allowed", re.S)


class RemoteStore:
    """Any SPARQL 1.1 Protocol endpoint, giving the same answers as :class:`EmbeddedStore`.

    * The query gets the project's prologue (``BASE`` and the fixed prefixes) in front, as the
      embedded engine has them built in.
    * Bindings go into a ``VALUES`` block at the start of the outermost WHERE group: that binds
      them before evaluation, as Oxigraph's substitutions do, and works for every query form
      (Virtuoso refuses a trailing VALUES on ASK and CONSTRUCT). A query whose WHERE group
      cannot take it (``CONSTRUCT WHERE {...}``) gets a trailing block.
    * A SELECT asks for ``max_rows + 1`` rows (an own larger LIMIT is lowered to that), so a
      longer answer is flagged as truncated. Virtuoso also caps answers at ``ResultSetMaxRows``
      (10,000 by default; header ``X-SPARQL-MaxRows``), refuses to sort more than 10,000 rows
      (error SR353: the query is sent again with the LIMIT it allows) and cuts CONSTRUCT answers
      at its cap without any sign (found out with a probe); each is reported as truncation.
    * The ``timeout`` parameter carries the time limit (milliseconds for Virtuoso, seconds for
      other stores once the ``Server`` header shows it is not Virtuoso). A Virtuoso query that
      runs out of time answers HTTP 200 with partial results and ``X-SQL-State: S1TAT``: it is
      reported as ``timed_out`` with a note, never as complete (an ASK that found nothing in
      time raises :class:`QueryTimeout`).
      time raises :class:`QueryTimeout`).
    * ``graph`` (or ``default-graph-uri=`` in the endpoint URL) is sent as the protocol's
      ``default-graph-uri``, so queries see exactly the loaded graph: Virtuoso's own default
      graph is the union of all its graphs, system graphs included.
    * Literals come back in the embedded backend's shape: ``typed-literal`` is a literal, a plain
      literal has datatype ``xsd:string``, language tags are lower case, and Virtuoso's
      ``"1"``/``"0"`` booleans are ``"true"``/``"false"``.
    * Credentials (``ICKG_STORE_USER``, ``ICKG_STORE_PASSWORD``) are sent only when the server
      asks, as Digest or Basic, so a protected endpoint such as Virtuoso's ``/sparql-auth`` works.
    """

    backend = "remote"
    VIRTUOSO_CAP = 10_000

    def __init__(self, endpoint: str, time_limit_ms: int | None = None, max_rows: int | None = None,
                 release_id: str = "", graph: str | None = None) -> None:
        import httpx

        from kg.triplestore import credentials, strip_userinfo

        url = httpx.URL(endpoint)
        from_url = url.params.get("default-graph-uri")
        if from_url is not None:
            url = url.copy_remove_param("default-graph-uri")
        self._creds = credentials(endpoint)
        self.endpoint = strip_userinfo(str(url))
        self.graph = graph or from_url or None
        if self.graph is not None:
            escape_iri(self.graph)
        self.location = self.endpoint + (f" (graph <{self.graph}>)" if self.graph else "")
        self.release_id = release_id
        self.time_limit_ms = time_limit_ms or settings.get_int("query_time_limit_ms")
        self.max_rows = max_rows or settings.get_int("max_rows")
        self._client: Any = None
        self._lock = threading.Lock()
        self._virtuoso: bool | None = None  # from the Server header of the first answer
        self._cap: int | None = None  # the server's row cap, once seen
        self._cap_floor = 0  # the server's row cap is known to be above this
        self._sort_cap: int | None = None  # Virtuoso's largest sorted LIMIT, once seen

    def close(self) -> None:
        """Close the HTTP connections."""
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def warm(self) -> None:
        """Nothing to start."""

    def _http(self) -> Any:
        import httpx

        with self._lock:
            if self._client is None:
                from kg.triplestore import challenge_auth

                auth = challenge_auth(*self._creds) if self._creds else None
                self._client = httpx.Client(auth=auth, follow_redirects=True)
            return self._client

    def _redact(self, text: str) -> str:
        return text.replace(self._creds[1], "***") if self._creds and self._creds[1] else text

    # ---------------------------------------------------------------- the request

    def remote_text(self, text: str, bindings: dict[str, Term] | None = None,
                    max_rows: int | None = None) -> str:
        """The query text as sent: prologue, bindings and row limit added."""
        checked = checker().check(text, self.time_limit_ms)
        return self._compose(checked, bindings or {}, max_rows if max_rows is not None else self.max_rows)[0]

    def _compose(self, checked: dict, bindings: dict[str, Term],
                 limit: int) -> tuple[str, int | None, bool]:
        """The text to send, the number of rows it asks for, and whether the sort cap lowered it."""
        text, kind, shape = checked["text"], checked["kind"], Shape(*checked["shape"])
        edits: list[tuple[int, int, str]] = []
        if bindings:
            block = values_block(bindings).strip()
            if shape.where_open is not None:
                edits.append((shape.where_open, shape.where_open, f" {block}\n"))
            elif shape.values_at is not None:
                raise QueryError("cannot bind parameters to a query that ends with its own VALUES clause "
                                 "and has no WHERE group to take them")
            else:
                edits.append((len(text), len(text), f"\n{block}\n"))
        requested, sort_limited = None, False
        if kind == "select":
            want = limit + 1
            if shape.ordered and self._sort_cap and self._sort_cap < want:
                want = self._sort_cap
                sort_limited = shape.limit is None or shape.limit[2] > want
            if shape.limit is not None:
                start, end, own = shape.limit
                requested = min(own, want)
                if own > want:
                    edits.append((start, end, str(want)))
            else:
                at = shape.values_at if shape.values_at is not None else len(text)
                edits.append((at, at, f"\nLIMIT {want}\n"))
                requested = want
        for start, end, new in sorted(edits, reverse=True):
            text = text[:start] + new + text[end:]
        return f"BASE <{_BASE_IRI}>\n" + prologue() + text, requested, sort_limited

    def _timeout_param(self, budget_s: float) -> str:
        if self._virtuoso is False:
            return str(max(1, int(-(-budget_s // 1))))  # whole seconds (Fuseki, GraphDB)
        return str(max(1, int(budget_s * 1000)))  # milliseconds (Virtuoso)

    def _post(self, data: dict[str, str], accept: str, wait_s: float) -> Any:
        import httpx

        if self.graph:
            data["default-graph-uri"] = self.graph
        try:
            resp = self._http().post(self.endpoint, data=data, headers={"Accept": accept},
                                     timeout=httpx.Timeout(wait_s, connect=min(10.0, wait_s)))
        except httpx.TimeoutException:
            raise QueryTimeout(f"stopped after {wait_s:g} s: {self.endpoint} did not answer in time") from None
        except httpx.HTTPError as exc:
            raise QueryError(self._redact(f"the SPARQL endpoint {self.endpoint} could not be reached: "
                                          f"{type(exc).__name__}: {exc}")) from None
        server = resp.headers.get("server", "")
        if server:
            self._virtuoso = "virtuoso" in server.lower()
        cap = resp.headers.get("x-sparql-maxrows", "")
        if cap.isdigit():
            self._cap = int(cap)
        return resp

    def query(self, text: str, bindings: dict[str, Term] | None = None,
              max_rows: int | None = None, time_limit_ms: int | None = None,
              client: str | None = None) -> QueryResult:
        """Send a read-only query over HTTP; flag truncation and server-side timeouts."""
        checked = checker().check(text, time_limit_ms or self.time_limit_ms)
        kind = checked["kind"]
        limit = max_rows if max_rows is not None else self.max_rows
        budget = (time_limit_ms if time_limit_ms is not None else self.time_limit_ms) / 1000
        accept = {"select": "application/sparql-results+json", "ask": "application/sparql-results+json",
                  "graph": "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8"}[kind]
        t0 = time.perf_counter()
        for _attempt in range(2):
            body, requested, sort_limited = self._compose(checked, dict(bindings or {}), limit)
            # Virtuoso may overrun its own time limit before it sends the partial answer
            resp = self._post({"query": body, "timeout": self._timeout_param(budget)}, accept, budget * 2 + 5)
            if resp.status_code < 400:
                break
            message = _error_text(resp)
            sort_cap = _SORT_CAP.search(message)
            if sort_cap and kind == "select" and self._sort_cap is None:
                self._sort_cap = int(sort_cap.group(1))  # and ask again within it
                continue
            if _TIMEOUT_TEXT.search(message):
                raise QueryTimeout(self._redact(f"the endpoint {self.endpoint} stopped the query at its time "
                                                f"limit (HTTP {resp.status_code}): {message}"))
            raise QueryError(self._redact(f"the endpoint {self.endpoint} answered HTTP {resp.status_code}: {message}"))
        elapsed = (time.perf_counter() - t0) * 1000
        state = resp.headers.get("x-sql-state", "").upper()
        timed_out = state in {"S1TAT", "S1T00"}
        result = QueryResult(kind=kind, elapsed_ms=elapsed, timed_out=timed_out, max_rows=limit)
        notes = []
        if timed_out:
            notes.append(f"the endpoint stopped the query at its time limit and sent partial results "
                         f"(X-SQL-State {state})")
        if kind == "graph":
            result.triples = _parse_rdf(resp.content, resp.headers.get("content-type", ""))
            if len(result.triples) > limit:
                result.triples, result.truncated = result.triples[:limit], True
            elif self._virtuoso and result.triples:
                cap = self._construct_cap(len(result.triples))
                if cap is not None and len(result.triples) >= cap:
                    result.truncated, result.max_rows = True, min(limit, cap)
                    notes.append(f"the endpoint cuts graph answers at {cap:,} triples without saying so; "
                                 f"this one may be incomplete")
        elif kind == "ask":
            data = _json_body(resp, self.endpoint)
            result.boolean = bool(data.get("boolean"))
            if timed_out and not result.boolean:
                raise QueryTimeout(f"the endpoint {self.endpoint} stopped the ASK query at its time limit "
                                   f"before finding an answer")
        else:
            data = _json_body(resp, self.endpoint)
            try:
                cols = list(data["head"]["vars"])
                rows = [tuple(_json_term(b.get(c)) for c in cols) for b in data["results"]["bindings"]]
            except (KeyError, TypeError, AttributeError):
                raise QueryError(f"the endpoint {self.endpoint} sent JSON that is not a SPARQL result") from None
            result.columns = cols
            cap = self._cap if resp.headers.get("x-sparql-maxrows") or self._virtuoso else None
            if len(rows) > limit:
                rows, result.truncated = rows[:limit], True
            elif cap is not None and len(rows) >= cap and (requested is None or requested > cap):
                result.truncated, result.max_rows = True, cap
                notes.append(f"the endpoint capped its answer at {cap:,} rows (its ResultSetMaxRows)")
            elif sort_limited and requested is not None and len(rows) >= requested:
                result.truncated, result.max_rows = True, requested
                notes.append(f"the endpoint sorts at most {requested:,} rows; there may be more")
            elif cap is None and self._virtuoso and len(rows) == self.VIRTUOSO_CAP:
                result.truncated, result.max_rows = True, self.VIRTUOSO_CAP
                notes.append(f"the endpoint capped its answer at {self.VIRTUOSO_CAP:,} rows")
            result.rows = rows
        result.note = "; ".join(notes)
        return result

    def _construct_cap(self, n: int) -> int | None:
        """Virtuoso's row cap if it is at most ``n`` (None when it is larger or unknown).

        Virtuoso cuts CONSTRUCT and DESCRIBE answers at ``ResultSetMaxRows`` with no header, so
        the cap is learnt from a SELECT of ``n + 1`` generated rows (no data read, CSV answer).
        """
        if self._cap is not None or n <= self._cap_floor:
            return self._cap
        blocks = " ".join(f"VALUES ?v{i} {{ 0 1 2 3 4 5 6 7 8 9 }}" for i in range(len(str(n + 1))))
        try:
            resp = self._post({"query": f"SELECT ?v0 WHERE {{ {blocks} }} LIMIT {n + 1}"}, "text/csv", 30)
        except QueryError:
            return None
        if resp.status_code < 400 and self._cap is None:
            self._cap_floor = max(self._cap_floor, n)
        return self._cap


def _error_text(resp: Any, limit: int = 500) -> str:
    text = resp.text[:100_000]
    if "html" in resp.headers.get("content-type", ""):
        text = _strip_tags(text)
    text = " ".join(text.split())
    return text[:limit] + ("..." if len(text) > limit else "")


def _strip_tags(text: str) -> str:
    """Markup removed by one linear scan (a tag regex backtracks on text full of '<')."""
    out, i = [], 0
    while True:
        j = text.find("<", i)
        if j < 0:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:j] + " ")
        k = text.find(">", j)
        if k < 0:
            return "".join(out)
        i = k + 1


def _json_body(resp: Any, endpoint: str) -> dict:
    try:
        data = resp.json()
    except ValueError:
        raise QueryError(f"the endpoint {endpoint} did not answer with SPARQL JSON results "
                         f"({resp.headers.get('content-type', 'no content type')}): {_error_text(resp, 200)}") from None
    if not isinstance(data, dict):
        raise QueryError(f"the endpoint {endpoint} sent JSON that is not a SPARQL result")
    return data


def _canonical(term: Term) -> Term:
    """Undo Virtuoso's storage forms: booleans come back as "1" and "0"."""
    if term.type == "literal" and term.datatype == _XSD + "boolean" and term.value in ("1", "0"):
        return term._replace(value="true" if term.value == "1" else "false")
    return term


def _json_term(b: dict | None) -> Term | None:
    """A term of SPARQL 1.1 JSON results in the embedded backend's shape."""
    if b is None:
        return None
    kind, value = b.get("type"), b.get("value", "")
    if kind in ("literal", "typed-literal"):
        lang = b.get("xml:lang") or b.get("lang")
        if lang:
            return Term("literal", value, None, lang.lower())
        return _canonical(Term("literal", value, b.get("datatype") or _XSD_STRING))
    if kind == "bnode":
        return Term("bnode", value[2:] if value.startswith("_:") else value)
    return Term("uri", value)


def _parse_rdf(data: bytes, content_type: str = "") -> list[tuple[Term, Term, Term]]:
    """Triples of a CONSTRUCT or DESCRIBE answer (N-Triples, Turtle or RDF/XML)."""
    import pyoxigraph

    media = content_type.split(";")[0].strip().lower()
    fmt = pyoxigraph.RdfFormat.N_TRIPLES
    if media and media != "text/plain":
        fmt = pyoxigraph.RdfFormat.from_media_type(media) or fmt
    out = []
    try:
        for tr in pyoxigraph.parse(data, fmt):
            out.append(tuple(_canonical(to_term(x)) for x in (tr.subject, tr.predicate, tr.object)))
    except SyntaxError as exc:
        raise QueryError(f"the endpoint sent a graph that does not parse as {fmt}: {exc}") from None
    return out


def _parse_ntriples(text: str) -> list[tuple[Term, Term, Term]]:
    """Triples of an N-Triples text."""
    return _parse_rdf(text.encode("utf-8"), "application/n-triples")


