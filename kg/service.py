"""The facade the app and the HTTP layer call: one loaded graph, named queries, plain data out.

Pages never parse files or hold SPARQL; they call these functions, which return lists of
dicts, and render them. Heavy objects (the built graph, the store) are created once per
process and cached by the caller (``st.cache_resource`` in the app).
"""

from __future__ import annotations

from dataclasses import dataclass

from kg import pipeline, stats
from kg.build import citation
from kg.errors import IckgError


@dataclass
class Snapshot:
    """A validated build and what the overview page needs from it."""

    release_id: str
    triples: int
    counts: dict
    sources: list[dict]
    numbered: list[dict]


def load_snapshot(overrides: dict[str, str] | None = None) -> Snapshot:
    """Build the graph from the curated files (SHACL included) and summarise it."""
    outcome = pipeline.run(overrides)
    if not outcome.ok:
        raise IckgError("the curated data has errors; run `ickg validate`:\n"
                        + "\n".join(map(str, outcome.errors[:10])))
    data = stats.compute(outcome.built.graph)
    sources = [{"id": s.id, "title": s.title, "citation": citation(s), "doi": s.doi, "type": s.type,
                "support": s.support, "note": s.note or "", "references": len(s.references)}
               for s in outcome.corpus.of("sources")]
    return Snapshot(outcome.built.release_id, data["triples"], data["classes"], sources,
                    data["numbered_case_studies"])
