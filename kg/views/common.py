"""What several pages share: labels, sources, quotes, evidence statements and concepts.

Every function takes an :class:`~kg.service.Explorer` and reads the graph only through named
queries (``kg/queries/_*.rq``), so the views work the same on the embedded store and on a
remote SPARQL endpoint. Derived data is memoised on the explorer (:func:`memo`), which serves
one release, so a view costs a few dictionary look-ups once the first visitor has paid for it.

* labels for every IRI, and compact prefixed names (``level:meso``) where no label exists;
* the sources with full citations (author order is taken from the recorded citation line,
  because RDF keeps ``dct:creator`` values unordered; BibTeX and RIS are in :mod:`kg.cite`);
* quotes with their locators, evidence statements with labels resolved, concepts and schemes.

What this module does not do: hold one page's data (each page has its module in
:mod:`kg.views`), render HTML or Markdown, or hold SPARQL text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable

from kg import queries
from kg.cite import doi_url
from kg.errors import IckgError
from kg.namespaces import BASE, FIXED_PREFIXES

DIRECTION = BASE + "concept/direction/"
DOMAIN = BASE + "concept/domain/"
PROCESS_SCHEME = BASE + "scheme/process"
DOMAIN_SCHEME = BASE + "scheme/domain"
MECHANISM_SCHEME = BASE + "scheme/mechanism"
ECO_NON_TRACEABLE = "http://purl.obolibrary.org/obo/ECO_0000034"

#: Directions of findings in the order views list them (encouraging to discouraging, then unknown).
DIRECTIONS = ("positive", "mixed", "no-effect", "negative", "unclear")
#: The key of findings whose claim kind carries no direction (targets, descriptive facts, recommendations).
NO_DIRECTION = "none"
#: Claim kinds that carry a direction of effect; the others are not effect claims.
EFFECT_CLAIMS = ("measured-outcome", "judgement")


def direction_key(direction: str | None) -> str:
    """A direction's id (``positive``, ...), or :data:`NO_DIRECTION` for a claim that carries none.

    The queries put the claim kind where a finding has no direction, so a target or a descriptive
    fact is never counted as if it were an effect.
    """
    d = local(direction or "")
    return d if d in DIRECTIONS else NO_DIRECTION


@dataclass(frozen=True)
class Facet:
    """A dimension the case-study list can be filtered by."""

    key: str
    label: str
    help: str


def memo(explorer: Any, key: str, make) -> Any:
    """Derived data memoised on the explorer (one explorer serves one release)."""
    cache = explorer._cache
    k = ("views", key)
    if k not in cache:
        cache[k] = make()
    return cache[k]


def whole_rows(explorer: Any, name: str, **params: str) -> list[dict[str, str | None]]:
    """Rows of a named query, complete or not at all.

    A view built on part of a table would be silently wrong (a map with missing findings, a
    facet with missing cases), so an answer cut at the row limit is asked for again without
    it; if the store still cuts it (a remote endpoint's own cap) or stops it at the time limit,
    the view fails with the status that says what was cut.
    """
    result = explorer.named(name, **params)
    if result.truncated and not result.timed_out:
        q = queries.find(name) or queries.internal(name.lstrip("_"))
        result = explorer.query(q.text, q.bind({k: v for k, v in params.items() if v}), max_rows=1_000_000)
    if result.truncated or result.timed_out:
        raise IckgError(f"the query {name} was cut short ({result.status}); this view needs its whole answer: "
                        f"raise the max_rows or query_time_limit_ms setting, or the endpoint's limits")
    return result.values()


def split_list(value: str | None) -> list[str]:
    return [x.strip() for x in (value or "").split(" | ") if x.strip()]


def local(iri: str) -> str:
    """The last segment of an IRI (``https://w3id.org/ickg/case/pace`` -> ``pace``)."""
    return re.split(r"[/#]", iri.rstrip("/"))[-1]


def compact(iri: str) -> str:
    """A prefixed name for an IRI (``level:meso``, ``case:pace``, ``ic:CaseStudy``), else the IRI."""
    concept_base = BASE + "concept/"
    if iri.startswith(concept_base):
        scheme, _, rest = iri[len(concept_base):].partition("/")
        if scheme and rest and "/" not in rest:
            return f"{scheme}:{rest}"
    best = ""
    for prefix, ns in FIXED_PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(best):
            best, name = ns, prefix
    if best:
        rest = iri[len(best):]
        if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*", rest or "") and not rest.endswith("."):
            return f"{name}:{rest}"
    return iri


def labels(explorer: Any) -> dict[str, str]:
    """Label of every named node (SKOS preferred label, else rdfs:label)."""
    return memo(explorer, "labels", lambda: {r["iri"]: r["label"] for r in whole_rows(explorer, "_labels")})


def label(explorer: Any, iri: str | None) -> str:
    """The label of an IRI, or its compact prefixed name; never a bare IRI when a name exists."""
    if not iri:
        return ""
    return labels(explorer).get(iri) or compact(iri)


@dataclass(frozen=True)
class SourceInfo:
    """A source document with its full citation and what the graph takes from it."""

    iri: str
    id: str
    title: str
    citation: str
    type: str
    creators: tuple[str, ...] = ()
    date: str | None = None
    publisher: str | None = None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    note: str | None = None
    traceable: bool = True
    statements: int = 0
    quotes: int = 0
    references: int = 0

    @property
    def doi_url(self) -> str | None:
        """The DOI's resolver URL, if the source has a DOI."""
        return doi_url(self.doi)


def _ordered_creators(creators: list[str], citation: str) -> tuple[str, ...]:
    # RDF keeps dct:creator unordered; the citation line keeps the order the record gives.
    return tuple(sorted(creators, key=lambda c: (citation.find(c) if c in citation else 10**6, c)))


def sources(explorer: Any) -> list[SourceInfo]:
    """The documents the graph is built from, most statements first."""
    def make() -> list[SourceInfo]:
        counts = {r["source"]: r for r in whole_rows(explorer, "sources")}
        out = []
        for r in whole_rows(explorer, "_source_meta"):
            c = counts.get(r["source"], {})
            out.append(SourceInfo(
                iri=r["source"], id=local(r["source"]), title=r["title"], citation=r["citation"],
                type=r["type"] or "", creators=_ordered_creators(split_list(r["creators"]), r["citation"]),
                date=r["date"], publisher=r["publisher"], journal=r["journal"], volume=r["volume"],
                issue=r["issue"], pages=r["pages"], doi=r["doi"], note=r["note"],
                traceable=r["supportType"] != ECO_NON_TRACEABLE,
                statements=int(c.get("statements") or 0), quotes=int(c.get("quotes") or 0),
                references=int(c.get("references") or 0)))
        return sorted(out, key=lambda s: (-s.statements, s.title))
    return memo(explorer, "sources", make)


def source_map(explorer: Any) -> dict[str, SourceInfo]:
    """Sources by IRI."""
    return {s.iri: s for s in sources(explorer)}


@dataclass(frozen=True)
class QuoteInfo:
    """A verbatim quote with where it is in its source."""

    iri: str
    text: str
    section: str
    line: int | None
    source: str
    source_label: str
    citation: str
    doi: str | None = None

    @property
    def locator(self) -> str:
        """Section path, and the line where the text file gives one."""
        return self.section + (f" (line {self.line})" if self.line else "")


def quote_info(explorer: Any, row: dict, source_key: str = "source") -> QuoteInfo:
    src = source_map(explorer).get(row.get(source_key) or "")
    line = row.get("line")
    return QuoteInfo(iri=row.get("quote") or "", text=row.get("text") or "", section=row.get("section") or "",
                     line=int(line) if line else None, source=row.get(source_key) or "",
                     source_label=src.title if src else label(explorer, row.get(source_key)),
                     citation=src.citation if src else "", doi=src.doi if src else None)


def unique_quotes(quotes: Iterable[QuoteInfo]) -> list[QuoteInfo]:
    seen, out = set(), []
    for q in quotes:
        if q.iri not in seen:
            seen.add(q.iri)
            out.append(q)
    return out


def statement_quotes(explorer: Any) -> dict[str, list[QuoteInfo]]:
    """Every evidence statement's supporting quotes, in source order."""
    def make() -> dict[str, list[QuoteInfo]]:
        out: dict[str, list[QuoteInfo]] = defaultdict(list)
        for r in whole_rows(explorer, "_statement_quotes"):
            out[r["statement"]].append(quote_info(explorer, r))
        return dict(out)
    return memo(explorer, "statement_quotes", make)


@dataclass(frozen=True)
class Statement:
    """One evidence statement, with labels resolved and its quotes."""

    iri: str
    summary: str
    direction: str
    direction_label: str
    basis: str
    basis_label: str
    rank: int
    source: str
    source_label: str
    citation: str
    locator: str
    traceable: bool
    domains: tuple[str, ...]
    domain_labels: tuple[str, ...]
    about: tuple[str, ...]
    about_labels: tuple[str, ...]
    figures: tuple[str, ...]
    quotes: tuple[QuoteInfo, ...]
    claim: str = ""
    claim_label: str = ""
    caveats: tuple[str, ...] = ()  # statements that qualify this one (ic:qualifiedBy)
    qualifies: tuple[str, ...] = ()  # statements this one qualifies: it is a caveat

    @property
    def direction_id(self) -> str:
        """``positive``, ``mixed``, ``no-effect``, ``negative``, ``unclear``, or ``none`` for a claim without one."""
        return direction_key(self.direction)


def caveat_links(explorer: Any) -> list[tuple[str, str]]:
    """(statement, caveat) pairs: each caveat that qualifies a statement."""
    return memo(explorer, "caveat_links", lambda: [(r["statement"], r["caveat"])
                                                   for r in whole_rows(explorer, "_caveats")])


def statements(explorer: Any) -> dict[str, Statement]:
    """Every evidence statement by IRI."""
    def make() -> dict[str, Statement]:
        quotes = statement_quotes(explorer)
        srcs = source_map(explorer)
        caveats: dict[str, list[str]] = defaultdict(list)
        qualifies: dict[str, list[str]] = defaultdict(list)
        for st, cav in caveat_links(explorer):
            caveats[st].append(cav)
            qualifies[cav].append(st)
        out = {}
        for r in whole_rows(explorer, "_statements"):
            domains, about = tuple(split_list(r["domains"])), tuple(split_list(r["about"]))
            src = srcs.get(r["source"])
            out[r["statement"]] = Statement(
                iri=r["statement"], summary=r["summary"], direction=r["direction"],
                direction_label=label(explorer, r["direction"]), basis=r["basis"],
                basis_label=label(explorer, r["basis"]), rank=int(r["rank"] or 99), source=r["source"],
                source_label=src.title if src else label(explorer, r["source"]),
                citation=src.citation if src else "", locator=r["locator"] or "",
                traceable=r["supportType"] != ECO_NON_TRACEABLE, domains=domains,
                domain_labels=tuple(label(explorer, d) for d in domains), about=about,
                about_labels=tuple(label(explorer, a) for a in about),
                figures=tuple(split_list(r["figures"])), quotes=tuple(quotes.get(r["statement"], ())),
                claim=r.get("claim") or "", claim_label=label(explorer, r.get("claim")),
                caveats=tuple(caveats.get(r["statement"], ())), qualifies=tuple(qualifies.get(r["statement"], ())))
        return out
    return memo(explorer, "statements", make)


@dataclass(frozen=True)
class ConceptInfo:
    """A SKOS concept (mechanisms included)."""

    iri: str
    scheme: str
    label: str
    notation: str | None
    definition: str | None
    scope_note: str | None
    alt_labels: tuple[str, ...]
    broader: tuple[str, ...]

    @property
    def sort_key(self) -> tuple:
        """Notation (numerically where it is a number), then label."""
        n = self.notation or ""
        return (0 if n else 1, int(n) if n.isdigit() else 0, n, self.label.lower())


def concepts(explorer: Any) -> dict[str, ConceptInfo]:
    """Every concept by IRI."""
    def make() -> dict[str, ConceptInfo]:
        return {r["concept"]: ConceptInfo(r["concept"], r["scheme"], r["label"], r["notation"], r["definition"],
                                          r["scopeNote"], tuple(split_list(r["altLabels"])), tuple(split_list(r["broaders"])))
                for r in whole_rows(explorer, "_concepts")}
    return memo(explorer, "concepts", make)


def scheme_concepts(explorer: Any, scheme: str) -> list[ConceptInfo]:
    """The concepts of one scheme, in notation then label order."""
    scheme = expand(scheme)
    return sorted((c for c in concepts(explorer).values() if c.scheme == scheme), key=lambda c: c.sort_key)


def expand(value: str) -> str:
    return value if "://" in value else queries.expand(value)


@dataclass(frozen=True)
class SchemeInfo:
    """A concept scheme."""

    iri: str
    id: str
    label: str
    editorial: bool
    concepts: int
    collections: int = 0


def schemes(explorer: Any) -> list[SchemeInfo]:
    """Every concept scheme, by label."""
    return memo(explorer, "schemes", lambda: [
        SchemeInfo(r["scheme"], local(r["scheme"]), r["label"], r["editorial"] == "true", int(r["concepts"]),
                   int(r.get("collections") or 0))
        for r in whole_rows(explorer, "frameworks")])


def label_of_direction(d: str) -> str:
    """Display label of a direction id."""
    return {"no-effect": "No effect", NO_DIRECTION: "No direction (not an effect claim)"}.get(
        d, d.replace("-", " ").capitalize())


def caveat_text(explorer: Any, s: Statement) -> list[str]:
    """One line per caveat of a statement: "Caveat: <its summary> (<claim kind>; <source>, <locator>)"."""
    stmts = statements(explorer)
    out = []
    for c in s.caveats:
        cav = stmts.get(c)
        if cav is not None:
            out.append(f"Caveat: {cav.summary} ({cav.claim_label.lower()}; {cav.source_label}, {cav.locator})")
    return out
