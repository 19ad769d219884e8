"""What the query engine (:mod:`kg.store`) and its worker processes (:mod:`kg.worker`) share.

Both import this module and neither imports the other: the message framing on the pipe, the
shape of an RDF term in a result, the conversion of pyoxigraph answers into plain picklable
data, and the names of the answers a worker can give.

A message is a length-prefixed pickle. Only the parent and its own child ever speak on the
pipe, and the parent never unpickles anything a query could choose beyond the result terms,
which are built here from pyoxigraph objects.
"""

from __future__ import annotations

import pickle
import struct
import time
from typing import Any, BinaryIO, NamedTuple

from kg.errors import IckgError
from kg.namespaces import FIXED_PREFIXES

_HEADER = struct.Struct(">Q")

#: The base IRI that relative IRIs in a query resolve against.
BASE_IRI = "https://w3id.org/ickg/"

#: The deepest nesting of ``{ ( [`` a query may have. Real queries stay under 15; parsers are
#: recursive, so a limit far below what crashes them is checked first, by a flat scan.
MAX_DEPTH = 64

# Answers of a worker: (status, payload)
OK = "ok"  # payload: the result as a dict
CHECKED = "checked"  # payload: {"kind", "digest", "text", "shape"} sent before a query runs
REFUSED = "refused"  # payload: message; the query is not allowed or malformed (HTTP 400)
FAILED = "error"  # payload: message; the engine failed while running it
MEMORY = "memory"  # payload: message; the worker hit its memory limit
READY = "ready"  # payload: {"isolation": [...]} the layers that hold in this worker


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
            return f"<{escape_iri(self.value)}>"
        if self.type == "bnode":
            return f"_:{self.value}"
        text = '"' + escape_string(self.value) + '"'
        if self.lang:
            return f"{text}@{self.lang}"
        if self.datatype and self.datatype != "http://www.w3.org/2001/XMLSchema#string":
            return f"{text}^^<{escape_iri(self.datatype)}>"
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


class QueryError(IckgError):
    """A query that cannot be run: malformed, not read-only, or failed at the engine."""


class QueryRefused(QueryError):
    """A query that may not run: malformed, too deep, an update, or SERVICE (HTTP 400)."""


class QueryTimeout(QueryError):
    """A query stopped at the time limit."""


class QueryMemory(QueryError):
    """A query stopped at the memory limit of its worker."""


class QueryBusy(QueryError):
    """Too many queries are waiting: try again after ``retry_after`` seconds (HTTP 503)."""

    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def escape_string(s: str) -> str:
    """A string's content for a quoted SPARQL / N-Triples literal."""
    return (s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r").replace("\t", "\\t"))


_IRI_BAD = frozenset('<>"{}|^`\\') | frozenset(chr(i) for i in range(0x21))


def escape_iri(s: str) -> str:
    """The IRI unchanged, or :class:`QueryError` when it holds a character an IRI may not."""
    if any(c in _IRI_BAD for c in s):
        raise QueryError(f"not a valid IRI: {s!r}")
    return s


# ------------------------------------------------------------------------------ framing

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


# ------------------------------------------------------------------- pyoxigraph answers

def to_term(t: Any) -> Term | None:
    """A pyoxigraph term as a :class:`Term`."""
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


def from_term(t: Term) -> Any:
    """A :class:`Term` as a pyoxigraph term."""
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
    """Run a query on a pyoxigraph store; return a plain dict (picklable).

    Only for query text that is trusted (the project's own) or was checked by
    :func:`kg.querycheck.check` in a worker: this function does no checking.
    """
    import pyoxigraph

    subs = {pyoxigraph.Variable(k): from_term(v) for k, v in bindings.items()}
    t0 = time.perf_counter()
    res = store.query(text, prefixes=dict(FIXED_PREFIXES), base_iri=BASE_IRI, substitutions=subs or None)
    out: dict[str, Any] = {}
    if isinstance(res, pyoxigraph.QueryBoolean):
        out = {"kind": "ask", "boolean": bool(res)}
    elif isinstance(res, pyoxigraph.QuerySolutions):
        cols = [v.value for v in res.variables]
        rows = []
        # one Term per distinct engine term: answers repeat labels and IRIs, and converting
        # each occurrence cost more than the query itself on answers of hundreds of rows
        seen: dict[Any, Term | None] = {}

        def conv(t: Any) -> Term | None:
            if t is None:
                return None
            term = seen.get(t)
            if term is None:
                term = seen[t] = to_term(t)
            return term

        for sol in res:  # a solution iterates its values in the order of the variables
            if len(rows) > max_rows:
                break
            rows.append(tuple(map(conv, sol)))
        out = {"kind": "select", "columns": cols, "rows": rows[:max_rows], "truncated": len(rows) > max_rows}
    else:
        triples = []
        for tr in res:
            if len(triples) > max_rows:
                break
            triples.append((to_term(tr.subject), to_term(tr.predicate), to_term(tr.object)))
        out = {"kind": "graph", "triples": triples[:max_rows], "truncated": len(triples) > max_rows}
    out["elapsed_ms"] = (time.perf_counter() - t0) * 1000
    return out
