"""Derived triples: what queries would otherwise recompute, materialised once at build time.

The curated graph states facts; some questions need their consequences over and over (every
concept above a mechanism, every case study that uses a mechanism under a process). Walking
``skos:broader+`` for each of them is what made the gallery slow on large graphs, so the build
adds them as triples of their own predicates, in the default graph beside the facts:

* ``skos:broaderTransitive``: the closure of ``skos:broader`` (SKOS's own property for it);
* ``ic:usesMechanismUnder``: a case study uses a mechanism lying under a concept.

Each rule is a CONSTRUCT query in ``kg/queries/_derive_*.rq`` (:data:`RULES`, applied in order,
each seeing the triples derived before it). Derived triples carry no quote of their own: their
evidence is the curated triples they are computed from, and the release id and content hash
are those of the curated content (derivation is a function of it). :func:`derive` is called by
:func:`kg.pipeline.run` right after the build, so every consumer, export and cache sees them.
"""

from __future__ import annotations

from kg.build import Built, _sorted_lines

#: The rules, by internal query name, in the order they run.
RULES = ("derive_broader_transitive", "derive_uses_mechanism_under")


def _to_rdflib(term):
    import pyoxigraph
    from rdflib import Literal, URIRef

    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise ValueError(f"derived triples use IRIs and literals only, got {term!r}")


def derive(built: Built) -> Built:
    """Add the derived triples to ``built`` (graph and sorted N-Triples); return it."""
    import pyoxigraph
    from rdflib import Graph

    from kg import queries

    store = pyoxigraph.Store()
    store.bulk_load(built.ntriples.encode("utf-8"), pyoxigraph.RdfFormat.N_TRIPLES)
    derived = Graph()
    for name in RULES:
        new = [tuple(_to_rdflib(x) for x in (t.subject, t.predicate, t.object))
               for t in store.query(queries.internal(name).text)]
        for t in new:
            derived.add(t)
        store.extend(pyoxigraph.Quad(*(_to_oxigraph(x) for x in t)) for t in new)
    fresh = [t for t in derived if t not in built.graph]
    for t in fresh:
        built.graph.add(t)
    if fresh:
        lines = set(_sorted_lines(derived)) - set(built.ntriples.splitlines())
        built.ntriples = "\n".join(sorted(built.ntriples.splitlines() + list(lines))) + "\n"
    return built


def _to_oxigraph(term):
    import pyoxigraph
    from rdflib import Literal

    if isinstance(term, Literal):
        if term.language:
            return pyoxigraph.Literal(str(term), language=term.language)
        return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(str(term.datatype)))
    return pyoxigraph.NamedNode(str(term))
