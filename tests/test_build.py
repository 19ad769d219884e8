"""Building: deterministic bytes, a release id in every export, lossless round trips."""

import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg import export, pipeline

ROOT = Path(__file__).resolve().parent.parent


def _build_in_subprocess(evidence: Path, dist: Path, seed: str) -> dict[str, bytes]:
    env = dict(os.environ, PYTHONHASHSEED=seed, ICKG_EVIDENCE=str(evidence), ICKG_DIST=str(dist))
    subprocess.run([sys.executable, "-m", "kg", "build", "--format", "ttl", "--format", "nt",
                    "--format", "jsonld", "--format", "graphml"], check=True, env=env, cwd=ROOT,
                   capture_output=True)
    return {p.name: p.read_bytes() for p in sorted(dist.iterdir())}


def test_same_input_gives_byte_identical_output(fixture_dirs, tmp_path):
    """Two builds in fresh processes with different hash seeds write identical files."""
    evidence, _ = fixture_dirs
    a = _build_in_subprocess(evidence, tmp_path / "a", "1")
    b = _build_in_subprocess(evidence, tmp_path / "b", "2")
    assert sorted(a) == ["ickg.graphml", "ickg.jsonld", "ickg.nt", "ickg.ttl"]
    assert a == b


def test_shipped_build_is_deterministic(shipped):
    """Serialising the shipped graph twice gives the same bytes in every format."""
    g, rid = shipped.built.graph, shipped.built.release_id
    for fmt in export.FORMATS:
        assert export.serialise(g, fmt, rid) == export.serialise(g, fmt, rid)


def test_release_id_is_version_and_content_hash(fixture_dirs):
    """The release id is version+hash, and changes when the content changes."""
    evidence, _ = fixture_dirs
    first = pipeline.run({"evidence_dir": str(evidence)}).built
    assert first.release_id.startswith("0.") and len(first.release_id.split("+")[1]) == 12
    path = evidence / "case-studies" / "riverside.yaml"
    path.write_text(path.read_text().replace("label: Riverside Care Trust", "label: Riverside Trust"))
    second = pipeline.run({"evidence_dir": str(evidence)}).built
    assert second.release_id != first.release_id


@pytest.mark.parametrize("fmt,rdf_format", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_rdf_exports_round_trip(fixture_dirs, fmt, rdf_format):
    """Turtle, N-Triples and JSON-LD parse back to the same graph and carry the release id."""
    evidence, _ = fixture_dirs
    built = pipeline.run({"evidence_dir": str(evidence)}).built
    text = export.serialise(built.graph, fmt, built.release_id)
    assert built.release_id in text
    back = Graph().parse(data=text, format=rdf_format)
    assert isomorphic(back, built.graph)


def test_graphml_round_trip(fixture_dirs, tmp_path):
    """GraphML reads back with networkx: same nodes and edges, labels as attributes, release kept."""
    evidence, _ = fixture_dirs
    built = pipeline.run({"evidence_dir": str(evidence)}).built
    path = tmp_path / "g.graphml"
    path.write_text(export.to_graphml(built.graph, built.release_id))
    G = nx.read_graphml(path)
    expected = export.to_networkx(built.graph)
    assert G.graph["release"] == built.release_id
    assert set(G.nodes) == set(expected.nodes)
    assert G.number_of_edges() == expected.number_of_edges()
    case = "https://w3id.org/ickg/case/riverside"
    assert G.nodes[case]["label"] == "Riverside Care Trust"


def test_jsonld_is_sorted_and_uses_ic_prefix(fixture_dirs):
    """JSON-LD binds ic: in its context and lists nodes in @id order."""
    evidence, _ = fixture_dirs
    built = pipeline.run({"evidence_dir": str(evidence)}).built
    data = json.loads(export.to_jsonld(built.graph))
    assert data["@context"]["ic"] == "https://w3id.org/ickg/ontology#"
    ids = [n["@id"] for n in data["@graph"]]
    assert ids == sorted(ids)


def test_quotes_carry_web_annotation_selectors(fixture_dirs):
    """A finding's quote has prov:wasQuotedFrom and both selectors with the stored offsets."""
    from rdflib import URIRef
    from rdflib.namespace import PROV

    from kg.namespaces import IC, OA

    evidence, sources = fixture_dirs
    built = pipeline.run({"evidence_dir": str(evidence)}).built
    g = built.graph
    stmt = URIRef("https://w3id.org/ickg/statement/riverside.bed-days")
    (q,) = list(g.objects(stmt, IC.supportedBy))
    assert g.value(q, PROV.wasQuotedFrom) == URIRef("https://w3id.org/ickg/source/fixture-report")
    text = (sources / "fixture-report.txt").read_text()
    selectors = list(g.objects(q, OA.hasSelector))
    pos = next(s for s in selectors if g.value(s, OA.start) is not None)
    start, end = int(g.value(pos, OA.start)), int(g.value(pos, OA.end))
    assert text[start:end] == "Riverside had the lowest use of hospital bed days in the region."
