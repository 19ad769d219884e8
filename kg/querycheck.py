"""What a user's query may do, decided from its parsed form. Runs only inside a query worker.

The steps, each on the result of the one before:

1. **Codepoint escapes.** SPARQL 1.1 (section 19.2) replaces ``\\uXXXX`` and ``\\UXXXXXXXX``
   anywhere in a query before the grammar sees it, so ``\\u0053ERVICE`` is ``SERVICE``. They are
   replaced here once; text that still holds an escape afterwards (an escape that spelt an
   escape) is refused, so no later parser can read the text differently.
2. **Line ends.** A ``#`` comment ends at a carriage return for Oxigraph and at a line feed for
   rdflib. Every ``\\r\\n`` and lone ``\\r`` becomes ``\\n`` (a raw CR inside a long string becomes
   a line feed too), so both parsers end comments at the same place.
3. **One flat scan** (a hand-written tokenizer, linear time, no regular expression) skips
   strings, IRIs and comments, removes the comments and measures the nesting depth of
   ``{ ( [``. A query deeper than :data:`kg.protocol.MAX_DEPTH` is refused before any recursive
   parser sees it, and so is the keyword ``SERVICE`` as a token of its own (an early, cheaper
   refusal of what step 4 refuses anyway; rdflib's parser recurses without end on a SERVICE
   nested in a SERVICE).
4. **The grammar.** rdflib's SPARQL 1.1 parser parses the text and translates it to the
   algebra. An update (``INSERT``, ``LOAD``, ``CLEAR``...) parses only as an update and is
   refused; a ``SERVICE`` anywhere in the parse tree or the algebra is refused; the form
   (``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``) is read from the parsed query, never from
   words.

The text that Oxigraph then runs is the normalised text of step 3, the very text that was
checked, and the worker compares the form of Oxigraph's answer with the checked one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import NamedTuple

from kg.protocol import BASE_IRI, MAX_DEPTH, QueryError

_HEX = frozenset("0123456789abcdefABCDEF")
_IRI_STOP = frozenset('<>"{}|^`\\') | frozenset(chr(i) for i in range(0x21))
_OPEN, _CLOSE = frozenset("{(["), frozenset("})]")
_NAME_BEFORE = frozenset("?$:_-.") | frozenset("0123456789")
SERVICE_REFUSED = "SERVICE is not allowed: queries here are read-only and never call other endpoints"


@dataclass
class Checked:
    """A query that may run: its form, its normalised text and a digest of that text."""

    kind: str  # "select", "ask" or "graph"
    text: str
    digest: str


def expand_escapes(text: str) -> str:
    """Replace ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes, once; refuse text that still has one after."""
    out, i, n = [], 0, len(text)
    while i < n:
        j = text.find("\\", i)
        if j < 0:
            out.append(text[i:])
            break
        out.append(text[i:j])
        width = {"u": 4, "U": 8}.get(text[j + 1:j + 2], 0)
        digits = text[j + 2:j + 2 + width]
        if width and len(digits) == width and all(c in _HEX for c in digits):
            code = int(digits, 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise QueryError(f"malformed query: \\{text[j + 1]}{digits} is not a character")
            out.append(chr(code))
            i = j + 2 + width
        else:
            out.append(text[j:j + 2])
            i = j + 2
    result = "".join(out)
    if result != text and _has_escape(result):
        raise QueryError("malformed query: a \\u escape spells another escape; write the character itself")
    return result


def _has_escape(text: str) -> bool:
    i = text.find("\\")
    while i >= 0:
        width = {"u": 4, "U": 8}.get(text[i + 1:i + 2], 0)
        digits = text[i + 2:i + 2 + width]
        if width and len(digits) == width and all(c in _HEX for c in digits):
            return True
        i = text.find("\\", i + 1)
    return False


def normalise(text: str, max_depth: int = MAX_DEPTH, refuse_service: bool = True) -> str:
    """Escapes replaced, line ends unified, comments removed; depth checked (steps 1 to 3)."""
    if "\x00" in text:
        raise QueryError("malformed query: it holds a NUL character")
    text = expand_escapes(text).replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    i, n, depth, start = 0, len(text), 0, 0
    service = False
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(text[start:i])
            start = i = end  # the line end stays
            continue
        if c in "\"'":
            i = _skip_string(text, i)
            continue
        if c == "<":
            j = i + 1
            while j < n and text[j] not in _IRI_STOP:
                j += 1
            i = j + 1 if j < n and text[j] == ">" else i + 1  # an IRI, or the less-than operator
            continue
        if c.isalpha() and (i == 0 or text[i - 1] not in _NAME_BEFORE):
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] in "_-.:"):
                j += 1
            if j - i == 7 and text[i:j].upper() == "SERVICE":
                service = True
            i = j
            continue
        if c in _OPEN:
            depth += 1
            if depth > max_depth:
                line = text.count("\n", 0, i) + 1
                raise QueryError(f"the query nests groups, brackets or parentheses more than {max_depth} deep "
                                 f"(line {line}); simplify it")
        elif c in _CLOSE:
            depth -= 1
        i += 1
    out.append(text[start:])
    if service and refuse_service:  # the keyword as a token of its own (not a prefix, a local name or a variable)
        raise QueryError(SERVICE_REFUSED)
    return "".join(out)


def _skip_string(text: str, i: int) -> int:
    """The index just after the string literal that starts at ``i`` (or the end of the text)."""
    q, n = text[i], len(text)
    long = text.startswith(q * 3, i)
    j = i + (3 if long else 1)
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if long:
            if text.startswith(q * 3, j):
                return j + 3
        elif c == q or c == "\n":
            return j + 1
        j += 1
    return n


def _walk_names(root: object) -> set[str]:
    """The names of every rdflib CompValue in a parse tree or algebra (iterative: trees may be deep)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    names, stack, seen = set(), [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CompValue):
            names.add(node.name)
            stack.extend(node.values())
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple, set, ParseResults)):
            stack.extend(node)
    return names


_UPDATES = {"InsertData": "INSERT DATA", "DeleteData": "DELETE DATA", "DeleteWhere": "DELETE WHERE",
            "Modify": "DELETE/INSERT", "Load": "LOAD", "Clear": "CLEAR", "Drop": "DROP", "Create": "CREATE",
            "Add": "ADD", "Move": "MOVE", "Copy": "COPY"}
_KINDS = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "graph", "DescribeQuery": "graph"}


def check(text: str, prefixes: dict[str, str], max_depth: int = MAX_DEPTH, isolated: bool = False) -> Checked:
    """Decide whether a query may run; return its form and the text to run.

    With ``isolated`` (the process has no network), a syntax error is described by Oxigraph's
    parser, whose messages are more precise; it parses the text on an empty store, which is
    safe only because nothing can leave the process.

    Raises:
        QueryError: malformed (with line and column), too deeply nested, an update, or SERVICE.
    """
    return parse_check(normalise(text, max_depth), prefixes, isolated)


def parse_check(clean: str, prefixes: dict[str, str], isolated: bool = False) -> Checked:
    """Step 4 alone, on normalised text: the grammar, the update refusal, SERVICE in the algebra."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        parsed = parseQuery(clean)
    except RecursionError:  # fail closed: what cannot be parsed does not run
        raise QueryError("the query could not be checked: the parser ran out of stack; simplify it") from None
    except ParseBaseException as exc:
        try:
            update = parseUpdate(clean)
        except Exception:  # not an update either: a syntax error
            detail = _engine_syntax_error(clean, prefixes) if isolated else None
            raise QueryError("malformed query: " + (detail or f"line {exc.lineno}, column {exc.col}: "
                             f"{_lower_first(exc.msg)}{_found(clean, exc.loc)}")) from None
        ops = [_UPDATES.get(getattr(r, "name", ""), "an update") for r in update.get("request", [])]
        raise QueryError("only read-only queries are allowed (SELECT, ASK, CONSTRUCT, DESCRIBE); found "
                         f"{', '.join(dict.fromkeys(ops)) or 'a SPARQL Update'}") from None
    if "ServiceGraphPattern" in _walk_names(parsed):
        raise QueryError(SERVICE_REFUSED)
    try:
        algebra = translateQuery(parsed, base=BASE_IRI, initNs=dict(prefixes))
    except Exception as exc:  # an undeclared prefix and the like: Oxigraph says where, when it may parse
        detail = (_engine_syntax_error(clean, prefixes) if isolated else None) or _prefix_error(clean, str(exc))
        raise QueryError(f"malformed query: {detail or exc}") from None
    names = _walk_names(algebra.algebra)
    if "ServiceGraphPattern" in names:  # pragma: no cover - caught in the parse tree
        raise QueryError(SERVICE_REFUSED)
    kind = _KINDS.get(parsed[1].name)
    if kind is None:  # pragma: no cover - the grammar has no other form
        raise QueryError("malformed query: no SELECT, ASK, CONSTRUCT or DESCRIBE")
    return Checked(kind, clean, hashlib.sha256(clean.encode("utf-8", "surrogatepass")).hexdigest())


def _prefix_error(text: str, message: str) -> str | None:
    """rdflib's "Unknown namespace prefix : x" with the place it stands (a plain search, no regex)."""
    if not message.startswith("Unknown namespace prefix"):
        return None
    name = message.rpartition(":")[2].strip()
    at = text.find(name + ":") if name else -1
    if at < 0:
        return None
    line = text.count("\n", 0, at) + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    return (f"line {line}, column {col}: unknown prefix {name}: (declare it with PREFIX {name}: <...>; "
            "the project's prefixes and every concept scheme, e.g. domain:, level:, are predeclared)")


def _engine_syntax_error(text: str, prefixes: dict[str, str]) -> str | None:
    """Oxigraph's description of a syntax error ("line 4, column 2: expected ..."), if it has one."""
    import pyoxigraph

    try:
        res = pyoxigraph.Store().query(text, prefixes=dict(prefixes), base_iri=BASE_IRI)
        if not isinstance(res, pyoxigraph.QueryBoolean):
            next(iter(res), None)
    except SyntaxError as exc:
        from kg.queries import readable_syntax_error  # one readable line with line and column

        return readable_syntax_error(str(exc), text)
    except Exception:  # noqa: BLE001 - an evaluation error is no syntax message
        return None
    return None


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:]


def _found(text: str, loc: int) -> str:
    if loc >= len(text):
        return ", found the end of the query"
    return f", found {text[loc:loc + 20].split(chr(10))[0]!r}"


# ------------------------------------------------------------------ shape, for the remote backend

def mask(text: str) -> str:
    """A normalised query with strings and IRIs blanked out, keeping every position (linear scan)."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            j = _skip_string(text, i)
        elif c == "<":
            j = i + 1
            while j < n and text[j] not in _IRI_STOP:
                j += 1
            j = j + 1 if j < n and text[j] == ">" else i + 1
            if j == i + 1:
                i += 1
                continue
        else:
            i += 1
            continue
        for k in range(i, j):
            if out[k] != "\n":
                out[k] = " "
        i = j
    return "".join(out)


def _word(name: str) -> str:
    return rf"(?<![\w:?$]){name}(?![\w:])"


class Shape(NamedTuple):
    """Where a query's parts are, as offsets into its text."""

    where_open: int | None  # just after the "{" that opens the outermost WHERE group
    values_at: int | None  # a trailing VALUES clause of the query itself
    limit: tuple[int, int, int] | None  # start, end and value of the number of a top-level LIMIT
    ordered: bool  # a top-level ORDER BY


def shape(text: str) -> Shape:
    """Find the outer WHERE group, LIMIT, ORDER BY and trailing VALUES of a checked query."""
    masked = mask(text)
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
    return Shape(None if group is None else group + 1, values.start() if values else None,
                  (limit.start(1), limit.end(1), int(limit.group(1))) if limit else None,
                  bool(re.compile(_word("ORDER") + r"\s+" + _word("BY"), re.I).search(top, group or start)))
