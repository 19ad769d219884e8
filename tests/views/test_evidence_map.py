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


def test_map_by_default_equals_the_gallery_query(ex):
    """By default a cell counts only findings about its process or mechanism: the evidence-map query's counts."""
    emap = evidence_map.evidence_map(ex, "process")
    assert not emap.include_cases
    expected = {(r["process"], r["domain"]): r for r in ex.rows("evidence-map")}
    got = {k: c for k, c in emap.cells.items() if c.count}
    assert set(got) == set(expected)
    for k, cell in got.items():
        r = expected[k]
        assert cell.count == int(r["statements"])
        assert cell.directions.get("positive", 0) == int(r["positive"])
        assert cell.directions.get("no-effect", 0) == int(r["noEffect"])
        assert cell.directions.get("none", 0) == int(r["withoutDirection"])
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



def test_case_level_layer_is_kept_apart(ex):
    """The case-level layer adds findings about case studies beside, never into, the direct counts (issue 13)."""
    plain = evidence_map.evidence_map(ex)
    layered = evidence_map.evidence_map(ex, include_cases=True)
    assert layered.gaps == plain.gaps and layered.total == plain.total
    for key, cell in plain.cells.items():
        assert layered.cell(*key).statements == cell.statements
    assert layered.case_total > 0 and plain.case_total == 0
    stmts = common.statements(ex)
    case_iris = {c.iri for c in cases.case_table(ex)}
    for cell in layered.cells.values():
        assert not set(cell.case_statements) & set(cell.statements)
        for s in cell.case_statements:  # every attributed finding is about a case study
            assert set(stmts[s].about) & case_iris, s
    # financial x hospital use: pooled budgets in England's findings are case-level, not about the process
    fin = C + "process/financial"
    pooled_england = "https://w3id.org/ickg/case/pooled-budgets-england"
    cell = layered.cell(fin, C + "domain/hospital-use")
    assert any(pooled_england in stmts[s].about for s in cell.case_statements)
    table = evidence_map.map_rows(layered)
    assert sum(r["case_level_statements"] for r in table) == sum(c.case_count for c in layered.cells.values())


def test_gaps_match_the_evidence_gaps_query(ex):
    """The default map's empty cells are exactly the evidence-gaps query's cells without any statement."""
    emap = evidence_map.evidence_map(ex)
    empty = {(r, c) for r, _ in emap.rows for c, _ in emap.cols if not emap.cell(r, c).count}
    listed = {(r["process"], r["domain"]) for r in ex.rows("evidence-gaps")}
    assert empty <= listed and len(empty) == emap.gaps


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
    emap = evidence_map.evidence_map(ex, filters={"level": [meso]}, include_cases=True)
    for c in emap.cells.values():
        for s in c.statements + c.case_statements:
            assert meso in stmts[s].about or any(
                meso in by_iri[a].values("level") for a in stmts[s].about if a in by_iri), s


def test_population_and_need_filters(ex):
    """Population keeps findings about that population or about case studies for it; need likewise (issue 13)."""
    stmts = common.statements(ex)
    by_iri = {c.iri: c for c in cases.case_table(ex)}
    older = C + "population/older-people"
    assert older in dict(evidence_map.map_filter_values(ex, "population"))
    emap = evidence_map.evidence_map(ex, filters={"population": [older]}, include_cases=True)
    kept = {s for c in emap.cells.values() for s in c.statements + c.case_statements}
    assert kept
    for s in kept:
        assert older in stmts[s].about or any(older in by_iri[a].values("population")
                                              for a in stmts[s].about if a in by_iri), s
    assert emap.total < evidence_map.evidence_map(ex).total
    needs = evidence_map.map_filter_values(ex, "need")
    assert needs
    severe = next(v for v, _ in needs if v.endswith("severe-unstable"))
    emap = evidence_map.evidence_map(ex, filters={"need": [severe]}, include_cases=True)
    for c in emap.cells.values():
        for s in c.statements + c.case_statements:
            assert severe in stmts[s].about or any(severe in by_iri[a].values("need")
                                                   for a in stmts[s].about if a in by_iri), s


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


def test_cell_rows_carry_claim_kind_and_caveats(fx):
    """The fixture's uncited admissions claim comes with its caveat in the cell and in the cell's download."""
    emap = evidence_map.evidence_map(fx, "mechanism")
    pooled, hosp = "https://w3id.org/ickg/mechanism/pooled-budget", C + "domain/hospital-use"
    items = evidence_map.cell_statements(fx, emap, pooled, hosp)
    claim = next(s for s in items if s.summary == "Claims fewer admissions, citing nothing.")
    stmts = common.statements(fx)
    assert [stmts[c].summary for c in claim.caveats] == ["The page cites no evidence for its claim."]
    assert emap.cell(pooled, hosp).directions["none"] == 1  # the caveat is descriptive: no direction
    rows = evidence_map.statement_rows(items, stmts)
    row = next(r for r in rows if r["summary"] == claim.summary)
    assert row["claim_kind"] == "Judgement" and "cites no evidence" in row["caveats"]
    assert "the page says, without evidence." in row["caveats"]
