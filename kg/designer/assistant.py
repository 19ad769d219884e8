"""The assistant: one object that answers a :class:`~kg.designer.model.Design` from the graph.

A thin facade over the designer's modules, kept for the page, the CLI and scripts: each method
delegates to :mod:`~kg.designer.vocab`, :mod:`~kg.designer.recommend`,
:mod:`~kg.designer.matching`, :mod:`~kg.designer.evidence` or :mod:`~kg.designer.brief`, which
take the explorer as their first argument and can be called (and replaced) on their own.
"""

from __future__ import annotations

from typing import Any

from kg.designer import brief, evidence, matching, recommend, vocab
from kg.designer.model import Cited, Design, Evidence, Match, Recommendation


class Assistant:
    """Answers a :class:`Design` from the graph, through an :class:`kg.service.Explorer`."""

    def __init__(self, explorer) -> None:
        self.x = explorer

    def vocab(self, scheme: str) -> list[dict[str, str]]:
        """Concepts of a scheme: id, label, broader (ids), in the scheme's order."""
        return vocab.vocab(self.x, scheme)

    def labels(self, scheme: str) -> dict[str, str]:
        """Concept id -> label for a scheme."""
        return vocab.labels(self.x, scheme)

    def shaw(self) -> list[dict[str, str]]:
        """Shaw et al.'s five questions with their prompts and the locator of the quote."""
        return vocab.shaw(self.x)

    def recommend(self, d: Design) -> Recommendation:
        """The Leutz level the need suggests, with the quote, and warnings on a different choice."""
        return recommend.recommend(self.x, d)

    def features(self) -> dict[str, dict]:
        """Case id -> {label, feature -> set of concept ids}."""
        return matching.features(self.x)

    def rank_cases(self, d: Design, k: int = 10) -> list[Match]:
        """Case studies ranked by fit to the design, with reasons and differences."""
        return matching.rank_cases(self.x, d, k)

    def match_quotes(self, m: Match, most: int = 2) -> list[Cited]:
        """Quotes behind a match: the case's classifications that the reasons name."""
        return matching.match_quotes(self.x, m, most)

    def evidence(self, d: Design) -> Evidence:
        """Statements for each chosen process (all processes when none is chosen), with gaps."""
        return evidence.evidence(self.x, d)

    def factors(self, d: Design, matches: list[Match], top: int = 5,
                general_per_category: int = 6) -> dict[str, dict[str, list[dict]]]:
        """Enablers and barriers by category (see :func:`kg.designer.evidence.factors`)."""
        return evidence.factors(self.x, d, matches, top, general_per_category)

    def mechanisms(self, d: Design, matches: list[Match], top: int = 8) -> dict[str, list[dict]]:
        """Per chosen process, mechanisms the best-matching cases used, most used first."""
        return evidence.mechanisms(self.x, d, matches, top)

    def mechanism_quote(self, mechanism_iri: str, cases: list[str]) -> Cited | None:
        """A quote showing one of ``cases`` using the mechanism."""
        return evidence.mechanism_quote(self.x, mechanism_iri, cases)

    def relevant(self, d: Design, matches: list[Match]) -> Evidence:
        """Findings relevant to the design, counts, caveats, the top cases' own findings, named gaps."""
        return evidence.relevant(self.x, d, matches)

    def readiness(self) -> list[dict]:
        """The Partnership Readiness Framework's items, with their quotes (the readiness checklist)."""
        return brief.readiness_items(self.x)

    def answer(self, d: Design) -> dict[str, Any]:
        """Everything the page and the brief show, computed once."""
        matches = self.rank_cases(d)
        return {"design": d, "recommendation": self.recommend(d), "matches": matches,
                "evidence": self.relevant(d, matches), "factors": self.factors(d, matches),
                "mechanisms": self.mechanisms(d, matches), "shaw": self.shaw(), "readiness": self.readiness()}

    def brief_pdf(self, d: Design, ans: dict | None = None) -> bytes:
        """The design brief as PDF."""
        return brief.brief_pdf(self.x, d, ans or self.answer(d))

    def brief_markdown(self, d: Design, ans: dict | None = None) -> str:
        """The design brief as Markdown; every recommendation line cites a numbered quote."""
        return brief.brief_markdown(self.x, d, ans or self.answer(d))

    def brief_html(self, d: Design, ans: dict | None = None) -> str:
        """The design brief as a standalone, escaped HTML page."""
        return brief.brief_html(self.x, d, ans or self.answer(d))


def side_by_side(a: dict, b: dict) -> list[dict[str, str]]:
    """Two answered designs, aspect by aspect (name, intensity, warnings, best cases, balance, gaps)."""

    def cases(ans):
        return "; ".join(f"{m.label} ({m.score:.0%}, on {m.classified} of {m.answers})" for m in ans["matches"][:3])

    def balance(ans):
        return "; ".join(f"{dom}: " + ", ".join(f"{n} {k}" for k, n in sorted(c.items()))
                         for dom, c in sorted(ans["evidence"].counts.items())) or "no finding with a direction"

    rows = [("Name", lambda ans: ans["design"].title),
            ("Suggested intensity", lambda ans: ans["recommendation"].suggested_label or "no need given"),
            ("Chosen intensity", lambda ans: ans["design"].intensity or "not decided"),
            ("Warnings", lambda ans: " · ".join(w.text for w in ans["recommendation"].warnings) or "none"),
            ("Best-fitting cases", cases),
            ("Balance of evidence", balance),
            ("What is not known", lambda ans: " · ".join(ans["evidence"].named_gaps) or "no gap found")]
    return [{"aspect": name, "first design": f(a), "second design": f(b)} for name, f in rows]
