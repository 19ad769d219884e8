"""The query worker process: checks and answers user queries, isolated and limited by the OS.

Started as ``python -m kg.worker`` by :class:`kg.store.EmbeddedStore` (and, holding no data, by
the remote backend to check queries), so it never imports the caller's ``__main__``.
Messages are length-prefixed pickles (:mod:`kg.protocol`); the parent is the only peer.

Everything that touches a user's query text happens here, never in the server or app
process: the escape expansion, the depth limit, the SPARQL parse and algebra check
(:mod:`kg.querycheck`) and the run. The parent's time limit covers all of it; the parent kills
this process when the limit passes (the only way to stop a running pyoxigraph query), and a
crash here (a parser running out of stack) costs only this process.

Before it reads any query, the worker gives up what it does not need, as far as the OS allows:

* **No network**: it moves into a new, empty network namespace (``unshare(CLONE_NEWNET)``),
  where not even loopback is up, so a SERVICE that got past the check cannot connect
  anywhere. Linux only; needs root or unprivileged user namespaces (then it also unshares
  the user namespace). Where neither is possible it runs without this layer and says so.
* **Memory**: ``RLIMIT_AS`` caps its address space at what it holds once the graph is loaded
  plus ``query_memory_limit_mb``; a query that needs more ends with a "memory limit" error.
"""

from __future__ import annotations

import os
import sys
import threading

from kg import protocol

CLONE_NEWNET, CLONE_NEWUSER = 0x40000000, 0x10000000


def isolate_network() -> str | None:
    """Move this process into an empty network namespace; return how, or None if the OS refused."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    if libc.unshare(CLONE_NEWNET) == 0:
        return "network namespace"
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0:
        try:  # map ourselves, so files stay readable
            with open("/proc/self/setgroups", "w") as f:
                f.write("deny")
            with open("/proc/self/uid_map", "w") as f:
                f.write(f"{uid} {uid} 1")
            with open("/proc/self/gid_map", "w") as f:
                f.write(f"{gid} {gid} 1")
        except OSError:
            pass
        return "user and network namespace"
    return None


def address_space() -> int:
    """Bytes of address space this process holds now (0 where the OS does not say)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def limit_memory(megabytes: int) -> bool:
    """Cap the address space of this process at what it holds now (the loaded graph) plus
    ``megabytes``; return whether the OS took the limit.

    The allowance is on top of the graph, so a larger graph does not leave queries less room
    (a fixed cap below the loaded graph would make every query fail).
    """
    if megabytes <= 0:
        return False
    try:
        import resource

        limit = address_space() + megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        return True
    except (ImportError, ValueError, OSError):
        return False


#: Texts this worker has checked and allowed (the same text always gets the same verdict).
_CHECKED: dict = {}


def _answer(store, msg: tuple, inp, out) -> None:
    """Check one query and send CHECKED; for a query, wait for go (True) or stop, then run it."""
    from kg import querycheck
    from kg.namespaces import FIXED_PREFIXES

    op, text, bindings, max_rows = msg
    try:
        checked = _CHECKED.get(text)
        if checked is None:
            checked = querycheck.check(text, FIXED_PREFIXES, isolated=bool(_LAYERS) and "network" in _LAYERS[0])
            if len(_CHECKED) >= 512:
                _CHECKED.pop(next(iter(_CHECKED)))
            _CHECKED[text] = checked
    except protocol.QueryError as exc:
        protocol.send(out, (protocol.REFUSED, str(exc)))
        return
    except RecursionError:
        protocol.send(out, (protocol.REFUSED, "the query is too deeply nested to check; simplify it"))
        return
    info = {"kind": checked.kind, "digest": checked.digest}
    if op == "check":
        info.update(text=checked.text, shape=tuple(querycheck.shape(checked.text)))
        protocol.send(out, (protocol.CHECKED, info))
        return
    protocol.send(out, (protocol.CHECKED, info))
    if not protocol.recv(inp):  # the parent knows this query as slow: it goes to another lane
        return
    try:
        payload = protocol.run_on_oxigraph(store, checked.text, bindings, max_rows)
    except SyntaxError as exc:  # the engine's grammar is stricter than the check's in places
        protocol.send(out, (protocol.REFUSED, f"malformed query: {exc}"))
        return
    if payload["kind"] != checked.kind:
        protocol.send(out, (protocol.FAILED, "the engine read the query as another form than the check did; "
                                             "not answered"))
        return
    protocol.send(out, (protocol.OK, payload))


def main() -> None:
    """Isolate, load the N-Triples sent first (empty for a checker), then answer messages."""
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the message channel
    layers = list(_LAYERS)
    import pyoxigraph  # noqa: F401 - load the libraries before the memory cap
    from rdflib.plugins.sparql import parser  # noqa: F401

    config = protocol.recv(inp)
    store = pyoxigraph.Store()
    if config.get("data"):
        store.bulk_load(config["data"], pyoxigraph.RdfFormat.N_TRIPLES)
    if limit_memory(int(config.get("memory_mb", 0))):
        layers.append(f"memory limit {config['memory_mb']} MB")
    protocol.send(out, (protocol.READY, {"isolation": layers}))
    while True:
        try:
            msg = protocol.recv(inp)
        except EOFError:
            return
        if msg is None:
            return
        try:
            _answer(store, msg, inp, out)
        except MemoryError:
            protocol.send(out, (protocol.MEMORY, "the query needed more memory than a worker may use"))
        except Exception as exc:  # report and keep serving
            protocol.send(out, (protocol.FAILED, f"{type(exc).__name__}: {exc}"))


_LAYERS: list[str] = []


def _run() -> None:
    net = isolate_network()  # before any thread starts: threads inherit the namespace
    if net:
        _LAYERS.append(net)
    # rdflib's parser is recursive: give it a deep stack (the depth limit keeps it far from the end)
    sys.setrecursionlimit(3_000)  # enough for MAX_DEPTH (measured: depth 63 needs under 3,000 frames)
    threading.stack_size(64 * 1024 * 1024)
    t = threading.Thread(target=main, name="ickg-worker")
    t.start()
    t.join()


if __name__ == "__main__":
    _run()
