"""Data for the explorer's views, assembled from named queries: one function per thing a page shows.

The Streamlit pages render; this module decides what there is to render. Every function takes
an :class:`~kg.service.Explorer` and reads the graph only through named queries (the gallery's
and the internal ``kg/queries/_*.rq``), so the views work the same on the embedded store and on
a remote SPARQL endpoint, and each view has a machine form that tests and scripts can call:

* labels for every IRI, and compact prefixed names (``level:meso``) where no label exists;
* the sources with full citations, BibTeX and RIS (author order is taken from the recorded
  citation line, because RDF keeps ``dct:creator`` values unordered);
* the overview (counts, frameworks at a glance);
* the faceted case-study table, the case-study page (classification, processes and mechanisms,
  findings by outcome, enablers and barriers, what each source says, every line with its
  quotes) and the comparison of two to four case studies;
* the evidence-and-gap map: processes or mechanisms by outcome domain, with counts by
  direction, the strongest evidence basis per cell, and the statements of a cell with quotes;
* concept-scheme trees and the ontology's classes and properties (read from ``ickg.ttl``);
* downloads that carry the release, the filters or query, and the citation.

What this module does not do: render HTML or Markdown (pages escape what they show), or hold
SPARQL text (the named queries do). Derived data is memoised on the explorer, which serves one
release, so a view costs a few dictionary look-ups once the first visitor has paid for it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from kg import queries, settings
from kg.errors import IckgError
from kg.namespaces import BASE, FIXED_PREFIXES

# ----------------------------------------------------------------------------- constants

DIRECTION = BASE + "concept/direction/"
DOMAIN = BASE + "concept/domain/"
PROCESS_SCHEME = BASE + "scheme/process"
DOMAIN_SCHEME = BASE + "scheme/domain"
MECHANISM_SCHEME = BASE + "scheme/mechanism"
ECO_NON_TRACEABLE = "http://purl.obolibrary.org/obo/ECO_0000034"

#: Directions of findings in the order views list them (encouraging to discouraging, then unknown).
DIRECTIONS = ("positive", "mixed", "no-effect", "negative", "unclear")

#: The dataset's own citation; every download carries it.
DATASET_TITLE = "Integrated-care knowledge graph"
DATASET_URL = "https://w3id.org/ickg/"
DATASET_LICENCE = "CC BY 4.0 (curated evidence); quotes remain the words of their sources"


@dataclass(frozen=True)
class Facet:
    """A dimension the case-study list can be filtered by."""

    key: str
    label: str
    help: str


#: The case-study facets, in the order the list shows them. Keys are URL parameter names.
FACETS: tuple[Facet, ...] = (
    Facet("level", "Level", "Level of aggregation (Curry and Ham): macro, meso, micro."),
    Facet("form", "Form", "Real (one entity) or virtual (networks, contracts) integration."),
    Facet("breadth", "Breadth", "Horizontal or vertical integration."),
    Facet("intensity", "Intensity (Leutz)", "Linkage, coordination, full integration; also where a source gives the case as an example of a level."),
    Facet("country", "Country", "Country or jurisdiction."),
    Facet("population", "Target population", "Who the service is for."),
    Facet("process", "Integrative process", "Systemic, organisational, clinical, informational, financial, normative, functional; also through the mechanisms a case uses."),
    Facet("mechanism", "Mechanism", "Concrete mechanisms (pooled budget, capitation, case management, ...)."),
    Facet("domain", "Outcome domain", "Outcome domains of the findings about the case."),
    Facet("direction", "Direction of findings", "A case matches when at least one finding about it has this direction."),
    Facet("basis", "Evidence basis", "Study designs of the findings about the case."),
    Facet("source", "Source", "Documents that describe the case."),
)
FACET_KEYS = tuple(f.key for f in FACETS)

#: Filters of the evidence map (URL parameter names) and what each filters on.
MAP_FILTERS: tuple[Facet, ...] = (
    Facet("level", "Level", "Keeps findings about case studies at this level."),
    Facet("form", "Form", "Keeps findings about case studies of this form."),
    Facet("country", "Country", "Keeps findings about case studies in this country."),
    Facet("source", "Source", "Keeps findings reported by this source."),
    Facet("basis", "Evidence basis", "Keeps findings of this evidence basis."),
)

#: Classification properties of a case study, in the order the page lists them.
CLASSIFICATION = (
    ("level", "Level of aggregation"), ("form", "Form"), ("breadth", "Breadth"),
    ("intensity", "Intensity (Leutz)"), ("needLevel", "Level of need"), ("country", "Country"),
    ("targetPopulation", "Target population"), ("evaluationDesign", "Evaluation design"),
    ("partOf", "Part of"), ("hasExample", "Given as an example of"),
)
_IC = FIXED_PREFIXES["ic"]


# ----------------------------------------------------------------------------- helpers

def _memo(explorer: Any, key: str, make) -> Any:
    """Derived data memoised on the explorer (one explorer serves one release)."""
    cache = explorer._cache
    k = ("explore", key)
    if k not in cache:
        cache[k] = make()
    return cache[k]


def _rows(explorer: Any, name: str, **params: str) -> list[dict[str, str | None]]:
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


def _split(value: str | None) -> list[str]:
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


def doi_url(doi: str | None) -> str | None:
    """The resolver URL of a DOI, or None; the only outside links views build from data."""
    if not doi:
        return None
    doi = doi.strip()
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", doi, flags=re.I)
    return f"https://doi.org/{doi}" if re.fullmatch(r"10\.\d{4,9}/\S+", doi) else None


def labels(explorer: Any) -> dict[str, str]:
    """Label of every named node (SKOS preferred label, else rdfs:label)."""
    return _memo(explorer, "labels", lambda: {r["iri"]: r["label"] for r in _rows(explorer, "_labels")})


def label(explorer: Any, iri: str | None) -> str:
    """The label of an IRI, or its compact prefixed name; never a bare IRI when a name exists."""
    if not iri:
        return ""
    return labels(explorer).get(iri) or compact(iri)


# ----------------------------------------------------------------------------- sources

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
        counts = {r["source"]: r for r in _rows(explorer, "sources")}
        out = []
        for r in _rows(explorer, "_source_meta"):
            c = counts.get(r["source"], {})
            out.append(SourceInfo(
                iri=r["source"], id=local(r["source"]), title=r["title"], citation=r["citation"],
                type=r["type"] or "", creators=_ordered_creators(_split(r["creators"]), r["citation"]),
                date=r["date"], publisher=r["publisher"], journal=r["journal"], volume=r["volume"],
                issue=r["issue"], pages=r["pages"], doi=r["doi"], note=r["note"],
                traceable=r["supportType"] != ECO_NON_TRACEABLE,
                statements=int(c.get("statements") or 0), quotes=int(c.get("quotes") or 0),
                references=int(c.get("references") or 0)))
        return sorted(out, key=lambda s: (-s.statements, s.title))
    return _memo(explorer, "sources", make)


def source_map(explorer: Any) -> dict[str, SourceInfo]:
    """Sources by IRI."""
    return {s.iri: s for s in sources(explorer)}


def _bib_escape(text: str) -> str:
    return re.sub(r"([{}\\&%$#_])", r"\\\1", text)


def _year(date: str | None) -> str:
    m = re.match(r"(\d{4})", date or "")
    return m.group(1) if m else ""


def bibtex(src: SourceInfo) -> str:
    """A BibTeX entry for a source, from its recorded fields only."""
    kind = {"article": "article", "report": "techreport", "book": "book"}.get(src.type, "misc")
    key = re.sub(r"[^A-Za-z0-9]+", "", src.id.title()) or "source"
    fields: list[tuple[str, str]] = []
    if src.creators:
        fields.append(("author", " and ".join(src.creators)))
    fields.append(("title", "{" + src.title + "}"))
    if src.journal:
        fields.append(("journal", src.journal))
    if src.publisher:
        fields.append(("institution" if kind == "techreport" else "publisher", src.publisher))
    if src.volume:
        fields.append(("volume", src.volume))
    if src.issue:
        fields.append(("number", src.issue))
    if src.pages:
        fields.append(("pages", src.pages.replace("–", "--")))
    if _year(src.date):
        fields.append(("year", _year(src.date)))
    if src.date and len(src.date) >= 7:
        fields.append(("date", src.date))
    if src.doi:
        fields.append(("doi", src.doi))
    if src.note:
        fields.append(("note", src.note))
    body = ",\n".join(f"  {k} = {{{_bib_escape(v) if k != 'title' else '{' + _bib_escape(src.title) + '}'}}}"
                      for k, v in fields)
    return f"@{kind}{{{key},\n{body}\n}}\n"


def ris(src: SourceInfo) -> str:
    """An RIS record for a source, from its recorded fields only."""
    kind = {"article": "JOUR", "report": "RPRT", "book": "BOOK", "web-page": "ELEC"}.get(src.type, "GEN")
    lines = [f"TY  - {kind}"]
    lines += [f"AU  - {a}" for a in src.creators]
    lines.append(f"TI  - {src.title}")
    if src.journal:
        lines.append(f"JO  - {src.journal}")
    if src.publisher:
        lines.append(f"PB  - {src.publisher}")
    if src.volume:
        lines.append(f"VL  - {src.volume}")
    if src.issue:
        lines.append(f"IS  - {src.issue}")
    if src.pages:
        start, _, end = src.pages.replace("–", "-").partition("-")
        lines.append(f"SP  - {start}")
        if end:
            lines.append(f"EP  - {end}")
    if _year(src.date):
        lines.append(f"PY  - {_year(src.date)}")
    if src.date:
        lines.append(f"DA  - {src.date.replace('-', '/')}")
    if src.doi:
        lines.append(f"DO  - {src.doi}")
        lines.append(f"UR  - {doi_url(src.doi) or ''}")
    if src.note:
        lines.append(f"N1  - {src.note}")
    lines.append("ER  - ")
    return "\n".join(lines) + "\n"


def dataset_citation(release_id: str) -> str:
    """How to cite the graph itself."""
    return f"{DATASET_TITLE}, release {release_id}. {DATASET_URL} ({DATASET_LICENCE})."


# ----------------------------------------------------------------------------- quotes

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


def _quote(explorer: Any, row: dict, source_key: str = "source") -> QuoteInfo:
    src = source_map(explorer).get(row.get(source_key) or "")
    line = row.get("line")
    return QuoteInfo(iri=row.get("quote") or "", text=row.get("text") or "", section=row.get("section") or "",
                     line=int(line) if line else None, source=row.get(source_key) or "",
                     source_label=src.title if src else label(explorer, row.get(source_key)),
                     citation=src.citation if src else "", doi=src.doi if src else None)


def _unique(quotes: Iterable[QuoteInfo]) -> list[QuoteInfo]:
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
        for r in _rows(explorer, "_statement_quotes"):
            out[r["statement"]].append(_quote(explorer, r))
        return dict(out)
    return _memo(explorer, "statement_quotes", make)


# ----------------------------------------------------------------------------- statements

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

    @property
    def direction_id(self) -> str:
        """``positive``, ``mixed``, ``no-effect``, ``negative`` or ``unclear``."""
        return local(self.direction)


def statements(explorer: Any) -> dict[str, Statement]:
    """Every evidence statement by IRI."""
    def make() -> dict[str, Statement]:
        quotes = statement_quotes(explorer)
        srcs = source_map(explorer)
        out = {}
        for r in _rows(explorer, "_statements"):
            domains, about = tuple(_split(r["domains"])), tuple(_split(r["about"]))
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
                figures=tuple(_split(r["figures"])), quotes=tuple(quotes.get(r["statement"], ())))
        return out
    return _memo(explorer, "statements", make)


# ----------------------------------------------------------------------------- concepts

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
                                          r["scopeNote"], tuple(_split(r["altLabels"])), tuple(_split(r["broaders"])))
                for r in _rows(explorer, "_concepts")}
    return _memo(explorer, "concepts", make)


def scheme_concepts(explorer: Any, scheme: str) -> list[ConceptInfo]:
    """The concepts of one scheme, in notation then label order."""
    scheme = _expand(scheme)
    return sorted((c for c in concepts(explorer).values() if c.scheme == scheme), key=lambda c: c.sort_key)


def _expand(value: str) -> str:
    return value if "://" in value else queries.expand(value)


@dataclass(frozen=True)
class SchemeInfo:
    """A concept scheme."""

    iri: str
    id: str
    label: str
    editorial: bool
    concepts: int


def schemes(explorer: Any) -> list[SchemeInfo]:
    """Every concept scheme, by label."""
    return _memo(explorer, "schemes", lambda: [
        SchemeInfo(r["scheme"], local(r["scheme"]), r["label"], r["editorial"] == "true", int(r["concepts"]))
        for r in _rows(explorer, "frameworks")])


@dataclass(frozen=True)
class TreeNode:
    """A concept placed in its scheme's hierarchy."""

    concept: ConceptInfo
    depth: int
    quotes: tuple[tuple[str, QuoteInfo], ...]  # (role, quote): definition, support, description


def scheme_tree(explorer: Any, scheme: str) -> list[TreeNode]:
    """A scheme's concepts depth first (top concepts, then their narrower ones), with quotes."""
    scheme = _expand(scheme)
    members = {c.iri: c for c in scheme_concepts(explorer, scheme)}
    quotes: dict[str, list[tuple[str, QuoteInfo]]] = defaultdict(list)
    for r in _rows(explorer, "_concept_quotes", scheme=scheme):
        quotes[r["concept"]].append((r["role"], _quote(explorer, r)))
    children: dict[str | None, list[ConceptInfo]] = defaultdict(list)
    for c in members.values():
        parents = [b for b in c.broader if b in members]
        for p in parents or [None]:
            children[p].append(c)
    out: list[TreeNode] = []
    seen: set[tuple[str, int]] = set()

    def walk(parent: str | None, depth: int, path: tuple[str, ...]) -> None:
        for c in sorted(children.get(parent, []), key=lambda c: c.sort_key):
            if c.iri in path or (c.iri, depth) in seen:
                continue
            seen.add((c.iri, depth))
            out.append(TreeNode(c, depth, tuple(quotes.get(c.iri, ()))))
            walk(c.iri, depth + 1, path + (c.iri,))
    walk(None, 0, ())
    return out


# ----------------------------------------------------------------------------- overview

@dataclass
class Overview:
    """What the graph holds and the frameworks at a glance."""

    counts: dict[str, int]
    sources: list[SourceInfo]
    levels: list[ConceptInfo]
    processes: list[ConceptInfo]
    leutz: list[dict]
    kaiser: list[dict]
    need: list[dict]
    case_counts: dict[str, int]


def overview(explorer: Any) -> Overview:
    """Counts, sources, and the levels, processes, Leutz levels and Kaiser triangle."""
    def make() -> Overview:
        classes = {local(r["class"]): int(r["n"]) for r in _rows(explorer, "_stats_classes")}
        srcs = sources(explorer)
        classes["Document"] = len(srcs)
        classes["Reference"] = sum(s.references for s in srcs)
        per_concept: Counter = Counter()
        for r in _rows(explorer, "_case_facets"):
            per_concept[r["value"]] += 1
        return Overview(counts=classes, sources=srcs, levels=scheme_concepts(explorer, "scheme:level"),
                        processes=scheme_concepts(explorer, "scheme:process"), leutz=_rows(explorer, "leutz-levels"),
                        kaiser=_rows(explorer, "kaiser-triangle"), need=_rows(explorer, "integration-for-need"),
                        case_counts=dict(per_concept))
    return _memo(explorer, "overview", make)


# ----------------------------------------------------------------------------- case studies

@dataclass(frozen=True)
class CaseRow:
    """A case study in the faceted list."""

    iri: str
    id: str
    label: str
    kind: str
    number: int | None
    summary: str
    alt_labels: tuple[str, ...]
    facets: dict[str, frozenset[str]]
    statements: int

    def values(self, facet: str) -> frozenset[str]:
        """The IRIs this case has for a facet."""
        return self.facets.get(facet, frozenset())


def case_table(explorer: Any) -> list[CaseRow]:
    """Every case study with its facet values; HRB-numbered ones first, then by label."""
    def make() -> list[CaseRow]:
        facets: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for r in _rows(explorer, "_case_facets"):
            facets[r["case"]][r["facet"]].add(r["value"])
        per_case = Counter(a for s in statements(explorer).values() for a in s.about)
        rows = []
        for r in _rows(explorer, "_case_index"):
            f = facets.get(r["case"], {})
            rows.append(CaseRow(iri=r["case"], id=local(r["case"]), label=r["label"], kind=r["kind"] or "",
                                number=int(r["number"]) if r["number"] else None, summary=r["summary"] or "",
                                alt_labels=tuple(_split(r["altLabels"])),
                                facets={k: frozenset(v) for k, v in f.items()}, statements=per_case[r["case"]]))
        return sorted(rows, key=lambda c: (c.number is None, c.number or 0, c.label.lower()))
    return _memo(explorer, "case_table", make)


def facet_values(explorer: Any, facet: str) -> list[tuple[str, str]]:
    """Every value a facet can take in the list, as (IRI, label), in a stable order."""
    def make() -> list[tuple[str, str]]:
        values = {v for c in case_table(explorer) for v in c.values(facet)}
        cs = concepts(explorer)
        return sorted(((v, label(explorer, v)) for v in values),
                      key=lambda p: (cs[p[0]].sort_key if p[0] in cs else (1, 0, "", p[1].lower())))
    return _memo(explorer, f"facet_values:{facet}", make)


def facet_ids(explorer: Any, facet: str) -> dict[str, str]:
    """URL id (an IRI's last segment) -> IRI for a facet's values."""
    return {local(v): v for v, _ in facet_values(explorer, facet)}


def filter_cases(rows: list[CaseRow], selected: dict[str, Iterable[str]]) -> list[CaseRow]:
    """Cases matching every facet (AND across facets) on at least one chosen value (OR within)."""
    chosen = {k: set(v) for k, v in selected.items() if v}
    return [c for c in rows if all(c.values(k) & v for k, v in chosen.items())]


def facet_counts(rows: list[CaseRow], facet: str) -> Counter:
    """How many of the given cases carry each value of a facet."""
    return Counter(v for c in rows for v in c.values(facet))


def resolve_case(explorer: Any, ref: str | None) -> str | None:
    """A case-study IRI from an id (``pace``), a prefixed name (``case:pace``) or an IRI; None if unknown."""
    if not ref:
        return None
    ref = ref.strip()
    known = {c.iri for c in case_table(explorer)}
    for candidate in (ref, FIXED_PREFIXES["case"] + ref.removeprefix("case:")):
        if candidate in known:
            return candidate
    return None


# ----------------------------------------------------------------------------- case page

@dataclass
class Line:
    """One line of a case-study page: what it says, and the quotes behind it."""

    section: str
    label: str
    value: str
    value_iri: str = ""
    quotes: list[QuoteInfo] = field(default_factory=list)
    direction: str = ""
    direction_label: str = ""
    basis_label: str = ""
    rank: int = 99
    source_label: str = ""
    locator: str = ""
    statement: str = ""
    note: str = ""

    @property
    def sources(self) -> list[str]:
        """Labels of the sources behind the line."""
        return sorted({q.source_label for q in self.quotes})


@dataclass
class ProcessBlock:
    """An integrative process a case uses, with the mechanisms named under it."""

    process: str
    label: str
    definition: str | None
    mechanisms: list[Line]
    quotes: list[QuoteInfo]


@dataclass
class DomainBlock:
    """The findings about a case in one outcome domain."""

    domain: str
    label: str
    findings: list[Line]

    @property
    def directions(self) -> Counter:
        """Findings by direction id."""
        return Counter(local(f.direction) for f in self.findings)


@dataclass
class CaseDetail:
    """Everything the case-study page shows."""

    iri: str
    id: str
    label: str
    kind: str
    number: int | None
    summary: str
    alt_labels: tuple[str, ...]
    classification: list[Line]
    processes: list[ProcessBlock]
    domains: list[DomainBlock]
    findings: list[Line]
    enablers: list[Line]
    barriers: list[Line]
    goals: list[Line]
    provision: list[Line]
    key_messages: list[str]
    basis_counts: list[tuple[str, int, int]]  # (basis label, rank, findings)
    direction_counts: dict[str, int]

    def lines(self) -> list[Line]:
        """Every line of the page, in page order (for the download)."""
        out = list(self.classification)
        for p in self.processes:
            if p.quotes:
                out.append(Line("Integrative process", p.label, "", p.process, p.quotes))
            out += p.mechanisms
        out += self.findings + self.enablers + self.barriers + self.goals + self.provision
        return out

    def by_source(self) -> list[tuple[str, str, list[Line]]]:
        """What each source says: (source IRI, label, lines supported by its quotes)."""
        groups: dict[str, list[Line]] = defaultdict(list)
        names: dict[str, str] = {}
        for line in self.lines():
            for src in {q.source for q in line.quotes}:
                groups[src].append(line)
                names[src] = next(q.source_label for q in line.quotes if q.source == src)
        return sorted(((s, names[s], ls) for s, ls in groups.items()), key=lambda t: (-len(t[2]), t[1]))


def _directions_text(counts: Counter) -> str:
    parts = [f"{counts[d]} {label_of_direction(d).lower()}" for d in DIRECTIONS if counts.get(d)]
    return ", ".join(parts)


def label_of_direction(d: str) -> str:
    """Display label of a direction id."""
    return {"no-effect": "No effect"}.get(d, d.replace("-", " ").capitalize())


def case_detail(explorer: Any, case: str) -> CaseDetail | None:
    """The case-study page of a case (id, prefixed name or IRI); None when there is no such case."""
    iri = resolve_case(explorer, case)
    if iri is None:
        return None
    key = f"case:{iri}"
    cache = explorer._cache
    if ("explore", key) in cache:
        return cache[("explore", key)]
    row = next(c for c in case_table(explorer) if c.iri == iri)
    cs = concepts(explorer)

    # classification and processes, from the quoted assertions
    claims = _rows(explorer, "_case_claims", case=iri)
    by_value: dict[tuple[str, str], list[QuoteInfo]] = defaultdict(list)
    quote_rows: dict[str, dict] = {}
    for r in claims:
        q = _quote(explorer, r)
        by_value[(r["property"], r["value"])].append(q)
        quote_rows.setdefault(r["quote"], {}).setdefault(r["property"], []).append(r["value"])
    classification = []
    for prop, title in CLASSIFICATION:
        values = [(v, qs) for (p, v), qs in by_value.items() if p == _IC + prop]
        for v, qs in sorted(values, key=lambda t: label(explorer, t[0]).lower()):
            classification.append(Line("Classification", title, label(explorer, v), v, _unique(qs)))

    # processes with the mechanisms quoted under them (pairs share a quote, as the curated file does)
    blocks: dict[str, ProcessBlock] = {}
    for (p, proc), qs in by_value.items():
        if p != _IC + "usesProcess":
            continue
        c = cs.get(proc)
        block = blocks.setdefault(proc, ProcessBlock(proc, label(explorer, proc), c.definition if c else None, [], []))
        mech_quotes: dict[str, list[QuoteInfo]] = defaultdict(list)
        for q in qs:
            mechs = quote_rows.get(q.iri, {}).get(_IC + "usesMechanism", [])
            if not mechs:
                block.quotes.append(q)
            for m in mechs:
                mech_quotes[m].append(q)
        for m, mqs in mech_quotes.items():
            block.mechanisms.append(Line("Mechanism", block.label, label(explorer, m), m, _unique(mqs)))
    for (p, mech), qs in by_value.items():  # mechanisms quoted without a process (defensive)
        if p == _IC + "usesMechanism" and not any(m.value_iri == mech for b in blocks.values() for m in b.mechanisms):
            procs = [b for b in cs.get(mech, ConceptInfo(mech, "", "", None, None, None, (), ())).broader]
            target = procs[0] if procs else ""
            block = blocks.setdefault(target, ProcessBlock(target, label(explorer, target) or "Other", None, [], []))
            block.mechanisms.append(Line("Mechanism", block.label, label(explorer, mech), mech, _unique(qs)))
    processes = sorted(blocks.values(), key=lambda b: cs[b.process].sort_key if b.process in cs else (2,))
    for b in processes:
        b.mechanisms.sort(key=lambda m: m.value.lower())
        b.quotes = _unique(b.quotes)
        for m in b.mechanisms:
            m.label = b.label

    # findings, grouped by outcome domain
    stmts = statements(explorer)
    found: dict[str, Line] = {}
    squotes = statement_quotes(explorer)
    rows_by_stmt: dict[str, list[dict]] = defaultdict(list)
    for r in _rows(explorer, "_case_findings", case=iri):
        rows_by_stmt[r["statement"]].append(r)
    for s_iri, rs in rows_by_stmt.items():
        s = stmts.get(s_iri)
        r0 = rs[0]
        quotes = list(squotes.get(s_iri, ()))
        found[s_iri] = Line(
            "Finding", "; ".join(label(explorer, d) for d in _split(r0["domains"])), r0["summary"], s_iri, quotes,
            direction=r0["direction"], direction_label=label(explorer, r0["direction"]),
            basis_label=label(explorer, r0["basis"]), rank=int(r0["rank"] or 99),
            source_label=s.source_label if s else label(explorer, r0["source"]), locator=r0["locator"] or "",
            statement=s_iri, note=("figures: " + r0["figures"]) if r0["figures"] else "")
    findings = sorted(found.values(), key=lambda f: (f.rank, DIRECTIONS.index(local(f.direction))
                                                     if local(f.direction) in DIRECTIONS else 9, f.value))
    domain_map: dict[str, list[Line]] = defaultdict(list)
    for s_iri, line in found.items():
        for d in _split(rows_by_stmt[s_iri][0]["domains"]):
            domain_map[d].append(line)
    domains = [DomainBlock(d, label(explorer, d), sorted(ls, key=lambda f: (f.rank, f.value)))
               for d, ls in domain_map.items()]
    domains.sort(key=lambda b: (-len(b.findings), b.label))

    # enablers and barriers
    factors: dict[str, Line] = {}
    for r in _rows(explorer, "_case_factors", case=iri):
        line = factors.get(r["factor"])
        if line is None:
            theme = " / ".join(label(explorer, x) for x in (r["theme"], r["category"]) if x)
            line = factors[r["factor"]] = Line("Enabler" if r["kind"] == "enabler" else "Barrier",
                                               theme, r["label"], r["factor"])
        line.quotes = _unique(line.quotes + [_quote(explorer, r)])
    enablers = sorted((f for f in factors.values() if f.section == "Enabler"), key=lambda f: f.value.lower())
    barriers = sorted((f for f in factors.values() if f.section == "Barrier"), key=lambda f: f.value.lower())

    # goals and provision
    goals, provision = [], []
    for r in _rows(explorer, "_case_context", case=iri):
        q = _quote(explorer, r)
        if r["role"] == "goal":
            goals.append(Line("Goal", "; ".join(label(explorer, d) for d in _split(r["domains"])), q.text, "", [q]))
        else:
            provision.append(Line("Service provision", "", q.text, "", [q]))

    # key messages and the evidence basis, from the findings (never invented)
    dcount = Counter(local(f.direction) for f in findings)
    bcount = Counter((f.basis_label, f.rank) for f in findings)
    basis_counts = sorted(((b, r, n) for (b, r), n in bcount.items()), key=lambda t: t[1])
    messages = []
    srcs = sorted({f.source_label for f in findings})
    if findings:
        messages.append(f"{len(findings)} finding{'s' if len(findings) != 1 else ''} from "
                        f"{len(srcs)} source{'s' if len(srcs) != 1 else ''}: {_directions_text(dcount)}.")
        best = basis_counts[0]
        messages.append(f"Strongest evidence basis: {best[0]} ({best[2]} finding{'s' if best[2] != 1 else ''}).")
        weak = sum(n for b, r, n in basis_counts if r >= 11)
        if weak:
            messages.append(f"{weak} finding{'s rest' if weak != 1 else ' rests'} on expert opinion, "
                            f"no stated design or uncited claims.")
        pos = sorted({d.label for d in domains if d.directions.get("positive")})
        neg = sorted({d.label for d in domains if d.directions.get("negative") or d.directions.get("mixed")
                      or d.directions.get("no-effect")})
        if pos:
            messages.append("Positive findings on: " + ", ".join(pos) + ".")
        if neg:
            messages.append("Mixed, null or negative findings on: " + ", ".join(neg) + ".")
    else:
        messages.append("The sources report no findings about this case study.")
    if processes:
        messages.append("Integrates through " + ", ".join(
            f"{b.label.lower()} ({len(b.mechanisms)} mechanism{'s' if len(b.mechanisms) != 1 else ''})"
            if b.mechanisms else b.label.lower() for b in processes) + " processes.")

    detail = CaseDetail(iri=iri, id=row.id, label=row.label, kind=row.kind, number=row.number, summary=row.summary,
                        alt_labels=row.alt_labels, classification=classification, processes=processes,
                        domains=domains, findings=findings, enablers=enablers, barriers=barriers, goals=goals,
                        provision=provision, key_messages=messages, basis_counts=basis_counts,
                        direction_counts=dict(dcount))
    cache[("explore", key)] = detail
    return detail


CASE_COLUMNS = ("section", "aspect", "value", "value_iri", "direction", "evidence_basis", "source", "locator",
                "quote", "citation")


def case_rows(detail: CaseDetail) -> list[dict[str, str]]:
    """The case-study page as rows: one per line and supporting quote (the page's download)."""
    out = []
    for line in detail.lines():
        for q in line.quotes or [None]:
            out.append({"section": line.section, "aspect": line.label, "value": line.value,
                        "value_iri": line.value_iri, "direction": line.direction_label,
                        "evidence_basis": line.basis_label, "source": q.source_label if q else line.source_label,
                        "locator": q.locator if q else line.locator, "quote": q.text if q else "",
                        "citation": q.citation if q else ""})
    return out


# ----------------------------------------------------------------------------- compare

COMPARE_MAX = 4


@dataclass
class Comparison:
    """Case studies side by side: one row per aspect, one list of values per case study."""

    cases: list[CaseDetail]
    columns: list[str]  # "group", "aspect", then one column name per case study
    rows: list[tuple[str, str, list[list[str]]]]  # (group, aspect, values per case)

    def table(self) -> list[dict[str, str]]:
        """The comparison as flat rows (values joined by "; "), as shown and downloaded."""
        return [{"group": g, "aspect": a, **{col: "; ".join(v) for col, v in zip(self.columns[2:], cells)}}
                for g, a, cells in self.rows]


def comparison(explorer: Any, cases: list[str]) -> Comparison:
    """Two to four case studies side by side.

    Rows: each classification, the mechanisms under each integrative process, the findings in
    each outcome domain ("direction: summary [evidence basis]"), enablers and barriers. A case
    with nothing for a row has an empty list: the sources say nothing.
    """
    details = [d for d in (case_detail(explorer, c) for c in cases[:COMPARE_MAX]) if d is not None]
    columns = ["group", "aspect"] + [d.label for d in details]
    seen: Counter = Counter()
    for i, c in enumerate(columns[2:], start=2):  # keep columns distinct when labels repeat
        seen[c] += 1
        if seen[c] > 1:
            columns[i] = f"{c} ({details[i - 2].id})"
    rows: list[tuple[str, str, list[list[str]]]] = []

    def add(group: str, aspect: str, cells: list[list[str]]) -> None:
        rows.append((group, aspect, [list(dict.fromkeys(v)) for v in cells]))

    for prop, title in CLASSIFICATION:
        cells = [[ln.value for ln in d.classification if ln.label == title] for d in details]
        if any(cells):
            add("Classification", title, cells)
    procs: dict[str, str] = {}
    for d in details:
        for b in d.processes:
            procs.setdefault(b.process, b.label)
    cs = concepts(explorer)
    for p in sorted(procs, key=lambda p: cs[p].sort_key if p in cs else (2,)):
        cells = []
        for d in details:
            b = next((b for b in d.processes if b.process == p), None)
            cells.append([] if b is None else ([m.value for m in b.mechanisms] or ["(process named, no mechanism)"]))
        add("Mechanisms by process", procs[p], cells)
    doms: dict[str, str] = {}
    for d in details:
        for b in d.domains:
            doms.setdefault(b.domain, b.label)
    for dom in sorted(doms, key=lambda x: doms[x].lower()):
        cells = []
        for d in details:
            b = next((b for b in d.domains if b.domain == dom), None)
            cells.append([] if b is None else [f"{f.direction_label}: {f.value} [{f.basis_label}]" for f in b.findings])
        add("Findings by outcome", doms[dom], cells)
    add("Enablers", "Enablers", [[f.value for f in d.enablers] for d in details])
    add("Barriers", "Barriers", [[f.value for f in d.barriers] for d in details])
    return Comparison(details, columns, rows)


def compare(explorer: Any, cases: list[str]) -> tuple[list[str], list[dict[str, str]]]:
    """The comparison as (columns, flat rows), for downloads and scripts (see :func:`comparison`)."""
    c = comparison(explorer, cases)
    return c.columns, c.table()


# ----------------------------------------------------------------------------- evidence map

@dataclass(frozen=True)
class Placement:
    """An evidence statement counted in a row of the map."""

    statement: str
    route: str  # "mechanism", "process" or "case"
    about: str
    mechanism: str | None
    process: str


def placements(explorer: Any) -> list[Placement]:
    """Where every statement sits on the map (see ``_statement_placement.rq``)."""
    return _memo(explorer, "placements", lambda: [
        Placement(r["statement"], r["route"], r["about"], r["mechanism"], r["process"])
        for r in _rows(explorer, "_statement_placement")])


@dataclass
class Cell:
    """One cell of the evidence map."""

    row: str
    col: str
    statements: list[str] = field(default_factory=list)
    directions: Counter = field(default_factory=Counter)
    strongest_rank: int | None = None
    strongest_basis: str = ""

    @property
    def count(self) -> int:
        """How many statements the cell holds."""
        return len(self.statements)


@dataclass
class EvidenceMap:
    """An evidence-and-gap map: rows (processes or mechanisms) by outcome domains."""

    axis: str
    rows: list[tuple[str, str]]  # (IRI, label), every row, empty ones included
    cols: list[tuple[str, str]]
    cells: dict[tuple[str, str], Cell]
    filters: dict[str, list[str]]
    include_cases: bool
    total: int  # distinct statements on the map

    def cell(self, row: str, col: str) -> Cell:
        """A cell (an empty one for a gap)."""
        return self.cells.get((row, col)) or Cell(row, col)

    @property
    def gaps(self) -> int:
        """Cells without any statement."""
        return len(self.rows) * len(self.cols) - sum(1 for c in self.cells.values() if c.count)


def map_filter_values(explorer: Any, key: str) -> list[tuple[str, str]]:
    """Values a map filter can take, as (IRI, label)."""
    if key in ("level", "form", "country"):
        return facet_values(explorer, key)
    if key == "source":
        return [(s.iri, s.title) for s in sources(explorer)]
    if key == "basis":
        return [(c.iri, c.label) for c in scheme_concepts(explorer, "scheme:basis")]
    raise IckgError(f"unknown evidence-map filter {key!r}")


def evidence_map(explorer: Any, axis: str = "process", filters: dict[str, Iterable[str]] | None = None,
                 include_cases: bool = True) -> EvidenceMap:
    """The evidence-and-gap map.

    Args:
        axis: ``process`` (the seven integrative processes) or ``mechanism`` as rows.
        filters: IRIs by :data:`MAP_FILTERS` key. Level, form and country keep statements about
            case studies so classified; source and basis filter statements directly.
        include_cases: count statements about a case study under every mechanism and process
            the case uses (the Campbell/3ie convention that a study of a programme informs each
            of its components), not only statements about a mechanism or process itself.
    """
    if axis not in ("process", "mechanism"):
        raise IckgError(f"axis must be process or mechanism, not {axis!r}")
    chosen = {k: set(v) for k, v in (filters or {}).items() if v}
    stmts = statements(explorer)
    cases = {c.iri: c for c in case_table(explorer)}

    def keep_statement(s: Statement) -> bool:
        if "source" in chosen and s.source not in chosen["source"]:
            return False
        if "basis" in chosen and s.basis not in chosen["basis"]:
            return False
        return True

    def keep_about(about: str) -> bool:
        case_filters = {k: v for k, v in chosen.items() if k in ("level", "form", "country")}
        if not case_filters:
            return True
        c = cases.get(about)
        return c is not None and all(c.values(k) & v for k, v in case_filters.items())

    cs = concepts(explorer)
    if axis == "process":
        rows = [(c.iri, c.label) for c in scheme_concepts(explorer, PROCESS_SCHEME)]
    else:
        mechs = [c for c in cs.values() if c.scheme == MECHANISM_SCHEME]
        rows = [(c.iri, c.label) for c in sorted(mechs, key=lambda c: c.label.lower())]
    cols = sorted(((c.iri, c.label) for c in scheme_concepts(explorer, DOMAIN_SCHEME)), key=lambda p: p[1].lower())
    cells: dict[tuple[str, str], Cell] = {}
    on_map: set[str] = set()
    for p in placements(explorer):
        if p.route == "case" and not include_cases:
            continue
        s = stmts.get(p.statement)
        if s is None or not keep_statement(s):
            continue
        # a statement about a case and a mechanism counts once per row, kept if any route is kept
        if not keep_about(p.about) and not (p.route != "case" and any(keep_about(a) for a in s.about)):
            continue
        row = p.process if axis == "process" else p.mechanism
        if not row:
            continue
        for d in s.domains:
            cell = cells.setdefault((row, d), Cell(row, d))
            if s.iri in cell.statements:
                continue
            cell.statements.append(s.iri)
            cell.directions[s.direction_id] += 1
            if cell.strongest_rank is None or s.rank < cell.strongest_rank:
                cell.strongest_rank, cell.strongest_basis = s.rank, s.basis_label
            on_map.add(s.iri)
    for cell in cells.values():
        cell.statements.sort(key=lambda i: (stmts[i].rank, stmts[i].summary))
    if axis == "mechanism":  # rows with no statement at all only clutter a 70-row map
        used = {r for r, _ in cells}
        rows = [r for r in rows if r[0] in used] or rows
    return EvidenceMap(axis, rows, cols, cells, {k: sorted(v) for k, v in chosen.items()}, include_cases, len(on_map))


MAP_COLUMNS = ("row", "row_iri", "outcome_domain", "outcome_domain_iri", "statements", "positive", "mixed",
               "no_effect", "negative", "unclear", "strongest_evidence_basis")


def map_rows(emap: EvidenceMap, names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The map as a table, one row per cell, gaps included (the map's download)."""
    out = []
    for r, rl in emap.rows:
        for c, cl in emap.cols:
            cell = emap.cell(r, c)
            out.append({"row": rl, "row_iri": r, "outcome_domain": cl, "outcome_domain_iri": c,
                        "statements": cell.count, "positive": cell.directions.get("positive", 0),
                        "mixed": cell.directions.get("mixed", 0), "no_effect": cell.directions.get("no-effect", 0),
                        "negative": cell.directions.get("negative", 0), "unclear": cell.directions.get("unclear", 0),
                        "strongest_evidence_basis": cell.strongest_basis})
    return out


CELL_COLUMNS = ("statement", "summary", "about", "outcome_domains", "direction", "evidence_basis", "source",
                "locator", "quote", "citation")


def cell_statements(explorer: Any, emap: EvidenceMap, row: str, col: str) -> list[Statement]:
    """The statements of one cell, strongest evidence first."""
    stmts = statements(explorer)
    return [stmts[i] for i in emap.cell(row, col).statements]


def statement_rows(items: list[Statement]) -> list[dict[str, str]]:
    """Statements as rows, one per supporting quote (a cell's download)."""
    out = []
    for s in items:
        for q in s.quotes or (None,):
            out.append({"statement": s.iri, "summary": s.summary, "about": "; ".join(s.about_labels),
                        "outcome_domains": "; ".join(s.domain_labels), "direction": s.direction_label,
                        "evidence_basis": s.basis_label, "source": s.source_label,
                        "locator": q.locator if q else s.locator, "quote": q.text if q else "",
                        "citation": s.citation})
    return out


def cell_key(row: str, col: str) -> str:
    """The URL form of a cell: ``<row id>~<domain id>`` (``financial~hospital-use``)."""
    return f"{local(row)}~{local(col)}"


def parse_cell_key(emap: EvidenceMap, key: str | None) -> tuple[str, str] | None:
    """The (row, col) IRIs of a cell's URL form, or None when it is not on this map."""
    if not key or "~" not in key:
        return None
    r, _, c = key.partition("~")
    row = next((i for i, _ in emap.rows if local(i) == r), None)
    col = next((i for i, _ in emap.cols if local(i) == c), None)
    return (row, col) if row and col else None


# ----------------------------------------------------------------------------- ontology

@dataclass(frozen=True)
class TermDoc:
    """A class or property of the ontology with its documentation."""

    iri: str
    name: str
    kind: str  # "class", "object property", "datatype property", "annotation property"
    label: str
    comment: str
    parents: tuple[str, ...] = ()
    domain: tuple[str, ...] = ()
    range: tuple[str, ...] = ()
    deprecated: bool = False


@dataclass(frozen=True)
class OntologyDoc:
    """The ontology's header and its terms."""

    iri: str
    title: str
    description: str
    version: str
    namespace: str
    classes: tuple[TermDoc, ...]
    properties: tuple[TermDoc, ...]


def ontology_path(overrides: dict[str, str] | None = None) -> Path:
    """Where ``ickg.ttl`` is."""
    return settings.get_path("ontology_dir", overrides) / "ickg.ttl"


def ontology_turtle(overrides: dict[str, str] | None = None) -> str:
    """The ontology as published (Turtle)."""
    return ontology_path(overrides).read_text(encoding="utf-8")


@lru_cache(maxsize=4)
def _ontology_doc(path: str, mtime: float) -> OntologyDoc:
    from rdflib import OWL, RDF, RDFS, Graph, URIRef
    from rdflib.namespace import DCTERMS

    g = Graph()
    g.parse(path, format="turtle")
    ns = FIXED_PREFIXES["ic"]

    def text(s, p) -> str:
        vals = [str(o) for o in g.objects(s, p)]
        return sorted(vals, key=len)[-1] if vals else ""

    def names(s, p) -> tuple[str, ...]:
        return tuple(sorted(compact(str(o)) for o in g.objects(s, p) if isinstance(o, URIRef)))

    onto = next(iter(g.subjects(RDF.type, OWL.Ontology)), None)
    kinds = ((OWL.Class, "class"), (OWL.ObjectProperty, "object property"),
             (OWL.DatatypeProperty, "datatype property"), (OWL.AnnotationProperty, "annotation property"))
    classes, props = [], []
    for cls, kind in kinds:
        for s in sorted(set(g.subjects(RDF.type, cls)), key=str):
            if not str(s).startswith(ns):
                continue
            doc = TermDoc(iri=str(s), name=compact(str(s)), kind=kind, label=text(s, RDFS.label) or local(str(s)),
                          comment=text(s, RDFS.comment),
                          parents=names(s, RDFS.subClassOf) + names(s, RDFS.subPropertyOf),
                          domain=names(s, RDFS.domain), range=names(s, RDFS.range),
                          deprecated=any(str(o).lower() == "true" for o in g.objects(s, OWL.deprecated)))
            (classes if kind == "class" else props).append(doc)
    return OntologyDoc(iri=str(onto or ""), title=text(onto, DCTERMS.title) if onto else "",
                       description=text(onto, DCTERMS.description) if onto else "",
                       version=text(onto, OWL.versionInfo) if onto else "", namespace=ns,
                       classes=tuple(classes), properties=tuple(sorted(props, key=lambda t: t.name)))


def ontology_doc(overrides: dict[str, str] | None = None) -> OntologyDoc:
    """Classes and properties of ``ontology/ickg.ttl`` with their labels and comments."""
    p = ontology_path(overrides)
    return _ontology_doc(str(p), p.stat().st_mtime)


# ----------------------------------------------------------------------------- graphs

RDF_FORMATS = {"ttl": ("Turtle", "text/turtle", "ttl"), "jsonld": ("JSON-LD", "application/ld+json", "jsonld"),
               "nt": ("N-Triples", "application/n-triples", "nt")}


def triples_text(triples: list[tuple[Any, Any, Any]], fmt: str, release_id: str = "",
                 header: str = "") -> str:
    """Serialise result triples (store :class:`~kg.store.Term` tuples) as Turtle, JSON-LD or N-Triples."""
    import pyoxigraph

    if fmt not in RDF_FORMATS:
        raise IckgError(f"unknown RDF format {fmt!r}; one of {', '.join(RDF_FORMATS)}")
    from kg.store import _from_term

    quads = [pyoxigraph.Triple(_from_term(s), _from_term(p), _from_term(o)) for s, p, o in triples]
    return _serialise(quads, fmt, release_id, header)


def _serialise(items: list, fmt: str, release_id: str, header: str) -> str:
    import pyoxigraph

    rdf_format = {"ttl": pyoxigraph.RdfFormat.TURTLE, "jsonld": pyoxigraph.RdfFormat.JSON_LD,
                  "nt": pyoxigraph.RdfFormat.N_TRIPLES}[fmt]
    kwargs = {"prefixes": dict(FIXED_PREFIXES)} if fmt in ("ttl", "jsonld") else {}
    data = pyoxigraph.serialize(items, format=rdf_format, **kwargs)
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    if fmt in ("ttl", "nt"):
        lines = [f"# {DATASET_TITLE}, release {release_id}"] if release_id else []
        lines += [f"# {x}" if x else "#" for x in header.splitlines()]
        return "".join(x + "\n" for x in lines) + text
    return text


def triples_graph(explorer: Any, triples: list[tuple[Any, Any, Any]]) -> Any:
    """A CONSTRUCT or DESCRIBE result as a network for :mod:`kg.viz`: IRI nodes, labels as attributes.

    Labels come from ``rdfs:label``/``skos:prefLabel`` triples of the result, else from the graph;
    literal-valued triples other than labels are left out (they are in the triples table).
    """
    import networkx as nx

    from kg.analytics import fallback_label, node_kind

    label_props = {"http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel"}
    own: dict[str, str] = {}
    types: dict[str, str] = {}
    edges = []
    for s, p, o in triples:
        if p.value in label_props and o.type == "literal":
            own.setdefault(s.value, o.value)
        elif p.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" and o.type == "uri":
            types.setdefault(s.value, o.value)
        elif s.type == "uri" and o.type == "uri":
            edges.append((s.value, o.value, local(p.value)))
    names = labels(explorer)
    graph = nx.Graph(projection="query", release=explorer.release_id)
    for s, o, rel in sorted(edges):
        for node in (s, o):
            if node not in graph:
                graph.add_node(node, label=own.get(node) or names.get(node) or fallback_label(node),
                               kind=node_kind(node, types.get(node)))
        graph.add_edge(s, o, source=s, relation=rel)
    return graph


def graph_text(explorer: Any, fmt: str) -> tuple[str, str]:
    """The whole graph as Turtle, JSON-LD or N-Triples, and a status line.

    The embedded store serialises the graph it holds; against a remote endpoint the graph is
    fetched with a CONSTRUCT within the row limit, and the status says when it was cut.
    """
    import pyoxigraph

    data = getattr(explorer.store, "_data", None)
    if data is not None:
        def make() -> tuple[str, str]:
            triples = list(pyoxigraph.parse(data, pyoxigraph.RdfFormat.N_TRIPLES))
            return _serialise(triples, fmt, explorer.release_id, dataset_citation(explorer.release_id)), \
                f"{len(triples):,} triples"
        return _memo(explorer, f"graph:{fmt}", make)
    result = explorer.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", max_rows=1_000_000)
    status = result.status
    try:  # an endpoint may cut a graph answer at its own limit without saying so: count to know
        rows = explorer.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").values()
        total = int(rows[0]["n"]) if rows and rows[0].get("n") else None
    except IckgError:
        total = None
    if total is not None and total > len(result.triples):
        status += f"; INCOMPLETE: the endpoint sent {len(result.triples):,} of its {total:,} triples " \
                  f"(its row limit); use `ickg export` for the whole graph"
    header = dataset_citation(explorer.release_id) + ("\n" + status if "INCOMPLETE" in status else "")
    return triples_text(result.triples, fmt, explorer.release_id, header), status


# ----------------------------------------------------------------------------- downloads

def context_lines(release_id: str, what: dict[str, Any]) -> list[str]:
    """The header every download carries: what it is, the filters or query, release, citation."""
    lines = [f"{DATASET_TITLE}, release {release_id}"]
    for k, v in what.items():
        if v in (None, "", [], {}):
            continue
        if isinstance(v, (list, tuple, set)):
            v = "; ".join(map(str, v))
        elif isinstance(v, dict):
            v = "; ".join(f"{a}={'|'.join(b) if isinstance(b, (list, tuple)) else b}" for a, b in v.items() if b)
        text = str(v)
        if "\n" in text:
            lines.append(f"{k}:")
            lines += ["  " + x for x in text.splitlines()]
        else:
            lines.append(f"{k}: {text}")
    lines.append(f"cite as: {dataset_citation(release_id)}")
    return lines


def csv_text(columns: Iterable[str], rows: Iterable[dict[str, Any]], release_id: str,
             what: dict[str, Any]) -> str:
    """CSV in UTF-8 (with a byte-order mark so spreadsheets read it as UTF-8): ``#`` header lines, then the table."""
    cols = list(columns)
    buf = io.StringIO()
    buf.write("\ufeff")
    for line in context_lines(release_id, what):
        buf.write("# " + line.replace("\r", " ") + "\n")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for r in rows:
        w.writerow(["" if r.get(c) is None else r.get(c) for c in cols])
    return buf.getvalue()


def json_text(columns: Iterable[str], rows: Iterable[dict[str, Any]], release_id: str,
              what: dict[str, Any]) -> str:
    """JSON with the same content as :func:`csv_text`: ``ickg`` metadata, columns and rows."""
    cols = list(columns)
    meta = {"release": release_id, "citation": dataset_citation(release_id),
            **{k: v for k, v in what.items() if v not in (None, "", [], {})}}
    return json.dumps({"ickg": meta, "columns": cols, "rows": [{c: r.get(c) for c in cols} for r in rows]},
                      ensure_ascii=False, indent=1, default=str) + "\n"


def result_json(result: Any, release_id: str, what: dict[str, Any]) -> str:
    """SPARQL 1.1 JSON results with the release, citation and query in the ``ickg`` member."""
    from kg.store import result_to_json

    data = result_to_json(result, release_id)
    data["ickg"].update({"citation": dataset_citation(release_id), "status": result.status,
                         **{k: v for k, v in what.items() if v not in (None, "", [], {})}})
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def result_csv(result: Any, release_id: str, what: dict[str, Any]) -> str:
    """A query result as CSV with the header lines (values as the engine returned them)."""
    if result.kind == "ask":
        return csv_text(["boolean"], [{"boolean": str(result.boolean).lower()}], release_id,
                        {**what, "status": result.status})
    if result.kind == "graph":
        rows = [{"subject": s.value, "predicate": p.value, "object": o.value} for s, p, o in result.triples]
        return csv_text(["subject", "predicate", "object"], rows, release_id, {**what, "status": result.status})
    return csv_text(result.columns, result.values(), release_id, {**what, "status": result.status})


# ----------------------------------------------------------------------------- SPARQL console

def gallery(text: str = "", tags: Iterable[str] = ()) -> list[Any]:
    """Gallery queries whose title, name, description or tags contain every word of ``text``, with all ``tags``."""
    words = [w for w in re.split(r"\s+", text.lower().strip()) if w]
    want = set(tags)
    out = []
    for q in queries.gallery():
        hay = " ".join((q.name, q.title, q.description, " ".join(q.tags))).lower()
        if all(w in hay for w in words) and want <= set(q.tags):
            out.append(q)
    return out


#: Parameter name -> where its choices come from: a concept scheme, or a class of things.
PARAM_CHOICES = {"case": "cases", "mechanism": "scheme:mechanism", "process": "scheme:process",
                 "domain": "scheme:domain", "level": "scheme:level", "need": "scheme:need",
                 "scheme": "schemes", "statement": "statements"}


def param_choices(explorer: Any, name: str) -> list[tuple[str, str]] | None:
    """Labelled choices (compact IRI, label) for a gallery parameter, or None for free text."""
    source = PARAM_CHOICES.get(name)
    if source is None:
        return None
    if source == "cases":
        items = [(c.iri, c.label) for c in sorted(case_table(explorer), key=lambda c: c.label.lower())]
    elif source == "schemes":
        items = [(s.iri, s.label) for s in schemes(explorer)]
    elif source == "statements":
        items = [(s.iri, s.summary) for s in sorted(statements(explorer).values(), key=lambda s: s.iri)]
    else:
        items = [(c.iri, c.label) for c in sorted(scheme_concepts(explorer, source), key=lambda c: c.label.lower())]
    return [(compact(i), lab) for i, lab in items]


def display_rows(explorer: Any, result: Any) -> tuple[list[str], list[dict[str, str]]]:
    """A SELECT result for the screen: each IRI shown by its label, its compact IRI in a ``<col> IRI`` column."""
    cols = list(result.columns)
    iri_cols = [c for c in cols if any(r[i] is not None and r[i].type == "uri" for r in result.rows
                                       for i in [cols.index(c)])]
    out_cols: list[str] = []
    for c in cols:
        out_cols.append(c)
        if c in iri_cols:
            out_cols.append(f"{c} IRI")
    rows = []
    for r in result.rows:
        d: dict[str, str] = {}
        for c, v in zip(cols, r):
            if v is None:
                d[c] = ""
                if c in iri_cols:
                    d[f"{c} IRI"] = ""
            elif v.type == "uri":
                d[c] = label(explorer, v.value)
                d[f"{c} IRI"] = compact(v.value)
            else:
                d[c] = v.value
                if c in iri_cols:
                    d[f"{c} IRI"] = ""
        rows.append(d)
    return out_cols, rows


def chartable(result: Any) -> tuple[str, str] | None:
    """(label column, number column) when a SELECT result has text and a number to chart, else None."""
    if result.kind != "select" or not result.rows or len(result.rows) > 200:
        return None
    numeric = ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")

    def is_number(col: int) -> bool:
        vals = [r[col] for r in result.rows if r[col] is not None]
        return bool(vals) and all(v.type == "literal" and (v.datatype or "").rsplit("#", 1)[-1] in numeric
                                  for v in vals)

    # aggregates come last in a projection; ranks, numbers and offsets are not quantities to chart
    ordinal = ("rank", "number", "notation", "line", "start", "end")
    nums = [i for i in reversed(range(len(result.columns))) if is_number(i)
            and result.columns[i].lower() not in ordinal]
    texts = [i for i in range(len(result.columns)) if i not in nums and all(
        r[i] is not None for r in result.rows)]
    if not nums or not texts:
        return None
    # prefer a column whose name says it is a label
    texts.sort(key=lambda i: (0 if "label" in result.columns[i].lower() else 1))
    return result.columns[texts[0]], result.columns[nums[0]]
