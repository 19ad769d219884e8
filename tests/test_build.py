"""Building: deterministic bytes, a release id in every export, lossless round trips."""

import json
import re
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


def _build_in_subprocess(evidence: Path, dist: Path, seed: str, sources: Path) -> dict[str, bytes]:
    # the fixture's own source texts: `ickg build` verifies every quote against them
    env = dict(os.environ, PYTHONHASHSEED=seed, ICKG_EVIDENCE=str(evidence), ICKG_DIST=str(dist),
               ICKG_SOURCES=str(sources))
    subprocess.run([sys.executable, "-m", "kg", "build", "--format", "ttl", "--format", "nt",
                    "--format", "jsonld", "--format", "graphml"], check=True, env=env, cwd=ROOT,
                   capture_output=True)
    return {p.name: p.read_bytes() for p in sorted(dist.iterdir())}


def test_same_input_gives_byte_identical_output(fixture_dirs, tmp_path):
    """Two builds in fresh processes with different hash seeds write identical files."""
    evidence, sources = fixture_dirs
    a = _build_in_subprocess(evidence, tmp_path / "a", "1", sources)
    b = _build_in_subprocess(evidence, tmp_path / "b", "2", sources)
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


# -- 0.2.0 structure (issue 12) ----------------------------------------------------------------


def _built(evidence):
    outcome = pipeline.run({"evidence_dir": str(evidence)})
    assert outcome.ok, [str(p) for p in outcome.errors]
    return outcome.built.graph


def _edit(path, fn):
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_claim_kind_and_direction(fixture_dirs):
    """A measured outcome has a claim kind and a direction; a descriptive fact has no direction."""
    from rdflib import URIRef

    from kg.namespaces import IC, STATEMENT, concept

    g = _built(fixture_dirs[0])
    bed, nodata = STATEMENT["riverside.bed-days"], STATEMENT["riverside.no-cost-data"]
    assert g.value(bed, IC.claimKind) == concept("claim-kind", "measured-outcome")
    assert g.value(bed, IC.effectDirection) == concept("direction", "positive")
    assert g.value(nodata, IC.claimKind) == concept("claim-kind", "descriptive")
    assert g.value(nodata, IC.effectDirection) is None
    assert isinstance(bed, URIRef)


def test_caveat_links_both_ways_and_note(fixture_dirs):
    """`qualifies` gives ic:qualifies and ic:qualifiedBy; `note` gives skos:editorialNote."""
    from rdflib.namespace import SKOS

    from kg.namespaces import IC, STATEMENT

    g = _built(fixture_dirs[0])
    claim, caveat = STATEMENT["page-claims.admissions"], STATEMENT["page-claims.no-evidence"]
    assert set(g.objects(caveat, IC.qualifies)) == {claim}
    assert set(g.objects(claim, IC.qualifiedBy)) == {caveat}
    assert str(g.value(caveat, SKOS.editorialNote)).startswith("A caveat")


def test_figures_become_nodes(fixture_dirs):
    """A figure is an ic:Figure with its printed form, a decimal value, unit and measure."""
    from decimal import Decimal

    from rdflib import XSD

    from kg.namespaces import IC, STATEMENT

    evidence, _ = fixture_dirs
    _edit(evidence / "case-studies" / "riverside.yaml", lambda d: d["findings"][0].update(
        quote="Riverside Care Trust joined health and social care teams for older people in one town.",
        figures=[{"printed": "one", "value": 1.0, "unit": "towns", "measure": "towns served"},
                 {"printed": "one town"}]))
    g = _built(evidence)
    stmt = STATEMENT["riverside.bed-days"]
    figs = {str(g.value(f, IC.printedValue)): f for f in g.objects(stmt, IC.hasFigure)}
    assert set(figs) == {"one", "one town"}
    value = g.value(figs["one"], IC.value)
    assert value.datatype == XSD.decimal and value.toPython() == Decimal("1.0")
    assert str(g.value(figs["one"], IC.unit)) == "towns"
    assert str(g.value(figs["one"], IC.measure)) == "towns served"
    assert g.value(figs["one town"], IC.value) is None
    assert {str(o) for o in g.objects(stmt, IC.figure)} == {"one", "one town"}


def test_mechanism_use_status(fixture_dirs):
    """Every process use is an ic:MechanismUse; only in-use and piloted give the direct triples."""
    from rdflib import RDF

    from kg.namespaces import CASE, IC, concept

    evidence, _ = fixture_dirs
    _edit(evidence / "case-studies" / "riverside.yaml", lambda d: d["processes"][1].update(status="planned"))
    g = _built(evidence)
    case = CASE["riverside"]
    uses = {g.value(u, IC.ofMechanism): u for u in g.objects(case, IC.hasMechanismUse)}
    pooled, single = concept("mechanism", "pooled-budget"), concept("mechanism", "single-assessment")
    assert set(uses) == {pooled, single}
    assert (uses[pooled], RDF.type, IC.MechanismUse) in g
    assert g.value(uses[pooled], IC.useStatus) == concept("mechanism-status", "planned")
    assert g.value(uses[pooled], IC.usedIn) == case
    assert g.value(uses[pooled], IC.ofProcess) == concept("process", "financial")
    assert g.value(uses[pooled], IC.supportedBy) is not None
    assert g.value(uses[single], IC.useStatus) == concept("mechanism-status", "in-use")
    assert set(g.objects(case, IC.usesMechanism)) == {single}
    assert set(g.objects(case, IC.usesProcess)) == {concept("process", "clinical")}


def test_discussed_in_names_every_source_about_a_case(fixture_dirs):
    """A case is discussed in the sources of its own quotes and of findings about it elsewhere."""
    from kg.namespaces import CASE, IC, SOURCE

    evidence, _ = fixture_dirs
    _edit(evidence / "statements" / "page-claims.yaml",
          lambda d: d["findings"][1].update(about=["case:riverside"]))
    g = _built(evidence)
    assert set(g.objects(CASE["riverside"], IC.discussedIn)) == {SOURCE["fixture-report"], SOURCE["fixture-page"]}
    assert set(g.objects(CASE["hostile-valley"], IC.discussedIn)) == {SOURCE["fixture-report"]}


def test_factor_iris_come_from_their_ids(fixture_dirs):
    """A factor's IRI is factor:<record>.<id>, whatever its quote says."""
    from kg.namespaces import CASE, FACTOR, IC

    evidence, _ = fixture_dirs
    g1 = _built(evidence)
    _edit(evidence / "case-studies" / "riverside.yaml",
          lambda d: d["enablers"][0].update(label="Commitment", quote="Long-term commitment"))
    g2 = _built(evidence)
    for g in (g1, g2):
        assert set(g.objects(CASE["riverside"], IC.hasEnabler)) == {FACTOR["riverside.long-term-commitment"]}


def test_deprecated_factor_iris_point_to_their_replacements():
    """Each 0.1.0 hash IRI of a factor is an owl:deprecated stub replaced by an id-based IRI."""
    from rdflib import Graph, Literal
    from rdflib.namespace import DCTERMS, OWL

    g = Graph().parse(ROOT / "ontology" / "deprecated.ttl")
    old = {s for s in g.subjects(OWL.deprecated, Literal(True)) if str(s).startswith("https://w3id.org/ickg/factor/")}
    assert len(old) > 400
    for s in old:
        new = g.value(s, DCTERMS.isReplacedBy)
        assert re.search(r"\.(enabler|barrier)-[0-9a-f]{8}$", str(s)), s
        assert new is not None and str(new).startswith("https://w3id.org/ickg/factor/") and new != s


def test_collections_and_examples(fixture_dirs):
    """A framework collection is a typed skos:Collection; a mechanism's example link is ic:hasExample."""
    from rdflib import RDF
    from rdflib.namespace import DCTERMS, SKOS

    from kg.namespaces import CASE, IC, SCHEME, concept

    evidence, _ = fixture_dirs
    _edit(evidence / "frameworks" / "level.yaml", lambda d: d.update(collections=[
        {"id": "care-groups", "label": "Levels below the whole population", "members": ["meso", "micro"],
         "quote": "integrated care for a particular care group.", "source": "fixture-report", "section": "Levels"}]))
    _edit(evidence / "mechanisms" / "capitation.yaml", lambda d: d.update(links=[
        {"property": "example", "target": "case:hostile-valley", "quote": "Hostile Valley paid a capitation fee",
         "source": "fixture-report", "section": "Case study B: Hostile Valley"}]))
    from kg.checks import anchor_corpus
    from kg.records import load_evidence

    anchor_corpus(load_evidence(evidence)[0], fixture_dirs[1])
    g = _built(evidence)
    col = concept("level", "care-groups")
    assert (col, RDF.type, SKOS.Collection) in g
    assert set(g.objects(col, SKOS.member)) == {concept("level", "meso"), concept("level", "micro")}
    assert g.value(col, DCTERMS.isPartOf) == SCHEME["level"]
    assert (concept("mechanism", "capitation"), IC.hasExample, CASE["hostile-valley"]) in g


def test_nested_collection(fixture_dirs):
    """A collection nested in another is a member of it, typed skos:Collection (not a concept), with its
    synonyms, notation, scope note and every quote."""
    from rdflib import RDF, Literal
    from rdflib.namespace import SKOS

    from kg.namespaces import IC, concept

    evidence, _ = fixture_dirs
    quoted = {"source": "fixture-report", "section": "Levels"}
    _edit(evidence / "frameworks" / "level.yaml", lambda d: d.update(collections=[
        {"id": "all-levels", "label": "All levels", "members": ["macro", "lower-levels"],
         "quote": "Macro level: integrated care", **quoted},
        {"id": "lower-levels", "label": "Lower levels", "alt_labels": ["care-group levels"], "notation": "2",
         "scope_note": "The two levels below the population.", "members": ["meso", "micro"],
         "quote": "Meso level: integrated care", **quoted,
         "quotes": [{"quote": "integrated care for a particular care group.", **quoted}]}]))
    from kg.checks import anchor_corpus
    from kg.records import load_evidence

    anchor_corpus(load_evidence(evidence)[0], fixture_dirs[1])
    g = _built(evidence)
    outer, inner = concept("level", "all-levels"), concept("level", "lower-levels")
    assert set(g.objects(outer, SKOS.member)) == {concept("level", "macro"), inner}
    assert (inner, RDF.type, SKOS.Collection) in g and (inner, RDF.type, SKOS.Concept) not in g
    assert (inner, SKOS.altLabel, Literal("care-group levels", lang="en")) in g
    assert (inner, SKOS.notation, Literal("2")) in g
    assert g.value(inner, SKOS.scopeNote) == Literal("The two levels below the population.", lang="en")
    assert len(set(g.objects(inner, IC.supportedBy))) == 2
