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
reach queries only as bindings (Oxigraph ``substitutions`` / a trailing ``VALUES`` block of
properly serialised RDF terms), never by formatting them into the text.
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
        elif self.datatype:
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
        raise QueryError(f"malformed query: {_syntax_message(exc)}") from None
    except OSError as exc:  # pragma: no cover - SERVICE is refused above
        raise QueryError(str(exc)) from None
    except Exception:  # evaluation errors on an empty store are not syntax errors
        pass
    head = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", _STRIP.sub(" ", text), re.I)
    if head is None:
        raise QueryError("malformed query: no SELECT, ASK, CONSTRUCT or DESCRIBE")
    form = head.group(1).upper()
    return {"SELECT": "select", "ASK": "ask"}.get(form, "graph")


def _syntax_message(exc: SyntaxError) -> str:
    text = str(exc)
    m = re.match(r"error at (\d+):(\d+): (.*)", text, re.S)
    if m:
        return f"line {m.group(1)}, column {m.group(2)}: {m.group(3).strip()}"
    return text


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
        self._available.acquire()
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

class RemoteStore:
    """Any SPARQL 1.1 Protocol endpoint."""

    backend = "remote"
    VIRTUOSO_CAP = 10_000

    def __init__(self, endpoint: str, time_limit_ms: int | None = None, max_rows: int | None = None,
                 release_id: str = "") -> None:
        self.endpoint = endpoint
        self.location = endpoint
        self.release_id = release_id
        self.time_limit_ms = time_limit_ms or settings.get_int("query_time_limit_ms")
        self.max_rows = max_rows or settings.get_int("max_rows")

    def close(self) -> None:
        """Nothing to release."""

    def warm(self) -> None:
        """Nothing to start."""

    def query(self, text: str, bindings: dict[str, Term] | None = None,
              max_rows: int | None = None, time_limit_ms: int | None = None) -> QueryResult:
        """Send a read-only query over HTTP; flag truncation and server-side timeouts."""
        import httpx

        kind = check_query(text)
        limit = max_rows if max_rows is not None else self.max_rows
        budget = (time_limit_ms if time_limit_ms is not None else self.time_limit_ms) / 1000
        body = prologue() + text
        if kind == "select" and not re.search(r"\bLIMIT\s+\d+\s*(OFFSET\s+\d+\s*)?$", _STRIP.sub(" ", text).strip(), re.I):
            body = body.rstrip() + f"\nLIMIT {limit + 1}\n"
        body += values_block(bindings or {})
        accept = {"select": "application/sparql-results+json", "ask": "application/sparql-results+json",
                  "graph": "application/n-triples"}[kind]
        t0 = time.perf_counter()
        try:
            resp = httpx.post(self.endpoint, data={"query": body, "timeout": str(int(budget * 1000))},
                              headers={"Accept": accept}, timeout=budget + 2)
        except httpx.TimeoutException:
            raise QueryTimeout(f"stopped after {budget:g} s: the endpoint did not answer in time") from None
        except httpx.HTTPError as exc:
            raise QueryError(f"the SPARQL endpoint {self.endpoint} could not be reached: {exc}") from None
        elapsed = (time.perf_counter() - t0) * 1000
        if resp.status_code >= 400:
            raise QueryError(f"the endpoint answered HTTP {resp.status_code}: {resp.text[:500]}")
        timed_out = resp.headers.get("X-SQL-State", "").upper() in {"S1TAT", "S1T00"}
        result = QueryResult(kind=kind, elapsed_ms=elapsed, timed_out=timed_out, max_rows=limit)
        if kind == "graph":
            result.triples = _parse_ntriples(resp.text)
            if len(result.triples) > limit:
                result.triples, result.truncated = result.triples[:limit], True
            return result
        data = resp.json()
        if kind == "ask":
            result.boolean = bool(data.get("boolean"))
            return result
        cols = data["head"]["vars"]
        rows = []
        for b in data["results"]["bindings"]:
            rows.append(tuple(_json_term(b.get(c)) for c in cols))
        result.columns = cols
        if len(rows) > limit:
            rows, result.truncated = rows[:limit], True
        elif len(rows) == self.VIRTUOSO_CAP and limit >= self.VIRTUOSO_CAP:
            result.truncated = True
            result.note = f"the endpoint capped its answer at {self.VIRTUOSO_CAP:,} rows"
        result.rows = rows
        if timed_out:
            result.note = "the endpoint stopped the query at its time limit and sent partial results"
        return result


def _json_term(b: dict | None) -> Term | None:
    if b is None:
        return None
    t = b["type"]
    if t == "typed-literal":
        t = "literal"
    return Term(t, b["value"], b.get("datatype"), b.get("xml:lang"))


def _parse_ntriples(text: str) -> list[tuple[Term, Term, Term]]:
    import pyoxigraph

    out = []
    for tr in pyoxigraph.parse(text.encode("utf-8"), pyoxigraph.RdfFormat.N_TRIPLES):
        out.append((_to_term(tr.subject), _to_term(tr.predicate), _to_term(tr.object)))
    return out


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
    from kg import export, pipeline

    outcome = pipeline.run(overrides)
    if not outcome.ok:
        lines = "\n".join(map(str, outcome.errors[:20]))
        raise IckgError(f"the curated data has errors; run `ickg validate`:\n{lines}")
    nt = export.to_ntriples(outcome.built.graph).encode("utf-8")
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
