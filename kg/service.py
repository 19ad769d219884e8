"""The facade every consumer reads through: one store, named queries, plain rows out.

The app's pages, the design assistant and the HTTP layer call :class:`Explorer`; they never
hold SPARQL or parse files. It works the same on the embedded store and on a remote endpoint
(``sparql_endpoint``), because it only runs named queries with bindings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg import queries, settings
from kg.errors import IckgError
from kg.store import EmbeddedStore, QueryResult, RemoteStore, open_store


@dataclass
class Explorer:
    """A store plus the release it serves."""

    store: EmbeddedStore | RemoteStore
    release_id: str = ""
    _cache: dict = field(default_factory=dict, repr=False)

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
        q = queries.find(name) or queries.internal(name.lstrip("_"))
        result = self.store.query(q.text, q.bind({k: v for k, v in params.items() if v not in (None, "")}))
        if _cache:
            self._cache[key] = result
        return result

    def rows(self, name: str, **params: str) -> list[dict[str, str | None]]:
        """Rows of a named SELECT query as dicts of plain strings."""
        return self.named(name, **params).values()

    def close(self) -> None:
        """Stop the store's workers."""
        self.store.close()


def open_explorer(overrides: dict[str, str] | None = None, workers: int = 2) -> Explorer:
    """Open the configured store and read the release it serves.

    Raises:
        IckgError: when the curated data has errors or the endpoint cannot be reached.
    """
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
