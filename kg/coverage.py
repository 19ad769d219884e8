"""Coverage of the sources by the curated facts, and the worklist of passages no fact quotes yet.

For each source and each of its sections (as :mod:`kg.sourcetext` finds them), coverage is the
share of the section's sentences that some fact quotes. A sentence counts as quoted when quotes
span at least half of its characters (``COVERED_SHARE``): a quote of the second half of a long
sentence covers it, a quote of three words inside it does not. Headings are not sentences.

The worklist names unquoted sentences that look like evidence: they hold a figure (a
percentage, an amount of money, a decimal, a number with a unit), an outcome word (a label or
alternative label of an outcome domain, or a word of change such as *reduced*), or the name of
a curated case study, and at least four words, and are not quoted at another place of the
text (the HRB review repeats its case studies in its executive summary). Each carries the reasons it was listed, and the
list runs strongest first (a figure, then a name, then outcome words; ties in text order);
curators decide whether it says anything the graph should hold. It is a list of places to
read, never a claim about the text.

Spans come from stored anchors, either from the records (:func:`spans_from_corpus`, used by
``ickg coverage``) or from the built graph (``kg.views.reader``, used by the app); both name
the same offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from kg.sourcetext import Document, Section, Sentence

COVERED_SHARE = 0.5
#: Shorter sentences ("Effectiveness:") are labels, not claims, and stay off the worklist.
MIN_WORDS = 4

#: Words of change that mark an outcome claim, besides the outcome domains' own labels.
CHANGE_WORDS = ("reduced", "reduction", "reductions", "reduce", "reduces", "increased", "increase", "increases",
                "improved", "improvement", "improvements", "improve", "decreased", "decrease", "fewer", "lower",
                "higher", "savings", "saved", "significant", "significantly", "effective", "effectiveness",
                "outcomes")

_FIGURE = re.compile(
    r"\d+(?:[.,]\d+)?\s?(?:%|per ?cent\b)"
    r"|[£$€]\s?\d[\d,.]*(?:\s?(?:million|billion|m|bn)\b)?"
    r"|(?<![\w/.])\d+\.\d+(?![\w/.])"
    r"|\b\d[\d,]*\s(?:million|billion|days|weeks|months|years|hours|beds|patients|admissions|people|"
    r"participants|sites|organisations|organizations|practices|times)\b",
    re.IGNORECASE)
_CITATION = re.compile(r"\^\{[^}]*\}|[⁰¹²³⁴⁵⁶⁷⁸⁹]+")


@dataclass(frozen=True)
class Signals:
    """What makes an unquoted sentence worth a curator's look: outcome terms and programme names."""

    outcome_terms: tuple[str, ...] = ()
    programme_names: tuple[str, ...] = ()

    def _patterns(self) -> tuple[re.Pattern | None, re.Pattern | None]:
        def alternation(words: Iterable[str], flags: int) -> re.Pattern | None:
            words = sorted({w.strip() for w in words if len(w.strip()) >= 3}, key=len, reverse=True)
            if not words:
                return None
            return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", flags)

        return (alternation(tuple(self.outcome_terms) + CHANGE_WORDS, re.IGNORECASE),
                alternation(self.programme_names, 0))

    def reasons(self, text: str) -> list[str]:
        """Why a sentence looks like evidence: ``figure 27%``, ``outcome: bed days``, ``programme: PACE``."""
        clean = _CITATION.sub("", text)
        out = []
        fig = _FIGURE.search(clean)
        if fig:
            out.append(f"figure {fig.group().strip()}")
        if self not in _PATTERNS_CACHE:
            _PATTERNS_CACHE[self] = self._patterns()
        outcome, programme = _PATTERNS_CACHE[self]
        if outcome is not None:
            found = list(dict.fromkeys(m.group().lower() for m in outcome.finditer(clean)))
            if found:
                out.append("outcome: " + ", ".join(found[:3]))
        if programme is not None:
            found = list(dict.fromkeys(m.group() for m in programme.finditer(clean)))
            if found:
                out.append("programme: " + ", ".join(found[:3]))
        return out


_PATTERNS_CACHE: dict[Signals, tuple] = {}


@dataclass(frozen=True)
class SectionCoverage:
    """Coverage of one section."""

    section: Section
    sentences: int
    quoted: int

    @property
    def share(self) -> float | None:
        """Quoted sentences / sentences (None for a section without sentences)."""
        return self.quoted / self.sentences if self.sentences else None


@dataclass(frozen=True)
class Candidate:
    """An unquoted sentence that looks like evidence, with why."""

    start: int
    end: int
    text: str
    section: Section
    reasons: tuple[str, ...]

    @property
    def strength(self) -> int:
        """How strongly it looks like evidence: a figure 3, a programme's name 2, outcome words 1."""
        weights = {"figure": 3, "programme": 2, "outcome": 1}
        return sum(weights.get(r.split(" ", 1)[0].rstrip(":"), 0) for r in self.reasons)


@dataclass
class SourceCoverage:
    """Coverage of one source: per section, in total, and the worklist."""

    source: str
    sections: list[SectionCoverage]
    quotes: int
    worklist: list[Candidate] = field(default_factory=list)

    @property
    def sentences(self) -> int:
        """Sentences in the whole text."""
        return sum(s.sentences for s in self.sections)

    @property
    def quoted(self) -> int:
        """Sentences some fact quotes."""
        return sum(s.quoted for s in self.sections)

    @property
    def share(self) -> float:
        """Quoted sentences / sentences of the whole text."""
        return self.quoted / self.sentences if self.sentences else 0.0


def merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping spans covering the same characters."""
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _covered_chars(merged: list[tuple[int, int]], start: int, end: int) -> int:
    n = 0
    for s, e in merged:
        if s >= end:
            break
        if e > start:
            n += min(e, end) - max(s, start)
    return n


def is_quoted(sentence: Sentence, merged: list[tuple[int, int]]) -> bool:
    """Whether quotes span at least ``COVERED_SHARE`` of a sentence's characters."""
    length = sentence.end - sentence.start
    return length > 0 and _covered_chars(merged, sentence.start, sentence.end) >= COVERED_SHARE * length


def measure(doc: Document, source: str, spans: Iterable[tuple[int, int]], signals: Signals | None = None) -> SourceCoverage:
    """Coverage of a document by quote spans, per section, with the worklist when ``signals`` are given."""
    spans = [(int(s), int(e)) for s, e in spans]
    merged = merge(spans)
    # sentences are in text order; walk the merged spans alongside
    per_section: dict[int, list[int]] = {s.index: [0, 0] for s in doc.sections}
    worklist: list[Candidate] = []
    # the HRB review repeats its case studies in the executive summary: a sentence whose words
    # are quoted at another place of the text is not work left to do
    quoted_text = "\n".join(" ".join(doc.raw[s:e].split()) for s, e in merged)
    for sent in doc.sentences:
        counts = per_section[sent.section]
        counts[0] += 1
        lo = _first_overlapping(merged, sent.start)
        if is_quoted(sent, merged[lo:lo + 64]):
            counts[1] += 1
        elif signals is not None:
            text = sent.text(doc.raw)
            reasons = signals.reasons(text) if len(text.split()) >= MIN_WORDS and text not in quoted_text else []
            if reasons:
                worklist.append(Candidate(sent.start, sent.end, text, doc.sections[sent.section], tuple(reasons)))
    sections = [SectionCoverage(s, *per_section[s.index]) for s in doc.sections]
    worklist.sort(key=lambda c: (-c.strength, c.start))
    return SourceCoverage(source, sections, len(set(spans)), worklist)


def _first_overlapping(merged: list[tuple[int, int]], start: int) -> int:
    lo, hi = 0, len(merged)
    while lo < hi:
        mid = (lo + hi) // 2
        if merged[mid][1] <= start:
            lo = mid + 1
        else:
            hi = mid
    return lo


def spans_from_corpus(corpus: Any) -> dict[str, list[tuple[int, int]]]:
    """Anchored quote spans by source id, from validated records."""
    from kg.records import iter_quoted

    out: dict[str, set[tuple[int, int]]] = {}
    for rec in corpus.all():
        for _, q in iter_quoted(rec.model):
            if q.anchor is not None:
                out.setdefault(q.source, set()).add((q.anchor.start, q.anchor.end))
    return {k: sorted(v) for k, v in out.items()}


def signals_from_corpus(corpus: Any) -> Signals:
    """Outcome terms (outcome-domain labels) and programme names (case-study labels) from records."""
    outcome: list[str] = []
    dom = corpus.records["frameworks"].get("domain")
    if dom is not None:
        for c in dom.model.concepts:
            outcome += [c.label, *c.alt_labels]
    names = []
    for c in corpus.of("case-studies"):
        names += [c.label, *c.alt_labels]
    return Signals(tuple(outcome), tuple(names))


def percent(share: float | None) -> str:
    """A share as a whole percentage (``–`` when there is nothing to measure)."""
    return "–" if share is None else f"{100 * share:.0f}%"


def report_rows(cov: SourceCoverage, min_sentences: int = 1) -> list[dict[str, Any]]:
    """One row per section with sentences: locator, sentences, quoted, share."""
    return [{"source": cov.source, "section": s.section.locator or s.section.title, "start": s.section.start, "sentences": s.sentences, "quoted": s.quoted,
             "share": None if s.share is None else round(s.share, 3)}
            for s in cov.sections if s.sentences >= min_sentences]
