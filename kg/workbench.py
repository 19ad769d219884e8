"""The curation workbench: a selected passage becomes a draft record, validated before it is written.

A curator selects words of a source (a raw span, from the reader) and says what they support:
a case study's classification, a process or mechanism it uses, a finding, an enabler or barrier,
or a concept's definition. :func:`draft` turns that into the changed record: it takes the
quote from the selection, computes its anchor with :mod:`kg.quotes` (the same code as
``ickg anchor``; the curator never types offsets), adds the item to the target record (an
existing case study, statements file, mechanism or scheme, or a new case study or statements
file), and validates the result with the same checks as ``ickg validate``: the pydantic model,
the references between records, the quote word for word against the source, and SHACL on the
whole graph built with the change. The draft carries the canonical YAML (``kg.yamlio``, as
``ickg fmt`` writes it) and a unified diff. :func:`save` writes it, and refuses a draft with an
error or a file that changed on disk since the draft was made: no record that fails validation
is ever written.

:func:`suggest` proposes, never decides: case studies whose names the passage uses, outcome
domains whose labels or alternative labels it uses, and the case, domains and direction of the
most similar curated findings (BM25 over their summaries and quotes). The curator confirms each
field.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kg import settings
from kg.errors import Problem, relpath
from kg.quotes import SourceText, normalize
from kg.records import (CLASSIFIED_FIELDS, KINDS, Corpus, Record, _fmt_loc, canonical_text, check_references,
                        load_evidence)
from kg.sourcetext import Document

#: What a passage can support, and the folders whose records can hold it.
FACT_KINDS = {
    "classification": ("case-studies",),
    "mechanism": ("case-studies",),
    "finding": ("case-studies", "statements", "mechanisms"),
    "enabler": ("case-studies", "statements", "mechanisms"),
    "barrier": ("case-studies", "statements", "mechanisms"),
    "definition": ("frameworks",),
}
FACT_LABELS = {"classification": "Case-study classification", "mechanism": "Process or mechanism a case uses",
               "finding": "Finding", "enabler": "Enabler", "barrier": "Barrier", "definition": "Concept definition"}


@dataclass
class Project:
    """Where the curated files, the ontology and the source texts are (from the settings)."""

    evidence_dir: Path
    ontology_dir: Path
    sources_dir: Path

    @classmethod
    def from_settings(cls, overrides: dict[str, str] | None = None) -> Project:
        """The project the settings point at (``ICKG_EVIDENCE``, ``ICKG_ONTOLOGY``, ``ICKG_SOURCES`` or ``-s``)."""
        return cls(settings.get_path("evidence_dir", overrides), settings.get_path("ontology_dir", overrides),
                   settings.get_path("sources_dir", overrides))

    def load(self) -> tuple[Corpus, list[Problem]]:
        """The validated records and the problems of the files as they stand."""
        return load_evidence(self.evidence_dir)


@dataclass(frozen=True)
class Selection:
    """Words a curator selected: a source and a raw span, and the quote (the span's words, maybe trimmed)."""

    source: str
    start: int
    end: int
    quote: str = ""


@dataclass(frozen=True)
class Target:
    """The record that receives the fact: an existing one, or a new case study or statements file."""

    folder: str
    id: str
    new: bool = False
    label: str = ""
    case_kind: str = ""


@dataclass
class Draft:
    """A changed record ready to be written, or the problems that stop it."""

    path: Path
    old_text: str
    new_text: str
    item: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    shacl_checked: bool = False

    @property
    def errors(self) -> list[Problem]:
        """Problems of severity error."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        """True when nothing stops the draft being written."""
        return not self.errors and bool(self.new_text)

    @property
    def diff(self) -> str:
        """The change as a unified diff."""
        name = relpath(self.path)
        return "".join(difflib.unified_diff(self.old_text.splitlines(keepends=True),
                                            self.new_text.splitlines(keepends=True),
                                            fromfile=f"a/{name}" if self.old_text else "/dev/null",
                                            tofile=f"b/{name}"))


class WorkbenchError(Exception):
    """A selection or target that cannot become a record (said in plain words)."""


# ----------------------------------------------------------------------------- the passage

def source_file(corpus: Corpus, project: Project, source_id: str) -> Path:
    """The text file of a source."""
    rec = corpus.records["sources"].get(source_id)
    if rec is None:
        known = ", ".join(sorted(corpus.records["sources"]))
        raise WorkbenchError(f"unknown source {source_id!r} (known: {known})")
    return project.sources_dir / rec.model.file


def passage(corpus: Corpus, project: Project, sel: Selection) -> str:
    """The selected words, whitespace collapsed (what the quote will hold)."""
    path = source_file(corpus, project, sel.source)
    try:
        raw = SourceText.from_file(path.resolve()).raw
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkbenchError(f"cannot read the source text {path}: {exc} (set ICKG_SOURCES)") from None
    if not (0 <= sel.start < sel.end <= len(raw)):
        raise WorkbenchError(f"the selection {sel.start}-{sel.end} is outside {path.name} ({len(raw)} characters)")
    return normalize(raw[sel.start:sel.end])


def anchor_for(corpus: Corpus, project: Project, sel: Selection) -> dict[str, Any]:
    """The anchor of the selection's quote: the occurrence inside (or nearest) the selected span.

    Raises:
        WorkbenchError: when the quote is not word for word in the source.
    """
    path = source_file(corpus, project, sel.source)
    text = SourceText.from_file(path.resolve())
    quote = sel.quote or normalize(text.raw[sel.start:sel.end])
    occ = text.occurrences(quote)
    if not occ:
        raise WorkbenchError(text.diagnose(quote))
    inside = [a for a in occ if a.start >= sel.start and a.end <= sel.end]
    a = inside[0] if inside else min(occ, key=lambda x: abs(x.start - sel.start))
    return {"start": a.start, "end": a.end, "line": a.line, "prefix": a.prefix, "suffix": a.suffix}


def section_locator(corpus: Corpus, project: Project, source_id: str, offset: int) -> str:
    """A section locator for a place in a source: the heading path the reader shows there."""
    path = source_file(corpus, project, source_id)
    doc = Document.from_file(path.resolve())
    sec = doc.section_at(offset)
    return sec.locator or "Front matter"


# ----------------------------------------------------------------------------- drafting

def _quoted(sel: Selection, quote: str, section: str, anchor: dict[str, Any], cites: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"quote": quote, "source": sel.source, "section": section}
    if cites:
        out["cites"] = list(cites)
    out["anchor"] = anchor
    return out


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v not in (None, "", [], ())}


def _base_data(corpus: Corpus, project: Project, target: Target) -> tuple[Path, str, dict[str, Any]]:
    folder = project.evidence_dir / target.folder
    path = folder / f"{target.id}.yaml"
    rec = corpus.records.get(target.folder, {}).get(target.id)
    if target.new:
        if rec is not None or path.exists():
            raise WorkbenchError(f"{relpath(path)} exists already: choose it as an existing record")
        if target.folder == "case-studies":
            return path, "", {"id": target.id, "label": target.label, "kind": target.case_kind or "programme"}
        if target.folder == "statements":
            return path, "", {"id": target.id, "label": target.label, "findings": []}
        raise WorkbenchError("only a new case study or a new statements file can be created here")
    if rec is None:
        raise WorkbenchError(f"no record {target.id!r} in evidence/{target.folder}")
    return rec.path, rec.path.read_text(encoding="utf-8"), rec.model.model_dump(mode="json", exclude_defaults=True)


def factor_id(label: str, taken: set) -> str:
    """An enabler's or barrier's id made from its label, as docs/curation.md asks: the first words,
    up to 40 characters, lower case and hyphenated; ``-2``, ``-3`` when the file has it already."""
    words = "".join(c if c.isalnum() else " " for c in label.lower()).split()
    base = ""
    for w in words:
        if len(base) + len(w) + 1 > 40 and base:
            break
        base = f"{base}-{w}" if base else w
    base = base or "factor"
    out, n = base, 1
    while out in taken:
        n += 1
        out = f"{base}-{n}"
    return out


def _add_item(data: dict[str, Any], kind: str, target: Target, fields: dict[str, Any],
              quoted: dict[str, Any]) -> tuple[dict[str, Any], tuple]:
    """Put the new item into the record's data; return it and its field path."""
    f = _clean(fields)
    # fields the model has and this form does not name (added to kg.records later) pass through;
    # the model decides whether they are valid
    if kind == "classification":
        name = f.pop("field", None)
        if name not in CLASSIFIED_FIELDS:
            raise WorkbenchError(f"choose what the passage classifies: one of {', '.join(CLASSIFIED_FIELDS)}")
        item = {"value": f.pop("value", None), **f, **quoted}
        data.setdefault(name, []).append(item)
        return item, (name, len(data[name]) - 1)
    if kind == "mechanism":
        item = {"process": f.pop("process", None), **f, **quoted}
        data.setdefault("processes", []).append(item)
        return item, ("processes", len(data["processes"]) - 1)
    if kind == "finding":
        keys = ("id", "summary", "claim", "about", "domains", "direction", "basis", "perspective", "figures")
        # a figure typed in the form is its printed form; value, unit and measure are added by hand
        f["figures"] = [{"printed": x} if isinstance(x, str) else x for x in f.get("figures", [])] or None
        f = {k: v for k, v in f.items() if v is not None}
        item = {k: f[k] for k in keys if k in f} | {k: v for k, v in f.items() if k not in keys} | quoted
        data.setdefault("findings", []).append(item)
        return item, ("findings", len(data["findings"]) - 1)
    if kind in ("enabler", "barrier"):
        if not f.get("id") and f.get("label"):  # a stable id from the label, unique in the file
            taken = {x.get("id") for k in ("enablers", "barriers") for x in data.get(k, []) if isinstance(x, dict)}
            f["id"] = factor_id(f["label"], taken)
        item = {k: f[k] for k in ("id", "label", "category", "theme") if k in f} | \
            {k: v for k, v in f.items() if k not in ("id", "label", "category", "theme")} | quoted
        data.setdefault(kind + "s", []).append(item)
        return item, (kind + "s", len(data[kind + "s"]) - 1)
    if kind == "definition":
        cid = f.get("concept")
        concepts = data.get("concepts", [])
        for i, c in enumerate(concepts):
            if c.get("id") == cid:
                if c.get("definition"):
                    raise WorkbenchError(f"concept {cid!r} of {target.id} has a definition already; "
                                         "a second passage belongs in its quotes")
                c["definition"] = quoted
                return quoted, ("concepts", i, "definition")
        if not f.get("label"):
            raise WorkbenchError(f"{target.id} has no concept {cid!r}; give a label to add it as a new concept")
        concepts.append({"id": cid, "label": f["label"], "definition": quoted})
        data["concepts"] = concepts
        return quoted, ("concepts", len(concepts) - 1, "definition")
    raise WorkbenchError(f"unknown kind of fact {kind!r}; one of {', '.join(FACT_KINDS)}")


def draft(project: Project, sel: Selection, kind: str, target: Target, fields: dict[str, Any],
          section: str | None = None, cites: list[str] | None = None, corpus: Corpus | None = None,
          shacl: bool = True) -> Draft:
    """The record with the new fact, its canonical YAML and diff, and every problem that stops it.

    Args:
        project: where the files are.
        sel: the selected passage (raw offsets into the source text; ``quote`` may trim it).
        kind: one of :data:`FACT_KINDS`.
        target: the record to add to (an existing one, or a new case study or statements file).
        fields: the curator's fields for the item (``field``/``value`` for a classification;
            ``process``/``mechanism``; ``id``, ``summary``, ``domains``, ``direction``, ``basis``,
            ... for a finding; ``label``, ``category``, ``theme`` for a factor; ``concept`` and
            ``label`` for a definition).
        section: the section locator (default: the heading path at the selection).
        cites: numbers of the source's references the passage cites.
        corpus: the loaded records (loaded from ``project`` when None).
        shacl: also build the graph with the change and validate it with SHACL.
    """
    if kind not in FACT_KINDS:
        raise WorkbenchError(f"unknown kind of fact {kind!r}; one of {', '.join(FACT_KINDS)}")
    if target.folder not in FACT_KINDS[kind]:
        raise WorkbenchError(f"a {FACT_LABELS[kind].lower()} cannot go into evidence/{target.folder}")
    if corpus is None:
        corpus, _ = project.load()
    quote = normalize(sel.quote) if sel.quote.strip() else passage(corpus, project, sel)
    anchor = anchor_for(corpus, project, Selection(sel.source, sel.start, sel.end, quote))
    section = (section or "").strip() or section_locator(corpus, project, sel.source, anchor["start"])
    path, old_text, data = _base_data(corpus, project, target)
    item, loc = _add_item(data, kind, target, fields, _quoted(sel, quote, section, anchor, cites or []))
    model_cls = KINDS[target.folder]
    rel = relpath(path)
    try:
        model = model_cls.model_validate(data)
    except ValidationError as exc:
        problems = [Problem(rel, None, _fmt_loc(tuple(p for p in e["loc"] if isinstance(p, int)
                                                      or not str(p).startswith(("literal[", "function-")))),
                            e["msg"]) for e in exc.errors()]
        return Draft(path, old_text, "", item, problems)
    record = Record(target.folder, model, path, {})
    new_text = canonical_text(record)
    problems = _check(project, corpus, record, new_text, shacl)
    result = Draft(path, old_text, new_text, item, problems, shacl_checked=shacl)
    return result


def _check(project: Project, corpus: Corpus, record: Record, new_text: str, shacl: bool) -> list[Problem]:
    """The checks of ``ickg validate`` on the corpus with the changed record."""
    from kg import yamlio
    from kg.checks import check_quotes

    _, lines = yamlio.load_with_lines(new_text)
    record.lines = lines
    changed = Corpus({k: dict(v) for k, v in corpus.records.items()})
    changed.records[record.kind][record.model.id] = record
    rel = relpath(record.path)
    problems = [p for p in check_references(changed) if p.path == rel]
    if record.model.id != record.path.stem:
        problems.append(Problem(rel, 1, "id", "the id must equal the file name"))
    mini = Corpus({k: {} for k in changed.records})
    mini.records["sources"] = changed.records["sources"]
    mini.records[record.kind][record.model.id] = record
    report = check_quotes(mini, project.sources_dir)
    problems += [p for p in report.problems if p.path == rel or p.field.startswith("(")]
    if shacl and not any(p.severity == "error" for p in problems):
        from kg.build import build_graph
        from kg.validate import load_shapes, shacl_validate

        built = build_graph(changed, project.ontology_dir)
        violations = shacl_validate(built.graph, load_shapes(project.ontology_dir), built.origins)
        problems += [v.as_problem() for v in violations if v.severity == "Violation"]
    return problems


def read_only() -> bool:
    """Whether saving is switched off (setting ``read_only``)."""
    from kg import settings

    return settings.get_bool("read_only")


def save(d: Draft) -> Path:
    """Write a draft that passed every check; refuse one with an error or a file changed since.

    Raises:
        WorkbenchError: with the reason nothing was written.
    """
    from kg import settings

    if settings.get_bool("read_only"):
        raise WorkbenchError("not written: this app is read-only (setting read_only); download the changed "
                             "file instead")
    if not d.ok:
        raise WorkbenchError("not written: " + "; ".join(str(p) for p in d.errors[:5]))
    current = d.path.read_text(encoding="utf-8") if d.path.exists() else ""
    if current != d.old_text:
        raise WorkbenchError(f"not written: {relpath(d.path)} changed on disk since the draft was made; draft again")
    d.path.parent.mkdir(parents=True, exist_ok=True)
    d.path.write_text(d.new_text, encoding="utf-8")
    return d.path


# ----------------------------------------------------------------------------- suggestions

@dataclass(frozen=True)
class Suggestion:
    """A proposed value with a score and the reason."""

    value: str
    label: str
    score: float
    why: str


@dataclass
class Suggestions:
    """Proposals for a passage: case studies, outcome domains, direction, mechanisms, similar findings."""

    cases: list[Suggestion] = field(default_factory=list)
    domains: list[Suggestion] = field(default_factory=list)
    directions: list[Suggestion] = field(default_factory=list)
    mechanisms: list[Suggestion] = field(default_factory=list)
    similar: list[Suggestion] = field(default_factory=list)


def _names_in(text: str, names: list[str], case_sensitive: bool) -> list[str]:
    found = []
    for n in names:
        n = n.strip()
        if len(n) < 3:
            continue
        flags = 0 if case_sensitive else re.IGNORECASE
        if re.search(r"(?<!\w)" + re.escape(n) + r"(?!\w)", text, flags):
            found.append(n)
    return found


def _finding_docs(corpus: Corpus) -> list[tuple[str, str, Any]]:
    """(owner folder:id, owner label, finding) for every curated finding."""
    out = []
    for folder in ("case-studies", "statements", "mechanisms"):
        for m in corpus.of(folder):
            for f in m.findings:
                out.append((f"{folder}:{m.id}", m.label, f))
    return out


def suggest(corpus: Corpus, text: str, k: int = 5) -> Suggestions:
    """Suggestions for a passage from the vocabularies' labels and the most similar curated findings."""
    from rank_bm25 import BM25Okapi

    from kg.search import tokens

    out = Suggestions()
    scores: Counter = Counter()
    whys: dict[str, str] = {}
    cases = {c.id: c for c in corpus.of("case-studies")}
    for c in cases.values():
        hit = _names_in(text, [c.label, *c.alt_labels], case_sensitive=True)
        if hit:
            scores[c.id] += 10.0
            whys[c.id] = f"the passage names “{hit[0]}”"
    dom = corpus.records["frameworks"].get("domain")
    dscores: Counter = Counter()
    dwhy: dict[str, str] = {}
    dlabels = {}
    if dom is not None:
        for c in dom.model.concepts:
            dlabels[c.id] = c.label
            hit = _names_in(text, [c.label, *c.alt_labels], case_sensitive=False)
            if hit:
                dscores[c.id] += 5.0 * len(hit)
                dwhy[c.id] = "the passage uses “" + "”, “".join(hit[:3]) + "”"
    mechs = corpus.of("mechanisms")
    for m in mechs:
        hit = _names_in(text, [m.label, *m.alt_labels], case_sensitive=False)
        if hit:
            out.mechanisms.append(Suggestion(m.id, m.label, 5.0, f"the passage uses “{hit[0]}”"))
    docs = _finding_docs(corpus)
    vscores: Counter = Counter()
    q = tokens(text)
    if docs and q:
        bm25 = BM25Okapi([tokens(f.summary + " " + f.quote) or ["_"] for _, _, f in docs])
        ranked = sorted(zip(bm25.get_scores(q), range(len(docs))), key=lambda t: -t[0])[:k]
        for score, i in ranked:
            if score <= 0:
                continue
            owner, owner_label, f = docs[i]
            out.similar.append(Suggestion(f"{owner}#{f.id}", f.summary, round(float(score), 2), owner_label))
            folder, _, oid = owner.partition(":")
            if folder == "case-studies":
                scores[oid] += float(score) / 10
                whys.setdefault(oid, "similar curated findings are about it")
            for d in f.domains:
                dscores[d] += float(score) / 10
                dwhy.setdefault(d, "similar curated findings have it")
            vscores[f.direction] += float(score)
    out.cases = [Suggestion(cid, cases[cid].label, round(s, 2), whys[cid]) for cid, s in scores.most_common(k)
                 if cid in cases]
    out.domains = [Suggestion(d, dlabels.get(d, d), round(s, 2), dwhy[d]) for d, s in dscores.most_common(k)]
    total = sum(vscores.values()) or 1.0
    out.directions = [Suggestion(d, d, round(s / total, 2), "share of the similar findings' weight")
                      for d, s in vscores.most_common()]
    return out


def vocabulary(corpus: Corpus, scheme: str) -> list[tuple[str, str]]:
    """``(id, label)`` of a scheme's concepts (``mechanism``: the mechanisms), for the workbench's choices."""
    if scheme == "mechanism":
        return [(m.id, m.label) for m in corpus.of("mechanisms")]
    rec = corpus.records["frameworks"].get(scheme)
    return [(c.id, c.label) for c in rec.model.concepts] if rec else []


def targets(corpus: Corpus, kind: str) -> list[tuple[str, str, str]]:
    """``(folder, id, label)`` of the records that can hold a fact of this kind."""
    out = []
    for folder in FACT_KINDS.get(kind, ()):
        for m in corpus.of(folder):
            out.append((folder, m.id, m.label))
    return out
