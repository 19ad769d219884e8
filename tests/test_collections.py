"""Groups are typed: a list, a table section or an author's set is a skos:Collection, never a concept used as a heading.

The six older HRB frameworks below grouped their members under *group concepts* (a concept used as a heading,
its members ``skos:broader`` it). Their groups are collections now, with the same IRIs; a concept keeps narrower
concepts only where they are kinds of it, and then it is a concept of its own, quoted for more than its heading.
"""

import re

import pytest
from rdflib import RDF, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg.namespaces import IC, SCHEME, concept

SIX = ("ict-benefits", "registry-criteria", "success-features", "measurement-areas", "conceptual-frameworks",
       "isd-indicators")

#: The former group concepts, read from the HRB text: headings ("Value to payers/insurers"), table sections
#: (Table 6's columns), authors' lists ("Suter et al. ... These principles are:") and their sub-lists.
FORMER_GROUPS = {
    "ict-benefits": ["clinicians", "organisations", "patients", "payers", "society"],
    "registry-criteria": ["national-enablers", "registry-data-and-use", "clinician-engagement",
                          "national-infrastructure", "data-quality", "data-use"],
    "success-features": ["nhs-future-forum", "patient-expectations", "suter-principles", "mccarthy-attributes",
                         "kings-fund-nuffield-features", "national-voices-statements", "moving-between-settings",
                         "emergency-risk-measures"],
    "measurement-areas": ["measurement-approaches", "integration-indicators", "further-research-areas"],
    "conceptual-frameworks": ["four-dimensions", "changing-conceptions", "workforce-themes"],
}


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", re.sub(r"<[^>]+>", " ", text).lower())


@pytest.mark.parametrize("scheme", sorted(FORMER_GROUPS))
def test_former_group_concepts_are_collections(shipped_graph, scheme):
    """The group IRIs are kept (a public contract), typed skos:Collection and part of their scheme, not concepts;
    no concept is narrower than them any more."""
    g = shipped_graph
    for gid in FORMER_GROUPS[scheme]:
        node = concept(scheme, gid)
        assert (node, RDF.type, SKOS.Collection) in g, node
        assert (node, RDF.type, SKOS.Concept) not in g, node
        assert g.value(node, DCTERMS.isPartOf) == SCHEME[scheme], node
        assert not list(g.subjects(SKOS.broader, node)), node


def test_every_collection_is_a_quoted_group(shipped_graph):
    """Every collection is quoted and groups at least two members, unless it is a table section the source
    prints with one row (its only member quoted from the same table)."""
    g = shipped_graph
    cols = set(g.subjects(RDF.type, SKOS.Collection))
    assert len(cols) > 40
    problems = []
    for col in cols:
        quotes = list(g.objects(col, IC.supportedBy))
        if not quotes or not all(g.value(q, PROV.value) for q in quotes):
            problems.append(f"{col}: no quote")
        members = list(g.objects(col, SKOS.member))
        if len(members) >= 2:
            continue
        sections = {str(g.value(q, IC.section)) for q in quotes}
        member_sections = {str(g.value(q, IC.section)) for m in members for q in g.objects(m, IC.supportedBy)}
        if not any("Table" in s for s in sections & member_sections):
            problems.append(f"{col}: {len(members)} member(s)")
    assert not problems, problems


@pytest.mark.parametrize("scheme", SIX)
def test_no_concept_is_a_pure_heading(shipped_graph, scheme):
    """In the six schemes, a concept with narrower concepts is a concept in its own right: a quote of it says more
    than its heading (the old group concepts were quoted by nothing but their heading, e.g. "<i>Data quality</i>")."""
    g = shipped_graph
    problems = []
    for c in g.subjects(SKOS.inScheme, SCHEME[scheme]):
        if not list(g.subjects(SKOS.broader, c)):
            continue
        label = set(_words(str(g.value(c, SKOS.prefLabel))))
        quotes = [str(g.value(q, PROV.value)) for q in g.objects(c, IC.supportedBy)]
        if not any(len(set(_words(q)) - label) >= 5 for q in quotes):
            problems.append(str(c))
    assert not problems, problems


def test_collections_are_found_by_type_in_the_views(ex):
    """The ontology view lists a scheme's collections with their members (nested ones under their parent), and
    the scheme list counts them: Table 6 has two column headings with two sub-headings each."""
    from kg.views import common, ontology

    cols = ontology.scheme_collections(ex, "scheme:registry-criteria")
    by_id = {common.local(c.iri): c for c in cols}
    assert set(by_id) == set(FORMER_GROUPS["registry-criteria"])
    outer = by_id["national-enablers"]
    assert outer.depth == 0 and {common.local(m.iri) for m in outer.members} == {"clinician-engagement",
                                                                                  "national-infrastructure"}
    assert all(m.nested for m in outer.members)
    assert by_id["clinician-engagement"].depth == 1 and len(by_id["clinician-engagement"].members) == 4
    assert by_id["data-quality"].quotes and "Data quality" in by_id["data-quality"].quotes[0].text
    order = [common.local(c.iri) for c in cols]
    assert order.index("national-enablers") < order.index("clinician-engagement") < order.index(
        "registry-data-and-use")
    info = {s.id: s for s in common.schemes(ex)}
    assert info["registry-criteria"].concepts == 35 and info["registry-criteria"].collections == 6


def test_nothing_finds_a_group_by_its_label():
    """No named query or code looks a group up by its label text (groups are typed, see this module)."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    labels = ["Value to payers", "National enablers", "Data quality", "ten universal principles",
              "What patients have the right to expect", "Indicators of the extent of integration"]
    files = list((root / "kg").rglob("*.rq")) + list((root / "kg").rglob("*.py")) + list(
        (root / "app_pages").rglob("*.py"))
    hits = [f"{p.name}: {lab}" for p in files for lab in labels if lab.lower() in p.read_text("utf-8").lower()]
    assert not hits, hits


def test_collection_member_iris_exist(shipped_graph):
    """Every member of a collection in the six schemes is a concept or collection of the graph."""
    g = shipped_graph
    for scheme in SIX:
        for col in g.subjects(DCTERMS.isPartOf, SCHEME[scheme]):
            for m in g.objects(col, SKOS.member):
                assert isinstance(m, URIRef)
                assert (m, RDF.type, SKOS.Concept) in g or (m, RDF.type, SKOS.Collection) in g, m


def test_generated_docs_show_collections_as_headings(shipped_graph):
    """`ickg docs` lists each scheme's collections as headings with their members linked to the concepts."""
    from kg.ontodoc import schemes_html

    html = schemes_html(shipped_graph)
    section = html[html.index("id='scheme-registry-criteria'"):]
    section = section[:section.index("</section>")]
    assert "<h3>Collections (6)</h3>" in section
    data_quality = section[section.index("id='registry-criteria-data-quality'"):]
    data_quality = data_quality[:data_quality.index("</ul>")]
    assert data_quality.count("<li>") == 11
    assert "href='#registry-criteria-dq-registry-age'" in data_quality
    national = section[section.index("id='registry-criteria-national-enablers'"):]
    assert "Clinician engagement</a> (collection)" in national[:national.index("</ul>")]
