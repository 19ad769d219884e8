"""The curation workbench page's data: the records, the selected passage, choices, suggestions, drafts.

Everything the page shows or decides comes from here and :mod:`kg.workbench`; the page only
lays out widgets. Records are loaded once per state of the evidence folder (the files' names,
sizes and modification times), so a save, or an edit made outside the app, is seen on the next
run.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from kg import workbench as wb
from kg.records import CaseKind, Corpus, Finding
from kg.views.reader import location_from_params

CASE_KINDS: tuple[str, ...] = typing.get_args(CaseKind)

_CACHE: dict[tuple[str, tuple], Any] = {}
_SUGGESTIONS: dict[tuple[int, str], wb.Suggestions] = {}


@dataclass
class State:
    """The loaded records, or why they could not be loaded."""

    corpus: Corpus | None
    error: str = ""


def _fingerprint(folder: Path) -> tuple:
    try:
        return tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in folder.glob("*/*.y*ml")))
    except OSError:
        return ()


def load(project: wb.Project) -> State:
    """The records of the project (cached until a file changes)."""
    key = (str(project.evidence_dir.resolve()), _fingerprint(project.evidence_dir))
    if key not in _CACHE:
        corpus, problems = project.load()
        if not project.evidence_dir.is_dir():
            state = State(None, f"The evidence folder {project.evidence_dir} does not exist (set ICKG_EVIDENCE).")
        else:
            state = State(corpus)
        _CACHE.clear()
        _CACHE[key] = state
    return _CACHE[key]


def forget(project: wb.Project) -> None:
    """Drop the cached records (after a save)."""
    _CACHE.clear()
    _SUGGESTIONS.clear()


@dataclass(frozen=True)
class Place:
    """The passage the page opened with."""

    source: str | None
    start: int | None
    end: int | None


def selection_from_params(params: Mapping[str, Any], sources: list[str]) -> Place:
    """The source and span in the URL (``source``, ``start``, ``end`` or ``quote``)."""
    loc = location_from_params(params)
    if loc is None or loc.source not in sources:
        return Place(None, None, None)
    return Place(loc.source, loc.start, loc.end)


def passage_text(corpus: Corpus, project: wb.Project, source: str, start: int, end: int) -> str:
    """The selected words (whitespace collapsed).

    Raises:
        wb.WorkbenchError: when nothing is selected or the text cannot be read.
    """
    if end <= start:
        raise wb.WorkbenchError("no passage is selected (the end offset must be after the start)")
    return wb.passage(corpus, project, wb.Selection(source, start, end))


def default_section(corpus: Corpus, project: wb.Project, source: str, start: int) -> str:
    """The heading path at the selection, as a starting locator."""
    try:
        return wb.section_locator(corpus, project, source, start)
    except (wb.WorkbenchError, OSError, UnicodeDecodeError):
        return ""


def reference_numbers(corpus: Corpus, source: str) -> list[str]:
    """The numbers of a source's reference list."""
    rec = corpus.records["sources"].get(source)
    return [r.number for r in rec.model.references] if rec else []


def suggestions(corpus: Corpus, text: str) -> wb.Suggestions:
    """Suggestions for a passage (cached per text)."""
    key = (id(corpus), text)
    if key not in _SUGGESTIONS:
        if len(_SUGGESTIONS) > 64:
            _SUGGESTIONS.clear()
        _SUGGESTIONS[key] = wb.suggest(corpus, text)
    return _SUGGESTIONS[key]


@dataclass(frozen=True)
class TargetOption:
    """A record the fact can go into (or a new one)."""

    key: str
    folder: str
    id: str
    label: str
    new: bool = False


_FOLDER_NAMES = {"case-studies": "Case study", "statements": "Statements", "mechanisms": "Mechanism",
                 "frameworks": "Scheme"}


def target_options(corpus: Corpus, kind: str) -> list[TargetOption]:
    """Records that can hold a fact of this kind, then the new records that can be made for it."""
    out = [TargetOption(f"{folder}:{rid}", folder, rid, f"{_FOLDER_NAMES[folder]}: {label}")
           for folder, rid, label in wb.targets(corpus, kind)]
    if kind == "definition":
        out = [o for o in out if not corpus.records["frameworks"][o.id].model.editorial]
    for folder in wb.FACT_KINDS[kind]:
        if folder in ("case-studies", "statements"):
            out.append(TargetOption(f"{folder}:+new", folder, "", f"New {_FOLDER_NAMES[folder].lower()} ...", True))
    return out


def suggested_target(options: list[TargetOption], sugg: wb.Suggestions, source: str = "") -> int:
    """Index of the option to start with: a case study the passage names, else the source's own
    statements file, else the first option."""
    keys = [o.key for o in options]
    for s in sugg.cases:
        if s.why.startswith("the passage names") and f"case-studies:{s.value}" in keys:
            return keys.index(f"case-studies:{s.value}")
    if f"statements:{source}" in keys:
        return keys.index(f"statements:{source}")
    return 0


def make_target(opt: TargetOption, new_id: str, new_label: str, case_kind: str) -> wb.Target:
    """The target of a draft from the chosen option (and the new record's id, name and kind)."""
    if opt.new:
        return wb.Target(opt.folder, new_id.strip(), True, new_label.strip(), case_kind)
    return wb.Target(opt.folder, opt.id)


def vocabulary(corpus: Corpus, scheme: str) -> list[tuple[str, str]]:
    """``(id, label)`` pairs of a scheme."""
    return wb.vocabulary(corpus, scheme)


def about_options(corpus: Corpus) -> list[str]:
    """Values a finding's ``about`` may take: case studies, mechanisms and processes."""
    return ([f"case:{c.id}" for c in corpus.of("case-studies")] + [f"mechanism:{m.id}" for m in corpus.of("mechanisms")]
            + [f"process:{i}" for i, _ in wb.vocabulary(corpus, "process")])


@dataclass(frozen=True)
class FieldSpec:
    """A finding field with a fixed set of values that the workbench does not know by name."""

    label: str
    choices: tuple[str, ...]


_KNOWN_FIELDS = {"quote", "source", "section", "cites", "anchor", "id", "summary", "claim", "about", "domains", "direction",
                 "basis", "perspective", "figures", "also", "process", "mechanism", "label", "category", "theme",
                 "value"}


def extra_fields(kind: str) -> dict[str, FieldSpec]:
    """Further fields of a fact's model whose values are a closed list (a finding's claim kind, say).

    The workbench asks for these by the model's own description, so a field added to
    :mod:`kg.records` reaches the form without a change here.
    """
    from kg.records import Classified, Factor, ProcessUse

    model = {"finding": Finding, "mechanism": ProcessUse, "enabler": Factor, "barrier": Factor,
             "classification": Classified}.get(kind)
    out: dict[str, FieldSpec] = {}
    if model is None:
        return out
    for name, info in model.model_fields.items():
        if name in _KNOWN_FIELDS:
            continue
        args = [a for a in typing.get_args(info.annotation) if a is not type(None)] or [info.annotation]
        literal = next((a for a in args if typing.get_origin(a) is typing.Literal), None)
        if literal is not None:
            out[name] = FieldSpec(info.description or name.replace("_", " ").capitalize(), typing.get_args(literal))
    return out


def extra_finding_fields() -> dict[str, FieldSpec]:
    """:func:`extra_fields` of findings."""
    return extra_fields("finding")


@dataclass
class Result:
    """A draft, or the message that says why none could be made."""

    draft: wb.Draft | None
    message: str = ""


def make_draft(project: wb.Project, corpus: Corpus, source: str, start: int, end: int, quote: str, kind: str,
               target: wb.Target, fields: dict[str, Any], section: str, cites: list[str]) -> Result:
    """Draft and validate the fact; a selection or target that cannot work becomes a message."""
    if target.new and not target.id:
        return Result(None, "Give the new record an id.")
    try:
        d = wb.draft(project, wb.Selection(source, start, end, quote), kind, target, fields, section=section,
                     cites=cites, corpus=corpus)
    except wb.WorkbenchError as exc:
        return Result(None, str(exc))
    return Result(d)
