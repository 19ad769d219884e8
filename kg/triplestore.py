"""Load the built graph into a SPARQL 1.1 triplestore (Virtuoso, Fuseki, GraphDB, Oxigraph, ...).

:func:`load` replaces one named graph with the validated graph, in one of two standard ways:

* ``gsp``: the SPARQL 1.1 Graph Store HTTP Protocol, one ``PUT endpoint?graph=IRI`` of the
  graph as N-Triples (retried as Turtle if the store refuses the media type). The store replaces
  the graph in one request.
* ``update``: the SPARQL 1.1 Update protocol, ``DROP SILENT GRAPH <IRI>`` then ``INSERT DATA``
  in batches of a few thousand triples (for stores without a Graph Store endpoint). Not atomic:
  a failure half-way leaves part of the graph loaded, and the error says so.

Credentials come from ``ICKG_STORE_USER`` and ``ICKG_STORE_PASSWORD`` (or ``user:password@`` in
the URL) and are sent only when the server asks for them, in the scheme it asks for: HTTP Digest
(Virtuoso's ``/sparql-graph-crud-auth`` and ``/sparql-auth``) or Basic (Fuseki, GraphDB). The
password never appears in a message. Afterwards a ``COUNT`` query on the store's query endpoint
checks how many triples the graph now holds; fewer than were sent is an error.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any, Iterator

from kg.errors import IckgError

if TYPE_CHECKING:  # pragma: no cover
    import httpx
    from rdflib import Graph

USER_ENV, PASSWORD_ENV = "ICKG_STORE_USER", "ICKG_STORE_PASSWORD"
BATCH = 1000  # triples per INSERT DATA request (Virtuoso refuses ~1,500; larger ones are split)
_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')


# ------------------------------------------------------------------------------- auth

def credentials(url: str | None = None) -> tuple[str, str] | None:
    """User and password from the environment, else from ``user:password@`` in the URL."""
    user, password = os.environ.get(USER_ENV, ""), os.environ.get(PASSWORD_ENV, "")
    if user:
        return user, password
    if url:
        import httpx

        parsed = httpx.URL(url)
        if parsed.username:
            return parsed.username, parsed.password
    return None


def strip_userinfo(url: str) -> str:
    """The URL without ``user:password@`` (for requests and for messages)."""
    import httpx

    parsed = httpx.URL(url)
    if parsed.userinfo:
        parsed = parsed.copy_with(username=None, password=None)
    return str(parsed)


def _make_auth_class() -> type:
    import httpx

    class ChallengeAuth(httpx.Auth):
        """Send credentials only when the server asks, in the scheme it asks for.

        The first request goes out without credentials; a ``401`` with a ``Digest`` challenge
        switches to HTTP Digest, a ``Basic`` challenge (or a bare 401) to HTTP Basic. The
        choice is remembered, so later requests (and their bodies) are sent once.
        """

        def __init__(self, user: str, password: str) -> None:
            self.user = user
            self._basic = httpx.BasicAuth(user, password)
            self._digest = httpx.DigestAuth(user, password)
            self.scheme: str | None = None

        def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
            if self.scheme == "basic":
                yield from self._basic.auth_flow(request)
                return
            if self.scheme == "digest":
                yield from self._digest.auth_flow(request)
                return
            response = yield request
            if response.status_code != 401:
                return
            offered = [h.split(None, 1)[0].lower() for h in response.headers.get_list("www-authenticate") if h.strip()]
            if "digest" in offered:
                self.scheme = "digest"
                flow = self._digest.auth_flow(request)
                next(flow)  # the unauthenticated request, already answered by `response`
                try:
                    request = flow.send(response)
                    while True:
                        response = yield request
                        request = flow.send(response)
                except StopIteration:
                    return
            elif "basic" in offered or not offered:
                self.scheme = "basic"
                yield from self._basic.auth_flow(request)
            # Bearer, Negotiate, ...: not supported; the caller reports the 401

    return ChallengeAuth


_AUTH_CLASS: type | None = None


def challenge_auth(user: str, password: str) -> httpx.Auth:
    """An httpx auth that answers the server's Digest or Basic challenge (see module doc)."""
    global _AUTH_CLASS
    if _AUTH_CLASS is None:
        _AUTH_CLASS = _make_auth_class()
    return _AUTH_CLASS(user, password)


# ----------------------------------------------------------------------------- errors

class _Target:
    """An endpoint with its password kept out of every message."""

    def __init__(self, endpoint: str) -> None:
        self.creds = credentials(endpoint)
        self.url = strip_userinfo(endpoint)
        self.secret = self.creds[1] if self.creds and self.creds[1] else None

    def redact(self, text: str) -> str:
        return text.replace(self.secret, "***") if self.secret else text

    def fail(self, what: str, resp: httpx.Response | None = None, exc: Exception | None = None,
             url: str | None = None) -> IckgError:
        where = url or self.url
        if exc is not None:
            return IckgError(self.redact(f"{what}: cannot reach {where}: {type(exc).__name__}: {exc}"))
        assert resp is not None
        msg = f"{what}: {where} answered HTTP {resp.status_code} {resp.reason_phrase}".rstrip()
        if resp.status_code == 401:
            if self.creds is None:
                msg += f" (the store needs credentials: set {USER_ENV} and {PASSWORD_ENV})"
            else:
                msg += (f" (credentials of user {self.creds[0]!r} from {USER_ENV}/{PASSWORD_ENV} "
                        f"were refused, or the server asks for an unsupported auth scheme: "
                        f"{resp.headers.get('www-authenticate', 'none given')[:60]})")
        elif resp.status_code == 403:
            msg += " (the user may lack the right to write, e.g. Virtuoso's SPARQL_UPDATE role)"
        body = _body_text(resp)
        if body:
            msg += f": {body}"
        return IckgError(self.redact(msg))


def _body_text(resp: httpx.Response, limit: int = 400) -> str:
    try:
        text = resp.text
    except Exception:  # pragma: no cover - undecodable body
        return ""
    if "html" in resp.headers.get("content-type", ""):
        text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:limit] + ("..." if len(text) > limit else "")


# ------------------------------------------------------------------------------ terms

def _escape(s: str) -> str:
    return (s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r").replace("\t", "\\t"))


def _iri(value: str) -> str:
    if _IRI_BAD.search(value):
        raise IckgError(f"not a valid IRI: {value!r}")
    return f"<{value}>"


def term_text(node: Any) -> str:
    """An rdflib term in N-Triples form, valid in SPARQL too (no \\u escapes, which SPARQL
    would decode before parsing)."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(node, URIRef):
        return _iri(str(node))
    if isinstance(node, BNode):
        return "_:" + re.sub(r"[^A-Za-z0-9_]", "_", str(node))
    if isinstance(node, Literal):
        text = '"' + _escape(str(node)) + '"'
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype is not None and str(node.datatype) != "http://www.w3.org/2001/XMLSchema#string":
            return f"{text}^^{_iri(str(node.datatype))}"
        return text
    raise IckgError(f"cannot serialise {node!r}")


def _batches(graph: Graph, size: int) -> Iterator[tuple[list[str], bool]]:
    """Triples as N-Triples lines, sorted, in batches, each with whether it holds blank nodes;
    triples with blank nodes all go in the last batch, so each blank node stays one node (a
    label is scoped to one request)."""
    from rdflib import BNode

    plain, blank = [], []
    for s, p, o in graph:
        line = f"{term_text(s)} {term_text(p)} {term_text(o)} ."
        (blank if isinstance(s, BNode) or isinstance(o, BNode) else plain).append(line)
    plain.sort()
    for i in range(0, len(plain), size):
        yield plain[i:i + size], False
    if blank:
        yield sorted(blank), True


# ------------------------------------------------------------------------------- load

def _client(target: _Target, timeout: float) -> httpx.Client:
    import httpx

    auth = challenge_auth(*target.creds) if target.creds else None
    return httpx.Client(auth=auth, timeout=httpx.Timeout(timeout, connect=15.0), follow_redirects=True)


def query_endpoint_for(endpoint: str, protocol: str) -> str | None:
    """The SPARQL query endpoint that goes with a Graph Store or Update endpoint, if known.

    Virtuoso ``/sparql-graph-crud-auth`` -> ``/sparql-auth``, ``/sparql-graph-crud`` ->
    ``/sparql``; Fuseki ``/ds/data`` and ``/ds/update`` -> ``/ds/query``; GraphDB
    ``/repositories/R/rdf-graphs/service`` and ``/repositories/R/statements`` ->
    ``/repositories/R``. An update endpoint that matches none of these is assumed to answer
    queries too (Virtuoso ``/sparql``, Fuseki ``/ds``); for an unknown Graph Store endpoint
    there is none (the graph is then counted by reading it back).
    """
    import httpx

    url = httpx.URL(endpoint)
    path = url.path
    rules = [(r"/sparql-graph-crud-auth/?$", "/sparql-auth"), (r"/sparql-graph-crud/?$", "/sparql"),
             (r"/(data|update|get)/?$", "/query"),
             (r"(/repositories/[^/]+)/(rdf-graphs/service|statements)/?$", r"\1")]
    for pattern, repl in rules:
        if re.search(pattern, path):
            return str(url.copy_with(path=re.sub(pattern, repl, path), query=None))
    return endpoint if protocol == "update" else None


def count_triples(endpoint: str, graph_iri: str, client: httpx.Client | None = None,
                  target: _Target | None = None) -> int:
    """How many triples the named graph holds, by a SPARQL COUNT query on ``endpoint``."""
    import httpx

    target = target or _Target(endpoint)
    own = client is None
    client = client or _client(target, 60.0)
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {_iri(graph_iri)} {{ ?s ?p ?o }} }}"
    url = strip_userinfo(endpoint)
    try:
        resp = client.post(url, data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    except httpx.HTTPError as exc:
        raise target.fail("counting the loaded triples", exc=exc, url=url) from None
    finally:
        if own:
            client.close()
    if resp.status_code >= 300:
        raise target.fail("counting the loaded triples", resp, url=url)
    try:
        rows = resp.json()["results"]["bindings"]
        return int(rows[0]["n"]["value"]) if rows else 0
    except (ValueError, KeyError, IndexError, TypeError):
        raise IckgError(f"counting the loaded triples: {url} did not answer with SPARQL JSON results: "
                        f"{_body_text(resp, 200)}") from None


def load(graph: Graph, endpoint: str, graph_iri: str, protocol: str = "gsp", *,
         query_endpoint: str | None = None, batch_size: int = BATCH, timeout: float = 300.0) -> int:
    """Replace the named graph ``graph_iri`` at ``endpoint`` with ``graph``; return its triple count.

    Args:
        graph: the built, validated rdflib graph.
        endpoint: a Graph Store endpoint (``protocol="gsp"``) or an update endpoint
            (``protocol="update"``); may carry ``user:password@``.
        graph_iri: the named graph to replace.
        protocol: ``"gsp"`` (HTTP PUT) or ``"update"`` (DROP SILENT GRAPH + INSERT DATA).
        query_endpoint: where to send the COUNT check (default: derived, see
            :func:`query_endpoint_for`).
        batch_size: triples per INSERT DATA request.
        timeout: seconds to wait for one request.

    Raises:
        IckgError: naming the endpoint and the HTTP status, without the password.
    """
    import httpx

    if protocol not in ("gsp", "update"):
        raise IckgError(f"unknown protocol {protocol!r}: use gsp (Graph Store Protocol) or update (SPARQL Update)")
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", graph_iri) or _IRI_BAD.search(graph_iri):
        raise IckgError(f"the graph name must be an absolute IRI, got {graph_iri!r}")
    if not re.match(r"^https?://", endpoint):
        raise IckgError(f"the endpoint must be an http(s) URL, got {strip_userinfo(endpoint)!r}")
    target = _Target(endpoint)
    expected = len(graph)
    with _client(target, timeout) as client:
        try:
            if protocol == "gsp":
                _put(client, target, graph, graph_iri)
            else:
                _update(client, target, graph, graph_iri, batch_size)
        except httpx.HTTPError as exc:
            raise target.fail(f"loading <{graph_iri}>", exc=exc) from None
        counter = query_endpoint or query_endpoint_for(endpoint, protocol)
        if counter is None:
            n = _count_by_reading(client, target, graph_iri)
        else:
            n = count_triples(counter, graph_iri, client, target)
    if n < expected:
        raise IckgError(f"loaded <{graph_iri}> at {target.url}, but it holds {n:,} triples where "
                        f"{expected:,} were sent")
    return n


def _put(client: httpx.Client, target: _Target, graph: Graph, graph_iri: str) -> None:
    from kg.export import to_ntriples

    body = to_ntriples(graph).encode("utf-8")
    params = {"graph": graph_iri}
    if target.creds:
        # a cheap request first, so the (large) body is sent once, already authenticated
        probe = client.head(target.url, params=params)
        if probe.status_code == 401:
            raise target.fail(f"replacing <{graph_iri}>", probe)
    resp = None
    for media in ("application/n-triples", "text/turtle"):  # N-Triples is Turtle too
        resp = client.put(target.url, params=params, content=body,
                          headers={"Content-Type": f"{media}; charset=utf-8"})
        if resp.status_code != 415:
            break
    assert resp is not None
    if resp.status_code not in (200, 201, 204):
        raise target.fail(f"replacing <{graph_iri}> (Graph Store Protocol PUT)", resp)


_TOO_BIG = re.compile(r"exceeded|too (?:long|large|big)|request entity|payload", re.I)


def _update(client: httpx.Client, target: _Target, graph: Graph, graph_iri: str, batch_size: int) -> None:
    g = _iri(graph_iri)
    _post_update(client, target, f"DROP SILENT GRAPH {g}", f"clearing <{graph_iri}>")
    done = 0

    def insert(lines: list[str], splittable: bool) -> None:
        nonlocal done
        text = f"INSERT DATA {{ GRAPH {g} {{\n" + "\n".join(lines) + "\n} }"
        resp = client.post(target.url, data={"update": text})
        if resp.status_code >= 300:
            # a store that finds the request too big (Virtuoso: "the length of generated SQL text
            # has exceeded 10000 lines", around 1,500 triples) gets it again in halves
            if splittable and len(lines) > 1 and (resp.status_code == 413 or _TOO_BIG.search(_body_text(resp))):
                half = len(lines) // 2
                insert(lines[:half], True)
                insert(lines[half:], True)
                return
            what = (f"inserting triples {done + 1:,}-{done + len(lines):,} into <{graph_iri}> (SPARQL Update)"
                    + (f"; {done:,} were inserted before, the graph is incomplete" if done else ""))
            raise target.fail(what, resp)
        done += len(lines)

    for lines, has_blank_nodes in _batches(graph, max(1, batch_size)):
        insert(lines, not has_blank_nodes)  # a blank node must stay in one request


def _post_update(client: httpx.Client, target: _Target, text: str, what: str) -> None:
    resp = client.post(target.url, data={"update": text})
    if resp.status_code >= 300:
        raise target.fail(what + " (SPARQL Update)", resp)


def _count_by_reading(client: httpx.Client, target: _Target, graph_iri: str) -> int:
    """Count a graph by reading it back through the Graph Store Protocol."""
    import pyoxigraph

    resp = client.get(target.url, params={"graph": graph_iri}, headers={"Accept": "application/n-triples"})
    if resp.status_code != 200:
        raise target.fail(f"reading <{graph_iri}> back", resp)
    media = resp.headers.get("content-type", "application/n-triples").split(";")[0].strip()
    fmt = pyoxigraph.RdfFormat.from_media_type(media) or pyoxigraph.RdfFormat.N_TRIPLES
    return sum(1 for _ in pyoxigraph.parse(resp.content, fmt))

