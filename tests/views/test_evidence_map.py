"""kg.views.evidence_map: the evidence-and-gap map, its filters, cells and downloads.

Expected values come from the curated YAML (read here independently of the graph), from the
source texts as quoted in the files, or from a second computation over the rdflib graph;
never from a previous run of the code under test.
"""

from __future__ import annotations

import pytest
from rdflib import URIRef

from kg.views import cases, common, evidence_map

C = "https://w3id.org/ickg/concept/"


def test_map_without_case_findings_equals_the_gallery_query(ex):
    """Counted only through mechanisms and processes, each cell equals the evidence-map query's."""
    emap = evidence_map.evidence_map(ex, "process", include_cases=False)
    expected = {(r["process"], r["domain"]): r for r in ex.rows("evidence-map")}
    got = {k: c for k, c in emap.cells.items() if c.count}
    assert set(got) == set(expected)
    for k, cell in got.items():
        r = expected[k]
        assert cell.count == int(r["statements"])
        assert cell.directions.get("positive", 0) == int(r["positive"])
        assert cell.directions.get("no-effect", 0) == int(r["noEffect"])
        assert cell.strongest_rank == int(r["strongestRank"])


def test_map_grid_and_gaps(ex, shipped_graph):
    """Every process by every outcome domain is a cell; gaps are the empty ones; directions add up."""
    from rdflib.namespace import SKOS

    emap = evidence_map.evidence_map(ex)
    processes = set(shipped_graph.subjects(SKOS.inScheme, URIRef("https://w3id.org/ickg/scheme/process")))
    domains = set(shipped_graph.subjects(SKOS.inScheme, URIRef("https://w3id.org/ickg/scheme/domain")))
    assert {r for r, _ in emap.rows} == {str(p) for p in processes}
    assert {c for c, _ in emap.cols} == {str(d) for d in domains}
    table = evidence_map.map_rows(emap)
    assert len(table) == len(processes) * len(domains)
    assert emap.gaps == sum(1 for r in table if r["statements"] == 0)
    for cell in emap.cells.values():
        assert sum(cell.directions.values()) == cell.count == len(set(cell.statements))
    with_cases = evidence_map.evidence_map(ex).total
    assert with_cases > evidence_map.evidence_map(ex, include_cases=False).total


def test_map_filters(ex):
    """Source and basis keep only such statements; level keeps statements about cases at that level."""
    stmts = common.statements(ex)
    src = "https://w3id.org/ickg/source/goddard-mason-2016"
    emap = evidence_map.evidence_map(ex, filters={"source": [src]})
    assert emap.total and all(stmts[s].source == src for c in emap.cells.values() for s in c.statements)
    basis = C + "basis/randomised-trial"
    emap = evidence_map.evidence_map(ex, filters={"basis": [basis]})
    assert all(stmts[s].basis == basis for c in emap.cells.values() for s in c.statements)
    meso = C + "level/meso"
    by_iri = {c.iri: c for c in cases.case_table(ex)}
    emap = evidence_map.evidence_map(ex, filters={"level": [meso]})
    for c in emap.cells.values():
        for s in c.statements:
            assert any(meso in by_iri[a].values("level") for a in stmts[s].about if a in by_iri), s


def test_mechanism_rows_and_cells(ex):
    """Mechanism rows; a cell's statements come with quotes; cell keys round-trip through the URL form."""
    emap = evidence_map.evidence_map(ex, "mechanism")
    pooled = "https://w3id.org/ickg/mechanism/pooled-budget"
    assert pooled in {r for r, _ in emap.rows}
    key = evidence_map.cell_key(pooled, C + "domain/hospital-use")
    assert key == "pooled-budget~hospital-use"
    assert evidence_map.parse_cell_key(emap, key) == (pooled, C + "domain/hospital-use")
    assert evidence_map.parse_cell_key(emap, "nope~hospital-use") is None and evidence_map.parse_cell_key(emap, "") is None
    items = evidence_map.cell_statements(ex, emap, pooled, C + "domain/hospital-use")
    assert items and all(s.quotes for s in items)
    assert [s.rank for s in items] == sorted(s.rank for s in items)
    rows = evidence_map.statement_rows(items)
    assert all(r["quote"] and r["citation"] for r in rows)
    with pytest.raises(Exception):
        evidence_map.evidence_map(ex, "country")
