"""The query worker process: holds an Oxigraph store and answers queries over stdin/stdout.

Started as ``python -m kg.worker`` by :class:`kg.store.EmbeddedStore`, so it never imports the
caller's ``__main__`` (a Streamlit page, a script, a test). Messages are length-prefixed
pickles; the parent is the only peer. The parent kills this process when a query exceeds the
time limit, which is the only way to stop a running pyoxigraph query.
"""

from __future__ import annotations

import pickle
import struct
import sys
from typing import Any, BinaryIO

_HEADER = struct.Struct(">Q")


def send(stream: BinaryIO, obj: Any) -> None:
    """Write one message."""
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def recv(stream: BinaryIO) -> Any:
    """Read one message; raise EOFError when the peer has gone."""
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        raise EOFError
    n = _HEADER.unpack(head)[0]
    data = stream.read(n)
    if len(data) < n:
        raise EOFError
    return pickle.loads(data)


def main() -> None:
    """Load the N-Triples sent first, then answer (query, bindings, max_rows) messages."""
    import pyoxigraph

    from kg.store import run_on_oxigraph

    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the message channel
    store = pyoxigraph.Store()
    store.bulk_load(recv(inp), pyoxigraph.RdfFormat.N_TRIPLES)
    send(out, ("ready", None))
    while True:
        try:
            msg = recv(inp)
        except EOFError:
            return
        if msg is None:
            return
        text, bindings, max_rows = msg
        try:
            send(out, ("ok", run_on_oxigraph(store, text, bindings, max_rows)))
        except Exception as exc:  # report and keep serving
            send(out, ("error", f"{type(exc).__name__}: {exc}"))


if __name__ == "__main__":
    main()
