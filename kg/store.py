"""The query engine: one interface, two backends, always read-only, time-limited and row-limited.

* :class:`EmbeddedStore` (the default) holds the graph in Oxigraph inside **worker processes**
  (:mod:`kg.worker`). A user's query text is checked and run only there, never in this process:
  the SPARQL parse and algebra check (:mod:`kg.querycheck`), the depth limit and the run all
  count against the time limit, after which the worker is killed (the only way to stop a
  running pyoxigraph query) and a fresh one started. A worker runs without network access
  and under a memory limit where the OS allows; a crash costs that worker only.
* :class:`kg.remote.RemoteStore` speaks the SPARQL 1.1 Protocol to any endpoint; its queries
  are checked by the same kind of worker (holding no data) before they are sent.

**Fair under load.** The worker processes serve two lanes of slots. Every query starts in
the *short lane* (two thirds of the workers), which lets it run for ``short_query_ms``
(default 1 s) once checked; a query that outlasts that moves, with its worker and without
starting again, to the *long lane* (a third of the workers, at least one), or is stopped with
:class:`QueryBusy` (HTTP 503 with ``Retry-After``) when the long lane is full. Slow queries are
remembered (by their text, their normalised form and, over HTTP, their client's address for
30 s) and go straight to the long lane next time. Cheap queries therefore never wait behind a
slow one for more than about a second. Each lane has a bounded queue (503 when full), and a
pool of spare workers replaces killed ones in the background.

User values reach queries only as bindings (Oxigraph ``substitutions`` / a ``VALUES`` block of
properly serialised RDF terms), never by formatting them into the text.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from kg import protocol, settings
from kg.errors import IckgError
from kg.namespaces import FIXED_PREFIXES
from kg.pool import Lane, Pool, Worker, exchange
from kg.protocol import (QueryBusy, QueryError, QueryMemory, QueryRefused, QueryTimeout, Term, from_term,
                         run_on_oxigraph, to_term)

__all__ = ["EmbeddedStore", "QueryBusy", "QueryError", "QueryMemory", "QueryRefused", "QueryResult", "QueryTimeout",
           "RemoteStore", "Term", "check_query", "open_store", "prologue", "result_to_json", "run_on_oxigraph",
           "values_block"]

_to_term, _from_term = to_term, from_term  # older names, used by the explorer
_escape_iri, _escape_string = protocol.escape_iri, protocol.escape_string


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


def prologue() -> str:
    """PREFIX lines for the project's fixed prefixes (queries may use them without declaring)."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in FIXED_PREFIXES.items())


# ----------------------------------------------------------------------------- bindings

def _is_name(n: str) -> bool:
    return bool(n) and n[0].isascii() and (n[0].isalpha() or n[0] == "_") and \
        all(c.isascii() and (c.isalnum() or c == "_") for c in n)


def values_block(bindings: dict[str, Term]) -> str:
    """A trailing VALUES clause from bindings; each value serialised as an escaped RDF term."""
    if not bindings:
        return ""
    names = sorted(bindings)
    for n in names:
        if not _is_name(n):
            raise QueryError(f"not a variable name: {n!r}")
    row = " ".join(bindings[n].n3() for n in names)
    return "\nVALUES (" + " ".join("?" + n for n in names) + ") { (" + row + ") }\n"


class _WorkerGone(Exception):
    """A worker that had ended before it read the query (the query did not run)."""


class EmbeddedStore:
    """The default backend: Oxigraph in killable, isolated worker processes, in two lanes."""

    backend = "embedded"

    #: How long a client whose query outlasted the short lane sends its queries to the long lane.
    CLIENT_PENALTY_S = 30.0

    def __init__(self, ntriples: bytes, release_id: str = "", workers: int = 2,
                 time_limit_ms: int | None = None, max_rows: int | None = None,
                 memory_mb: int | None = None, short_query_ms: int | None = None) -> None:
        self._data = ntriples
        self.release_id = release_id
        self.time_limit_ms = time_limit_ms or settings.get_int("query_time_limit_ms")
        self.max_rows = max_rows or settings.get_int("max_rows")
        self.memory_mb = memory_mb if memory_mb is not None else settings.get_int("query_memory_limit_mb")
        self.short_query_ms = short_query_ms if short_query_ms is not None else settings.get_int("short_query_ms")
        self.workers = max(1, workers)
        long = max(1, self.workers // 3) if self.workers >= 2 else 0
        retry = max(1, -(-self.time_limit_ms // 1000))
        self._pool = Pool(self._spawn, self.workers, spares=2)
        self._short = Lane("short", self.workers - long, 16 * (self.workers - long), 1)
        self._long = Lane("long", long, 2 * long, retry) if long else None
        self._slow: dict[str, float] = {}  # texts, digests and clients that outlasted the short lane
        self._slow_lock = threading.Lock()
        self.isolation: list[str] | None = None
        self.location = "embedded Oxigraph"

    def _spawn(self) -> Worker:
        w = Worker(self._data, self.memory_mb)
        self.isolation = w.isolation
        return w

    def close(self) -> None:
        """Stop every worker."""
        self._pool.close()

    def warm(self) -> None:
        """Start the workers now, so the first queries do not wait for them."""
        self._pool.warm()

    def _is_slow(self, key: str | None) -> bool:
        with self._slow_lock:
            if key is None or key not in self._slow:
                return False
            if key.startswith("client:") and time.monotonic() - self._slow[key] > self.CLIENT_PENALTY_S:
                del self._slow[key]
                return False
            return True

    def _mark_slow(self, *keys: str | None) -> None:
        with self._slow_lock:
            if len(self._slow) > 10_000:
                self._slow.clear()
            for k in keys:
                if k:
                    self._slow[k] = time.monotonic()

    def query(self, text: str, bindings: dict[str, Term] | None = None,
              max_rows: int | None = None, time_limit_ms: int | None = None,
              client: str | None = None) -> QueryResult:
        """Check and run a read-only query within the time, row and memory limits.

        ``client`` (the HTTP client's address) lets the store remember who sent a slow query:
        that client's next queries go to the long lane for :attr:`CLIENT_PENALTY_S`.
        """
        limit = max_rows if max_rows is not None else self.max_rows
        budget = (time_limit_ms if time_limit_ms is not None else self.time_limit_ms) / 1000
        t0 = time.perf_counter()
        keys = ("raw:" + str(hash(text)), None if client is None else "client:" + client)
        msg = ("query", text, dict(bindings or {}), limit)
        short = self._long is not None and budget > self.short_query_ms / 1000 \
            and not any(self._is_slow(k) for k in keys)
        try:
            payload = self._run(msg, t0 + budget, budget, short, keys)
        except _WorkerGone:  # once: a second dead worker in a row is an error worth showing
            try:
                payload = self._run(msg, t0 + budget, budget, short, keys)
            except _WorkerGone:
                raise QueryError("the query worker failed twice in a row; the query was not answered") from None
        payload.setdefault("truncated", False)
        result = QueryResult(max_rows=limit, **{k: v for k, v in payload.items() if k != "elapsed_ms"})
        result.elapsed_ms = (time.perf_counter() - t0) * 1000
        return result

    def _run(self, msg: tuple, deadline: float, budget: float, short: bool, keys: tuple) -> dict:
        """Run ``msg``: in the short lane (moving to the long lane after ``short_query_ms``) or the long one."""
        lane = self._short if short or self._long is None else self._long
        if not lane.acquire(deadline - time.perf_counter()):
            raise QueryTimeout(f"stopped after {budget:g} s: every query worker was busy "
                               f"(setting query_time_limit_ms)")
        try:
            worker = self._pool.take(deadline - time.perf_counter())
            try:
                status, payload, digest = exchange(worker, msg, deadline, self.short_query_ms / 1000 if short
                                                    else None, self._is_slow if short else None)
                if short and status in (None, "moved"):
                    # a slow query: it leaves the short lane, keeps its worker if the long lane has room
                    self._mark_slow(*keys, digest)
                    if not self._long.try_acquire():
                        if status is None:
                            worker.kill()
                            self._pool.lost()
                        else:
                            self._pool.give(worker)
                        raise self._long.busy()
                    lane.release()
                    lane = self._long
                    if status == "moved":
                        status, payload, digest = exchange(worker, msg, deadline)
                    elif worker.poll(deadline - time.perf_counter()):
                        status, payload = worker.recv()
            except BrokenPipeError:
                # the worker was gone before it could read the query (killed or crashed while idle):
                # the query never ran, so it is safe to run it again on another worker
                worker.kill()
                self._pool.lost()
                raise _WorkerGone from None
            except (EOFError, OSError) as exc:
                error = worker.death() if isinstance(exc, EOFError) else QueryError(f"the query worker failed: {exc}")
                self._pool.lost()
                raise error from None
            if status is None:  # out of time: the only way to stop pyoxigraph is to kill the process
                worker.kill()
                self._pool.lost()
                raise QueryTimeout(f"stopped after {budget:g} s: the query exceeded the time limit "
                                   f"(setting query_time_limit_ms)")
            self._pool.give(worker)
        finally:
            lane.release()
        if status == protocol.OK:
            return payload
        if status == protocol.MEMORY:
            raise QueryMemory(f"stopped at the memory limit: {payload} (setting query_memory_limit_mb)")
        if status == protocol.REFUSED:
            raise QueryRefused(payload)
        raise QueryError(payload)


# ------------------------------------------------------------------------------ checking

class _Checker:
    """A worker holding no data that checks queries, for the remote backend and :func:`check_query`."""

    def __init__(self) -> None:
        self._pool = Pool(lambda: Worker(b"", settings.get_int("query_memory_limit_mb")), 1, spares=0)
        self._lane = Lane("check", 1, 64, 5)

    def check(self, text: str, time_limit_ms: int | None = None) -> dict:
        """The worker's CHECKED payload: kind, digest, normalised text and shape."""
        budget = (time_limit_ms or settings.get_int("query_time_limit_ms")) / 1000
        deadline = time.perf_counter() + budget
        if not self._lane.acquire(budget):
            raise QueryTimeout(f"stopped after {budget:g} s: the query checker was busy")
        try:
            worker = self._pool.take(deadline - time.perf_counter())
            try:
                status, payload, _ = exchange(worker, ("check", text, {}, 0), deadline)
            except (EOFError, OSError):
                self._pool.lost()
                raise worker.death() from None
            if status is None:
                worker.kill()
                self._pool.lost()
                raise QueryTimeout(f"stopped after {budget:g} s: checking the query took too long "
                                   f"(setting query_time_limit_ms)")
            self._pool.give(worker)
        finally:
            self._lane.release()
        if status == protocol.REFUSED:
            raise QueryRefused(payload)
        if status != protocol.CHECKED:
            raise QueryError(payload)
        return payload

    def close(self) -> None:
        """Stop the worker."""
        self._pool.close()


_CHECKER: _Checker | None = None
_CHECKER_LOCK = threading.Lock()


def checker() -> _Checker:
    """The process's shared query checker."""
    global _CHECKER
    with _CHECKER_LOCK:
        if _CHECKER is None:
            import atexit

            _CHECKER = _Checker()
            atexit.register(_CHECKER.close)
        return _CHECKER


def check_query(text: str) -> str:
    """Check a query in a worker process; return its kind (select, ask, graph).

    Raises:
        QueryError: naming line and column for a syntax error, or what is not allowed.
    """
    return checker().check(text)["kind"]


# ------------------------------------------------------------------------------ opening

def open_store(overrides: dict[str, str] | None = None, workers: int = 2):
    """The configured store: the endpoint in ``sparql_endpoint`` if set, else the embedded one.

    The embedded store serves :func:`kg.cache.validated_graph`: the project's last validated
    build (rebuilt when an input changed) or the packaged graph; a graph with errors is never loaded.
    """
    endpoint = settings.get("sparql_endpoint", overrides)
    limits = dict(time_limit_ms=settings.get_int("query_time_limit_ms", overrides),
                  max_rows=settings.get_int("max_rows", overrides))
    if endpoint:
        from kg.remote import RemoteStore

        return RemoteStore(endpoint, **limits)
    from kg.cache import validated_graph

    graph = validated_graph(overrides)  # the last validated build, rebuilt when an input changed
    return EmbeddedStore(graph.ntriples, graph.release_id, workers=workers,
                         memory_mb=settings.get_int("query_memory_limit_mb", overrides),
                         short_query_ms=settings.get_int("short_query_ms", overrides), **limits)


def __getattr__(name: str) -> Any:
    if name == "RemoteStore":  # importable from here as before; it lives in kg.remote
        from kg.remote import RemoteStore

        return RemoteStore
    raise AttributeError(name)


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
