"""Data of the comparison page (``app_pages/compare.py``): two to four case studies side by side."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from kg.views.cases import CLASSIFICATION, CaseDetail, case_detail
from kg.views.common import concepts

COMPARE_MAX = 4


@dataclass
class Comparison:
    """Case studies side by side: one row per aspect, one list of values per case study."""

    cases: list[CaseDetail]
    columns: list[str]  # "group", "aspect", then one column name per case study
    rows: list[tuple[str, str, list[list[str]]]]  # (group, aspect, values per case)

    def table(self) -> list[dict[str, str]]:
        """The comparison as flat rows (values joined by "; "), as shown and downloaded."""
        return [{"group": g, "aspect": a, **{col: "; ".join(v) for col, v in zip(self.columns[2:], cells)}}
                for g, a, cells in self.rows]


def comparison(explorer: Any, cases: list[str]) -> Comparison:
    """Two to four case studies side by side.

    Rows: each classification, the mechanisms under each integrative process, the findings in
    each outcome domain ("direction: summary [claim kind; evidence basis] (caveat: ...)"; a claim
    without a direction shows its claim kind first), enablers and barriers. A case
    with nothing for a row has an empty list: the sources say nothing.
    """
    details = [d for d in (case_detail(explorer, c) for c in cases[:COMPARE_MAX]) if d is not None]
    columns = ["group", "aspect"] + [d.label for d in details]
    seen: Counter = Counter()
    for i, c in enumerate(columns[2:], start=2):  # keep columns distinct when labels repeat
        seen[c] += 1
        if seen[c] > 1:
            columns[i] = f"{c} ({details[i - 2].id})"
    rows: list[tuple[str, str, list[list[str]]]] = []

    def add(group: str, aspect: str, cells: list[list[str]]) -> None:
        rows.append((group, aspect, [list(dict.fromkeys(v)) for v in cells]))

    for prop, title in CLASSIFICATION:
        cells = [[ln.value for ln in d.classification if ln.label == title] for d in details]
        if any(cells):
            add("Classification", title, cells)
    procs: dict[str, str] = {}
    for d in details:
        for b in d.processes:
            procs.setdefault(b.process, b.label)
    cs = concepts(explorer)
    for p in sorted(procs, key=lambda p: cs[p].sort_key if p in cs else (2,)):
        cells = []
        for d in details:
            b = next((b for b in d.processes if b.process == p), None)
            cells.append([] if b is None else ([m.value for m in b.mechanisms] or ["(process named, no mechanism)"]))
        add("Mechanisms by process", procs[p], cells)
    doms: dict[str, str] = {}
    for d in details:
        for b in d.domains:
            doms.setdefault(b.domain, b.label)
    for dom in sorted(doms, key=lambda x: doms[x].lower()):
        cells = []
        for d in details:
            b = next((b for b in d.domains if b.domain == dom), None)
            cells.append([] if b is None else [
                f"{f.direction_label}: {f.value} [{'; '.join(x for x in (f.claim_label.lower(), f.basis_label) if x)}]"
                + "".join(f" (caveat: {c.summary})" for c in f.caveats) for f in b.findings])
        add("Findings by outcome", doms[dom], cells)
    add("Enablers", "Enablers", [[f.value for f in d.enablers] for d in details])
    add("Barriers", "Barriers", [[f.value for f in d.barriers] for d in details])
    return Comparison(details, columns, rows)


def compare(explorer: Any, cases: list[str]) -> tuple[list[str], list[dict[str, str]]]:
    """The comparison as (columns, flat rows), for downloads and scripts (see :func:`comparison`)."""
    c = comparison(explorer, cases)
    return c.columns, c.table()
