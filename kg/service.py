"""The facade every consumer reads through: one store, named queries, plain rows out.

The app's pages, the design assistant and the HTTP layer call :class:`Explorer`; they never
hold SPARQL or parse files. It works the same on the embedded store and on a remote endpoint
(``sparql_endpoint``), because it only runs named queries with bindings.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from kg import queries, settings
from kg.errors import IckgError
from kg.store import EmbeddedStore, QueryResult, RemoteStore, Term, open_store


@dataclass
class Explorer:
    """A store plus the release it serves.

    Answers to named queries are kept in memory, and, on the embedded store of a cached build,
    on disk beside that build (``answers``, a folder named by the build's input key): the
    package's own queries on an unchanged graph give unchanged answers, so a restarted app or a
    second command reads them instead of asking the engine again. A changed input is a new key,
    so an old answer is never read for a new graph.
    """

    store: EmbeddedStore | RemoteStore
    release_id: str = ""
    _cache: dict = field(default_factory=dict, repr=False)
    answers: Path | None = None

    @property
    def backend(self) -> str:
        """``embedded`` or ``remote``."""
        return self.store.backend

    @property
    def location(self) -> str:
        """Where the data is: "embedded Oxigraph" or the endpoint URL."""
        return self.store.location

    def query(self, text: str, bindings: dict | None = None, **limits: Any) -> QueryResult:
        """Run an arbitrary read-only query (the SPARQL console)."""
        return self.store.query(text, bindings or {}, **limits)

    def named(self, name: str, _cache: bool = True, **params: str) -> QueryResult:
        """Run a gallery or internal named query with parameters (values become bindings)."""
        key = (name, tuple(sorted(params.items())))
        if _cache and key in self._cache:
            return self._cache[key]
        disk = self._answer_path(key) if _cache else None
        result = _read_answer(disk) if disk is not None else None
        if result is None:
            q = queries.find(name) or queries.internal(name.lstrip("_"))
            result = self.store.query(q.text, q.bind({k: v for k, v in params.items() if v not in (None, "")}))
            if disk is not None and not result.timed_out:
                _write_answer(disk, result)
        if _cache:
            self._cache[key] = result
        return result

    def _answer_path(self, key: tuple) -> Path | None:
        if self.answers is None:
            return None
        digest = hashlib.sha256(repr((key, self.store.max_rows)).encode("utf-8")).hexdigest()[:24]
        return self.answers / f"{digest}.json"

    def rows(self, name: str, **params: str) -> list[dict[str, str | None]]:
        """Rows of a named SELECT query as dicts of plain strings."""
        return self.named(name, **params).values()

    def close(self) -> None:
        """Stop the store's workers."""
        self.store.close()


def _read_answer(path: Path) -> QueryResult | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    term = (lambda t: None if t is None else Term(*t))
    data["rows"] = [tuple(map(term, row)) for row in data["rows"]]
    data["triples"] = [tuple(map(term, tr)) for tr in data["triples"]]
    return QueryResult(**data)


def _write_answer(path: Path, result: QueryResult) -> None:
    """Write atomically; a folder that cannot be written only costs the next reader a query."""
    data = {f.name: getattr(result, f.name) for f in fields(result)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False)
        os.replace(tmp, path)
    except OSError:
        pass


def open_explorer(overrides: dict[str, str] | None = None, workers: int = 2) -> Explorer:
    """Open the configured store and read the release it serves.

    Raises:
        IckgError: when the curated data has errors or the endpoint cannot be reached.
    """
    if not settings.get("sparql_endpoint", overrides):
        from kg.cache import answers_dir, validated_graph

        graph = validated_graph(overrides)  # the last validated build, rebuilt when an input changed
        store = EmbeddedStore(graph.ntriples, graph.release_id, workers=workers,
                              time_limit_ms=settings.get_int("query_time_limit_ms", overrides),
                              max_rows=settings.get_int("max_rows", overrides))
        return Explorer(store, graph.release_id, answers=answers_dir(graph, overrides))
    store = open_store(overrides, workers=workers)
    explorer = Explorer(store, getattr(store, "release_id", ""))
    if not explorer.release_id:
        try:
            rows = explorer.rows("_release")
            explorer.release_id = rows[0]["release"] if rows else "unknown release"
        except IckgError as exc:
            raise IckgError(f"the SPARQL endpoint {settings.get('sparql_endpoint', overrides)} "
                            f"did not answer: {exc}") from None
    return explorer


def load_snapshot(overrides: dict[str, str] | None = None):
    """Summary of the built graph for the CLI and tests (counts, sources)."""
    from kg import pipeline, stats
    from kg.build import citation

    outcome = pipeline.run(overrides)
    if not outcome.ok:
        raise IckgError("the curated data has errors; run `ickg validate`:\n"
                        + "\n".join(map(str, outcome.errors[:10])))
    data = stats.compute(outcome.built.graph)
    data["sources"] = [{"id": s.id, "title": s.title, "citation": citation(s)} for s in outcome.corpus.of("sources")]
    data["release"] = outcome.built.release_id
    return data
