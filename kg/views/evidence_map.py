"""Data of the evidence-and-gap map (``app_pages/evidence_map.py``).

Processes or mechanisms by outcome domain, with counts by direction, the strongest evidence
basis per cell, and the statements of a cell with quotes; the map's and a cell's downloads.

A cell counts only findings about its process or mechanism (directly, or about a mechanism
under the process), so its count equals the ``evidence-map`` gallery query's and a gap is a
gap. Findings about a whole case study say nothing about which of its components worked; when
asked for (``include_cases``) they are attributed to every process and mechanism the case uses
as a separate layer (:attr:`Cell.case_statements`), never added to the direct count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from kg.errors import IckgError
from kg.views.cases import case_table, facet_values
from kg.views.common import (DOMAIN_SCHEME, MECHANISM_SCHEME, PROCESS_SCHEME, Facet, Statement, concepts, local, memo,
                             scheme_concepts, sources, statements, whole_rows)

#: Filters of the evidence map (URL parameter names) and what each filters on.
MAP_FILTERS: tuple[Facet, ...] = (
    Facet("population", "Population", "Keeps findings about this population, or about case studies for it."),
    Facet("need", "Level of need", "Keeps findings about case studies for people with this level of need."),
    Facet("level", "Level", "Keeps findings about this level, or about case studies at it."),
    Facet("form", "Form", "Keeps findings about this form, or about case studies of it."),
    Facet("country", "Country", "Keeps findings about this country, or about case studies in it."),
    Facet("source", "Source", "Keeps findings reported by this source."),
    Facet("basis", "Evidence basis", "Keeps findings of this evidence basis."),
)
#: Filters that keep a finding through what it is about: the concept itself or a case study classified so.
CASE_FILTERS = ("population", "need", "level", "form", "country")


@dataclass(frozen=True)
class Placement:
    """An evidence statement counted in a row of the map."""

    statement: str
    route: str  # "mechanism", "process" or "case"
    about: str
    mechanism: str | None
    process: str


def placements(explorer: Any) -> list[Placement]:
    """Where every statement sits on the map (see ``_statement_placement.rq``)."""
    return memo(explorer, "placements", lambda: [
        Placement(r["statement"], r["route"], r["about"], r["mechanism"], r["process"])
        for r in whole_rows(explorer, "_statement_placement")])


@dataclass
class Cell:
    """One cell of the evidence map."""

    row: str
    col: str
    statements: list[str] = field(default_factory=list)
    directions: Counter = field(default_factory=Counter)
    strongest_rank: int | None = None
    strongest_basis: str = ""
    #: Findings about a case study that uses the row's process or mechanism (the case-level layer),
    #: other than those already counted directly.
    case_statements: list[str] = field(default_factory=list)
    case_directions: Counter = field(default_factory=Counter)

    @property
    def count(self) -> int:
        """How many findings are about the cell's process or mechanism itself."""
        return len(self.statements)

    @property
    def case_count(self) -> int:
        """How many findings the case-level layer attributes to the cell."""
        return len(self.case_statements)


@dataclass
class EvidenceMap:
    """An evidence-and-gap map: rows (processes or mechanisms) by outcome domains."""

    axis: str
    rows: list[tuple[str, str]]  # (IRI, label), every row, empty ones included
    cols: list[tuple[str, str]]
    cells: dict[tuple[str, str], Cell]
    filters: dict[str, list[str]]
    include_cases: bool
    total: int  # distinct statements counted directly on the map
    case_total: int = 0  # distinct statements only in the case-level layer

    def cell(self, row: str, col: str) -> Cell:
        """A cell (an empty one for a gap)."""
        return self.cells.get((row, col)) or Cell(row, col)

    @property
    def gaps(self) -> int:
        """Cells without any statement."""
        return len(self.rows) * len(self.cols) - sum(1 for c in self.cells.values() if c.count)


def map_filter_values(explorer: Any, key: str) -> list[tuple[str, str]]:
    """Values a map filter can take, as (IRI, label)."""
    if key in ("population", "need"):  # the whole scheme: findings may be about a concept no case carries
        return [(c.iri, c.label) for c in sorted(scheme_concepts(explorer, f"scheme:{key}"), key=lambda c: c.sort_key)]
    if key in CASE_FILTERS:
        return facet_values(explorer, key)
    if key == "source":
        return [(s.iri, s.title) for s in sources(explorer)]
    if key == "basis":
        return [(c.iri, c.label) for c in scheme_concepts(explorer, "scheme:basis")]
    raise IckgError(f"unknown evidence-map filter {key!r}")


def evidence_map(explorer: Any, axis: str = "process", filters: dict[str, Iterable[str]] | None = None,
                 include_cases: bool = False) -> EvidenceMap:
    """The evidence-and-gap map.

    Args:
        axis: ``process`` (the seven integrative processes) or ``mechanism`` as rows.
        filters: IRIs by :data:`MAP_FILTERS` key. Population, need, level, form and country keep
            statements about the concept or about case studies so classified; source and basis
            filter statements directly.
        include_cases: add the case-level layer: statements about a case study attributed to
            every mechanism and process the case uses (the Campbell/3ie convention that a study
            of a programme informs each of its components), kept apart from the direct counts.
    """
    if axis not in ("process", "mechanism"):
        raise IckgError(f"axis must be process or mechanism, not {axis!r}")
    chosen = {k: set(v) for k, v in (filters or {}).items() if v}
    stmts = statements(explorer)
    cases = {c.iri: c for c in case_table(explorer)}

    def keep_statement(s: Statement) -> bool:
        if "source" in chosen and s.source not in chosen["source"]:
            return False
        if "basis" in chosen and s.basis not in chosen["basis"]:
            return False
        return True

    case_filters = {k: v for k, v in chosen.items() if k in CASE_FILTERS}

    def keep_about(s: Statement) -> bool:
        for k, want in case_filters.items():
            if not any(a in want or (a in cases and cases[a].values(k) & want) for a in s.about):
                return False
        return True

    cs = concepts(explorer)
    if axis == "process":
        rows = [(c.iri, c.label) for c in scheme_concepts(explorer, PROCESS_SCHEME)]
    else:
        mechs = [c for c in cs.values() if c.scheme == MECHANISM_SCHEME]
        rows = [(c.iri, c.label) for c in sorted(mechs, key=lambda c: c.label.lower())]
    cols = sorted(((c.iri, c.label) for c in scheme_concepts(explorer, DOMAIN_SCHEME)), key=lambda p: p[1].lower())
    cells: dict[tuple[str, str], Cell] = {}
    on_map: set[str] = set()
    layer: list[tuple[str, Statement]] = []
    for p in placements(explorer):
        s = stmts.get(p.statement)
        if s is None or not keep_statement(s) or not keep_about(s):
            continue
        row = p.process if axis == "process" else p.mechanism
        if not row:
            continue
        if p.route == "case":
            if include_cases:
                layer.append((row, s))
            continue
        for d in s.domains:
            cell = cells.setdefault((row, d), Cell(row, d))
            if s.iri in cell.statements:
                continue
            cell.statements.append(s.iri)
            cell.directions[s.direction_id] += 1
            if cell.strongest_rank is None or s.rank < cell.strongest_rank:
                cell.strongest_rank, cell.strongest_basis = s.rank, s.basis_label
            on_map.add(s.iri)
    case_only: set[str] = set()
    for row, s in layer:  # after the direct counts, so a finding is never in both layers of a cell
        for d in s.domains:
            cell = cells.setdefault((row, d), Cell(row, d))
            if s.iri in cell.statements or s.iri in cell.case_statements:
                continue
            cell.case_statements.append(s.iri)
            cell.case_directions[s.direction_id] += 1
            if s.iri not in on_map:
                case_only.add(s.iri)
    for cell in cells.values():
        cell.statements.sort(key=lambda i: (stmts[i].rank, stmts[i].summary))
        cell.case_statements.sort(key=lambda i: (stmts[i].rank, stmts[i].summary))
    if axis == "mechanism":  # rows with no statement at all only clutter a 70-row map
        used = {r for r, _ in cells}
        rows = [r for r in rows if r[0] in used] or rows
    return EvidenceMap(axis, rows, cols, cells, {k: sorted(v) for k, v in chosen.items()}, include_cases, len(on_map),
                       len(case_only))


MAP_COLUMNS = ("row", "row_iri", "outcome_domain", "outcome_domain_iri", "statements", "positive", "mixed",
               "no_effect", "negative", "unclear", "without_direction", "strongest_evidence_basis",
               "case_level_statements")


def map_rows(emap: EvidenceMap, names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The map as a table, one row per cell, gaps included (the map's download)."""
    out = []
    for r, rl in emap.rows:
        for c, cl in emap.cols:
            cell = emap.cell(r, c)
            out.append({"row": rl, "row_iri": r, "outcome_domain": cl, "outcome_domain_iri": c,
                        "statements": cell.count, "positive": cell.directions.get("positive", 0),
                        "mixed": cell.directions.get("mixed", 0), "no_effect": cell.directions.get("no-effect", 0),
                        "negative": cell.directions.get("negative", 0), "unclear": cell.directions.get("unclear", 0),
                        "without_direction": cell.directions.get("none", 0),
                        "strongest_evidence_basis": cell.strongest_basis,
                        "case_level_statements": cell.case_count if emap.include_cases else ""})
    return out


CELL_COLUMNS = ("statement", "summary", "about", "outcome_domains", "claim_kind", "direction", "evidence_basis",
                "caveats", "source", "locator", "quote", "citation")


def cell_statements(explorer: Any, emap: EvidenceMap, row: str, col: str, layer: str = "direct") -> list[Statement]:
    """The statements of one cell, strongest evidence first; ``layer="case"`` for the case-level layer."""
    stmts = statements(explorer)
    cell = emap.cell(row, col)
    return [stmts[i] for i in (cell.case_statements if layer == "case" else cell.statements)]


def statement_rows(items: list[Statement], all_statements: dict[str, Statement] | None = None) -> list[dict[str, str]]:
    """Statements as rows, one per supporting quote (a cell's download), each with its claim kind and caveats.

    ``all_statements`` (:func:`~kg.views.common.statements`) gives the caveats' own summaries and quotes.
    """
    out = []
    every = all_statements or {}
    for s in items:
        caveats = " | ".join(f"{c.summary} (quote: {' … '.join(q.text for q in c.quotes)})"
                             for c in (every.get(i) for i in s.caveats) if c is not None)
        for q in s.quotes or (None,):
            out.append({"statement": s.iri, "summary": s.summary, "about": "; ".join(s.about_labels),
                        "outcome_domains": "; ".join(s.domain_labels), "claim_kind": s.claim_label,
                        "direction": s.direction_label if s.direction_id != "none" else "", "caveats": caveats,
                        "evidence_basis": s.basis_label, "source": s.source_label,
                        "locator": q.locator if q else s.locator, "quote": q.text if q else "",
                        "citation": s.citation})
    return out


def cell_key(row: str, col: str) -> str:
    """The URL form of a cell: ``<row id>~<domain id>`` (``financial~hospital-use``)."""
    return f"{local(row)}~{local(col)}"


def parse_cell_key(emap: EvidenceMap, key: str | None) -> tuple[str, str] | None:
    """The (row, col) IRIs of a cell's URL form, or None when it is not on this map."""
    if not key or "~" not in key:
        return None
    r, _, c = key.partition("~")
    row = next((i for i, _ in emap.rows if local(i) == r), None)
    col = next((i for i, _ in emap.cols if local(i) == c), None)
    return (row, col) if row and col else None
