"""The query engine: one interface, two backends, always read-only, time-limited and row-limited.

* :class:`EmbeddedStore` (the default) holds the graph in Oxigraph inside **worker processes**
  (:mod:`kg.worker`). A user's query text is checked and run only there, never in this process:
  the SPARQL parse and algebra check (:mod:`kg.querycheck`), the depth limit and the run all
  count against the time limit, after which the worker is killed (the only way to stop a
  running pyoxigraph query) and a fresh one started. A worker runs without network access
  and under a memory limit where the OS allows; a crash costs that worker only.
* :class:`kg.remote.RemoteStore` speaks the SPARQL 1.1 Protocol to any endpoint; its queries
  are checked by the same kind of worker (holding no data) before they are sent.

**Fair under load.** The embedded workers form two lanes. Every query starts in the *short
lane*, which may run it for ``short_query_ms`` (default 1 s); a query that outlasts that is
stopped and run again in the *long lane* with the rest of its time limit, and it is
remembered (by its text and by its normalised form), so the next time it goes straight to the
long lane. Cheap queries therefore never wait behind a slow one for more than about a second.
Each lane has a bounded queue; a query that finds it full gets :class:`QueryBusy` (HTTP 503
with ``Retry-After``).

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


# ------------------------------------------------------------------------------ workers

class _Worker:
    """One ``python -m kg.worker`` process: isolated, memory-limited, killable."""

    START_S = 120

    def __init__(self, data: bytes, memory_mb: int) -> None:
        import subprocess
        import sys

        self.proc = subprocess.Popen([sys.executable, "-m", "kg.worker"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            self.send({"data": data, "memory_mb": memory_mb})
            if not self.poll(self.START_S):
                raise IckgError(f"the query worker did not start within {self.START_S} s")
            status, info = self.recv()
        except (OSError, EOFError) as exc:
            self.kill()
            raise IckgError(f"the query worker failed to start: {exc}") from None
        self.isolation: list[str] = list(info.get("isolation", [])) if status == protocol.READY else []

    def poll(self, timeout: float) -> bool:
        """Whether a message is ready to read within ``timeout`` seconds."""
        import select

        ready, _, _ = select.select([self.proc.stdout], [], [], max(0.0, timeout))
        return bool(ready)

    def send(self, obj: Any) -> None:
        """Send one message."""
        protocol.send(self.proc.stdin, obj)

    def recv(self) -> Any:
        """Receive one message."""
        return protocol.recv(self.proc.stdout)

    def death(self) -> QueryError:
        """What to tell the user about a worker that went away in the middle of a query."""
        try:
            code = self.proc.wait(5)
        except Exception:  # noqa: BLE001 - still running: killed below
            code = None
        self.kill()
        if code == -6:  # Rust aborts when an allocation fails under RLIMIT_AS
            return QueryMemory("stopped at the memory limit: the query needed more memory than a worker may use "
                               "(setting query_memory_limit_mb)")
        if code is not None and code < 0:
            return QueryError(f"the query crashed its worker process (signal {-code}); nothing else was "
                              f"affected, but the query has no answer: simplify it")
        return QueryError("the query worker ended unexpectedly; the query was not answered")

    def kill(self) -> None:
        """Stop the process now."""
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(5)
        except Exception:  # noqa: BLE001
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass

    def close(self) -> None:
        """Ask the process to end, then make sure it has."""
        try:
            self.send(None)
        except OSError:
            pass
        self.kill()


class _Lane:
    """A set of workers with a bounded queue in front of it and one spare worker kept ready.

    A query that runs out of time kills its worker; the spare takes its place at once while a
    new spare starts in the background, so the next query never waits for a process to start.
    """

    def __init__(self, name: str, size: int, queue: int, spawn: Any, retry_after: int, spares: int = 1) -> None:
        self.name, self.size, self.queue, self.retry_after = name, size, queue, retry_after
        self._spawn = spawn
        self._target = size + spares
        self._slots = threading.Semaphore(size)
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._live = 0  # workers idle, busy or starting
        self._waiting = 0
        self._closed = False

    def acquire(self, timeout: float) -> bool:
        """Wait for a free worker slot; QueryBusy when too many already wait."""
        with self._lock:
            if self._waiting >= self.queue:
                raise QueryBusy(f"the server is busy: {self._waiting} queries are waiting for the {self.name} "
                                f"lane; try again shortly", self.retry_after)
            self._waiting += 1
        try:
            return self._slots.acquire(timeout=max(0.0, timeout))
        finally:
            with self._lock:
                self._waiting -= 1

    def release(self) -> None:
        """Give the slot back."""
        self._slots.release()

    def take(self) -> _Worker:
        """An idle worker, or a new one."""
        with self._lock:
            w = self._idle.pop() if self._idle else None
            if w is None:
                self._live += 1
        if w is None:
            try:
                w = self._spawn()
            except BaseException:
                with self._lock:
                    self._live -= 1
                raise
        self.top_up()
        return w

    def give(self, w: _Worker) -> None:
        """Return a healthy worker."""
        with self._lock:
            if not self._closed and self._live <= self._target:
                self._idle.append(w)
                return
            self._live -= 1
        w.close()

    def lost(self) -> None:
        """A worker was killed or died: count it out and start another."""
        with self._lock:
            self._live -= 1
        self.top_up()

    def top_up(self) -> None:
        """Start workers in the background until the lane has its size plus the spare."""
        with self._lock:
            missing = 0 if self._closed else self._target - self._live
            self._live += max(0, missing)

        def start() -> None:
            try:
                w = self._spawn()
            except IckgError:
                with self._lock:
                    self._live -= 1
                return
            with self._lock:
                if not self._closed:
                    self._idle.append(w)
                    return
            w.close()

        for _ in range(max(0, missing)):
            threading.Thread(target=start, name=f"ickg-{self.name}-spawn", daemon=True).start()

    def warm(self) -> None:
        """Start the lane's workers now (one in the foreground, so a failure to start is seen)."""
        self.give(self.take())

    def close(self) -> None:
        """Stop every idle worker."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for w in idle:
            w.close()


class _Moved(Exception):
    """The short lane gave the query up: run it in the long lane."""


def _exchange(worker: _Worker, msg: tuple, until: float, known_slow: Any = None) -> tuple[str, Any, str | None]:
    """Send a query, answer the worker's CHECKED with go or stop; the final (status, payload, digest).

    Returns status None when the time ran out (the worker is then still busy: kill it).
    """
    digest = None
    worker.send(msg)
    while True:
        if not worker.poll(until - time.perf_counter()):
            return None, None, digest
        status, payload = worker.recv()
        if status != protocol.CHECKED:
            return status, payload, digest
        digest = "digest:" + payload["digest"]
        if msg[0] == "check":
            return status, payload, digest
        go = known_slow is None or not known_slow(digest)
        worker.send(go)
        if not go:
            return "moved", None, digest


class EmbeddedStore:
    """The default backend: Oxigraph in two lanes of killable, isolated worker processes."""

    backend = "embedded"

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
        self._short = _Lane("short", self.workers - long, 16 * (self.workers - long), self._spawn, 1)
        self._long = _Lane("long", long, 2 * long, self._spawn, retry) if long else None
        self._slow: dict[str, float] = {}  # texts and digests that outlasted the short lane
        self._slow_lock = threading.Lock()
        self.isolation: list[str] | None = None
        self.location = "embedded Oxigraph"

    def _spawn(self) -> _Worker:
        w = _Worker(self._data, self.memory_mb)
        self.isolation = w.isolation
        return w

    def close(self) -> None:
        """Stop every worker."""
        for lane in (self._short, self._long):
            if lane is not None:
                lane.close()

    def warm(self) -> None:
        """Start one worker per lane now, so the first query does not wait for one."""
        for lane in (self._short, self._long):
            if lane is not None:
                lane.warm()

    def _is_slow(self, key: str | None) -> bool:
        with self._slow_lock:
            return key is not None and key in self._slow

    def _mark_slow(self, *keys: str | None) -> None:
        with self._slow_lock:
            if len(self._slow) > 10_000:
                self._slow.clear()
            for k in keys:
                if k:
                    self._slow[k] = time.monotonic()

    def query(self, text: str, bindings: dict[str, Term] | None = None,
              max_rows: int | None = None, time_limit_ms: int | None = None) -> QueryResult:
        """Check and run a read-only query within the time, row and memory limits."""
        limit = max_rows if max_rows is not None else self.max_rows
        budget = (time_limit_ms if time_limit_ms is not None else self.time_limit_ms) / 1000
        t0 = time.perf_counter()
        deadline = t0 + budget
        raw_key = "raw:" + str(hash(text))
        msg = ("query", text, dict(bindings or {}), limit)
        short_s = self.short_query_ms / 1000
        if self._long is None or budget <= short_s:
            payload = self._run(self._short, msg, deadline, budget)
        elif self._is_slow(raw_key):
            payload = self._run(self._long, msg, deadline, budget)
        else:
            try:
                payload = self._run(self._short, msg, deadline, budget, short_s, raw_key)
            except _Moved:
                payload = self._run(self._long, msg, deadline, budget)
        payload.setdefault("truncated", False)
        result = QueryResult(max_rows=limit, **{k: v for k, v in payload.items() if k != "elapsed_ms"})
        result.elapsed_ms = (time.perf_counter() - t0) * 1000
        return result

    def _run(self, lane: _Lane, msg: tuple, deadline: float, budget: float,
             run_for: float | None = None, raw_key: str | None = None) -> dict:
        """Run ``msg`` on a worker of ``lane``; with ``run_for``, give up (:class:`_Moved`) after so long."""
        if not lane.acquire(deadline - time.perf_counter()):
            raise QueryTimeout(f"stopped after {budget:g} s: every query worker was busy "
                               f"(setting query_time_limit_ms)")
        try:
            worker = lane.take()
            until = deadline if run_for is None else min(deadline, time.perf_counter() + run_for)
            try:
                status, payload, digest = _exchange(worker, msg, until,
                                                    self._is_slow if run_for is not None else None)
            except (EOFError, OSError) as exc:
                error = worker.death() if isinstance(exc, EOFError) else QueryError(f"the query worker failed: {exc}")
                lane.lost()
                raise error from None
            if status is None:  # out of time: the only way to stop pyoxigraph is to kill the process
                worker.kill()
                lane.lost()
                if run_for is not None and until < deadline:
                    self._mark_slow(raw_key, digest)
                    raise _Moved
                raise QueryTimeout(f"stopped after {budget:g} s: the query exceeded the time limit "
                                   f"(setting query_time_limit_ms)")
            lane.give(worker)
            if status == "moved":
                self._mark_slow(raw_key)
                raise _Moved
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
    """Workers holding no data that check queries, for the remote backend and :func:`check_query`."""

    def __init__(self) -> None:
        self._lane = _Lane("check", 1, 64, lambda: _Worker(b"", settings.get_int("query_memory_limit_mb")), 5,
                           spares=0)

    def check(self, text: str, time_limit_ms: int | None = None) -> dict:
        """The worker's CHECKED payload: kind, digest, normalised text and shape."""
        budget = (time_limit_ms or settings.get_int("query_time_limit_ms")) / 1000
        deadline = time.perf_counter() + budget
        lane = self._lane
        if not lane.acquire(budget):
            raise QueryTimeout(f"stopped after {budget:g} s: the query checker was busy")
        try:
            worker = lane.take()
            try:
                status, payload, _ = _exchange(worker, ("check", text, {}, 0), deadline)
            except (EOFError, OSError):
                lane.lost()
                raise worker.death() from None
            if status is None:
                worker.kill()
                lane.lost()
                raise QueryTimeout(f"stopped after {budget:g} s: checking the query took too long "
                                   f"(setting query_time_limit_ms)")
            lane.give(worker)
        finally:
            lane.release()
        if status == protocol.REFUSED:
            raise QueryRefused(payload)
        if status != protocol.CHECKED:
            raise QueryError(payload)
        return payload

    def close(self) -> None:
        """Stop the workers."""
        self._lane.close()


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

    The embedded store is built from the curated files through the full pipeline; a graph
    with errors is never loaded.
    """
    endpoint = settings.get("sparql_endpoint", overrides)
    limits = dict(time_limit_ms=settings.get_int("query_time_limit_ms", overrides),
                  max_rows=settings.get_int("max_rows", overrides))
    if endpoint:
        from kg.remote import RemoteStore

        return RemoteStore(endpoint, **limits)
    from kg import pipeline

    outcome = pipeline.run(overrides)
    if not outcome.ok:
        lines = "\n".join(map(str, outcome.errors[:20]))
        raise IckgError(f"the curated data has errors; run `ickg validate`:\n{lines}")
    nt = outcome.built.ntriples.encode("utf-8")
    return EmbeddedStore(nt, outcome.built.release_id, workers=workers,
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
