"""The query gallery: named SPARQL queries kept as reviewed ``.rq`` files with a header.

Header lines at the top of each file::

    # title: Case studies by level and form
    # description: One paragraph saying what the query answers and how to read it.
    # tags: policymaker, researcher
    # param: level (iri, optional) - A level of aggregation, e.g. level:meso

Parameters become bindings (never text substitution): Oxigraph ``substitutions`` on the
embedded engine, a ``VALUES`` block of escaped RDF terms at the start of the WHERE group on a
remote endpoint. Each named ``?var`` must be projected by the query, so both give the same answer. A
value for an ``iri`` parameter may be a full IRI or a prefixed name such as ``level:meso``,
``case:pace`` or ``mechanism:pooled-budget``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.errors import IckgError
from kg.namespaces import FIXED_PREFIXES, concept
from kg.store import Term

QUERY_DIR = Path(__file__).resolve().parent / "queries"
TAGS = ("policymaker", "researcher", "designer")
_PARAM = re.compile(r"(\w+)\s+\((iri|literal|integer)(,\s*optional)?\)\s*[-—]\s*(.+)")


@dataclass(frozen=True)
class Param:
    """A parameter of a named query."""

    name: str
    kind: str
    optional: bool
    help: str


@dataclass(frozen=True)
class NamedQuery:
    """A gallery query."""

    name: str
    title: str
    description: str
    tags: tuple[str, ...]
    params: tuple[Param, ...]
    text: str
    path: Path = field(compare=False)

    def bind(self, values: dict[str, str]) -> dict[str, Term]:
        """Turn user values into bindings; unknown or missing parameters are errors."""
        known = {p.name: p for p in self.params}
        for name in values:
            if name not in known:
                raise IckgError(f"query {self.name!r} has no parameter {name!r}; "
                                f"it takes: {', '.join(known) or 'none'}")
        out = {}
        for p in self.params:
            raw = values.get(p.name)
            if raw is None or raw == "":
                if not p.optional:
                    raise IckgError(f"query {self.name!r} needs --param {p.name}=... ({p.help})")
                continue
            out[p.name] = to_term(raw, p.kind)
        return out


def expand(value: str) -> str:
    """Expand a prefixed name (``level:meso``) to an IRI; full IRIs pass through."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", value):
        return value
    prefix, sep, local = value.partition(":")
    if not sep or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", local or "x"):
        raise IckgError(f"not an IRI or prefixed name: {value!r}")
    if prefix in FIXED_PREFIXES:
        return FIXED_PREFIXES[prefix] + local
    if re.fullmatch(r"[a-z][a-z0-9-]*", prefix):
        return str(concept(prefix, local))
    raise IckgError(f"unknown prefix {prefix!r} in {value!r}")


def to_term(raw: str, kind: str) -> Term:
    """A user value as an RDF term of the parameter's kind."""
    if kind == "iri":
        return Term.uri(expand(raw.strip()))
    if kind == "integer":
        try:
            return Term.literal(int(raw))
        except ValueError:
            raise IckgError(f"expected a whole number, got {raw!r}") from None
    return Term.literal(raw)


def parse(path: Path) -> NamedQuery:
    """Read one ``.rq`` file and its header."""
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    params = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, sep, value = line[1:].strip().partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "param":
            m = _PARAM.fullmatch(value)
            if not m:
                raise IckgError(f"{path}: bad param line {line!r}")
            params.append(Param(m.group(1), m.group(2), bool(m.group(3)), m.group(4).strip()))
        elif key == "description" and "description" in meta:
            meta[key] += " " + value
        else:
            meta[key] = value
    for required in ("title", "description", "tags"):
        if required not in meta:
            raise IckgError(f"{path}: header lacks '# {required}:'")
    tags = tuple(t.strip() for t in meta["tags"].split(",") if t.strip())
    return NamedQuery(path.stem, meta["title"], meta["description"], tags, tuple(params), text, path)


@lru_cache(maxsize=1)
def gallery() -> tuple[NamedQuery, ...]:
    """Every gallery query, sorted by name (files starting with ``_`` are internal)."""
    return tuple(parse(p) for p in sorted(QUERY_DIR.glob("*.rq")) if not p.name.startswith("_"))


def internal(name: str) -> NamedQuery:
    """An internal named query (``_name.rq``) used by the package itself."""
    return parse(QUERY_DIR / f"_{name}.rq")


def find(name: str) -> NamedQuery | None:
    """A gallery query by name (or an internal one, named with a leading ``_``), or None."""
    if name.startswith("_"):
        path = QUERY_DIR / f"{name}.rq"
        return parse(path) if path.is_file() else None
    for q in gallery():
        if q.name == name:
            return q
    return None


def _name_char(c: str) -> bool:
    return c.isalnum() or c in "_.-"


def _prefix_before(start: str) -> str:
    """The prefix of the prefixed name that ends ``start`` (``domain`` of ``... domain:x``).

    A backwards scan, linear in the length of the line: no regular expression touches the
    user's query text (issue 10).
    """
    i = len(start)
    while i and _name_char(start[i - 1]):  # the local part, if the column is after it
        i -= 1
    if i and start[i - 1] == ":":
        j = k = i - 1
        while k and _name_char(start[k - 1]):
            k -= 1
        if k < j:
            return start[k:j]
    s = start.rstrip().removesuffix(":")
    k = len(s)
    while k and _name_char(s[k - 1]):
        k -= 1
    return s[k:] or "?"


def readable_syntax_error(message: str, text: str = "") -> str:
    """One readable line for a SPARQL parser error: ``line L, column C: ...``.

    The engine's message lists every character class it would have accepted; a person needs
    the place, what stands there, and, for an undeclared prefix, its name and what to do.
    """
    m = re.match(r"error at (\d+):(\d+): (.*)", " ".join(message.split()), re.S)
    if not m:
        return " ".join(message.split())
    line, col, rest = int(m.group(1)), int(m.group(2)), m.group(3)
    lines = text.splitlines()
    here = ""
    if 0 < line <= len(lines):
        here = lines[line - 1][max(col - 1, 0):].strip()
    if "Prefix not found" in rest:
        start = lines[line - 1][:max(col - 1, 0)] if 0 < line <= len(lines) else ""
        pname = _prefix_before(start)
        known = ", ".join(f"{p}:" for p in list(FIXED_PREFIXES)[:12])
        return (f"line {line}, column {col}: unknown prefix {pname}: (declare it with PREFIX {pname}: <...>; "
                f"predeclared: {known}, ... and every concept scheme, e.g. domain:, level:)")
    expected = re.sub(r"\[[^\]]*\]", " ", rest.removeprefix("expected one of").removeprefix("expected"))
    words = [w.strip(" ,'\"") for w in expected.split(",") if w.strip(" ,'\"")]
    want = ", ".join(words[:8]) + (", ..." if len(words) > 8 else "")
    found = f"unexpected {here[:30]!r}" if here else "unexpected end of query"
    return f"line {line}, column {col}: {found}" + (f"; expected {want}" if want else "")
