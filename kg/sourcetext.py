"""A source text as a readable document: section headings, paragraphs and sentences with offsets.

The reader, the coverage report and the workbench all need the same view of a source: where
its headings are, which sentences each section holds, and where a quote's stored anchor falls.
Every span here is a pair of raw offsets into the text read as UTF-8 (Python ``str`` indices,
``end`` exclusive), the same offsets :mod:`kg.quotes` computes and ``ickg anchor`` stores, so
an anchor maps onto the text without searching.

Headings are found by layout, because the five sources come in three layouts (Markdown with
``#`` headings, a PDF converted to text with capitalised heading lines, web pages with short
title lines): a line is a heading when it is a Markdown heading, a line in bold only, or a short
line (at most 12 words) that starts with a capital or a number and does not end like a
sentence. Tables of contents (``Heading ....... 49``) and list items are not headings. This is a
reading aid, not a claim about the document: the ``section`` locators of curated quotes remain
the curators' own.

Sentences are split at ``.``, ``!`` or ``?`` followed by whitespace and a capital, a digit or
an opening quote, except after common abbreviations (``e.g.``, ``i.e.``, ``et al.``, ``Dr.``)
and at every line end; contents lines are not sentences. What this module does not do: read YAML, know about records or decide
what counts as covered (that is :mod:`kg.coverage`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^\*\*([^*].*?)\*\*:?\s*$")
_TOC = re.compile(r"\.{4,}|…{2,}|\t\s*\d+\s*$")
_LIST = re.compile(r"^\s*(?:[-*•▪◦]|\d+[.)]\s+\S+.*[.;:]$)\s")
_NUMBERED = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[IVX]+\.)\s+\S")
_SENT_END = re.compile(r"[.!?][)\]”’\"']*(?:\^\{[^}]*\})?\d{0,3}(?:[,–-]\s?\d{1,3})*(?=\s+[\"“‘'(\[]?[A-Z0-9])")
_ABBREV = re.compile(r"(?:\b(?:e\.g|i\.e|et al|etc|vs|cf|Dr|Mr|Mrs|Ms|Prof|No|Fig|approx|St|U\.S|p|pp|vol)\.)$")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Heading:
    """A heading line: its text (Markdown markers removed), depth and raw span."""

    title: str
    level: int
    start: int
    end: int


@dataclass(frozen=True)
class Sentence:
    """One sentence (or list item, or short line) of running text, by raw offsets."""

    start: int
    end: int
    section: int

    def text(self, raw: str) -> str:
        """The sentence's words, whitespace collapsed."""
        return " ".join(raw[self.start:self.end].split())


@dataclass(frozen=True)
class Section:
    """A stretch of text from one heading to the next (the text before the first heading is section 0)."""

    index: int
    title: str
    level: int
    start: int
    end: int
    path: tuple[str, ...]

    @property
    def locator(self) -> str:
        """The heading path joined by ``' > '``, as curated ``section`` locators are written."""
        return " > ".join(self.path)


class Document:
    """A source text split into sections and sentences (computed once per text)."""

    def __init__(self, raw: str, name: str = "") -> None:
        self.raw = raw
        self.name = name
        self.headings = _headings(raw)
        self.sections = _sections(raw, self.headings)
        self._section_starts = [s.start for s in self.sections]
        self.sentences = _sentences(raw, self.headings, self)
        self._sentence_starts = [s.start for s in self.sentences]

    @classmethod
    @lru_cache(maxsize=16)
    def from_file(cls, path: Path) -> Document:
        """Read a source file as UTF-8 (cached per path)."""
        return cls(Path(path).read_text(encoding="utf-8"), name=Path(path).name)

    def section_at(self, offset: int) -> Section:
        """The section holding a raw offset."""
        i = bisect_right(self._section_starts, offset) - 1
        return self.sections[max(0, i)]

    def sentences_in(self, start: int, end: int) -> list[Sentence]:
        """Sentences that overlap the raw span ``[start, end)``."""
        i = max(0, bisect_right(self._sentence_starts, start) - 1)
        out = []
        for s in self.sentences[i:]:
            if s.start >= end:
                break
            if s.end > start:
                out.append(s)
        return out

    def section_sentences(self, section: Section) -> list[Sentence]:
        """The sentences of one section."""
        return [s for s in self.sentences_in(section.start, section.end) if s.section == section.index]

    def line_of(self, offset: int) -> int:
        """1-based line of a raw offset."""
        return self.raw.count("\n", 0, offset) + 1


def _is_heading_line(line: str, prev_blank: bool, next_blank: bool) -> tuple[str, int] | None:
    """``(title, level)`` if a stripped line reads as a heading, else None."""
    m = _MD_HEADING.match(line)
    if m:
        title = m.group(2).strip().strip("*").strip()
        return (title, len(m.group(1))) if title else None
    if _TOC.search(line) or _LIST.match(line) or line.startswith(("-", "*", "•", "|", ">", "<", "!", "[")):
        b = _BOLD_LINE.match(line)
        if b and not _TOC.search(line):
            return b.group(1).strip(), 4
        return None
    b = _BOLD_LINE.match(line)
    if b:
        return b.group(1).strip(), 4
    words = line.split()
    if not (1 <= len(words) <= 12) or len(line) > 100:
        return None
    if line.endswith((".", ",", ";", "?", "!", ":", "”", "’", "\"")) and not line.endswith(("..",)):
        return None
    if not (line[0].isupper() or line[0].isdigit()):
        return None
    if not (prev_blank or next_blank) and len(words) > 8:
        return None
    letters = [c for c in line if c.isalpha()]
    if not letters:
        return None
    if _NUMBERED.match(line):
        return line, 2
    if all(c.isupper() for c in letters) and len(letters) > 3:
        return line, 2
    return line, 3


def _headings(raw: str) -> list[Heading]:
    lines = raw.split("\n")
    out: list[Heading] = []
    pos = 0
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped:
            prev_blank = i == 0 or not lines[i - 1].strip()
            next_blank = i + 1 >= len(lines) or not lines[i + 1].strip()
            hit = _is_heading_line(stripped, prev_blank, next_blank)
            if hit:
                lead = len(line) - len(line.lstrip())
                out.append(Heading(hit[0], hit[1], pos + lead, pos + lead + len(stripped)))
        pos += len(line) + 1
    return out


def _sections(raw: str, headings: list[Heading]) -> list[Section]:
    sections = [Section(0, "(beginning)", 0, 0, headings[0].start if headings else len(raw), ())]
    stack: list[Heading] = []
    for i, h in enumerate(headings):
        while stack and stack[-1].level >= h.level:
            stack.pop()
        stack.append(h)
        end = headings[i + 1].start if i + 1 < len(headings) else len(raw)
        sections.append(Section(i + 1, h.title, h.level, h.start, end, tuple(x.title for x in stack)))
    return sections


def _sentences(raw: str, headings: list[Heading], doc: Document) -> list[Sentence]:
    heading_spans = {(h.start, h.end) for h in headings}
    out: list[Sentence] = []
    pos = 0
    for line in raw.split("\n"):
        line_start = pos
        pos += len(line) + 1
        stripped = line.strip()
        if not stripped:
            continue
        lead = len(line) - len(line.lstrip())
        s0 = line_start + lead
        if (s0, s0 + len(stripped)) in heading_spans or not _WORD.search(stripped) or _TOC.search(stripped):
            continue  # headings and contents lines are not running text
        section = doc.section_at(s0).index
        begin = 0
        for m in _SENT_END.finditer(stripped):
            if _ABBREV.search(stripped[:m.start() + 1]):
                continue
            end = m.end()
            if _WORD.search(stripped[begin:end]):
                out.append(Sentence(s0 + begin, s0 + end, section))
            begin = end
            while begin < len(stripped) and stripped[begin].isspace():
                begin += 1
        if begin < len(stripped) and _WORD.search(stripped[begin:]):
            out.append(Sentence(s0 + begin, s0 + len(stripped), section))
    return out
