"""The design and the assistant's answers as plain data: what the other designer modules pass around.

:class:`Design` holds a service designer's answers (goals, context, type, breadth, intensity)
as concept ids plus free-text notes, and round-trips through URL query parameters (the
permalink). The answer types (:class:`Cited`, :class:`Recommendation`, :class:`Match`,
:class:`Evidence`) carry no behaviour. What this module does not do: read the graph.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

SECTORS = ("health care", "social care", "housing", "education", "employment", "transport",
           "voluntary and community", "public health", "criminal justice")

#: Free-text notes, each beside one of Shaw's five questions.
NOTES: dict[str, tuple[str, str]] = {
    "goals": ("goals", "What you seek to achieve"),
    "support": ("goals", "How you will keep organisational support for the goals"),
    "programmes": ("context", "Other improvement programmes it connects with"),
    "leadership": ("context", "How you will ensure strong leadership across sectors"),
    "commissioning": ("type", "How commissioning arrangements will support integration"),
    "data_sharing": ("type", "How data sharing and information management will be achieved"),
    "partners": ("breadth", "Which partners, and how incentives will be aligned"),
    "intensity": ("intensity", "How you will avoid fragmentation elsewhere in the system"),
}

_PARAM_KEYS = {"domains": "d", "population": "pop", "need": "need", "level": "lvl", "sectors": "sec",
               "country": "cty", "processes": "proc", "breadth": "br", "intensity": "int", "form": "form",
               "mechanisms": "mech", "title": "title"}
LIST_FIELDS = ("domains", "population", "sectors", "processes", "mechanisms", "breadth")
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass
class Design:
    """A designer's answers: concept ids (local parts) and notes."""

    title: str = "Integration design"
    domains: list[str] = field(default_factory=list)      # domain
    population: list[str] = field(default_factory=list)   # population
    need: str = ""                                        # need
    level: str = ""                                       # level
    sectors: list[str] = field(default_factory=list)      # free list (SECTORS)
    country: str = ""                                     # country
    processes: list[str] = field(default_factory=list)    # process
    mechanisms: list[str] = field(default_factory=list)   # mechanism
    breadth: list[str] = field(default_factory=list)      # breadth
    intensity: str = ""                                   # leutz
    form: str = ""                                        # form
    notes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in LIST_FIELDS:  # one canonical form: unique, sorted
            setattr(self, name, sorted(set(getattr(self, name))))

    def to_params(self) -> dict[str, str]:
        """The design as URL query parameters (the permalink)."""
        out: dict[str, str] = {}
        for name, key in _PARAM_KEYS.items():
            value = getattr(self, name)
            text = ",".join(value) if isinstance(value, list) else value
            if text and not (name == "title" and text == Design.title):
                out[key] = text
        for k, v in self.notes.items():
            if v.strip():
                out[f"n_{k}"] = v
        return out

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Design:
        """Read a design from URL query parameters; unknown keys and malformed ids are dropped."""
        d = cls()
        for name, key in _PARAM_KEYS.items():
            raw = params.get(key)
            if raw is None:
                continue
            raw = raw[-1] if isinstance(raw, list) else str(raw)
            if name == "title":
                d.title = raw[:200] or d.title
            elif name == "sectors":
                d.sectors = [s for s in raw.split(",") if s in SECTORS]
            elif name in LIST_FIELDS:
                setattr(d, name, [x for x in raw.split(",") if ID_PATTERN.match(x)])
            elif ID_PATTERN.match(raw):
                setattr(d, name, raw)
        for k in NOTES:
            v = params.get(f"n_{k}")
            if v:
                d.notes[k] = (v[-1] if isinstance(v, list) else str(v))[:4000]
        return d


@dataclass
class Cited:
    """A line of advice with the quote behind it."""

    text: str
    quote: str = ""
    source: str = ""
    locator: str = ""


@dataclass
class Recommendation:
    """The intensity the need suggests, and warnings where the choice differs."""

    suggested: str = ""
    suggested_label: str = ""
    because: list[Cited] = field(default_factory=list)
    warnings: list[Cited] = field(default_factory=list)


@dataclass
class Match:
    """A case study ranked by fit."""

    case: str
    label: str
    score: float
    reasons: list[str]
    differences: list[str]
    unknown: list[str]
    classified: int = 0          # how many of the design's answers the case is classified on
    answers: int = 0             # how many questions the design answers
    coverage: float = 0.0        # share of the answered weight the case is classified on
    strength: str = ""           # evidence basis of the case's strongest finding
    findings: int = 0            # the case's findings that carry a direction
    rank: int = 0
    explanation: str = ""        # why the case sits at its rank
    key: tuple = ()              # the sort key (not shown)
    quotes: dict = field(default_factory=dict)  # (feature, value) -> quote, for goals and mechanisms


@dataclass
class Evidence:
    """Evidence for the chosen processes, by domain, with gaps."""

    rows: list[dict]
    by_process: dict[str, dict[str, dict[str, int]]]
    gaps: list[str]
    thin: list[str]
    findings: list[dict] = field(default_factory=list)   # relevant findings, best-matching cases first
    counts: dict = field(default_factory=dict)           # outcome -> direction -> count (directional claims only)
    own: list[dict] = field(default_factory=list)        # the top cases' own negative and mixed findings and caveats
    caveats: dict = field(default_factory=dict)          # statement -> caveat rows
    named_gaps: list[str] = field(default_factory=list)  # gaps in words, never empty when evidence is thin


def local_id(iri: str | None) -> str:
    """The concept id of an IRI (its last path segment)."""
    return (iri or "").rstrip("/").rsplit("/", 1)[-1]


def design_dict(d: Design) -> dict:
    """Plain dict of a design (for JSON)."""
    return asdict(d)
