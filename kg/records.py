"""Curated records: typed models of the evidence files and the loader that validates them.

Every curated fact is a :class:`Quoted` item: a verbatim ``quote`` from a ``source``, a
``section`` locator, and an ``anchor`` (offsets, line, prefix and suffix) that ``ickg anchor``
computes from the source text and ``ickg validate`` recomputes and compares. Curators' own
words live in separate fields (``summary``, ``scope_note``, ``label``), never in ``quote``.

:func:`load_evidence` reads every file, checks each against its model, then checks the
references between files (unknown concept, dangling case or mechanism, duplicate id, unknown
source or reference number). It never stops at the first problem and returns
``(corpus, problems)``; callers build nothing when any problem is an error.

Quote checks against the source texts live in :mod:`kg.checks` because they need the texts,
which the product does not ship.

Why one module of about 650 lines: the JSON Schema of the evidence files (``ickg schema``) is
generated from these models, and every record kind shares ``Quoted``; keeping the models and
their cross-reference checks together keeps the schema and the loader from drifting apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kg import yamlio
from kg.errors import Problem, relpath

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_ID = re.compile(ID_PATTERN)

CaseKind = Literal["organisation", "programme", "scheme", "policy", "network", "approach", "model"]
SourceType = Literal["report", "article", "web-page", "book", "chapter", "document", "dataset"]
Support = Literal["traceable", "non-traceable"]


class Model(BaseModel):
    """Base: unknown keys are errors, so a typo never silently drops data."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class Anchor(Model):
    """Where a quote sits in its source text; computed by ``ickg anchor``, never typed by hand."""

    start: int = Field(description="Offset of the first character (Unicode code points, 0-based).")
    end: int = Field(description="Offset after the last character (exclusive).")
    line: int = Field(description="1-based line of the first character.")
    prefix: str = Field(description="The 32 (whitespace-normalised) characters before the quote.")
    suffix: str = Field(description="The 32 (whitespace-normalised) characters after the quote.")


class Quoted(Model):
    """A verbatim quote with its locator. Every curated fact extends this."""

    quote: str = Field(description="Verbatim text from the source; only whitespace may differ.")
    source: str = Field(description="Id of the source record (evidence/sources/<id>.yaml).")
    section: str = Field(description="Heading path in the source, parts joined by ' > '.")
    cites: list[str] = Field(default_factory=list, description=(
        "Numbers of the source's own references that this passage cites (second-hand evidence)."))
    anchor: Anchor | None = Field(default=None, description="Filled in by `ickg anchor`.")

    @field_validator("quote")
    @classmethod
    def _quote_not_blank(cls, v: str) -> str:
        if len(v.split()) < 2:
            raise ValueError("a quote needs at least two words of source text")
        return v

    @field_validator("section")
    @classmethod
    def _section_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("the section locator is empty")
        return v


class Classified(Quoted):
    """A classification (level, form, breadth, intensity, need, population, country)."""

    value: str = Field(description="Concept id in the scheme the field names.")


class ProcessUse(Quoted):
    """An integrative process a case uses, with the concrete mechanism where the text names one."""

    process: str = Field(description="Concept id in the `process` scheme.")
    mechanism: str | None = Field(default=None, description="Mechanism id (evidence/mechanisms).")
    status: str = Field(default="in-use", description=(
        "`mechanism-status` concept id: in-use (default), piloted, planned (planned or under "
        "development), recommended (recommended or possible), failed (tried and failed, or never "
        "built). Only in-use and piloted give the direct ic:usesProcess/ic:usesMechanism triples."))


class Goal(Quoted):
    """A desired outcome as the text states it."""

    domains: list[str] = Field(default_factory=list, description="Outcome-domain concept ids.")


class Evaluation(Quoted):
    """How a case or mechanism was evaluated (study design)."""

    basis: str = Field(description="Concept id in the `basis` scheme.")


class Factor(Quoted):
    """An enabler or barrier as the text states it."""

    id: str = Field(pattern=ID_PATTERN, description=(
        "Unique within the file (enablers and barriers together); stable: the factor's IRI is "
        "made from it, so never change it once committed."))
    label: str = Field(description="A short label in the curator's words.")
    category: str | None = Field(default=None, description="`factor-category` concept id.")
    theme: str | None = Field(default=None, description="`factor-theme` concept id.")


class Link(Quoted):
    """A relation to another case study, stated by the source."""

    target: str = Field(description="Id of the other case study.")


class Figure(Model):
    """A number a finding reports: as printed, and what it measures where the text says."""

    printed: str = Field(description="The number exactly as printed in the quote ('-27%', '£250,000').")
    value: int | float | None = Field(default=None, description=(
        "The number as a plain decimal (27% -> 27, '£250,000' -> 250000, '-27%' -> -27)."))
    unit: str | None = Field(default=None, description="Unit of `value`: percent, GBP, USD, days, people, ...")
    measure: str | None = Field(default=None, description=(
        "What the number measures, in the curator's words ('change in emergency admissions')."))

    @field_validator("printed")
    @classmethod
    def _printed_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("a figure needs the number as printed")
        return v


#: Claim kinds (`claim-kind` scheme) that report an effect and so carry a `direction`.
EFFECT_CLAIMS = ("measured-outcome", "judgement")


class Finding(Quoted):
    """One evidence statement: an effect, a figure, an evaluation result, a judgement, a caveat."""

    id: str = Field(pattern=ID_PATTERN, description="Unique within the file; stable.")
    summary: str = Field(description="The finding in the curator's plain words (not a quote).")
    claim: str = Field(description=(
        "`claim-kind` concept id: measured-outcome, judgement (reported judgement or perception), "
        "target (target or expectation), descriptive (descriptive fact), recommendation "
        "(recommendation or call to action)."))
    about: list[str] = Field(default_factory=list, description=(
        "What it is about, as `case:<id>`, `mechanism:<id>` or `<scheme>:<concept>`."))
    domains: list[str] = Field(min_length=1, description="Outcome-domain concept ids.")
    direction: str | None = Field(default=None, description=(
        "Concept id in the `direction` scheme. Required for measured-outcome and judgement "
        "claims, forbidden for the other claim kinds."))
    basis: str = Field(default="not-stated", description="Concept id in the `basis` scheme.")
    perspective: str | None = Field(default=None, description="`perspective` concept id.")
    figures: list[Figure] = Field(default_factory=list, description=(
        "Numbers the quote reports, each as printed, with value, unit and measure where known."))
    qualifies: list[str] = Field(default_factory=list, description=(
        "Findings this one is a caveat to, as `<record-id>/<finding-id>` (a finding of the same "
        "file may be named by `<finding-id>` alone). Emits ic:qualifies and ic:qualifiedBy."))
    note: str | None = Field(default=None, description=(
        "Curator's note on the finding or its text (not a quote), e.g. a misprinted reference."))
    also: list[Quoted] = Field(default_factory=list, description="Further supporting quotes.")


class CaseStudy(Model):
    """A named programme, organisation, scheme or policy that integrates care."""

    id: str = Field(pattern=ID_PATTERN, description="Equal to the file name stem; stable.")
    label: str = Field(description="The name used in the sources.")
    alt_labels: list[str] = Field(default_factory=list, description="Other names and spellings.")
    kind: CaseKind = Field(description="What sort of thing it is.")
    number: int | None = Field(default=None, description="Case-study number in the HRB review.")
    summary: str | None = Field(default=None, description="The curator's one-paragraph summary.")
    part_of: list[Link] = Field(default_factory=list, description="Larger case it belongs to.")
    country: list[Classified] = Field(default_factory=list, description="`country` concepts.")
    level: list[Classified] = Field(default_factory=list, description="`level` concepts.")
    form: list[Classified] = Field(default_factory=list, description="`form` concepts.")
    breadth: list[Classified] = Field(default_factory=list, description="`breadth` concepts.")
    intensity: list[Classified] = Field(default_factory=list, description="`leutz` concepts.")
    need: list[Classified] = Field(default_factory=list, description="`need` concepts.")
    population: list[Classified] = Field(default_factory=list, description="`population` concepts.")
    goals: list[Goal] = Field(default_factory=list, description="Origins and desired outcomes.")
    provision: list[Quoted] = Field(default_factory=list, description="Service provision.")
    processes: list[ProcessUse] = Field(default_factory=list, description="Integrative processes.")
    evaluation: list[Evaluation] = Field(default_factory=list, description="Evaluation design.")
    findings: list[Finding] = Field(default_factory=list, description="Evidence statements.")
    enablers: list[Factor] = Field(default_factory=list, description="Enablers as stated.")
    barriers: list[Factor] = Field(default_factory=list, description="Barriers as stated.")


class ConceptLink(Quoted):
    """A typed relation between concepts, stated by a source."""

    property: Literal["suggests-intensity", "related", "example"] = Field(
        description="suggests-intensity: need level -> Leutz level; related; example: a case.")
    target: str = Field(description="`<scheme>:<concept>` or `case:<id>`.")


class Mechanism(Model):
    """A concrete integrative mechanism, placed under one or more processes."""

    id: str = Field(pattern=ID_PATTERN, description="Equal to the file name stem; stable.")
    label: str
    alt_labels: list[str] = Field(default_factory=list)
    processes: list[str] = Field(min_length=1, description="`process` concepts it falls under.")
    broader: list[str] = Field(default_factory=list, description="More general mechanism ids.")
    scope_note: str | None = Field(default=None, description="Curator's note (not a quote).")
    definition: Quoted | None = Field(default=None, description="Where a source defines it.")
    quotes: list[Quoted] = Field(default_factory=list, description="Other descriptive passages.")
    country: list[Classified] = Field(default_factory=list, description="Countries using it.")
    links: list[ConceptLink] = Field(default_factory=list, description=(
        "Typed relations stated by a source, e.g. `property: example, target: case:<id>`."))
    findings: list[Finding] = Field(default_factory=list, description="Evidence about it.")
    enablers: list[Factor] = Field(default_factory=list)
    barriers: list[Factor] = Field(default_factory=list)


class Statements(Model):
    """Cross-cutting evidence statements that belong to no single case study."""

    id: str = Field(pattern=ID_PATTERN, description="Equal to the file name stem.")
    label: str = Field(description="The topic of the collection.")
    findings: list[Finding] = Field(min_length=1)
    enablers: list[Factor] = Field(default_factory=list, description="General enablers.")
    barriers: list[Factor] = Field(default_factory=list, description="General barriers.")


class Concept(Model):
    """A SKOS concept of a framework."""

    id: str = Field(pattern=ID_PATTERN, description="Unique within the scheme; stable.")
    label: str
    alt_labels: list[str] = Field(default_factory=list, description="Synonyms; widen searches.")
    notation: str | None = Field(default=None, description="Number or code as printed.")
    broader: list[str] = Field(default_factory=list, description="Concept ids (same scheme) "
                               "or `<scheme>:<concept>`.")
    definition: Quoted | None = Field(default=None, description="The source's definition.")
    scope_note: str | None = Field(default=None, description="Curator's note (not a quote).")
    quotes: list[Quoted] = Field(default_factory=list, description="Other supporting passages.")
    links: list[ConceptLink] = Field(default_factory=list)


class Collection(Quoted):
    """A group of concepts a source names as a group (a skos:Collection): typed, never found by label."""

    id: str = Field(pattern=ID_PATTERN, description="Unique among the scheme's concepts and collections; stable.")
    label: str
    alt_labels: list[str] = Field(default_factory=list, description="Synonyms; widen searches.")
    notation: str | None = Field(default=None, description="Number or code as printed.")
    scope_note: str | None = Field(default=None, description="Curator's note (not a quote).")
    members: list[str] = Field(min_length=1, description=(
        "Concept or collection ids of this scheme (a collection may nest another, never itself), "
        "or `<scheme>:<concept>` / `mechanism:<id>` elsewhere."))
    quotes: list[Quoted] = Field(default_factory=list, description="Other supporting passages.")


class Framework(Model):
    """A SKOS concept scheme: a framework from the sources or an editorial vocabulary."""

    id: str = Field(pattern=ID_PATTERN, description="Equal to the file stem; the SPARQL prefix.")
    label: str
    description: str | None = None
    editorial: bool = Field(default=False, description=(
        "True for the project's own vocabularies (outcome domains, directions, ...), whose "
        "concepts need no quote; False for frameworks taken from a source, whose every "
        "concept needs one."))
    concepts: list[Concept] = Field(min_length=1)
    collections: list[Collection] = Field(default_factory=list, description=(
        "Typed groups of this scheme's concepts (skos:Collection), each with a quote."))


class Reference(Quoted):
    """An entry of a source's numbered reference list, quoted as printed."""

    number: str = Field(description="The number as printed in the list.")


class Source(Model):
    """A document the graph is built from, with bibliographic facts its text gives."""

    id: str = Field(pattern=ID_PATTERN, description="Equal to the file stem.")
    file: str = Field(description="File name of the text in ICKG_SOURCES.")
    title: str
    creators: list[str] = Field(default_factory=list)
    date: str | None = Field(default=None, description="As precise as the text gives.")
    publisher: str | None = None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    type: SourceType
    licence: str | None = None
    support: Support = Field(description=(
        "traceable: claims backed by cited references; non-traceable: no cited evidence."))
    note: str | None = Field(default=None, description="Curator's note, e.g. on vagueness.")
    quotes: list[Quoted] = Field(default_factory=list, description="Bibliographic lines.")
    references: list[Reference] = Field(default_factory=list)

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: object) -> object:
        return v.isoformat() if hasattr(v, "isoformat") else v

    @field_validator("doi")
    @classmethod
    def _doi(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"10\.\d{4,9}/\S+", v):
            raise ValueError("a DOI looks like 10.1234/abc (no https://doi.org/ prefix)")
        return v


#: Folder (under evidence/) -> model. One file per record, stem = id.
KINDS: dict[str, type[Model]] = {
    "sources": Source,
    "frameworks": Framework,
    "mechanisms": Mechanism,
    "case-studies": CaseStudy,
    "statements": Statements,
}


@dataclass
class Record:
    """A validated record with where it came from."""

    kind: str
    model: Any
    path: Path
    lines: dict[tuple, int]

    def line(self, loc: tuple) -> int | None:
        """The line of a field path in this record's file."""
        return yamlio.line_for(self.lines, loc)


@dataclass
class Corpus:
    """Every validated record, by kind and id."""

    records: dict[str, dict[str, Record]] = field(default_factory=lambda: {k: {} for k in KINDS})

    def of(self, kind: str) -> list[Any]:
        """Models of one kind, sorted by id."""
        return [r.model for _, r in sorted(self.records[kind].items())]

    def all(self) -> list[Record]:
        """Every record, in a stable order."""
        return [r for k in KINDS for _, r in sorted(self.records[k].items())]

    def concept_ids(self, scheme: str) -> set[str]:
        """Concept ids of a scheme (mechanisms count as the scheme `mechanism`)."""
        if scheme == "mechanism":
            return set(self.records["mechanisms"])
        rec = self.records["frameworks"].get(scheme)
        return {c.id for c in rec.model.concepts} if rec else set()


def _fmt_loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def load_file(path: Path, kind: str) -> tuple[Record | None, list[Problem]]:
    """Parse and validate one file against its model."""
    rel = relpath(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(rel, None, "(file)", f"cannot read: {exc}")]
    try:
        data, lines = yamlio.load_with_lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else None
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [Problem(rel, line, "(yaml)", f"not valid YAML: {what}")]
    if not isinstance(data, dict):
        return None, [Problem(rel, 1, "(file)", "expected a mapping of fields at the top level")]
    try:
        model = KINDS[kind].model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            # pydantic reports union/literal details in the loc tail; keep real field parts
            loc = tuple(p for p in loc if isinstance(p, int) or not str(p).startswith(("literal[", "function-")))
            problems.append(Problem(rel, yamlio.line_for(lines, loc), _fmt_loc(loc), err["msg"]))
        return None, problems
    record = Record(kind, model, path, lines)
    if model.id != path.stem:
        return record, [Problem(rel, record.line(("id",)), "id",
                                f"id {model.id!r} differs from the file name {path.stem!r}",
                                hint="the file must be named <id>.yaml")]
    return record, []


def load_evidence(evidence_dir: Path) -> tuple[Corpus, list[Problem]]:
    """Load every evidence file, validate each and the references between them.

    Returns:
        The corpus of valid records and every problem found (errors and warnings).
    """
    corpus = Corpus()
    problems: list[Problem] = []
    if not evidence_dir.is_dir():
        return corpus, [Problem(relpath(evidence_dir), None, "(folder)", "evidence folder not found")]
    for kind in KINDS:
        folder = evidence_dir / kind
        for path in sorted(folder.glob("*")):
            if path.suffix not in (".yaml", ".yml"):
                if path.is_file() and path.name != "README.md":
                    problems.append(Problem(relpath(path), None, "(file)",
                                            "not a .yaml file; ignored", "warning"))
                continue
            record, found = load_file(path, kind)
            problems += found
            if record is None:
                continue
            other = corpus.records[kind].get(record.model.id)
            if other is not None:
                problems.append(Problem(relpath(path), record.line(("id",)), "id",
                                        f"duplicate id {record.model.id!r} (also {relpath(other.path)})"))
                continue
            corpus.records[kind][record.model.id] = record
    if not any(corpus.records.values()):
        problems.append(Problem(relpath(evidence_dir), None, "(folder)", "no evidence files found"))
    problems += check_references(corpus)
    return corpus, problems


# -- cross-reference checks -------------------------------------------------------------------

#: Field name on a record -> scheme its values come from.
CLASSIFIED_FIELDS = {"country": "country", "level": "level", "form": "form", "breadth": "breadth",
                     "intensity": "leutz", "need": "need", "population": "population"}


def iter_quoted(obj: Any, loc: tuple = ()) -> Any:
    """Yield ``(loc, Quoted)`` for every quoted item inside a model, depth first."""
    if isinstance(obj, Quoted):
        yield loc, obj
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from iter_quoted(getattr(obj, name), loc + (name,))
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from iter_quoted(item, loc + (i,))


def check_references(corpus: Corpus) -> list[Problem]:
    """Check every reference between records: concepts, cases, mechanisms, sources, citations."""
    problems: list[Problem] = []
    sources = corpus.records["sources"]
    cases = corpus.records["case-studies"]

    def add(rec: Record, loc: tuple, msg: str, hint: str = "", severity: str = "error") -> None:
        problems.append(Problem(relpath(rec.path), rec.line(loc), _fmt_loc(loc), msg, severity, hint))

    def concept(rec: Record, loc: tuple, scheme: str, value: str | None) -> None:
        if value is None:
            return
        if scheme not in corpus.records["frameworks"] and scheme != "mechanism":
            add(rec, loc, f"unknown scheme {scheme!r}")
        elif value not in corpus.concept_ids(scheme):
            known = ", ".join(sorted(corpus.concept_ids(scheme))[:12])
            add(rec, loc, f"unknown {scheme} concept {value!r}", f"known: {known}")

    def ref(rec: Record, loc: tuple, value: str) -> None:
        scheme, _, local = value.partition(":")
        if not local:
            add(rec, loc, f"{value!r} needs a prefix such as case:, mechanism: or <scheme>:")
        elif scheme == "case":
            if local not in cases:
                add(rec, loc, f"dangling reference: no case study {local!r}")
        else:
            concept(rec, loc, scheme, local)

    for rec in corpus.all():
        m = rec.model
        for loc, q in iter_quoted(m):
            src = sources.get(q.source)
            if src is None:
                add(rec, loc + ("source",), f"unknown source {q.source!r}",
                    f"known: {', '.join(sorted(sources))}")
                continue
            numbers = {r.number for r in src.model.references}
            for j, c in enumerate(q.cites):
                if c not in numbers:
                    add(rec, loc + ("cites", j), f"{q.source} has no reference numbered {c!r}")
            if q.anchor is None:
                add(rec, loc + ("quote",), "no anchor yet", "run `ickg anchor` to compute it")
        if isinstance(m, (CaseStudy, Mechanism)):
            for name, scheme in CLASSIFIED_FIELDS.items():
                for i, c in enumerate(getattr(m, name, [])):
                    concept(rec, (name, i, "value"), scheme, c.value)
        if isinstance(m, CaseStudy):
            for i, p in enumerate(m.processes):
                concept(rec, ("processes", i, "process"), "process", p.process)
                concept(rec, ("processes", i, "mechanism"), "mechanism", p.mechanism)
                concept(rec, ("processes", i, "status"), "mechanism-status", p.status)
            for i, g in enumerate(m.goals):
                for j, d in enumerate(g.domains):
                    concept(rec, ("goals", i, "domains", j), "domain", d)
            for i, e in enumerate(m.evaluation):
                concept(rec, ("evaluation", i, "basis"), "basis", e.basis)
            for i, link in enumerate(m.part_of):
                if link.target not in cases:
                    add(rec, ("part_of", i, "target"), f"dangling reference: no case study {link.target!r}")
        if isinstance(m, Mechanism):
            for i, p in enumerate(m.processes):
                concept(rec, ("processes", i), "process", p)
            for i, b in enumerate(m.broader):
                concept(rec, ("broader", i), "mechanism", b)
                if b == m.id:
                    add(rec, ("broader", i), "a mechanism cannot be broader than itself")
            for j, link in enumerate(m.links):
                ref(rec, ("links", j, "target"), link.target)
        if isinstance(m, (CaseStudy, Mechanism, Statements)):
            seen: set[str] = set()
            for i, f in enumerate(m.findings):
                loc = ("findings", i)
                if f.id in seen:
                    add(rec, loc + ("id",), f"duplicate finding id {f.id!r} in this file")
                seen.add(f.id)
                for j, d in enumerate(f.domains):
                    concept(rec, loc + ("domains", j), "domain", d)
                concept(rec, loc + ("claim",), "claim-kind", f.claim)
                concept(rec, loc + ("direction",), "direction", f.direction)
                if f.claim in EFFECT_CLAIMS and f.direction is None:
                    add(rec, loc + ("direction",), f"a {f.claim} claim needs a direction",
                        "positive, negative, mixed, no-effect or unclear")
                elif f.claim not in EFFECT_CLAIMS and f.direction is not None:
                    add(rec, loc + ("direction",), f"a {f.claim} claim carries no direction",
                        "only measured-outcome and judgement claims report an effect; "
                        "remove `direction` or change `claim`")
                quoted = " ".join(" ".join(q.quote.split()) for q in [f, *f.also])
                for j, fig in enumerate(f.figures):
                    if " ".join(fig.printed.split()) not in quoted:
                        add(rec, loc + ("figures", j, "printed"),
                            f"{fig.printed!r} is not in the finding's quotes",
                            "copy the number exactly as printed; value, unit and measure are yours")
                for j, target in enumerate(f.qualifies):
                    problem = resolve_finding_ref(corpus, rec, target)[1]
                    if problem:
                        add(rec, loc + ("qualifies", j), problem)
                    elif target in (f.id, f"{m.id}/{f.id}"):
                        add(rec, loc + ("qualifies", j), "a finding cannot qualify itself")
                concept(rec, loc + ("basis",), "basis", f.basis)
                concept(rec, loc + ("perspective",), "perspective", f.perspective)
                for j, a in enumerate(f.about):
                    ref(rec, loc + ("about", j), a)
                if isinstance(m, Statements) and not f.about:
                    add(rec, loc + ("about",), "a cross-cutting finding must say what it is about")
            seen_fac: set[str] = set()
            for kind_ in ("enablers", "barriers"):
                for i, fac in enumerate(getattr(m, kind_)):
                    if fac.id in seen_fac:
                        add(rec, (kind_, i, "id"), f"duplicate factor id {fac.id!r} in this file",
                            "enablers and barriers of one file share one set of ids")
                    seen_fac.add(fac.id)
                    concept(rec, (kind_, i, "category"), "factor-category", fac.category)
                    concept(rec, (kind_, i, "theme"), "factor-theme", fac.theme)
        if isinstance(m, Framework):
            own = {c.id for c in m.concepts}
            seen_c: set[str] = set()
            for i, c in enumerate(m.concepts):
                if c.id in seen_c:
                    add(rec, ("concepts", i, "id"), f"duplicate concept id {c.id!r}")
                seen_c.add(c.id)
                for j, b in enumerate(c.broader):
                    if ":" in b:
                        ref(rec, ("concepts", i, "broader", j), b)
                    elif b not in own:
                        add(rec, ("concepts", i, "broader", j), f"unknown concept {b!r} in {m.id}")
                for j, link in enumerate(c.links):
                    ref(rec, ("concepts", i, "links", j, "target"), link.target)
                if not m.editorial and c.definition is None and not c.quotes:
                    add(rec, ("concepts", i), f"concept {c.id!r} has no quote",
                        "a framework from a source needs a definition or quote per concept")
            nested = {col.id: [x for x in col.members if ":" not in x and x not in own] for col in m.collections}
            for i, col in enumerate(m.collections):
                if col.id in seen_c:
                    add(rec, ("collections", i, "id"), f"collection id {col.id!r} is already used in {m.id}")
                seen_c.add(col.id)
                for j, member in enumerate(col.members):
                    if ":" in member:
                        ref(rec, ("collections", i, "members", j), member)
                    elif member not in own and member not in nested:
                        add(rec, ("collections", i, "members", j), f"unknown concept {member!r} in {m.id}")
                if _in_itself(col.id, nested):
                    add(rec, ("collections", i, "members"), f"collection {col.id!r} contains itself",
                        "a collection may nest another collection of its scheme, never itself")
    return problems


def _in_itself(start: str, nested: dict[str, list[str]]) -> bool:
    """Whether a collection reaches itself through the collections it nests."""
    todo, seen = list(nested.get(start, [])), set()
    while todo:
        cur = todo.pop()
        if cur == start:
            return True
        if cur not in seen:
            seen.add(cur)
            todo.extend(nested.get(cur, []))
    return False


#: Folders whose records hold findings, with the prefix a finding reference may carry.
FINDING_KINDS = {"case": "case-studies", "mechanism": "mechanisms", "statements": "statements"}


def resolve_finding_ref(corpus: Corpus, rec: Record, ref: str) -> tuple[tuple[Record, Finding] | None, str]:
    """Resolve a finding reference: `<finding-id>` (same file), `<record-id>/<finding-id>`,
    or `<kind>:<record-id>/<finding-id>` with kind case, mechanism or statements.

    Returns:
        ``((record, finding), "")`` or ``(None, message)``.
    """
    kind, sep, rest = ref.partition(":")
    if not sep:
        kind, rest = "", ref
    elif kind not in FINDING_KINDS:
        return None, f"{ref!r}: the prefix must be case:, mechanism: or statements:"
    record_id, slash, finding_id = rest.rpartition("/")
    if not slash:
        if kind:
            return None, f"{ref!r}: write <record-id>/<finding-id> after the prefix"
        hits = [(rec, f) for f in getattr(rec.model, "findings", []) if f.id == finding_id]
        return (hits[0], "") if hits else (None, f"no finding {finding_id!r} in this file")
    folders = [FINDING_KINDS[kind]] if kind else list(FINDING_KINDS.values())
    hits = []
    for folder in folders:
        other = corpus.records[folder].get(record_id)
        if other is not None:
            hits += [(other, f) for f in other.model.findings if f.id == finding_id]
    if not hits:
        return None, f"dangling reference: no finding {finding_id!r} in a record {record_id!r}"
    if len(hits) > 1:
        return None, (f"{ref!r} is ambiguous (records of several kinds have this id); "
                      "prefix it with case:, mechanism: or statements:")
    return hits[0], ""


_QUOTE_KEYS = ("quote", "source", "section", "cites", "anchor")


def _quote_last(data: Any) -> Any:
    """Put a quoted item's own fields first and its quote and locator last, for reading."""
    if isinstance(data, dict):
        own = {k: _quote_last(v) for k, v in data.items() if k not in _QUOTE_KEYS}
        own.update({k: data[k] for k in _QUOTE_KEYS if k in data})
        return own
    if isinstance(data, list):
        return [_quote_last(x) for x in data]
    return data


def canonical_text(record: Record) -> str:
    """The canonical YAML text of a record (what `ickg fmt` writes)."""
    data = record.model.model_dump(mode="json", exclude_defaults=True)
    return yamlio.dump(_quote_last(data))


def json_schema() -> str:
    """JSON Schema of the evidence files (one definition per kind), for editor completion."""
    import json

    from pydantic import TypeAdapter

    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "Integrated-care knowledge graph: curated evidence files",
              "description": "One file per record; the folder decides the kind.",
              "oneOf": []}
    defs: dict[str, Any] = {}
    for kind, model in KINDS.items():
        sub = TypeAdapter(model).json_schema(ref_template="#/$defs/{model}")
        defs.update(sub.pop("$defs", {}))
        defs[model.__name__] = sub
        schema["oneOf"].append({"$ref": f"#/$defs/{model.__name__}", "description": f"evidence/{kind}/*.yaml"})
    schema["$defs"] = dict(sorted(defs.items()))
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
