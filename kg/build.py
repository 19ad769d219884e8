"""Build the RDF graph from validated records: one ``add_*`` function per record type.

The graph holds the ontology (``ontology/ickg.ttl``), the concept schemes (from
``evidence/frameworks``), the mechanisms, case studies, statements, sources and every quote
with its Web Annotation selectors. It uses no blank nodes: every node has an IRI derived from
stable ids or content, so the same input always gives the same triples and the exports are
byte-identical (see :mod:`kg.export`).

Alongside the graph, :class:`Built` keeps ``origins``: focus node -> (file, line), so a SHACL
violation can be reported at the line a curator wrote.

What this module does not do: read YAML (that is :mod:`kg.records`), check quotes against the
sources (:mod:`kg.checks`) or validate shapes (:mod:`kg.validate`).

Why one module of about 500 lines: one ``add_*`` per record type, all writing into one graph
with one focus-node-to-file map that SHACL violations are traced back through.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, SKOS

from kg import __version__
from kg.errors import relpath
from kg.namespaces import (ASSERTION, CASE, ECO_NON_TRACEABLE, ECO_TRACEABLE, FACTOR, FIGURE,
                           FIXED_PREFIXES, GOAL, IC, MECHANISM_USE, OA, QUOTE, RELEASE, SCHEME,
                           SOURCE, STATEMENT, concept)
from kg.records import (CLASSIFIED_FIELDS, CaseStudy, Collection, Concept, ConceptLink, Corpus, Factor,
                        Finding, Framework, Mechanism, Quoted, Record, Source, Statements,
                        iter_quoted, resolve_finding_ref)

#: Statuses of a mechanism's use that give the direct ic:usesProcess / ic:usesMechanism
#: triples; the others (planned, recommended, failed) only give an ic:MechanismUse node, so
#: that "which cases use X" never counts a plan, a recommendation or a failure as a use.
DIRECT_USE = ("in-use", "piloted")

_LINK_PROPERTY = {"suggests-intensity": IC.suggestsIntensity, "related": SKOS.related,
                  "example": IC.hasExample}


@dataclass
class Built:
    """A built graph, where each node came from, and the release it carries."""

    graph: Graph
    origins: dict[URIRef, tuple[str, int | None]] = field(default_factory=dict)
    release_id: str = ""
    content_hash: str = ""
    ntriples: str = ""  # sorted N-Triples of the whole graph, computed once with the hash


def _h(*parts: object, n: int = 12) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:n]


def _ref(value: str) -> URIRef:
    """Resolve `case:x`, `mechanism:x` or `<scheme>:x`."""
    scheme, _, local = value.partition(":")
    return CASE[local] if scheme == "case" else concept(scheme, local)


class _Builder:
    def __init__(self, corpus: Corpus, ontology_dir: Path) -> None:
        self.corpus = corpus
        self.g = Graph()
        for prefix, ns in FIXED_PREFIXES.items():
            self.g.bind(prefix, ns, override=True)
        for scheme in corpus.records["frameworks"]:
            self.g.bind(scheme, str(concept(scheme, "")), override=True)
        self.g.parse(ontology_dir / "ickg.ttl", format="turtle")
        # owl:deprecated stubs of renamed IRIs, kept for one release (README changelog)
        if (ontology_dir / "deprecated.ttl").is_file():
            self.g.parse(ontology_dir / "deprecated.ttl", format="turtle")
        self.pending_qualifies: list[tuple[URIRef, Record, str]] = []
        self.origins: dict[URIRef, tuple[str, int | None]] = {}
        self.sources = {s.id: s for s in corpus.of("sources")}

    def add(self, s, p, o) -> None:
        self.g.add((s, p, o))

    def origin(self, node: URIRef, rec: Record, loc: tuple = ()) -> None:
        self.origins.setdefault(node, (relpath(rec.path), rec.line(loc)))

    # -- quotes ---------------------------------------------------------------------------

    def quote(self, q: Quoted, rec: Record, loc: tuple) -> URIRef:
        """The quote node (with selectors); shared when the same passage is quoted twice."""
        a = q.anchor
        key = f"{q.source}.{a.start}-{a.end}" if a else f"{q.source}.{_h(q.quote)}"
        node = QUOTE[key]
        self.origin(node, rec, loc + ("quote",))
        if (node, RDF.type, IC.Quote) in self.g:
            # the same passage quoted again: one node, one locator (the first, in file order)
            for c in q.cites:
                self.add(node, IC.citesReference, SOURCE[f"{q.source}.ref-{c}"])
            return node
        src = SOURCE[q.source]
        self.add(node, RDF.type, IC.Quote)
        self.add(node, PROV.value, Literal(q.quote))
        self.add(node, PROV.wasQuotedFrom, src)
        self.add(node, OA.hasSource, src)
        self.add(node, IC.section, Literal(q.section))
        for c in q.cites:
            self.add(node, IC.citesReference, SOURCE[f"{q.source}.ref-{c}"])
        if a is not None:
            self.add(node, IC.line, Literal(a.line))
            tqs, tps = URIRef(f"{node}.text"), URIRef(f"{node}.position")
            self.add(node, OA.hasSelector, tqs)
            self.add(tqs, RDF.type, OA.TextQuoteSelector)
            self.add(tqs, OA.exact, Literal(q.quote))
            self.add(tqs, OA.prefix, Literal(a.prefix))
            self.add(tqs, OA.suffix, Literal(a.suffix))
            self.add(node, OA.hasSelector, tps)
            self.add(tps, RDF.type, OA.TextPositionSelector)
            self.add(tps, OA.start, Literal(a.start, datatype=XSD.nonNegativeInteger))
            self.add(tps, OA.end, Literal(a.end, datatype=XSD.nonNegativeInteger))
        return node

    def assertion(self, s: URIRef, p: URIRef, o: URIRef, q: Quoted, rec: Record, loc: tuple) -> None:
        """The direct triple for querying, plus a reified assertion carrying its quote."""
        self.add(s, p, o)
        node = ASSERTION[_h(s, p, o)]
        self.origin(node, rec, loc)
        self.add(node, RDF.type, IC.Assertion)
        self.add(node, RDF.subject, s)
        self.add(node, RDF.predicate, p)
        self.add(node, RDF.object, o)
        self.add(node, IC.supportedBy, self.quote(q, rec, loc))
        self.add(node, DCTERMS.source, SOURCE[q.source])

    # -- records --------------------------------------------------------------------------

    def add_source(self, rec: Record) -> None:
        s: Source = rec.model
        node = SOURCE[s.id]
        self.origin(node, rec)
        self.add(node, RDF.type, IC.Source)
        self.add(node, DCTERMS.title, Literal(s.title))
        self.add(node, RDFS.label, Literal(s.title))
        self.add(node, IC.sourceFile, Literal(s.file))
        self.add(node, DCTERMS.type, Literal(s.type))
        self.add(node, IC.supportType, ECO_TRACEABLE if s.support == "traceable" else ECO_NON_TRACEABLE)
        for c in s.creators:
            self.add(node, DCTERMS.creator, Literal(c))
        # author order would need an rdf:List (blank nodes); the citation keeps it instead
        self.add(node, DCTERMS.bibliographicCitation, Literal(citation(s)))
        for prop, value in ((DCTERMS.date, s.date), (DCTERMS.publisher, s.publisher),
                            (IC.journal, s.journal), (IC.volume, s.volume), (IC.issue, s.issue),
                            (IC.pages, s.pages), (IC.doi, s.doi), (DCTERMS.license, s.licence),
                            (RDFS.comment, s.note)):
            if value:
                self.add(node, prop, Literal(value))
        if s.doi:
            self.add(node, DCTERMS.identifier, Literal(f"https://doi.org/{s.doi}"))
        for i, q in enumerate(s.quotes):
            self.add(node, IC.supportedBy, self.quote(q, rec, ("quotes", i)))
        for i, r in enumerate(s.references):
            ref = SOURCE[f"{s.id}.ref-{r.number}"]
            self.origin(ref, rec, ("references", i))
            self.add(ref, RDF.type, IC.Source)
            self.add(ref, RDFS.label, Literal(r.quote))
            self.add(ref, DCTERMS.bibliographicCitation, Literal(" ".join(r.quote.split())))
            self.add(ref, IC.referenceNumber, Literal(r.number))
            self.add(ref, DCTERMS.isReferencedBy, node)
            self.add(node, DCTERMS.references, ref)
            self.add(ref, IC.supportedBy, self.quote(r, rec, ("references", i)))

    def add_framework(self, rec: Record) -> None:
        f: Framework = rec.model
        scheme = SCHEME[f.id]
        self.origin(scheme, rec)
        self.add(scheme, RDF.type, SKOS.ConceptScheme)
        self.add(scheme, SKOS.prefLabel, Literal(f.label, lang="en"))
        self.add(scheme, RDFS.label, Literal(f.label, lang="en"))
        self.add(scheme, IC.editorial, Literal(f.editorial))
        if f.description:
            self.add(scheme, DCTERMS.description, Literal(f.description, lang="en"))
        for i, c in enumerate(f.concepts):
            self.add_concept(c, f.id, scheme, rec, ("concepts", i))
        for i, col in enumerate(f.collections):
            node = concept(f.id, col.id)
            self.origin(node, rec, ("collections", i))
            self.add(node, RDF.type, SKOS.Collection)
            self.add(node, DCTERMS.isPartOf, scheme)
            self.add_labels(node, col)
            self.add(node, IC.supportedBy, self.quote(col, rec, ("collections", i)))
            for j, q in enumerate(col.quotes):
                self.add(node, IC.supportedBy, self.quote(q, rec, ("collections", i, "quotes", j)))
            for m in col.members:
                self.add(node, SKOS.member, _ref(m) if ":" in m else concept(f.id, m))

    def add_labels(self, node: URIRef, item: Concept | Collection) -> None:
        """Labels, alternative labels, notation and scope note of a concept or a collection."""
        self.add(node, SKOS.prefLabel, Literal(item.label, lang="en"))
        self.add(node, RDFS.label, Literal(item.label, lang="en"))
        for alt in item.alt_labels:
            self.add(node, SKOS.altLabel, Literal(alt, lang="en"))
        if item.notation:
            self.add(node, SKOS.notation, Literal(item.notation))
        if item.scope_note:
            self.add(node, SKOS.scopeNote, Literal(item.scope_note, lang="en"))

    def add_concept(self, c: Concept, scheme_id: str, scheme: URIRef, rec: Record, loc: tuple) -> None:
        node = concept(scheme_id, c.id)
        self.origin(node, rec, loc)
        self.add(node, RDF.type, SKOS.Concept)
        self.add(node, SKOS.inScheme, scheme)
        self.add_labels(node, c)
        if not c.broader:
            self.add(node, SKOS.topConceptOf, scheme)
            self.add(scheme, SKOS.hasTopConcept, node)
        for b in c.broader:
            target = _ref(b) if ":" in b else concept(scheme_id, b)
            self.add(node, SKOS.broader, target)
            self.add(target, SKOS.narrower, node)
        if c.definition:
            self.add(node, SKOS.definition, Literal(" ".join(c.definition.quote.split()), lang="en"))
            qn = self.quote(c.definition, rec, loc + ("definition",))
            self.add(node, IC.definitionQuote, qn)
            self.add(node, IC.supportedBy, qn)
        for i, q in enumerate(c.quotes):
            self.add(node, IC.supportedBy, self.quote(q, rec, loc + ("quotes", i)))
        self.links(node, c.links, rec, loc)

    def links(self, node: URIRef, links: list[ConceptLink], rec: Record, loc: tuple) -> None:
        """A concept's or mechanism's typed links (ic:hasExample, skos:related, ...), each quoted."""
        for i, link in enumerate(links):
            self.assertion(node, _LINK_PROPERTY[link.property], _ref(link.target), link, rec,
                           loc + ("links", i))

    def add_mechanism(self, rec: Record) -> None:
        m: Mechanism = rec.model
        node = concept("mechanism", m.id)
        self.origin(node, rec)
        scheme = SCHEME["mechanism"]
        self.add(node, RDF.type, IC.Mechanism)
        self.add(node, RDF.type, SKOS.Concept)
        self.add(node, SKOS.inScheme, scheme)
        self.add(node, SKOS.prefLabel, Literal(m.label, lang="en"))
        self.add(node, RDFS.label, Literal(m.label, lang="en"))
        for alt in m.alt_labels:
            self.add(node, SKOS.altLabel, Literal(alt, lang="en"))
        for p in m.processes:
            self.add(node, SKOS.broader, concept("process", p))
            self.add(concept("process", p), SKOS.narrower, node)
        for b in m.broader:
            self.add(node, SKOS.broader, concept("mechanism", b))
            self.add(concept("mechanism", b), SKOS.narrower, node)
        if m.scope_note:
            self.add(node, SKOS.scopeNote, Literal(m.scope_note, lang="en"))
        if m.definition:
            self.add(node, SKOS.definition, Literal(" ".join(m.definition.quote.split()), lang="en"))
            qn = self.quote(m.definition, rec, ("definition",))
            self.add(node, IC.definitionQuote, qn)
            self.add(node, IC.supportedBy, qn)
        for i, q in enumerate(m.quotes):
            self.add(node, IC.describedBy, self.quote(q, rec, ("quotes", i)))
        for i, c in enumerate(m.country):
            self.assertion(node, IC.country, concept("country", c.value), c, rec, ("country", i))
        self.links(node, m.links, rec, ())
        self.add_evidence(m, node, m.id, rec)

    def add_case(self, rec: Record) -> None:
        c: CaseStudy = rec.model
        node = CASE[c.id]
        self.origin(node, rec)
        self.add(node, RDF.type, IC.CaseStudy)
        self.add(node, RDFS.label, Literal(c.label))
        self.add(node, SKOS.prefLabel, Literal(c.label))
        for alt in c.alt_labels:
            self.add(node, SKOS.altLabel, Literal(alt))
        self.add(node, IC.caseKind, Literal(c.kind))
        if c.number is not None:
            self.add(node, IC.caseNumber, Literal(c.number))
        if c.summary:
            self.add(node, IC.summary, Literal(c.summary))
        props = {"country": IC.country, "level": IC.level, "form": IC.form, "breadth": IC.breadth,
                 "intensity": IC.intensity, "need": IC.needLevel, "population": IC.targetPopulation}
        for name, scheme in CLASSIFIED_FIELDS.items():
            for i, item in enumerate(getattr(c, name)):
                self.assertion(node, props[name], concept(scheme, item.value), item, rec, (name, i))
        for i, link in enumerate(c.part_of):
            self.assertion(node, IC.partOf, CASE[link.target], link, rec, ("part_of", i))
        for i, g in enumerate(c.goals):
            gn = GOAL[f"{c.id}.{_h(g.quote, n=8)}"]
            self.origin(gn, rec, ("goals", i))
            self.add(node, IC.hasGoal, gn)
            self.add(gn, RDF.type, IC.Goal)
            self.add(gn, IC.supportedBy, self.quote(g, rec, ("goals", i)))
            for d in g.domains:
                self.add(gn, IC.outcomeDomain, concept("domain", d))
        for i, q in enumerate(c.provision):
            self.add(node, IC.describedBy, self.quote(q, rec, ("provision", i)))
        for i, p in enumerate(c.processes):
            self.mechanism_use(node, c.id, p, rec, ("processes", i))
        for i, e in enumerate(c.evaluation):
            self.assertion(node, IC.evaluationDesign, concept("basis", e.basis), e, rec, ("evaluation", i))
        self.add_evidence(c, node, c.id, rec, about_self=True)
        for s in {q.source for _, q in iter_quoted(c)}:
            self.add(node, DCTERMS.source, SOURCE[s])

    def mechanism_use(self, case: URIRef, case_id: str, p, rec: Record, loc: tuple) -> None:
        """An n-ary ic:MechanismUse node; direct triples only for uses in place (DIRECT_USE)."""
        use = MECHANISM_USE[f"{case_id}.{p.process}.{p.mechanism or '-'}.{p.status}"]
        self.origin(use, rec, loc)
        self.add(use, RDF.type, IC.MechanismUse)
        self.add(case, IC.hasMechanismUse, use)
        self.add(use, IC.usedIn, case)
        self.add(use, IC.ofProcess, concept("process", p.process))
        if p.mechanism:
            self.add(use, IC.ofMechanism, concept("mechanism", p.mechanism))
        self.add(use, IC.useStatus, concept("mechanism-status", p.status))
        self.add(use, IC.supportedBy, self.quote(p, rec, loc))
        if p.status in DIRECT_USE:
            self.assertion(case, IC.usesProcess, concept("process", p.process), p, rec, loc)
            if p.mechanism:
                self.assertion(case, IC.usesMechanism, concept("mechanism", p.mechanism), p, rec, loc)

    def discussed_in(self) -> None:
        """ic:discussedIn from each case study to every source with a quote about it.

        The quotes are the case's own, those of findings anywhere that are about the case, and
        those of concept and mechanism links that give the case as an example. One assertion per
        case and source carries them all.
        """
        quotes: dict[tuple[str, str], list[tuple[Quoted, Record, tuple]]] = {}

        def note(case_id: str, q: Quoted, rec: Record, loc: tuple) -> None:
            quotes.setdefault((case_id, q.source), []).append((q, rec, loc))

        for rec in self.corpus.all():
            m = rec.model
            if isinstance(m, CaseStudy):
                for loc, q in iter_quoted(m):
                    note(m.id, q, rec, loc)
            for i, f in enumerate(getattr(m, "findings", None) or []):
                for target in f.about:
                    if target.startswith("case:"):
                        for loc, q in iter_quoted(f, ("findings", i)):
                            note(target[5:], q, rec, loc)
            concepts = m.concepts if isinstance(m, Framework) else [m] if isinstance(m, Mechanism) else []
            for ci, c in enumerate(concepts):
                base = ("concepts", ci) if isinstance(m, Framework) else ()
                for li, link in enumerate(c.links):
                    if link.target.startswith("case:"):
                        note(link.target[5:], link, rec, base + ("links", li))
        for (case_id, source), items in sorted(quotes.items(), key=lambda kv: kv[0]):
            if case_id not in self.corpus.records["case-studies"]:
                continue
            case, src = CASE[case_id], SOURCE[source]
            self.add(case, IC.discussedIn, src)
            node = ASSERTION[_h(case, IC.discussedIn, src)]
            self.origin(node, items[0][1], items[0][2])
            self.add(node, RDF.type, IC.Assertion)
            self.add(node, RDF.subject, case)
            self.add(node, RDF.predicate, IC.discussedIn)
            self.add(node, RDF.object, src)
            self.add(node, DCTERMS.source, src)
            for q, rec, loc in items:
                self.add(node, IC.supportedBy, self.quote(q, rec, loc))

    def resolve_qualifies(self) -> None:
        """ic:qualifies from each caveat to the statement it qualifies, and ic:qualifiedBy back."""
        for node, rec, ref in self.pending_qualifies:
            hit, _ = resolve_finding_ref(self.corpus, rec, ref)
            if hit is None:  # the loader reported it; a graph with errors is never built
                continue
            target = STATEMENT[f"{hit[0].model.id}.{hit[1].id}"]
            self.add(node, IC.qualifies, target)
            self.add(target, IC.qualifiedBy, node)

    def add_statements(self, rec: Record) -> None:
        st: Statements = rec.model
        self.add_evidence(st, None, st.id, rec)

    def add_evidence(self, m, owner: URIRef | None, owner_id: str, rec: Record, about_self: bool = False) -> None:
        """Findings, enablers and barriers of a case study, mechanism or statements file."""
        for i, f in enumerate(m.findings):
            self.add_finding(f, owner if (about_self or isinstance(m, Mechanism)) else None,
                             owner_id, rec, ("findings", i))
        for kind, cls, prop in (("enablers", IC.Enabler, IC.hasEnabler),
                                ("barriers", IC.Barrier, IC.hasBarrier)):
            for i, fac in enumerate(getattr(m, kind)):
                self.add_factor(fac, cls, prop, owner, owner_id, kind, rec, (kind, i))

    def add_finding(self, f: Finding, owner: URIRef | None, owner_id: str, rec: Record, loc: tuple) -> None:
        node = STATEMENT[f"{owner_id}.{f.id}"]
        self.origin(node, rec, loc)
        self.add(node, RDF.type, IC.EvidenceStatement)
        self.add(node, RDFS.label, Literal(f.summary))
        self.add(node, IC.summary, Literal(f.summary))
        if owner is not None:
            self.add(node, IC.about, owner)
        for a in f.about:
            self.add(node, IC.about, _ref(a))
        for d in f.domains:
            self.add(node, IC.outcomeDomain, concept("domain", d))
        self.add(node, IC.claimKind, concept("claim-kind", f.claim))
        if f.direction is not None:
            self.add(node, IC.effectDirection, concept("direction", f.direction))
        self.add(node, IC.evidenceBasis, concept("basis", f.basis))
        if f.perspective:
            self.add(node, IC.perspective, concept("perspective", f.perspective))
        if f.note:
            self.add(node, SKOS.editorialNote, Literal(f.note, lang="en"))
        for i, fig in enumerate(f.figures):
            self.add(node, IC.figure, Literal(fig.printed))
            fn = FIGURE[f"{owner_id}.{f.id}.{_h(fig.printed, n=8)}"]
            self.origin(fn, rec, loc + ("figures", i))
            self.add(node, IC.hasFigure, fn)
            self.add(fn, RDF.type, IC.Figure)
            self.add(fn, IC.printedValue, Literal(fig.printed))
            if fig.value is not None:
                self.add(fn, IC.value, Literal(Decimal(str(fig.value)), datatype=XSD.decimal))
            if fig.unit:
                self.add(fn, IC.unit, Literal(fig.unit))
            if fig.measure:
                self.add(fn, IC.measure, Literal(fig.measure, lang="en"))
        for ref in f.qualifies:
            self.pending_qualifies.append((node, rec, ref))
        src = self.sources.get(f.source)
        traceable = bool(f.cites) or (src is not None and src.support == "traceable")
        self.add(node, IC.supportType, ECO_TRACEABLE if traceable else ECO_NON_TRACEABLE)
        self.add(node, DCTERMS.source, SOURCE[f.source])
        self.add(node, IC.locator, Literal(f.section))
        self.add(node, IC.supportedBy, self.quote(f, rec, loc))
        for c in f.cites:
            self.add(node, IC.citesReference, SOURCE[f"{f.source}.ref-{c}"])
        for j, q in enumerate(f.also):
            self.add(node, IC.supportedBy, self.quote(q, rec, loc + ("also", j)))
            for c in q.cites:
                self.add(node, IC.citesReference, SOURCE[f"{q.source}.ref-{c}"])

    def add_factor(self, fac: Factor, cls: URIRef, prop: URIRef, owner: URIRef | None,
                   owner_id: str, kind: str, rec: Record, loc: tuple) -> None:
        node = FACTOR[f"{owner_id}.{fac.id}"]
        self.origin(node, rec, loc)
        self.add(node, RDF.type, IC.Factor)
        self.add(node, RDF.type, cls)
        self.add(node, RDFS.label, Literal(fac.label))
        if owner is not None:
            self.add(owner, prop, node)
        if fac.category:
            self.add(node, IC.factorCategory, concept("factor-category", fac.category))
        if fac.theme:
            self.add(node, IC.factorTheme, concept("factor-theme", fac.theme))
        self.add(node, DCTERMS.source, SOURCE[fac.source])
        self.add(node, IC.supportedBy, self.quote(fac, rec, loc))


def citation(s: Source) -> str:
    """A plain-text citation of a source, built only from its recorded fields.

    The journal carries the volume, issue and pages; a publisher stands on its own (issue 13:
    "Milbank Memorial Fund 99" read as if the publisher had a volume). A source with neither
    author nor date says so, rather than repeating its title.
    """
    parts = []
    if s.creators:
        parts.append(", ".join(s.creators) + ".")
    parts.append(f"{s.title.rstrip('.')}.")
    if s.journal:
        parts.append(s.journal + (f" {s.volume}" if s.volume else "") + (f"({s.issue})" if s.issue else "")
                     + (f":{s.pages}" if s.pages else "") + ".")
    if s.publisher:
        parts.append(s.publisher.rstrip(".") + ".")
    if s.date:
        parts.append(f"{s.date}.")
    elif not s.creators:
        kind = s.type.replace("-", " ") if s.type else "document"
        parts.append(f"{kind[:1].upper()}{kind[1:]}; no author or date given.")
    if s.doi:
        parts.append(f"doi:{s.doi}")
    return " ".join(parts)


def build_graph(corpus: Corpus, ontology_dir: Path) -> Built:
    """Turn a validated corpus into an RDF graph with a release identifier."""
    b = _Builder(corpus, ontology_dir)
    for rec in corpus.records["sources"].values():
        b.add_source(rec)
    for rec in corpus.records["frameworks"].values():
        b.add_framework(rec)
    mech_scheme = SCHEME["mechanism"]
    b.add(mech_scheme, RDF.type, SKOS.ConceptScheme)
    b.add(mech_scheme, SKOS.prefLabel, Literal("Integrative mechanisms", lang="en"))
    b.add(mech_scheme, RDFS.label, Literal("Integrative mechanisms", lang="en"))
    b.add(mech_scheme, IC.editorial, Literal(False))
    for rec in corpus.records["mechanisms"].values():
        b.add_mechanism(rec)
    for rec in corpus.records["case-studies"].values():
        b.add_case(rec)
    for rec in corpus.records["statements"].values():
        b.add_statements(rec)
    b.resolve_qualifies()
    b.discussed_in()
    lines = _sorted_lines(b.g)
    content_hash = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    release_id = f"{__version__}+{content_hash[:12]}"
    before = len(b.g)
    b.add(RELEASE, RDF.type, IC.Release)
    b.add(RELEASE, RDFS.label, Literal(f"Integrated-care knowledge graph {release_id}"))
    b.add(RELEASE, OWL.versionInfo, Literal(__version__))
    b.add(RELEASE, IC.releaseId, Literal(release_id))
    b.add(RELEASE, IC.contentHash, Literal(f"sha256:{content_hash}"))
    b.add(RELEASE, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/"))
    b.add(RELEASE, DCAT.keyword, Literal("integrated care"))
    release = Graph()
    for t in b.g.triples((RELEASE, None, None)):
        release.add(t)
    assert len(b.g) - before == len(release)
    lines = sorted(lines + _sorted_lines(release))
    return Built(b.g, b.origins, release_id, content_hash, "\n".join(lines) + "\n")


def _sorted_lines(g: Graph) -> list[str]:
    text = g.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return sorted(x for x in text.splitlines() if x)


def graph_hash(g: Graph) -> str:
    """SHA-256 of the graph's sorted N-Triples lines (no blank nodes, so this is canonical)."""
    return hashlib.sha256("\n".join(_sorted_lines(g)).encode("utf-8")).hexdigest()
