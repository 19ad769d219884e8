"""Verbatim quotes: the normalisation rule, locating a quote in its source, diagnosing misses.

The rule, in full: **runs of whitespace collapse to one space and leading/trailing whitespace
is ignored; nothing else.** No case folding, no quote-mark or dash folding, no fuzzy matching,
no elision. A curly apostrophe in the source needs a curly apostrophe in the quote. This is
deliberately strict: a quote that passes is the source's own words, character for character.

Offsets are Python ``str`` indices (Unicode code points) into the source file read as UTF-8,
``end`` exclusive, as in the Web Annotation ``TextPositionSelector``. ``prefix`` and ``suffix``
are the (normalised) 32 characters before and after the quote, as in ``TextQuoteSelector``.

What this module does not do: read YAML, know about records, or decide which source a quote
belongs to. It answers "is this exact text here, and where?".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CONTEXT = 32
_WS = re.compile(r"\s+")
_TOKENS = re.compile(r"\s+|\S+")


def normalize(text: str) -> str:
    """Apply the normalisation rule: collapse runs of whitespace, strip the ends."""
    return _WS.sub(" ", text).strip()


@dataclass(frozen=True)
class Anchor:
    """Where a quote sits in its source text."""

    start: int
    end: int
    line: int
    prefix: str
    suffix: str


class SourceText:
    """A source document, normalised once, with a map back to raw offsets."""

    def __init__(self, raw: str, name: str = "") -> None:
        self.name = name
        self.raw = raw
        norm_chars: list[str] = []
        raw_index: list[int] = []
        for m in _TOKENS.finditer(raw):
            if m.group().isspace():
                norm_chars.append(" ")
                raw_index.append(m.start())
            else:
                norm_chars.extend(m.group())
                raw_index.extend(range(m.start(), m.end()))
        self.norm = "".join(norm_chars)
        self._raw_index = raw_index
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", raw)]

    @classmethod
    @lru_cache(maxsize=32)
    def from_file(cls, path: Path) -> SourceText:
        """Read and index a source file (cached per path)."""
        return cls(Path(path).read_text(encoding="utf-8"), name=Path(path).name)

    def line_of(self, offset: int) -> int:
        """1-based line number of a raw offset."""
        lo, hi = 0, len(self._line_starts)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._line_starts[mid] <= offset:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def occurrences(self, quote: str) -> list[Anchor]:
        """Every place the normalised quote occurs, in order."""
        q = normalize(quote)
        if not q:
            return []
        found = []
        i = self.norm.find(q)
        while i != -1:
            found.append(self._anchor(i, len(q)))
            i = self.norm.find(q, i + 1)
        return found

    def _anchor(self, i: int, n: int) -> Anchor:
        start = self._raw_index[i]
        end = self._raw_index[i + n - 1] + 1
        prefix = self.norm[max(0, i - CONTEXT):i]
        suffix = self.norm[i + n:i + n + CONTEXT]
        return Anchor(start, end, self.line_of(start), prefix, suffix)

    def locate(self, quote: str, near: int | None = None) -> Anchor | None:
        """The occurrence of ``quote`` nearest raw offset ``near`` (or the first)."""
        occ = self.occurrences(quote)
        if not occ:
            return None
        if near is None:
            return occ[0]
        return min(occ, key=lambda a: abs(a.start - near))

    def anchor_at(self, start: int, end: int) -> Anchor | None:
        """Recompute the anchor for raw span ``[start, end)``, or ``None`` if out of range."""
        if not (0 <= start < end <= len(self.raw)):
            return None
        # find the normalised index whose raw index is start
        lo, hi = 0, len(self._raw_index)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._raw_index[mid] < start:
                lo = mid + 1
            else:
                hi = mid
        i = lo
        n = len(normalize(self.raw[start:end]))
        if i + n > len(self.norm) or n == 0:
            return None
        return self._anchor(i, n)

    def diagnose(self, quote: str) -> str:
        """Say how a quote that is not in the source fails: where it diverges, or that it is absent."""
        q = normalize(quote)
        lo, hi = 0, len(q)
        while lo < hi:  # longest prefix of q found in the source
            mid = (lo + hi + 1) // 2
            if q[:mid] in self.norm:
                lo = mid
            else:
                hi = mid - 1
        if lo < min(10, len(q)):
            return f"absent from {self.name} (not even its first 10 characters match)"
        i = self.norm.find(q[:lo])
        got = self.norm[i + lo:i + lo + 20]
        return (f"not verbatim in {self.name}: diverges after {lo}/{len(q)} chars, "
                f"quote has {q[lo:lo + 20]!r}, source has {got!r}")
