"""The source reader's data: each source text with every curated fact laid over the words it quotes.

Facts come from the built graph (the internal query ``_source_quotes``: every quote's
``oa:TextPositionSelector`` offsets and what the quote supports), the text from the sources
folder (``sources_dir``; the texts are not shipped). Each highlight is labelled by what it
supports: a case study's classification, a process or mechanism it uses, a finding with its
direction, an enabler, a barrier, a concept's definition. A highlight links to the reader at
that place (``?source=<id>&start=<n>&end=<n>``), the permalink :func:`read_in_context` builds
for any quote, and the reader lists the facts there with links to their pages.

All HTML comes from :func:`section_html`, which escapes every character of the source text,
labels and links: a hostile source text stays text. What this module does not do: decide what
counts as covered (:mod:`kg.coverage`) or split the text (:mod:`kg.sourcetext`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import urlencode

from kg import settings
from kg.coverage import Signals, SourceCoverage, measure
from kg.sourcetext import Document, Section

BASE = "https://w3id.org/ickg/"
_IC = BASE + "ontology#"
_QUOTE_IRI = re.compile(r"^(?:" + re.escape(BASE) + r"quote/|quote:)([a-z0-9]+(?:-[a-z0-9]+)*)\.(\d+)-(\d+)$")
_SKOS_CONCEPT = "http://www.w3.org/2004/02/skos/core#Concept"

#: What a quote can support, in the order highlights take their colour (the first kind wins).
KINDS = ("finding", "classification", "mechanism", "enabler", "barrier", "definition", "concept", "goal",
         "description", "source")
KIND_LABELS = {"finding": "Finding", "classification": "Case-study classification",
               "mechanism": "Process or mechanism used", "enabler": "Enabler", "barrier": "Barrier",
               "definition": "Concept definition", "concept": "Concept (other quote)", "goal": "Goal",
               "description": "Description", "source": "Bibliographic line"}
#: Background tints of the kinds; findings take their direction's colour instead.
KIND_COLOURS = {"classification": "#e5d8bd", "mechanism": "#dadaeb", "enabler": "#80cdc1", "barrier": "#dfc27d",
                "definition": "#fee391", "concept": "#fff7bc", "goal": "#f0f0f0", "description": "#e0e0e0",
                "source": "#eeeeee", "finding": "#fdd0a2"}
DIRECTION_COLOURS = {"positive": "#a6dba0", "mixed": "#fdd49e", "no-effect": "#abd9e9", "negative": "#f4a582",
                     "unclear": "#d9d9d9"}
_CLASSIFICATION = {"level", "form", "breadth", "intensity", "needLevel", "targetPopulation", "country", "partOf",
                   "evaluationDesign"}
_PREDICATE_LABELS = {"level": "level", "form": "form", "breadth": "breadth", "intensity": "intensity",
                     "needLevel": "level of need", "targetPopulation": "population", "country": "country",
                     "partOf": "part of", "evaluationDesign": "evaluation design", "usesProcess": "uses process",
                     "usesMechanism": "uses mechanism", "suggestsIntensity": "suggests intensity",
                     "related": "related to", "hasExample": "has example"}


# ----------------------------------------------------------------------------- permalinks

@dataclass(frozen=True)
class Location:
    """A place in a source: the source id and a raw span (``start``/``end`` may be None: the whole text)."""

    source: str
    start: int | None = None
    end: int | None = None


def quote_location(iri: str) -> Location | None:
    """The place a quote IRI names (``quote:<source>.<start>-<end>``), or None for another IRI."""
    m = _QUOTE_IRI.match(iri or "")
    if not m:
        return None
    return Location(m.group(1), int(m.group(2)), int(m.group(3)))


def read_in_context(quote: Any) -> dict[str, str]:
    """Query parameters that open the reader at a quote's place (``{}`` when the quote has no offsets).

    ``quote`` is a quote IRI or anything with an ``iri`` attribute (the explorer's quote records).
    Pages pass the result to ``st.page_link(..., query_params=...)`` for the ``reader`` page.
    """
    loc = quote_location(quote if isinstance(quote, str) else getattr(quote, "iri", ""))
    if loc is None:
        return {}
    return {"source": loc.source, "start": str(loc.start), "end": str(loc.end)}


def read_in_context_url(quote: Any) -> str:
    """The reader's relative URL for a quote (``reader?source=...``), or an empty string."""
    params = read_in_context(quote)
    return "reader?" + urlencode(params) if params else ""


def location_from_params(params: Mapping[str, Any]) -> Location | None:
    """Read ``source``/``start``/``end`` (or ``quote``) from URL parameters; None when absent or malformed."""
    quote = params.get("quote")
    if quote:
        return quote_location(str(quote))
    source = params.get("source")
    if not source or not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", str(source)):
        return None
    try:
        start = int(params["start"]) if params.get("start") not in (None, "") else None
        end = int(params["end"]) if params.get("end") not in (None, "") else None
    except (TypeError, ValueError):
        return Location(str(source))
    if start is None or end is None or not (0 <= start < end):
        return Location(str(source))
    return Location(str(source), start, end)


# ----------------------------------------------------------------------------- sources

@dataclass(frozen=True)
class ReaderSource:
    """A source and whether its text is in the sources folder."""

    id: str
    iri: str
    title: str
    file: str
    path: Path

    @property
    def available(self) -> bool:
        """True when the text file can be read."""
        return self.path.is_file()


def _memo(explorer: Any, key: str, make) -> Any:
    cache = explorer._cache
    k = ("reader", key)
    if k not in cache:
        cache[k] = make()
    return cache[k]


def sources_dir(overrides: dict[str, str] | None = None) -> Path:
    """Where the source texts are (the ``sources_dir`` setting, ``ICKG_SOURCES``)."""
    return settings.get_path("sources_dir", overrides)


def reader_sources(explorer: Any, folder: Path | None = None) -> list[ReaderSource]:
    """Every source of the graph with the path of its text in the sources folder."""
    folder = folder or sources_dir()
    rows = _memo(explorer, "sources", lambda: explorer.rows("_reader_sources"))
    return [ReaderSource(r["source"].rsplit("/", 1)[-1], r["source"], r["title"], r["file"], folder / r["file"])
            for r in rows]


def document(src: ReaderSource) -> Document | None:
    """The source's text split into sections and sentences, or None when it cannot be read."""
    try:
        return Document.from_file(src.path.resolve())
    except (OSError, UnicodeDecodeError):
        return None


# ----------------------------------------------------------------------------- facts and highlights

@dataclass(frozen=True)
class Fact:
    """One fact a quote supports, with the page that shows it."""

    iri: str
    kind: str
    label: str
    detail: str
    direction: str
    page: str
    params: tuple[tuple[str, str], ...]

    @property
    def kind_label(self) -> str:
        """The kind in words."""
        return KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class Highlight:
    """A quoted passage of a source with the facts it supports."""

    quote: str
    start: int
    end: int
    text: str
    section: str
    line: int | None
    facts: tuple[Fact, ...]

    @property
    def kind(self) -> str:
        """The kind that colours the highlight (findings first, then classifications, ...)."""
        kinds = {f.kind for f in self.facts}
        return next((k for k in KINDS if k in kinds), "description")

    @property
    def direction(self) -> str:
        """The direction of the first finding, if any."""
        return next((f.direction for f in self.facts if f.kind == "finding" and f.direction), "")


def _local(iri: str | None) -> str:
    return re.split(r"[/#]", iri or "")[-1]


def _labels(explorer: Any) -> dict[str, str]:
    return _memo(explorer, "labels", lambda: {r["iri"]: r["label"] for r in explorer.rows("_labels")})


def _concept_page(iri: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    if iri.startswith(BASE + "mechanism/"):
        return "ontology", (("scheme", "mechanism"), ("concept", _local(iri)))
    m = re.match(re.escape(BASE) + r"concept/([^/]+)/([^/]+)$", iri)
    if m:
        return "ontology", (("scheme", m.group(1)), ("concept", m.group(2)))
    return "ontology", ()


def _page_of(iri: str | None) -> tuple[str, tuple[tuple[str, str], ...]]:
    if iri and iri.startswith(BASE + "case/"):
        return "cases", (("case", _local(iri)),)
    if iri and (iri.startswith(BASE + "mechanism/") or iri.startswith(BASE + "concept/")):
        return _concept_page(iri)
    return "", ()


def _fact(rows: list[dict], labels: dict[str, str]) -> Fact:
    """One fact from its rows (one per rdf:type)."""
    r = rows[0]
    types = {x["type"] for x in rows}
    rel = _local(r["rel"])
    fact, label = r["fact"], r["label"] or labels.get(r["fact"], "")
    owner = next((x["owner"] for x in rows if x["owner"]), None)
    if _IC + "Assertion" in types:
        pred = _local(r["predicate"])
        kind = ("mechanism" if pred in ("usesProcess", "usesMechanism")
                else "classification" if pred in _CLASSIFICATION else "concept")
        subj, obj = labels.get(r["subject"] or "", _local(r["subject"])), labels.get(r["object"] or "", _local(r["object"]))
        page, params = _page_of(r["subject"])
        return Fact(fact, kind, f"{subj}: {_PREDICATE_LABELS.get(pred, pred)} {obj}", subj, "", page, params)
    if _IC + "EvidenceStatement" in types:
        page, params = _page_of(owner)
        if not page:
            page, params = "sparql", (("query", "citation-trail"), ("p.statement", fact))
        return Fact(fact, "finding", label, labels.get(owner or "", ""), _local(r["direction"]), page, params)
    for cls, kind in (("Enabler", "enabler"), ("Barrier", "barrier"), ("Goal", "goal")):
        if _IC + cls in types:
            page, params = _page_of(owner)
            if not page:
                page, params = "sparql", (("query", "all-factors"),)
            owner_label = labels.get(owner or "", "")
            return Fact(fact, kind, label or kind, owner_label, "", page, params)
    if _IC + "CaseStudy" in types:
        page, params = _page_of(fact)
        return Fact(fact, "description", f"{labels.get(fact, _local(fact))}: description", "", "", page, params)
    if _IC + "Mechanism" in types or _SKOS_CONCEPT in types:
        page, params = _concept_page(fact)
        name = labels.get(fact, label or _local(fact))
        if rel == "definitionQuote":
            return Fact(fact, "definition", f"Definition of {name}", "", "", page, params)
        kind = "description" if rel == "describedBy" else "concept"
        return Fact(fact, kind, name, "", "", page, params)
    return Fact(fact, "source", f"{label}: bibliographic line", "", "", "overview", ())


def highlights(explorer: Any, source_id: str) -> list[Highlight]:
    """Every anchored quote of a source, in text order, with the facts each supports."""
    def make() -> list[Highlight]:
        rows = explorer.rows("_source_quotes", source=BASE + "source/" + source_id)
        labels = _labels(explorer)
        by_quote: dict[str, dict[str, list[dict]]] = {}
        first: dict[str, dict] = {}
        for r in rows:
            by_quote.setdefault(r["quote"], {}).setdefault(r["fact"], []).append(r)
            first.setdefault(r["quote"], r)
        out = []
        for q, facts in by_quote.items():
            r = first[q]
            made = tuple(sorted({_fact(fr, labels) for fr in facts.values()},
                                key=lambda f: (KINDS.index(f.kind) if f.kind in KINDS else 99, f.label)))
            out.append(Highlight(q, int(r["start"]), int(r["end"]), r["text"], r["section"],
                                 int(r["line"]) if r["line"] else None, made))
        return sorted(out, key=lambda h: (h.start, h.end))
    return _memo(explorer, f"highlights:{source_id}", make)


def placed(doc: Document, hls: Iterable[Highlight]) -> tuple[list[Highlight], list[Highlight]]:
    """Split highlights into those whose stored offsets hold their quote in this text, and the rest.

    A copy of a source that differs from the one the anchors were computed on (an edited or
    re-extracted file) would put highlights on the wrong words; those are set aside, never drawn.
    """
    good, bad = [], []
    for h in hls:
        ok = 0 <= h.start < h.end <= len(doc.raw) and doc.raw[h.start:h.end].split() == h.text.split()
        (good if ok else bad).append(h)
    return good, bad


def at(hls: Iterable[Highlight], start: int, end: int) -> list[Highlight]:
    """Highlights overlapping the span ``[start, end)``, the exact match first."""
    found = [h for h in hls if h.start < end and h.end > start]
    return sorted(found, key=lambda h: (not (h.start == start and h.end == end), h.start, h.end))


def signals(explorer: Any) -> Signals:
    """Outcome terms and programme names for the worklist, from the graph."""
    def make() -> Signals:
        rows = explorer.rows("_reader_terms")
        return Signals(tuple(r["name"] for r in rows if r["kind"] == "outcome"),
                       tuple(r["name"] for r in rows if r["kind"] == "programme"))
    return _memo(explorer, "signals", make)


def coverage(explorer: Any, src: ReaderSource, doc: Document, hls: list[Highlight] | None = None) -> SourceCoverage:
    """Coverage of a source by the graph's quotes (or the given ones), per section, with the worklist."""
    shown = highlights(explorer, src.id) if hls is None else hls
    return _memo(explorer, f"coverage:{src.id}:{src.path}:{len(shown)}",
                 lambda: measure(doc, src.id, [(h.start, h.end) for h in shown], signals(explorer)))


def section_for(doc: Document, loc: Location | None, hls: Iterable[Highlight] = ()) -> Section:
    """The section a location falls in; without one, the first section with a quoted sentence."""
    if loc is not None and loc.start is not None and loc.start < len(doc.raw):
        return doc.section_at(loc.start)
    for h in hls:
        if doc.sentences_in(h.start, h.end):
            return doc.section_at(h.start)
    return next((s for s in doc.sections if doc.section_sentences(s)), doc.sections[0])


# ----------------------------------------------------------------------------- HTML

def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def colour(h: Highlight) -> str:
    """The background colour of a highlight."""
    if h.kind == "finding" and h.direction in DIRECTION_COLOURS:
        return DIRECTION_COLOURS[h.direction]
    return KIND_COLOURS.get(h.kind, "#e0e0e0")


STYLE = """<style>
.ickg-reader{white-space:pre-wrap;font-family:Georgia,serif;line-height:1.6;font-size:1rem}
.ickg-reader mark{padding:0 1px;border-radius:2px;color:inherit}
.ickg-reader mark a{color:inherit;text-decoration:none}
.ickg-reader mark.ickg-selected{outline:3px solid #d62728;outline-offset:1px}
.ickg-reader .ickg-heading{font-weight:700;font-family:sans-serif}
.ickg-legend span{display:inline-block;margin:0 .6em .3em 0;padding:0 .4em;border-radius:3px;font-size:.85rem}
</style>"""


def legend_html() -> str:
    """The colour key of the highlights."""
    items = [(KIND_LABELS[k], KIND_COLOURS[k]) for k in KINDS if k != "finding"]
    items = [(f"Finding: {d}", c) for d, c in DIRECTION_COLOURS.items()] + items
    return STYLE + '<div class="ickg-legend">' + "".join(
        f'<span style="background:{c}">{_esc(t)}</span>' for t, c in items) + "</div>"


def _title(h: Highlight) -> str:
    lines = [f"{f.kind_label}: {f.label}" + (f" ({f.direction})" if f.direction else "") for f in h.facts]
    return "\n".join(lines)


def section_html(doc: Document, section: Section, hls: Iterable[Highlight], source_id: str,
                 selected: tuple[int, int] | None = None, link: bool = True) -> str:
    """One section of a source as escaped HTML, every quoted passage marked and linked to its place.

    Overlapping quotes split the text at every boundary; each piece takes the colour of the
    shortest quote covering it and links to that quote's place in the reader.
    """
    start, end = section.start, section.end
    inside = [h for h in hls if h.start < end and h.end > start]
    cuts = sorted({start, end, *(max(start, min(end, h.start)) for h in inside),
                   *(max(start, min(end, h.end)) for h in inside)})
    heading_end = start + len(doc.raw[start:end].split("\n", 1)[0]) if section.index else start
    parts = []
    for a, b in zip(cuts, cuts[1:]):
        if a >= b:
            continue
        covering = [h for h in inside if h.start <= a and h.end >= b]
        piece = doc.raw[a:b]
        if not covering:
            if a < heading_end:
                head = doc.raw[a:min(b, heading_end)]
                parts.append(f'<span class="ickg-heading">{_esc(head)}</span>' + _esc(doc.raw[min(b, heading_end):b]))
            else:
                parts.append(_esc(piece))
            continue
        h = min(covering, key=lambda x: (x.end - x.start, x.start))
        is_sel = selected is not None and any(x.start == selected[0] and x.end == selected[1] for x in covering)
        cls = f"ickg-k-{h.kind}" + (" ickg-selected" if is_sel else "")
        title = "\n".join(_title(x) for x in sorted(covering, key=lambda x: x.end - x.start))
        body = _esc(piece)
        if link:
            href = "?" + urlencode({"source": source_id, "start": h.start, "end": h.end})
            body = f'<a href="{_esc(href)}" target="_self">{body}</a>'
        anchor_id = ' id="ickg-selected"' if is_sel and a == selected[0] else ""
        parts.append(f'<mark class="{cls}" data-kind="{_esc(h.kind)}"{anchor_id} '
                     f'style="background:{colour(h)}" title="{_esc(title)}">{body}</mark>')
    if selected is not None and not any(h.start == selected[0] and h.end == selected[1] for h in inside):
        parts = _mark_selection(doc, section, selected, parts)
    return STYLE + '<div class="ickg-reader" data-testid="ickg-reader">' + "".join(parts) + "</div>"


def _mark_selection(doc: Document, section: Section, selected: tuple[int, int], parts: list[str]) -> list[str]:
    """A selection no quote matches (a passage to curate) is outlined over plain text."""
    a, b = max(section.start, selected[0]), min(section.end, selected[1])
    if a >= b:
        return parts
    before, chosen, after = doc.raw[section.start:a], doc.raw[a:b], doc.raw[b:section.end]
    return [_esc(before), f'<mark class="ickg-selected" id="ickg-selected" style="background:#ffffff">'
                          f'{_esc(chosen)}</mark>', _esc(after)]
