"""Data of the evidence-and-gap map (``app_pages/evidence_map.py``).

Processes or mechanisms by outcome domain, with counts by direction, the strongest evidence
basis per cell, and the statements of a cell with quotes; the map's and a cell's downloads.
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
    Facet("level", "Level", "Keeps findings about case studies at this level."),
    Facet("form", "Form", "Keeps findings about case studies of this form."),
    Facet("country", "Country", "Keeps findings about case studies in this country."),
    Facet("source", "Source", "Keeps findings reported by this source."),
    Facet("basis", "Evidence basis", "Keeps findings of this evidence basis."),
)


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

    @property
    def count(self) -> int:
        """How many statements the cell holds."""
        return len(self.statements)


@dataclass
class EvidenceMap:
    """An evidence-and-gap map: rows (processes or mechanisms) by outcome domains."""

    axis: str
    rows: list[tuple[str, str]]  # (IRI, label), every row, empty ones included
    cols: list[tuple[str, str]]
    cells: dict[tuple[str, str], Cell]
    filters: dict[str, list[str]]
    include_cases: bool
    total: int  # distinct statements on the map

    def cell(self, row: str, col: str) -> Cell:
        """A cell (an empty one for a gap)."""
        return self.cells.get((row, col)) or Cell(row, col)

    @property
    def gaps(self) -> int:
        """Cells without any statement."""
        return len(self.rows) * len(self.cols) - sum(1 for c in self.cells.values() if c.count)


def map_filter_values(explorer: Any, key: str) -> list[tuple[str, str]]:
    """Values a map filter can take, as (IRI, label)."""
    if key in ("level", "form", "country"):
        return facet_values(explorer, key)
    if key == "source":
        return [(s.iri, s.title) for s in sources(explorer)]
    if key == "basis":
        return [(c.iri, c.label) for c in scheme_concepts(explorer, "scheme:basis")]
    raise IckgError(f"unknown evidence-map filter {key!r}")


def evidence_map(explorer: Any, axis: str = "process", filters: dict[str, Iterable[str]] | None = None,
                 include_cases: bool = True) -> EvidenceMap:
    """The evidence-and-gap map.

    Args:
        axis: ``process`` (the seven integrative processes) or ``mechanism`` as rows.
        filters: IRIs by :data:`MAP_FILTERS` key. Level, form and country keep statements about
            case studies so classified; source and basis filter statements directly.
        include_cases: count statements about a case study under every mechanism and process
            the case uses (the Campbell/3ie convention that a study of a programme informs each
            of its components), not only statements about a mechanism or process itself.
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

    def keep_about(about: str) -> bool:
        case_filters = {k: v for k, v in chosen.items() if k in ("level", "form", "country")}
        if not case_filters:
            return True
        c = cases.get(about)
        return c is not None and all(c.values(k) & v for k, v in case_filters.items())

    cs = concepts(explorer)
    if axis == "process":
        rows = [(c.iri, c.label) for c in scheme_concepts(explorer, PROCESS_SCHEME)]
    else:
        mechs = [c for c in cs.values() if c.scheme == MECHANISM_SCHEME]
        rows = [(c.iri, c.label) for c in sorted(mechs, key=lambda c: c.label.lower())]
    cols = sorted(((c.iri, c.label) for c in scheme_concepts(explorer, DOMAIN_SCHEME)), key=lambda p: p[1].lower())
    cells: dict[tuple[str, str], Cell] = {}
    on_map: set[str] = set()
    for p in placements(explorer):
        if p.route == "case" and not include_cases:
            continue
        s = stmts.get(p.statement)
        if s is None or not keep_statement(s):
            continue
        # a statement about a case and a mechanism counts once per row, kept if any route is kept
        if not keep_about(p.about) and not (p.route != "case" and any(keep_about(a) for a in s.about)):
            continue
        row = p.process if axis == "process" else p.mechanism
        if not row:
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
    for cell in cells.values():
        cell.statements.sort(key=lambda i: (stmts[i].rank, stmts[i].summary))
    if axis == "mechanism":  # rows with no statement at all only clutter a 70-row map
        used = {r for r, _ in cells}
        rows = [r for r in rows if r[0] in used] or rows
    return EvidenceMap(axis, rows, cols, cells, {k: sorted(v) for k, v in chosen.items()}, include_cases, len(on_map))


MAP_COLUMNS = ("row", "row_iri", "outcome_domain", "outcome_domain_iri", "statements", "positive", "mixed",
               "no_effect", "negative", "unclear", "strongest_evidence_basis")


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
                        "strongest_evidence_basis": cell.strongest_basis})
    return out


CELL_COLUMNS = ("statement", "summary", "about", "outcome_domains", "direction", "evidence_basis", "source",
                "locator", "quote", "citation")


def cell_statements(explorer: Any, emap: EvidenceMap, row: str, col: str) -> list[Statement]:
    """The statements of one cell, strongest evidence first."""
    stmts = statements(explorer)
    return [stmts[i] for i in emap.cell(row, col).statements]


def statement_rows(items: list[Statement]) -> list[dict[str, str]]:
    """Statements as rows, one per supporting quote (a cell's download)."""
    out = []
    for s in items:
        for q in s.quotes or (None,):
            out.append({"statement": s.iri, "summary": s.summary, "about": "; ".join(s.about_labels),
                        "outcome_domains": "; ".join(s.domain_labels), "direction": s.direction_label,
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
