"""The worker processes of the embedded store: starting, killing, pooling, and the lanes.

:class:`Worker` is one ``python -m kg.worker`` process (see :mod:`kg.worker`); :class:`Pool`
keeps enough of them ready, with spares started in the background; :class:`Lane` is a set of
slots with a bounded queue; :func:`exchange` is one query's conversation with a worker.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from kg import protocol
from kg.errors import IckgError
from kg.protocol import QueryBusy, QueryError, QueryMemory, QueryTimeout

class Worker:
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


class Pool:
    """Worker processes ready to take a query, topped up in the background to ``size`` plus spares.

    A query that runs out of time kills its worker; a spare takes its place at once while a new
    one starts in the background, so a query never waits for a process to start in its way.
    """

    def __init__(self, spawn: Any, size: int, spares: int = 1) -> None:
        self._spawn = spawn
        self._target = size + spares
        self._ready = threading.Condition(threading.Lock())
        self._idle: list[Worker] = []
        self._live = 0  # workers idle, busy or starting
        self._closed = False

    def take(self, timeout: float | None = None) -> Worker:
        """An idle worker; waits for one that is starting rather than starting one in the way.

        Raises:
            QueryTimeout: when none is ready within ``timeout`` seconds.
        """
        deadline = None if timeout is None else time.perf_counter() + timeout
        with self._ready:
            while True:
                while self._idle:
                    w = self._idle.pop()
                    if w.proc.poll() is None:
                        self._top_up()
                        return w
                    # it died while idle (a signal, the OS): never hand out a dead worker
                    w.kill()
                    self._live -= 1
                if self._live < self._target:
                    self._live += 1
                    break  # nobody is starting one: start it here
                left = None if deadline is None else deadline - time.perf_counter()
                if left is not None and left <= 0:
                    raise QueryTimeout("stopped at the time limit: no query worker was ready "
                                       "(setting query_time_limit_ms)")
                self._ready.wait(left)
        with self._ready:
            self._top_up()  # the spares, in the background, while this one starts
        try:
            return self._spawn()
        except BaseException:
            with self._ready:
                self._live -= 1
                self._ready.notify()
            raise

    def give(self, w: Worker) -> None:
        """Return a healthy worker."""
        with self._ready:
            if not self._closed and self._live <= self._target:
                self._idle.append(w)
                self._ready.notify()
                return
            self._live -= 1
        w.close()

    def lost(self) -> None:
        """A worker was killed or died: count it out and start another in the background."""
        with self._ready:
            self._live -= 1
            self._top_up()

    def _top_up(self) -> None:
        missing = 0 if self._closed else self._target - self._live
        if missing <= 0:
            return
        self._live += missing

        def start() -> None:  # one after the other: the first is ready sooner than if all start at once
            for _ in range(missing):
                try:
                    w = self._spawn()
                except IckgError:
                    with self._ready:
                        self._live -= 1
                        self._ready.notify()
                    continue
                self.give(w)

        threading.Thread(target=start, name="ickg-worker-spawn", daemon=True).start()

    def warm(self, timeout: float = 300) -> None:
        """Start every worker now and wait for them (one in the foreground, so a failure shows)."""
        self.give(self.take())
        with self._ready:
            self._top_up()
            deadline = time.perf_counter() + timeout
            while len(self._idle) < self._target and time.perf_counter() < deadline and not self._closed:
                self._ready.wait(deadline - time.perf_counter())

    def close(self) -> None:
        """Stop every idle worker; busy ones are stopped when they come back."""
        with self._ready:
            self._closed = True
            idle, self._idle = self._idle, []
            self._ready.notify_all()
        for w in idle:
            w.close()


class Lane:
    """Slots for running queries, with a bounded queue in front of them."""

    def __init__(self, name: str, size: int, queue: int, retry_after: int) -> None:
        self.name, self.size, self.queue, self.retry_after = name, size, queue, retry_after
        self._slots = threading.Semaphore(size)
        self._lock = threading.Lock()
        self._waiting = 0

    def acquire(self, timeout: float) -> bool:
        """Wait for a free slot; QueryBusy when too many already wait."""
        with self._lock:
            if self._waiting >= self.queue:
                raise self.busy()
            self._waiting += 1
        try:
            return self._slots.acquire(timeout=max(0.0, timeout))
        finally:
            with self._lock:
                self._waiting -= 1

    def try_acquire(self) -> bool:
        """A free slot now, or False."""
        return self._slots.acquire(blocking=False)

    def release(self) -> None:
        """Give the slot back."""
        self._slots.release()

    def busy(self) -> QueryBusy:
        """The answer for a query that finds this lane full."""
        return QueryBusy(f"the server is busy: every worker of the {self.name} lane is taken and its queue is "
                         f"full; try again shortly", self.retry_after)


def exchange(worker: Worker, msg: tuple, deadline: float, run_for: float | None = None,
              known_slow: Any = None) -> tuple[str | None, Any, str | None]:
    """Send a query, answer the worker's CHECKED with go or stop; the final (status, payload, digest).

    The check runs within ``deadline``; the run, once allowed, within ``run_for`` seconds of it
    (the short lane's budget) or the deadline, whichever comes first. Returns status None when
    that time ran out (the worker is then still busy with the query).
    """
    digest, until = None, deadline
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
        if run_for is not None:
            until = min(deadline, time.perf_counter() + run_for)
