"""kg.views.common on the shipped graph and the fixture: names, labels, sources, complete answers.

Expected values come from the curated YAML (read here independently of the graph), from the
source texts as quoted in the files, or from a second computation over the rdflib graph;
never from a previous run of the code under test.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from kg.fixtures import write_fixture
from kg.namespaces import CASE
from kg.service import open_explorer
from kg.views import cases, common

ROOT = Path(__file__).resolve().parent.parent.parent
EVIDENCE = ROOT / "evidence"
C = "https://w3id.org/ickg/concept/"


def _yaml(kind: str, rid: str) -> dict:
    return yaml.safe_load((EVIDENCE / kind / f"{rid}.yaml").read_text(encoding="utf-8"))


def test_compact_names():
    """IRIs become the prefixed names the README documents."""
    assert common.compact(C + "level/meso") == "level:meso"
    assert common.compact(str(CASE["pace"])) == "case:pace"
    assert common.compact("https://w3id.org/ickg/ontology#CaseStudy") == "ic:CaseStudy"
    assert common.compact("https://w3id.org/ickg/statement/pace.hospital-use") == "stmt:pace.hospital-use"
    assert common.compact("http://example.org/x") == "http://example.org/x"


def test_every_case_and_concept_has_a_label(ex, shipped_graph):
    """Labels exist for every case study and concept, so views never need to show an IRI."""
    labels = common.labels(ex)
    for c in cases.case_table(ex):
        assert labels[c.iri] and not labels[c.iri].startswith("http")
    assert common.label(ex, C + "domain/hospital-use") == "Hospital use"
    assert common.label(ex, "https://w3id.org/ickg/nothing/here") == "https://w3id.org/ickg/nothing/here"


def test_sources_with_citations(ex):
    """Five documents; author order follows the recorded creators; the overview page is non-traceable."""
    srcs = {s.id: s for s in common.sources(ex)}
    assert len(srcs) == len(list((EVIDENCE / "sources").glob("*.yaml")))
    for sid, s in srcs.items():
        rec = _yaml("sources", sid)
        assert s.title == rec["title"]
        assert list(s.creators) == rec.get("creators", [])
        assert s.traceable == (rec["support"] == "traceable")
    assert srcs["poku-2019"].doi_url == "https://doi.org/10.1007/s11606-019-05029-z"


def test_views_never_use_a_cut_answer(tmp_path):
    """With a row limit of 3, the views ask again without it and get the whole answer."""
    evidence, sources = write_fixture(tmp_path)
    small = open_explorer({"evidence_dir": str(evidence), "sources_dir": str(sources), "max_rows": "3"}, workers=1)
    try:
        assert small.named("_case_facets").truncated
        assert len(cases.case_table(small)) == 2
        assert len(common.statements(small)) == 5
    finally:
        small.close()
