"""Check every quote word for word against the source texts, and compute anchors.

``check_quotes`` fails closed: a missing sources folder, an unreadable or missing source
file, or zero quotes checked are errors, never a silent pass. For each quote it applies the
normalisation rule of :mod:`kg.quotes`, then recomputes the anchor at the stored offsets and
compares offsets, prefix and suffix, so a quote that moved or was edited is caught.

``anchor_corpus`` writes anchors into the files (through the canonical formatter); it is the
only code that changes evidence files besides ``ickg fmt``.

``check_hedges`` warns (never errs) when a finding's quote hedges ("suggests", "pilot",
"potentially", "may", ...) and its summary does not: a hedge lost in a summary makes a claim
sound firmer than the source. :data:`HEDGES` is the one list of hedge words, documented in
docs/curation.md. ``ickg validate`` runs it beside the quote check (it needs no source texts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import Problem, relpath
from kg.quotes import SourceText
from kg.records import Anchor, Corpus, Record, _fmt_loc, canonical_text, iter_quoted


@dataclass
class QuoteReport:
    """The outcome of a quote check."""

    checked: int
    problems: list[Problem]
    sources: int

    @property
    def failed(self) -> int:
        """Number of quotes with an error."""
        return len({(p.path, p.line, p.field) for p in self.problems if p.severity == "error"})


def _texts(corpus: Corpus, sources_dir: Path) -> tuple[dict[str, SourceText], list[Problem]]:
    texts, problems = {}, []
    if not sources_dir.is_dir():
        return texts, [Problem(relpath(sources_dir), None, "(sources)",
                               "sources folder not found", hint="set ICKG_SOURCES")]
    for sid, rec in sorted(corpus.records["sources"].items()):
        path = sources_dir / rec.model.file
        try:
            texts[sid] = SourceText.from_file(path.resolve())
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(relpath(rec.path), rec.line(("file",)), "file",
                                    f"cannot read source text {path}: {exc}"))
    return texts, problems


def check_quotes(corpus: Corpus, sources_dir: Path) -> QuoteReport:
    """Check each quote in the corpus against its source text."""
    texts, problems = _texts(corpus, sources_dir)
    checked = 0
    for rec in corpus.all():
        for loc, q in iter_quoted(rec.model):
            where = (relpath(rec.path), rec.line(loc + ("quote",)))

            def add(msg: str, fld: str = "quote", hint: str = "", _w=where, _l=loc) -> None:
                problems.append(Problem(_w[0], _w[1], _fmt_loc(_l + (fld,)), msg, hint=hint))

            text = texts.get(q.source)
            if text is None:
                if q.source not in corpus.records["sources"]:
                    add(f"unknown source id {q.source!r}", "source")
                continue  # unreadable source already reported
            checked += 1
            if not text.occurrences(q.quote):
                add(text.diagnose(q.quote), hint="fix the quote, never the source")
                continue
            if q.anchor is None:
                continue  # reported by the reference checks ("no anchor yet")
            got = text.anchor_at(q.anchor.start, q.anchor.end)
            stored = Anchor(**q.anchor.model_dump())
            if got is None or got.start != stored.start or got.end != stored.end \
                    or text.raw[stored.start:stored.end].split() != q.quote.split():
                add(f"stored offsets {stored.start}-{stored.end} do not hold the quote",
                    "anchor", "run `ickg anchor` to recompute")
            elif (got.prefix, got.suffix, got.line) != (stored.prefix, stored.suffix, stored.line):
                add("stored prefix, suffix or line differ from the source", "anchor",
                    "run `ickg anchor` to recompute")
    if checked == 0 and not problems:
        problems.append(Problem("evidence", None, "(quotes)", "no quotes were checked"))
    return QuoteReport(checked, problems, len(texts))


#: Hedge families: a quote containing any form of a family needs some form of the same family in
#: its finding's summary ("may" in the quote is kept by "might" or "could" in the summary).
#: Whole words or phrases, case-insensitive. Documented in docs/curation.md ("Hedges").
HEDGES: dict[str, tuple[str, ...]] = {
    "suggest": ("suggest", "suggests", "suggested", "suggesting", "suggestion", "suggestive"),
    "preliminary": ("preliminary", "early results", "early findings", "early evidence", "early evaluation",
                    "initial results", "initial findings"),
    "pilot": ("pilot", "pilots", "piloted", "piloting"),
    "possibility": ("may", "might", "could", "possibly", "possible", "potentially", "potential",
                    "perhaps"),
    "likelihood": ("likely", "unlikely", "probably", "probable"),
    "appearance": ("appear", "appears", "appeared", "seem", "seems", "seemed", "apparently"),
    "limited evidence": ("limited evidence", "little evidence", "some evidence", "weak evidence",
                         "insufficient evidence", "not enough evidence", "evidence is limited",
                         "evidence is weak", "evidence is mixed", "lack of evidence", "no evidence"),
    "tentative": ("tentative", "tentatively"),
    "indicate": ("indicate", "indicates", "indicated", "indicative"),
    "debated": ("debated", "debate", "contested", "controversial", "questionable", "questioned"),
    "uncertain": ("uncertain", "uncertainty", "unclear", "unknown", "not known"),
    "not significant": ("not significant", "non-significant", "not statistically significant"),
}

_HEDGE_RE = {family: re.compile(r"\b(" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
                                + r")\b", re.IGNORECASE)
             for family, forms in HEDGES.items()}


def hedges_in(text: str) -> dict[str, str]:
    """The hedge families found in a text, each with the first form found."""
    out = {}
    for family, rx in _HEDGE_RE.items():
        m = rx.search(" ".join(text.split()))
        if m:
            out[family] = m.group(0)
    return out


def check_hedges(corpus: Corpus) -> list[Problem]:
    """Warn where a finding's quote hedges and its summary drops the hedge.

    Only the finding's own quote is read (``also`` quotes may word the same claim otherwise).
    Returns warnings only: a curator may decide the summary keeps the hedge in other words.
    """
    problems = []
    for rec in corpus.all():
        for i, f in enumerate(getattr(rec.model, "findings", None) or []):
            in_summary = hedges_in(f.summary)
            missing = [form for family, form in hedges_in(f.quote).items() if family not in in_summary]
            if missing:
                loc = ("findings", i, "summary")
                problems.append(Problem(
                    relpath(rec.path), rec.line(loc), _fmt_loc(loc),
                    f"the quote hedges ({', '.join(repr(m) for m in missing)}) but the summary does not",
                    "warning", "keep the hedge in the summary; see docs/curation.md#hedges"))
    return problems


def anchor_corpus(corpus: Corpus, sources_dir: Path, paths: set[Path] | None = None) -> tuple[int, list[Problem]]:
    """Compute anchors for every quote (keeping the stored occurrence) and rewrite the files.

    Returns:
        The number of files rewritten and the quotes that could not be anchored.
    """
    texts, problems = _texts(corpus, sources_dir)
    changed = 0
    for rec in corpus.all():
        if paths is not None and rec.path.resolve() not in paths:
            continue
        for loc, q in iter_quoted(rec.model):
            text = texts.get(q.source)
            if text is None:
                continue
            a = _choose(text, q)
            if a is None:
                problems.append(Problem(relpath(rec.path), rec.line(loc + ("quote",)),
                                        _fmt_loc(loc + ("quote",)), text.diagnose(q.quote)))
                continue
            q.anchor = Anchor(start=a.start, end=a.end, line=a.line, prefix=a.prefix, suffix=a.suffix)
        if write_canonical(rec):
            changed += 1
    return changed, problems


def _choose(text: SourceText, q) -> object:
    """Pick the occurrence of a quote: the stored one, else the one its section heads.

    A quote may occur more than once (the HRB review repeats case-study text in its
    executive summary). Without a stored anchor, the occurrence closest after the last
    heading of ``section`` that precedes it wins; ties go to the first.
    """
    occ = text.occurrences(q.quote)
    if not occ:
        return None
    if q.anchor is not None:
        return min(occ, key=lambda a: abs(a.start - q.anchor.start))
    if len(occ) == 1:
        return occ[0]
    heading = q.section.split(" > ")[-1].strip()
    # headings stand at a line start; skip the table of contents ("Heading.....  49")
    marks = [i for i in _find_all(text.raw, heading) if heading
             and (i == 0 or text.raw[i - 1] == "\n")
             and "...." not in text.raw[i:text.raw.find("\n", i)]]

    def distance(a) -> int:
        before = [m for m in marks if m <= a.start]
        return a.start - before[-1] if before else 10**12

    return min(occ, key=lambda a: (distance(a), a.start))


def _find_all(raw: str, needle: str) -> list[int]:
    out, i = [], raw.find(needle)
    while i != -1:
        out.append(i)
        i = raw.find(needle, i + 1)
    return out


def write_canonical(rec: Record) -> bool:
    """Rewrite a record's file in canonical form; return whether it changed."""
    new = canonical_text(rec)
    old = rec.path.read_text(encoding="utf-8")
    if new != old:
        rec.path.write_text(new, encoding="utf-8")
        return True
    return False
