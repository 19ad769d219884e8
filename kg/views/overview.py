"""Data of the overview page (``app_pages/overview.py``): counts, sources and the frameworks at a glance."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from kg.views.common import ConceptInfo, SourceInfo, local, memo, scheme_concepts, sources, whole_rows


@dataclass
class Overview:
    """What the graph holds and the frameworks at a glance."""

    counts: dict[str, int]
    sources: list[SourceInfo]
    levels: list[ConceptInfo]
    processes: list[ConceptInfo]
    leutz: list[dict]
    kaiser: list[dict]
    need: list[dict]
    case_counts: dict[str, int]


def overview(explorer: Any) -> Overview:
    """Counts, sources, and the levels, processes, Leutz levels and Kaiser triangle."""
    def make() -> Overview:
        classes = {local(r["class"]): int(r["n"]) for r in whole_rows(explorer, "_stats_classes")}
        srcs = sources(explorer)
        classes["Document"] = len(srcs)
        classes["Reference"] = sum(s.references for s in srcs)
        per_concept: Counter = Counter()
        for r in whole_rows(explorer, "_case_facets"):
            per_concept[r["value"]] += 1
        return Overview(counts=classes, sources=srcs, levels=scheme_concepts(explorer, "scheme:level"),
                        processes=scheme_concepts(explorer, "scheme:process"), leutz=whole_rows(explorer, "leutz-levels"),
                        kaiser=whole_rows(explorer, "kaiser-triangle"), need=whole_rows(explorer, "integration-for-need"),
                        case_counts=dict(per_concept))
    return memo(explorer, "overview", make)
