"""Data of the case-studies page (``app_pages/cases.py``): the faceted list and the case-study page.

The list: every case study with its facet values, filtered AND across facets and OR within one.
The facets that describe findings (outcome domain, direction, evidence basis) combine per
finding: "hospital use + positive" keeps a case only when one of its findings is both, so the
list never claims more than a single finding says.
The page of a case: classification, processes and mechanisms, findings by outcome, enablers and
barriers, goals and provision, what each source says, every line with its quotes, and key
messages computed from the findings (never more than they say). Other views build on the case
index (the comparison, the evidence map's case filters, the SPARQL console's choices).

Why one module of about 550 lines: the case list and the case page share their facets,
classification order and statement rows, and the page links the two with the same parameters.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from kg.cite import reference_links
from kg.namespaces import FIXED_PREFIXES
from kg.views.common import (DIRECTIONS, NO_DIRECTION, ConceptInfo, Facet, QuoteInfo, Statement, concepts,
                             direction_key, label, label_of_direction, local, memo, quote_info, split_list,
                             statement_quotes, statements, unique_quotes, whole_rows)

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
    Facet("direction", "Direction of findings", "A case matches when one finding about it has this direction "
          "(and the chosen outcome domain and evidence basis, if any)."),
    Facet("basis", "Evidence basis", "Study designs of the findings about the case; combined per finding with "
          "outcome domain and direction."),
    Facet("claim", "Claim kind", "Measured outcome, judgement, target, descriptive fact or recommendation; "
          "combined per finding with outcome domain, direction and evidence basis."),
    Facet("source", "Source", "Documents that describe the case."),
)
FACET_KEYS = tuple(f.key for f in FACETS)
#: Facets that describe a finding rather than the case: chosen together, one finding must match all of them.
FINDING_FACETS = ("domain", "direction", "basis", "claim")

#: Classification properties of a case study, in the order the page lists them.
CLASSIFICATION = (
    ("level", "Level of aggregation"), ("form", "Form"), ("breadth", "Breadth"),
    ("intensity", "Intensity (Leutz)"), ("needLevel", "Level of need"), ("country", "Country"),
    ("targetPopulation", "Target population"), ("evaluationDesign", "Evaluation design"),
    ("partOf", "Part of"), ("hasExample", "Given as an example of"),
)
_IC = FIXED_PREFIXES["ic"]


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
    #: Per finding about the case: its values of the :data:`FINDING_FACETS`.
    findings: tuple[dict[str, frozenset[str]], ...] = ()

    def values(self, facet: str) -> frozenset[str]:
        """The IRIs this case has for a facet."""
        return self.facets.get(facet, frozenset())

    def has_finding(self, chosen: dict[str, set[str]]) -> bool:
        """Whether one finding about the case matches every chosen finding facet (OR within a facet)."""
        return any(all(f.get(k, frozenset()) & v for k, v in chosen.items()) for f in self.findings)


def case_table(explorer: Any) -> list[CaseRow]:
    """Every case study with its facet values; HRB-numbered ones first, then by label."""
    def make() -> list[CaseRow]:
        facets: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for r in whole_rows(explorer, "_case_facets"):
            facets[r["case"]][r["facet"]].add(r["value"])
        stmts = statements(explorer).values()
        per_case = Counter(a for s in stmts for a in s.about)
        per_finding: dict[str, list[dict[str, frozenset[str]]]] = defaultdict(list)
        for s in stmts:
            values = {"domain": frozenset(s.domains), "basis": frozenset({s.basis}),
                      "direction": frozenset({s.direction}) if s.direction_id != NO_DIRECTION else frozenset(),
                      "claim": frozenset({s.claim}) if s.claim else frozenset()}
            for a in s.about:
                per_finding[a].append(values)
        rows = []
        for r in whole_rows(explorer, "_case_index"):
            f = dict(facets.get(r["case"], {}))
            f["claim"] = {v for fv in per_finding.get(r["case"], ()) for v in fv["claim"]}
            rows.append(CaseRow(iri=r["case"], id=local(r["case"]), label=r["label"], kind=r["kind"] or "",
                                number=int(r["number"]) if r["number"] else None, summary=r["summary"] or "",
                                alt_labels=tuple(split_list(r["altLabels"])),
                                facets={k: frozenset(v) for k, v in f.items()}, statements=per_case[r["case"]],
                                findings=tuple(per_finding.get(r["case"], ()))))
        return sorted(rows, key=lambda c: (c.number is None, c.number or 0, c.label.lower()))
    return memo(explorer, "case_table", make)


def facet_values(explorer: Any, facet: str) -> list[tuple[str, str]]:
    """Every value a facet can take in the list, as (IRI, label), in a stable order."""
    def make() -> list[tuple[str, str]]:
        values = {v for c in case_table(explorer) for v in c.values(facet)}
        cs = concepts(explorer)
        return sorted(((v, label(explorer, v)) for v in values),
                      key=lambda p: (cs[p[0]].sort_key if p[0] in cs else (1, 0, "", p[1].lower())))
    return memo(explorer, f"facet_values:{facet}", make)


def facet_ids(explorer: Any, facet: str) -> dict[str, str]:
    """URL id (an IRI's last segment) -> IRI for a facet's values."""
    return {local(v): v for v, _ in facet_values(explorer, facet)}


def filter_cases(rows: list[CaseRow], selected: dict[str, Iterable[str]]) -> list[CaseRow]:
    """Cases matching every facet (AND across facets) on at least one chosen value (OR within).

    The finding facets (:data:`FINDING_FACETS`) are matched together by one finding, not each
    by any finding of the case.
    """
    chosen = {k: set(v) for k, v in selected.items() if v}
    case_level = {k: v for k, v in chosen.items() if k not in FINDING_FACETS}
    per_finding = {k: v for k, v in chosen.items() if k in FINDING_FACETS}
    return [c for c in rows if all(c.values(k) & v for k, v in case_level.items())
            and (not per_finding or c.has_finding(per_finding))]


def facet_counts(rows: list[CaseRow], facet: str, selected: dict[str, Iterable[str]] | None = None) -> Counter:
    """How many of the given cases each value of a facet would leave.

    For a finding facet the count is of cases with a finding that has the value and also the
    values chosen in the other finding facets (``selected``), as :func:`filter_cases` keeps them.
    """
    if facet not in FINDING_FACETS:
        return Counter(v for c in rows for v in c.values(facet))
    others = {k: set(v) for k, v in (selected or {}).items() if v and k in FINDING_FACETS and k != facet}
    out: Counter = Counter()
    for c in rows:
        out.update({v for f in c.findings if all(f.get(k, frozenset()) & w for k, w in others.items())
                    for v in f.get(facet, ())})
    return out


def case_matches(explorer: Any, ref: str | None) -> list[CaseRow]:
    """Case studies a reference may mean: an id, prefixed name or IRI; else a label or alternative label
    (any case); else cases whose id, label or alternative labels start with it or contain it as a word."""
    if not ref or not ref.strip():
        return []
    ref = ref.strip()
    rows = case_table(explorer)
    for candidate in (ref, FIXED_PREFIXES["case"] + ref.removeprefix("case:")):
        exact = [c for c in rows if c.iri == candidate]
        if exact:
            return exact
    low = " ".join(ref.lower().split())
    named = [c for c in rows if low in {c.label.lower(), *(a.lower() for a in c.alt_labels)}]
    if named:
        return named
    import re as _re

    word = _re.compile(r"(?<![\w])" + _re.escape(low) + r"(?![\w])")
    return [c for c in rows if c.id.startswith(low) or any(word.search(x.lower()) for x in (c.label, *c.alt_labels))]


def resolve_case(explorer: Any, ref: str | None) -> str | None:
    """A case-study IRI from an id (``pace``), a prefixed name, an IRI, a label or an alternative label, or a
    word that names exactly one case (``torbay``); None if unknown or ambiguous (see :func:`case_matches`)."""
    found = case_matches(explorer, ref)
    return found[0].iri if len(found) == 1 else None


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
    figures: tuple[str, ...] = ()
    references: list["Reference"] = field(default_factory=list)
    claim_label: str = ""
    caveats: list[Statement] = field(default_factory=list)  # findings that qualify this one

    @property
    def direction_id(self) -> str:
        """The direction's id, or ``none`` for a claim kind without a direction."""
        return direction_key(self.direction)

    @property
    def sources(self) -> list[str]:
        """Labels of the sources behind the line."""
        return sorted({q.source_label for q in self.quotes})


@dataclass(frozen=True)
class Reference:
    """A numbered reference of a source that a finding cites: an original study behind a second-hand claim."""

    iri: str
    number: str
    text: str
    links: tuple[str, ...]  # DOI resolver URLs and web addresses the reference's text gives


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
        return Counter(f.direction_id for f in self.findings)


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
    references: list[Reference] = field(default_factory=list)  # every reference the findings cite

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
    if counts.get(NO_DIRECTION):
        n = counts[NO_DIRECTION]
        parts.append(f"{n} without a direction (target{'s' if n != 1 else ''}, descriptive facts or "
                     f"recommendations)")
    return ", ".join(parts)


def case_detail(explorer: Any, case: str) -> CaseDetail | None:
    """The case-study page of a case (id, prefixed name or IRI); None when there is no such case."""
    iri = resolve_case(explorer, case)
    if iri is None:
        return None
    key = f"case:{iri}"
    cache = explorer._cache
    if ("views", key) in cache:
        return cache[("views", key)]
    row = next(c for c in case_table(explorer) if c.iri == iri)
    cs = concepts(explorer)

    # classification and processes, from the quoted assertions
    claims = whole_rows(explorer, "_case_claims", case=iri)
    by_value: dict[tuple[str, str], list[QuoteInfo]] = defaultdict(list)
    quote_rows: dict[str, dict] = {}
    for r in claims:
        q = quote_info(explorer, r)
        by_value[(r["property"], r["value"])].append(q)
        quote_rows.setdefault(r["quote"], {}).setdefault(r["property"], []).append(r["value"])
    classification = []
    for prop, title in CLASSIFICATION:
        values = [(v, qs) for (p, v), qs in by_value.items() if p == _IC + prop]
        for v, qs in sorted(values, key=lambda t: label(explorer, t[0]).lower()):
            classification.append(Line("Classification", title, label(explorer, v), v, unique_quotes(qs)))

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
            block.mechanisms.append(Line("Mechanism", block.label, label(explorer, m), m, unique_quotes(mqs)))
    for (p, mech), qs in by_value.items():  # mechanisms quoted without a process (defensive)
        if p == _IC + "usesMechanism" and not any(m.value_iri == mech for b in blocks.values() for m in b.mechanisms):
            procs = [b for b in cs.get(mech, ConceptInfo(mech, "", "", None, None, None, (), ())).broader]
            target = procs[0] if procs else ""
            block = blocks.setdefault(target, ProcessBlock(target, label(explorer, target) or "Other", None, [], []))
            block.mechanisms.append(Line("Mechanism", block.label, label(explorer, mech), mech, unique_quotes(qs)))
    processes = sorted(blocks.values(), key=lambda b: cs[b.process].sort_key if b.process in cs else (2,))
    for b in processes:
        b.mechanisms.sort(key=lambda m: m.value.lower())
        b.quotes = unique_quotes(b.quotes)
        for m in b.mechanisms:
            m.label = b.label

    # findings, grouped by outcome domain
    stmts = statements(explorer)
    found: dict[str, Line] = {}
    squotes = statement_quotes(explorer)
    rows_by_stmt: dict[str, list[dict]] = defaultdict(list)
    for r in whole_rows(explorer, "_case_findings", case=iri):
        rows_by_stmt[r["statement"]].append(r)
    for s_iri, rs in rows_by_stmt.items():
        s = stmts.get(s_iri)
        r0 = rs[0]
        quotes = list(squotes.get(s_iri, ()))
        found[s_iri] = Line(
            "Finding", "; ".join(label(explorer, d) for d in split_list(r0["domains"])), r0["summary"], s_iri, quotes,
            direction=r0["direction"], direction_label=label(explorer, r0["direction"]),
            basis_label=label(explorer, r0["basis"]), rank=int(r0["rank"] or 99),
            source_label=s.source_label if s else label(explorer, r0["source"]), locator=r0["locator"] or "",
            statement=s_iri, note=("figures: " + r0["figures"]) if r0["figures"] else "",
            figures=tuple(split_list(r0["figures"])), claim_label=label(explorer, r0.get("claim")),
            caveats=[stmts[c] for c in (s.caveats if s else ()) if c in stmts])
    refs: dict[str, Reference] = {}
    for r in whole_rows(explorer, "_case_references", case=iri):
        ref = refs.setdefault(r["reference"], Reference(r["reference"], r["number"], r["text"],
                                                        tuple(reference_links(r["text"]))))
        if r["statement"] in found and ref not in found[r["statement"]].references:
            found[r["statement"]].references.append(ref)
    findings = sorted(found.values(), key=lambda f: (f.rank, DIRECTIONS.index(f.direction_id)
                                                     if f.direction_id in DIRECTIONS else 9, f.value))
    domain_map: dict[str, list[Line]] = defaultdict(list)
    for s_iri, line in found.items():
        for d in split_list(rows_by_stmt[s_iri][0]["domains"]):
            domain_map[d].append(line)
    domains = [DomainBlock(d, label(explorer, d), sorted(ls, key=lambda f: (f.rank, f.value)))
               for d, ls in domain_map.items()]
    domains.sort(key=lambda b: (-len(b.findings), b.label))

    # enablers and barriers
    factors: dict[str, Line] = {}
    for r in whole_rows(explorer, "_case_factors", case=iri):
        line = factors.get(r["factor"])
        if line is None:
            theme = " / ".join(label(explorer, x) for x in (r["theme"], r["category"]) if x)
            line = factors[r["factor"]] = Line("Enabler" if r["kind"] == "enabler" else "Barrier",
                                               theme, r["label"], r["factor"])
        line.quotes = unique_quotes(line.quotes + [quote_info(explorer, r)])
    enablers = sorted((f for f in factors.values() if f.section == "Enabler"), key=lambda f: f.value.lower())
    barriers = sorted((f for f in factors.values() if f.section == "Barrier"), key=lambda f: f.value.lower())

    # goals and provision
    goals, provision = [], []
    for r in whole_rows(explorer, "_case_context", case=iri):
        q = quote_info(explorer, r)
        if r["role"] == "goal":
            goals.append(Line("Goal", "; ".join(label(explorer, d) for d in split_list(r["domains"])), q.text, "", [q]))
        else:
            provision.append(Line("Service provision", "", q.text, "", [q]))

    # key messages and the evidence basis, from the findings (never invented)
    dcount = Counter(f.direction_id for f in findings)
    bcount = Counter((f.basis_label, f.rank) for f in findings)
    basis_counts = sorted(((b, r, n) for (b, r), n in bcount.items()), key=lambda t: t[1])
    messages = key_messages(row.label, findings, domains, basis_counts, processes)
    detail = CaseDetail(iri=iri, id=row.id, label=row.label, kind=row.kind, number=row.number, summary=row.summary,
                        alt_labels=row.alt_labels, classification=classification, processes=processes,
                        domains=domains, findings=findings, enablers=enablers, barriers=barriers, goals=goals,
                        provision=provision, key_messages=messages, basis_counts=basis_counts,
                        direction_counts=dict(dcount),
                        references=sorted({r for f in findings for r in f.references},
                                          key=lambda r: (r.iri.rsplit(".ref-", 1)[0], int(r.number)
                                                         if r.number.isdigit() else 10**6, r.number)))
    cache[("views", key)] = detail
    return detail


#: How a direction reads in a sentence.
_DIRECTION_WORDS = {"positive": "a positive result", "negative": "a negative result", "mixed": "mixed results",
                    "no-effect": "no effect found", "unclear": "unclear"}


def key_messages(name: str, findings: list[Line], domains: list[DomainBlock],
                 basis_counts: list[tuple[str, int, int]], processes: list[ProcessBlock]) -> list[str]:
    """Key messages in plain language, each from the findings it names (never more than they say).

    One sentence on how many findings there are and which way they point; then, per outcome
    domain (most findings first, at most five), the strongest finding's own summary with its
    figures, direction and evidence basis; then how strong the evidence is, and how the case
    integrates.
    """
    if not findings:
        return [f"The sources report no findings about {name}."]
    srcs = {f.source_label for f in findings}
    dcount = Counter(f.direction_id for f in findings)
    out = [f"{len(findings)} finding{'s' if len(findings) != 1 else ''} from {len(srcs)} "
           f"source{'s' if len(srcs) != 1 else ''} about {name}: {_directions_text(dcount)}."]
    # outcome domains whose best finding rests on the strongest design first, then the most findings
    def best_of(block: DomainBlock) -> Line:  # an effect claim before a target, fact or recommendation
        return next((f for f in block.findings if f.direction_id != NO_DIRECTION), block.findings[0])

    for block in sorted(domains, key=lambda b: (best_of(b).direction_id == NO_DIRECTION, best_of(b).rank,
                                                -len(b.findings), b.label))[:5]:
        best = best_of(block)
        new_figures = [x for x in best.figures if x not in best.value]
        figures = f" ({'; '.join(new_figures)})" if new_figures else ""
        more = len(block.findings) - 1
        tail = f"; {more} more finding{'s' if more != 1 else ''} on {block.label.lower()}" if more else ""
        kind = _DIRECTION_WORDS.get(best.direction_id) or f"{best.claim_label.lower()}, no direction of effect"
        caveat = f" (with {len(best.caveats)} caveat{'s' if len(best.caveats) != 1 else ''})" if best.caveats else ""
        out.append(f"{block.label}: {best.value.rstrip('.')}{figures} — {kind}{caveat}; evidence: "
                   f"{best.basis_label.lower()}{tail}.")
    if len(domains) > 5:
        out.append(f"Findings on {len(domains) - 5} more outcome domain{'s' if len(domains) - 5 != 1 else ''} "
                   "are listed below.")
    best = basis_counts[0]
    line = f"Strongest evidence: {best[0].lower()} ({best[2]} finding{'s' if best[2] != 1 else ''})."
    weak = sum(n for b, r, n in basis_counts if r >= 11)
    if weak:
        line += (f" {weak} finding{'s rest' if weak != 1 else ' rests'} on expert opinion, no stated design or "
                 "uncited claims.")
    out.append(line)
    if processes:
        out.append("Integrates through " + ", ".join(
            f"{b.label.lower()} ({len(b.mechanisms)} mechanism{'s' if len(b.mechanisms) != 1 else ''})"
            if b.mechanisms else b.label.lower() for b in processes) + " processes.")
    return out


CASE_COLUMNS = ("section", "aspect", "value", "value_iri", "claim_kind", "direction", "evidence_basis", "caveats",
                "source", "locator", "quote", "citation")


def case_rows(detail: CaseDetail) -> list[dict[str, str]]:
    """The case-study page as rows: one per line and supporting quote (the page's download)."""
    out = []
    for line in detail.lines():
        for q in line.quotes or [None]:
            out.append({"section": line.section, "aspect": line.label, "value": line.value,
                        "value_iri": line.value_iri, "claim_kind": line.claim_label,
                        "direction": line.direction_label if line.direction_id != NO_DIRECTION else "",
                        "caveats": " | ".join(f"{c.summary} (quote: {' … '.join(q.text for q in c.quotes)})"
                                              for c in line.caveats),
                        "evidence_basis": line.basis_label, "source": q.source_label if q else line.source_label,
                        "locator": q.locator if q else line.locator, "quote": q.text if q else "",
                        "citation": q.citation if q else ""})
    return out


def case_print_html(detail: CaseDetail, release_id: str, citation: str) -> str:
    """The case-study page as one printable HTML document: key messages, findings with quotes, references.

    Every value is escaped; the only links are the DOI and web addresses the references give.
    """
    from html import escape as e

    def quotes(qs: list[QuoteInfo]) -> str:
        return "".join(f"<blockquote>{e(q.text)}<footer>{e(q.source_label)}, {e(q.locator)}</footer></blockquote>"
                       for q in qs)

    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{e(detail.label)}</title>",
             "<style>body{font:11pt/1.45 Georgia,serif;max-width:48em;margin:2em auto;padding:0 1em}"
             "blockquote{margin:.3em 0 .8em 1.2em;color:#333;font-style:italic}"
             "footer{font-style:normal;font-size:9pt;color:#555}h2{border-bottom:1px solid #999}"
             ".meta{color:#555;font-size:9pt}@media print{a{color:inherit}}</style></head><body>",
             f"<h1>{e(detail.label)}</h1><p class='meta'>{e(detail.kind.capitalize())}"
             + (f" · HRB review case study {detail.number}" if detail.number else "")
             + f" · {e(detail.iri)}</p>"]
    if detail.summary:
        parts.append(f"<p>{e(detail.summary)}</p><p class='meta'>The curator's summary (not a quote).</p>")
    parts.append("<h2>Key messages</h2><ul>" + "".join(f"<li>{e(m)}</li>" for m in detail.key_messages) + "</ul>")
    if detail.classification:
        parts.append("<h2>Classification</h2><ul>" + "".join(
            f"<li><b>{e(ln.label)}</b>: {e(ln.value)}</li>" for ln in detail.classification) + "</ul>")
    parts.append("<h2>Findings by outcome</h2>")
    for block in detail.domains:
        parts.append(f"<h3>{e(block.label)}</h3>")
        for f in block.findings:
            extra = [f.claim_label, f.direction_label if f.direction_id != NO_DIRECTION else "", f.basis_label]
            extra += ["figures: " + "; ".join(f.figures)] if f.figures else []
            parts.append(f"<p><b>{e(f.value)}</b> <span class='meta'>({e('; '.join(x for x in extra if x))})</span>"
                         f"</p>{quotes(f.quotes)}")
            for c in f.caveats:
                parts.append(f"<p class='caveat'>Caveat: {e(c.summary)}</p>{quotes(list(c.quotes))}")
    for title, items in (("Enablers", detail.enablers), ("Barriers", detail.barriers)):
        if items:
            parts.append(f"<h2>{title}</h2>" + "".join(f"<p><b>{e(f.value)}</b></p>{quotes(f.quotes)}" for f in items))
    if detail.references:
        parts.append("<h2>Original studies cited</h2><ol>")
        for r in detail.references:
            links = " ".join(f"<a href='{e(u, quote=True)}'>{e(u)}</a>" for u in r.links)
            parts.append(f"<li value='{e(r.number)}'>{e(r.text)} {links}</li>")
        parts.append("</ol>")
    parts.append(f"<p class='meta'>Data release {e(release_id)}. Cite as: {e(citation)}</p></body></html>")
    return "\n".join(parts)
