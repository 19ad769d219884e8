"""The query engine: one interface, two backends, always read-only, time-limited and row-limited.

* :class:`EmbeddedStore` (the default) holds the graph in an in-process Oxigraph store inside a
  **worker process**. pyoxigraph cannot interrupt a running query and has no timeout, so the
  parent waits on a pipe with the time limit and kills the worker when it is exceeded, then
  starts a fresh one. A small pool of workers lets one slow query run without holding up
  the others.
* :class:`RemoteStore` speaks the SPARQL 1.1 Protocol to any endpoint (Virtuoso, Fuseki,
  GraphDB, Oxigraph server, ...). It asks for ``max_rows + 1`` rows, reads Virtuoso's
  ``X-SQL-State`` header (a timed-out Virtuoso query answers HTTP 200 with partial results)
  and its 10,000-row cap, and reports both as truncation or timeout, never as complete.

Every query first passes :func:`check_query`: it must parse as a SPARQL *query* (an update is
refused), and it may not contain SERVICE (federation to outside hosts) or LOAD. User values
reach queries only as bindings (Oxigraph ``substitutions`` / a ``VALUES`` block of properly
serialised RDF terms), never by formatting them into the text.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from kg import settings
from kg.errors import IckgError
from kg.namespaces import FIXED_PREFIXES


class Term(NamedTuple):
    """An RDF term in a result row, in the shape of SPARQL 1.1 JSON results."""

    type: str  # "uri", "literal" or "bnode"
    value: str
    datatype: str | None = None
    lang: str | None = None

    def __str__(self) -> str:
        return self.value

    def n3(self) -> str:
        """The term in N-Triples / SPARQL syntax, escaped."""
        if self.type == "uri":
            return f"<{_escape_iri(self.value)}>"
        if self.type == "bnode":
            return f"_:{self.value}"
        text = '"' + _escape_string(self.value) + '"'
        if self.lang:
            return f"{text}@{self.lang}"
        if self.datatype and self.datatype != "http://www.w3.org/2001/XMLSchema#string":
            return f"{text}^^<{_escape_iri(self.datatype)}>"
        return text

    def to_json(self) -> dict[str, str]:
        """SPARQL 1.1 JSON results form."""
        out = {"type": self.type, "value": self.value}
        if self.lang:
            out["xml:lang"] = self.lang
        elif self.datatype and self.datatype != "http://www.w3.org/2001/XMLSchema#string":  # a plain string
            out["datatype"] = self.datatype
        return out

    @classmethod
    def uri(cls, value: str) -> Term:
        """An IRI."""
        return cls("uri", value)

    @classmethod
    def literal(cls, value: object, datatype: str | None = None, lang: str | None = None) -> Term:
        """A literal (a plain string unless a datatype or language is given)."""
        if isinstance(value, bool):
            return cls("literal", str(value).lower(), "http://www.w3.org/2001/XMLSchema#boolean")
        if isinstance(value, int):
            return cls("literal", str(value), "http://www.w3.org/2001/XMLSchema#integer")
        return cls("literal", str(value), datatype, lang)


def _escape_string(s: str) -> str:
    return (s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r").replace("\t", "\\t"))


_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _escape_iri(s: str) -> str:
    if _IRI_BAD.search(s):
        raise QueryError(f"not a valid IRI: {s!r}")
    return s


@dataclass
class QueryResult:
    """The answer to one query, with honest flags."""

    kind: str  # "select", "ask" or "graph"
    columns: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)
    truncated: bool = False
    timed_out: bool = False
    elapsed_ms: float = 0.0
    note: str = ""
    max_rows: int = 0

    @property
    def status(self) -> str:
        """One line for the user: row count, timing, and what was cut."""
        n = len(self.rows) if self.kind == "select" else len(self.triples)
        unit = "row" if self.kind == "select" else "triple"
        text = f"{n} {unit}{'s' if n != 1 else ''} in {self.elapsed_ms:.0f} ms"
        if self.kind == "ask":
            text = f"{self.boolean} in {self.elapsed_ms:.0f} ms"
        if self.truncated:
            text += f"; row limit of {self.max_rows:,} reached, answer truncated"
        if self.timed_out:
            text += "; stopped at the time limit, answer incomplete"
        if self.note:
            text += f"; {self.note}"
        return text

    def dicts(self) -> list[dict[str, Term | None]]:
        """Rows as dicts keyed by column."""
        return [dict(zip(self.columns, row)) for row in self.rows]

    def values(self) -> list[dict[str, str | None]]:
        """Rows as dicts of plain strings."""
        return [{c: (None if v is None else v.value) for c, v in zip(self.columns, row)} for row in self.rows]


class QueryError(IckgError):
    """A query that cannot be run: malformed, not read-only, or failed at the engine."""


class QueryTimeout(QueryError):
    """A query stopped at the time limit."""


# ---------------------------------------------------------------------------- checking

_FORBIDDEN = ("SERVICE", "LOAD", "CLEAR", "DROP", "CREATE", "INSERT", "DELETE", "ADD", "MOVE", "COPY", "WITH")
_STRIP = re.compile(r'"""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*')


def _keywords(text: str) -> set[str]:
    """Upper-cased bare words of a query outside strings, IRIs and comments."""
    return {w.upper() for w in re.findall(r"(?<![\w:?$])[A-Za-z]+(?![\w:])", _STRIP.sub(" ", text))}


def prologue() -> str:
    """PREFIX lines for the project's fixed prefixes (queries may use them without declaring)."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in FIXED_PREFIXES.items())


@lru_cache(maxsize=512)
def check_query(text: str) -> str:
    """Check a query is a read-only SPARQL query; return its kind (select, ask, graph).

    Raises:
        QueryError: naming line and column for a syntax error, or what is not allowed.
    """
    words = _keywords(text)
    bad = sorted(w for w in _FORBIDDEN if w in words)
    if "SERVICE" in bad:
        raise QueryError("SERVICE is not allowed: queries here are read-only and never call other endpoints")
    if bad:
        raise QueryError(f"only read-only queries are allowed (SELECT, ASK, CONSTRUCT, DESCRIBE); "
                         f"found {', '.join(bad)}")
    import pyoxigraph

    try:
        # an empty store parses and plans the query without touching data
        pyoxigraph.Store().query(text, prefixes=dict(FIXED_PREFIXES), base_iri="https://w3id.org/ickg/")
    except SyntaxError as exc:
        raise QueryError(f"malformed query: {_syntax_message(exc, text)}") from None
    except OSError as exc:  # pragma: no cover - SERVICE is refused above
        raise QueryError(str(exc)) from None
    except Exception:  # evaluation errors on an empty store are not syntax errors
        pass
    head = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", _STRIP.sub(" ", text), re.I)
    if head is None:
        raise QueryError("malformed query: no SELECT, ASK, CONSTRUCT or DESCRIBE")
    form = head.group(1).upper()
    return {"SELECT": "select", "ASK": "ask"}.get(form, "graph")


def _syntax_message(exc: SyntaxError, query: str = "") -> str:
    from kg.queries import readable_syntax_error  # one readable line with line and column (issue 13)

    return readable_syntax_error(str(exc), query)


# ----------------------------------------------------------------------------- bindings

def values_block(bindings: dict[str, Term]) -> str:
    """A trailing VALUES clause from bindings; each value serialised as an escaped RDF term."""
    if not bindings:
        return ""
    names = sorted(bindings)
    for n in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n):
            raise QueryError(f"not a variable name: {n!r}")
    row = " ".join(bindings[n].n3() for n in names)
    return "\nVALUES (" + " ".join("?" + n for n in names) + ") { (" + row + ") }\n"


# -------------------------------------------------------------------------- embedded

def _to_term(t: Any) -> Term | None:
    import pyoxigraph

    if t is None:
        return None
    if isinstance(t, pyoxigraph.NamedNode):
        return Term("uri", t.value)
    if isinstance(t, pyoxigraph.BlankNode):
        return Term("bnode", t.value)
    if isinstance(t, pyoxigraph.Literal):
        dt = t.datatype.value if t.datatype is not None else None
        if t.language:
            return Term("literal", t.value, None, t.language)
        return Term("literal", t.value, dt)
    return Term("literal", str(t))


def _from_term(t: Term) -> Any:
    import pyoxigraph

    if t.type == "uri":
        return pyoxigraph.NamedNode(t.value)
    if t.type == "bnode":
        return pyoxigraph.BlankNode(t.value)
    if t.lang:
        return pyoxigraph.Literal(t.value, language=t.lang)
    if t.datatype:
        return pyoxigraph.Literal(t.value, datatype=pyoxigraph.NamedNode(t.datatype))
    return pyoxigraph.Literal(t.value)


def run_on_oxigraph(store: Any, text: str, bindings: dict[str, Term], max_rows: int) -> dict:
    """Run a checked query on a pyoxigraph store; return a plain dict (picklable)."""
    import pyoxigraph

    subs = {pyoxigraph.Variable(k): _from_term(v) for k, v in bindings.items()}
    t0 = time.perf_counter()
    res = store.query(text, prefixes=dict(FIXED_PREFIXES), base_iri="https://w3id.org/ickg/",
                      substitutions=subs or None)
    out: dict[str, Any] = {}
    if isinstance(res, pyoxigraph.QueryBoolean):
        out = {"kind": "ask", "boolean": bool(res)}
    elif isinstance(res, pyoxigraph.QuerySolutions):
        cols = [v.value for v in res.variables]
        rows = []
        for sol in res:
            if len(rows) > max_rows:
                break
            rows.append(tuple(_to_term(sol[c]) for c in cols))
        out = {"kind": "select", "columns": cols, "rows": rows[:max_rows],
               "truncated": len(rows) > max_rows}
    else:
        triples = []
        for tr in res:
            if len(triples) > max_rows:
                break
            triples.append((_to_term(tr.subject), _to_term(tr.predicate), _to_term(tr.object)))
        out = {"kind": "graph", "triples": triples[:max_rows], "truncated": len(triples) > max_rows}
    out["elapsed_ms"] = (time.perf_counter() - t0) * 1000
    return out


class _Worker:
    """One ``python -m kg.worker`` process holding the store."""

    def __init__(self, data: bytes) -> None:
        import subprocess
        import sys

        from kg import worker

        self._worker = worker
        self.proc = subprocess.Popen([sys.executable, "-m", "kg.worker"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            worker.send(self.proc.stdin, data)
            if not self.poll(120):
                raise IckgError("the query worker did not start within 120 s")
            status, _ = worker.recv(self.proc.stdout)
        except (OSError, EOFError) as exc:
            self.kill()
            raise IckgError(f"the query worker failed to start: {exc}") from None

    def poll(self, timeout: float) -> bool:
        """Whether a message is ready to read within ``timeout`` seconds."""
        import select

        ready, _, _ = select.select([self.proc.stdout], [], [], max(0.0, timeout))
        return bool(ready)

    def send(self, obj: Any) -> None:
        """Send one message."""
        self._worker.send(self.proc.stdin, obj)

    def recv(self) -> Any:
        """Receive one message."""
        return self._worker.recv(self.proc.stdout)

    def kill(self) -> None:
        """Stop the process now."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(5)
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


class EmbeddedStore:
    """The default backend: Oxigraph in a pool of killable worker processes."""

    backend = "embedded"

    def __init__(self, ntriples: bytes, release_id: str = "", workers: int = 2,
                 time_limit_ms: int | None = None, max_rows: int | None = None) -> None:
        self._data = ntriples
        self.release_id = release_id
        self.time_limit_ms = time_limit_ms or settings.get_int("query_time_limit_ms")
        self.max_rows = max_rows or settings.get_int("max_rows")
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._available = threading.Semaphore(workers)
        self._size = workers
        self.location = "embedded Oxigraph"

    def _take(self) -> _Worker:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return _Worker(self._data)

    def _give(self, w: _Worker) -> None:
        with self._lock:
            self._idle.append(w)

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            for w in self._idle:
                try:
                    w.send(None)
                except OSError:
                    pass
                w.kill()
            self._idle.clear()

    def warm(self) -> None:
        """Start one worker now, so the first query does not wait for it."""
        self._available.acquire()
        try:
            self._give(self._take())
        finally:
            self._available.release()

    def query(self, text: str, bindings: dict[str, Term] | None = None,
              max_rows: int | None = None, time_limit_ms: int | None = None) -> QueryResult:
        """Run a read-only query within the time and row limits."""
        kind = check_query(text)
        limit = max_rows if max_rows is not None else self.max_rows
        budget = (time_limit_ms if time_limit_ms is not None else self.time_limit_ms) / 1000
        t0 = time.perf_counter()
        # wait for a free worker within the same budget; a query that times out while
        # waiting is reported as a timeout and kills nothing
        if not self._available.acquire(timeout=budget):
            raise QueryTimeout(f"stopped after {budget:g} s: every query worker was busy "
                               f"(setting query_time_limit_ms)")
        try:
            worker = self._take()
            try:
                worker.send((text, dict(bindings or {}), limit))
                remaining = budget - (time.perf_counter() - t0)
                if not worker.poll(remaining):
                    worker.kill()
                    raise QueryTimeout(f"stopped after {budget:g} s: the query exceeded the time limit "
                                       f"(setting query_time_limit_ms)")
                status, payload = worker.recv()
            except (EOFError, OSError, BrokenPipeError) as exc:
                worker.kill()
                raise QueryError(f"the query worker failed: {exc}") from None
            self._give(worker)
        finally:
            self._available.release()
        if status == "error":
            raise QueryError(payload)
        payload.setdefault("truncated", False)
        result = QueryResult(max_rows=limit, **{k: v for k, v in payload.items() if k != "elapsed_ms"})
        result.elapsed_ms = (time.perf_counter() - t0) * 1000
        assert result.kind == kind or kind == "graph"
        return result


# ---------------------------------------------------------------------------- remote

_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = _XSD + "string"
_BASE_IRI = "https://w3id.org/ickg/"
_TIMEOUT_TEXT = re.compile(r"S1T00|timed? ?out|exceeds the limit of \d+ \(sec\)|estimated execution time"
                           r"|killed by SQLCancel|\bHY008\b", re.I)  # HY008/SR203: cancelled at the time limit
_SORT_CAP = re.compile(r"SR353\b.*?Only (\d+) are allowed", re.S)


def _mask(text: str) -> str:
    """The query with strings, IRIs and comments blanked out, keeping every position."""
    return _STRIP.sub(lambda m: " " * len(m.group(0)), text)


def _word(name: str) -> str:
    return rf"(?<![\w:?$]){name}(?![\w:])"


class _Shape(NamedTuple):
    """Where a query's parts are, as offsets into its text."""

    where_open: int | None  # just after the "{" that opens the outermost WHERE group
    values_at: int | None  # a trailing VALUES clause of the query itself
    limit: tuple[int, int, int] | None  # start, end and value of the number of a top-level LIMIT
    ordered: bool  # a top-level ORDER BY


def _shape(text: str) -> _Shape:
    """Find the outer WHERE group, LIMIT, ORDER BY and trailing VALUES of a checked query."""
    masked = _mask(text)
    outer, opens, depth = list(masked), [], 0
    for i, ch in enumerate(masked):
        if ch == "{":
            if depth == 0:
                opens.append(i)
            elif depth > 0:
                outer[i] = " "
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth > 0:
                outer[i] = " "
        elif depth > 0:
            outer[i] = " "
    top = "".join(outer)  # the text outside every group, braces of top-level groups kept

    def find(pattern: str) -> re.Match | None:
        return re.search(pattern, top, re.I)

    form = find(_word("(SELECT|ASK|CONSTRUCT|DESCRIBE)"))
    start = form.end() if form else 0
    where = re.compile(_word("WHERE"), re.I).search(top, start)
    after = [i for i in opens if i >= start]
    group = None
    if form and form.group(1).upper() == "CONSTRUCT":
        if where and (not after or where.start() < after[0]):
            group = None  # CONSTRUCT WHERE { triples }: the short form takes no VALUES inside
        elif where:
            group = next((i for i in after if i > where.end()), None)
        elif len(after) > 1:
            group = after[1]
    elif where:
        group = next((i for i in after if i > where.end()), None)
    elif after:
        group = after[0]
    values = re.compile(_word("VALUES"), re.I).search(top, group or start)
    limit = re.compile(_word("LIMIT") + r"\s+(\d+)", re.I).search(top, group or start)
    return _Shape(None if group is None else group + 1, values.start() if values else None,
                  (limit.start(1), limit.end(1), int(limit.group(1))) if limit else None,
                  bool(re.compile(_word("ORDER") + r"\s+" + _word("BY"), re.I).search(top, group or start)))


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
            _escape_iri(self.graph)
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
        return self._compose(text, check_query(text), bindings or {},
                             max_rows if max_rows is not None else self.max_rows)[0]

    def _compose(self, text: str, kind: str, bindings: dict[str, Term],
                 limit: int) -> tuple[str, int | None, bool]:
        """The text to send, the number of rows it asks for, and whether the sort cap lowered it."""
        shape = _shape(text)
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
              max_rows: int | None = None, time_limit_ms: int | None = None) -> QueryResult:
        """Send a read-only query over HTTP; flag truncation and server-side timeouts."""
        kind = check_query(text)
        limit = max_rows if max_rows is not None else self.max_rows
        budget = (time_limit_ms if time_limit_ms is not None else self.time_limit_ms) / 1000
        accept = {"select": "application/sparql-results+json", "ask": "application/sparql-results+json",
                  "graph": "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8"}[kind]
        t0 = time.perf_counter()
        for _attempt in range(2):
            body, requested, sort_limited = self._compose(text, kind, dict(bindings or {}), limit)
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
    text = resp.text
    if "html" in resp.headers.get("content-type", ""):
        text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:limit] + ("..." if len(text) > limit else "")


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
            out.append(tuple(_canonical(_to_term(x)) for x in (tr.subject, tr.predicate, tr.object)))
    except SyntaxError as exc:
        raise QueryError(f"the endpoint sent a graph that does not parse as {fmt}: {exc}") from None
    return out


def _parse_ntriples(text: str) -> list[tuple[Term, Term, Term]]:
    """Triples of an N-Triples text."""
    return _parse_rdf(text.encode("utf-8"), "application/n-triples")


# ------------------------------------------------------------------------------ opening

def open_store(overrides: dict[str, str] | None = None, workers: int = 2) -> EmbeddedStore | RemoteStore:
    """The configured store: the endpoint in ``sparql_endpoint`` if set, else the embedded one.

    The embedded store is built from the curated files through the full pipeline; a graph
    with errors is never loaded.
    """
    endpoint = settings.get("sparql_endpoint", overrides)
    limits = dict(time_limit_ms=settings.get_int("query_time_limit_ms", overrides),
                  max_rows=settings.get_int("max_rows", overrides))
    if endpoint:
        return RemoteStore(endpoint, **limits)
    from kg import pipeline

    outcome = pipeline.run(overrides)
    if not outcome.ok:
        lines = "\n".join(map(str, outcome.errors[:20]))
        raise IckgError(f"the curated data has errors; run `ickg validate`:\n{lines}")
    nt = outcome.built.ntriples.encode("utf-8")
    return EmbeddedStore(nt, outcome.built.release_id, workers=workers, **limits)


def result_to_json(result: QueryResult, release_id: str = "") -> dict:
    """SPARQL 1.1 JSON results, with the truncation, timeout and release flags alongside."""
    meta = {"truncated": result.truncated, "timed_out": result.timed_out,
            "elapsed_ms": round(result.elapsed_ms, 1), "release": release_id}
    if result.kind == "ask":
        return {"head": {}, "boolean": result.boolean, "ickg": meta}
    if result.kind == "graph":
        return {"triples": [[t.to_json() for t in tr] for tr in result.triples], "ickg": meta}
    return {"head": {"vars": result.columns},
            "results": {"bindings": [{c: v.to_json() for c, v in zip(result.columns, row) if v is not None}
                                     for row in result.rows]},
            "ickg": meta}


def dumps_json(result: QueryResult, release_id: str = "") -> str:
    """JSON text of :func:`result_to_json`."""
    return json.dumps(result_to_json(result, release_id), ensure_ascii=False, indent=1)
