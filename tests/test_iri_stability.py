"""The stability policy, enforced: every IRI of a published release is still in the graph.

``tests/data/released-iris-0.1.0.txt`` lists the IRIs the 0.1.0 release typed (case studies,
mechanisms, concepts, schemes, statements, factors, goals, sources). Each must still be typed in
the graph, or be an ``owl:deprecated`` stub whose ``dct:isReplacedBy`` names a resource the graph
still has (README, "Stability policy"). A rename or a merge without a stub fails here.
"""

from pathlib import Path

from rdflib import OWL, RDF, URIRef
from rdflib.namespace import DCTERMS

RELEASED = Path(__file__).resolve().parent / "data" / "released-iris-0.1.0.txt"


def test_every_released_iri_is_kept_or_deprecated(shipped_graph):
    """No IRI of 0.1.0 disappears; a removed one is a deprecated stub pointing to its replacement."""
    old = [line.strip() for line in RELEASED.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(old) > 2000
    typed = set(shipped_graph.subjects(RDF.type, None))
    problems = []
    for iri in map(URIRef, old):
        if iri in typed:
            continue
        if (iri, OWL.deprecated, None) not in shipped_graph:
            problems.append(f"{iri}: gone, with no owl:deprecated stub")
            continue
        targets = list(shipped_graph.objects(iri, DCTERMS.isReplacedBy))
        if not targets or any(t not in typed for t in targets):
            problems.append(f"{iri}: deprecated, but dct:isReplacedBy names nothing the graph has")
    assert not problems, "\n".join(problems[:30])
