"""Keyword search over case studies, findings, mechanisms and concepts, ranked with BM25.

One index holds four kinds of document, each built from named queries through
:mod:`kg.views`:

* **case studies**: name (counted twice), other names, the curator's summary and the labels
  of their classifications;
* **findings** (evidence statements): the curator's summary, every supporting quote, what
  it is about, its outcome domains and source;
* **mechanisms**: name (twice), other names, definition and scope note;
* **concepts** of every other scheme: label (twice), alternative labels, definition, scope note.

Ranking is Okapi BM25 (the ``rank-bm25`` package) over lower-cased, lightly stemmed words,
after one rule that BM25's length normalisation would otherwise break: a case study, mechanism or
concept whose name (label or alternative label) holds every word of the query comes first, the
names the query covers most first ("Permanente" finds Kaiser Permanente before Kaiser
Permanente's Panel Support Tool).
**The ontology widens a query**: when the words of a concept's preferred or alternative label
appear in the query ("bed days" is an alternative label of the outcome domain *Hospital use*),
the query also asks for that concept, and every document tagged with it (a finding in that
domain, a case study with such findings, a mechanism under that process) matches. A document
that also contains the words themselves ranks above one that only carries the tag.

What this module does not do: fuzzy matching or spelling correction (a query finds what it
says, widened only by the curated vocabulary), or any ranking by evidence strength (the pages
sort by that where it matters).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from kg import namespaces
from kg.views import cases, common

#: Kinds of document, in the order results are grouped.
KINDS = ("case study", "finding", "mechanism", "concept")

#: Schemes whose labels and alternative labels widen a query.
EXPANDING_SCHEMES = ("domain", "process", "level", "form", "breadth", "leutz", "population", "country",
                     "need", "basis", "direction", "mechanism", "factor-theme")

_STOP = frozenset("""a an and are as at be by for from has have in into is it its of on or that the their
this to was were which with""".split())
_TOKEN = re.compile(r"[a-z0-9£$%€]+(?:'[a-z]+)?")


def _stem(word: str) -> str:
    if word.isdigit() or len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokens(text: str | None) -> list[str]:
    """Lower-cased, stemmed words of a text, stop words dropped."""
    words = _TOKEN.findall((text or "").lower().replace("’", "'"))
    return [_stem(w.split("'")[0]) for w in words if w not in _STOP]


def _tag(iri: str) -> str:
    # a token no text can produce: the tokenizer never yields "#"
    return "#" + iri


@dataclass(frozen=True)
class Doc:
    """A searchable thing."""

    kind: str
    iri: str
    label: str
    snippet: str
    case: str = ""  # the case study a finding is about, for linking
    scheme: str = ""  # the scheme of a concept or mechanism


@dataclass(frozen=True)
class Hit:
    """A search result."""

    doc: Doc
    score: float


@dataclass(frozen=True)
class Expansion:
    """A concept a query was widened with, and the words that triggered it."""

    concept: str
    label: str
    matched: str


@dataclass
class Results:
    """Hits by kind, and how the query was widened."""

    query: str
    hits: list[Hit] = field(default_factory=list)
    expansions: list[Expansion] = field(default_factory=list)

    def of(self, kind: str) -> list[Hit]:
        """Hits of one kind, best first."""
        return [h for h in self.hits if h.doc.kind == kind]


class SearchIndex:
    """A BM25 index over the graph's case studies, findings, mechanisms and concepts."""

    def __init__(self, docs: list[Doc], texts: list[list[str]],
                 phrases: list[tuple[tuple[str, ...], str, str, str]],
                 names: list[list[frozenset[str]]] | None = None) -> None:
        from rank_bm25 import BM25Okapi

        self.docs = docs
        self._names = names or [[] for _ in docs]  # each doc's label and alternative labels, as word sets
        self._bm25 = BM25Okapi(texts) if texts else None
        self._phrases = phrases  # (tokens, concept IRI, concept label, the label as written)

    def __len__(self) -> int:
        return len(self.docs)

    def expand(self, query: str) -> list[Expansion]:
        """Concepts whose label or alternative label appears (as whole words, in order) in the query."""
        q = tokens(query)
        found: dict[str, Expansion] = {}
        for words, iri, lab, written in self._phrases:
            n = len(words)
            if n and any(tuple(q[i:i + n]) == words for i in range(len(q) - n + 1)):
                prev = found.get(iri)
                if prev is None or len(written) > len(prev.matched):
                    found[iri] = Expansion(iri, lab, written)
        return sorted(found.values(), key=lambda e: e.label.lower())

    def search(self, query: str, kinds: Iterable[str] = KINDS, limit: int = 200) -> Results:
        """Documents matching the query, best first; empty for an empty query."""
        res = Results(query)
        q = tokens(query)
        if not q or self._bm25 is None:
            return res
        res.expansions = self.expand(query)
        scores = self._bm25.get_scores(q + [_tag(e.concept) for e in res.expansions])
        wanted = set(kinds)
        words = set(q)

        def name_fit(i: int) -> float:
            # how much of a name the query covers, for names that hold every query word: "Permanente"
            # is half of "Kaiser Permanente" and a sixth of "Kaiser Permanente's Panel Support Tool"
            return max((len(words) / len(n) for n in self._names[i] if words <= n), default=0.0)

        ranked = sorted((i for i, s in enumerate(scores) if s > 0 and self.docs[i].kind in wanted),
                        key=lambda i: (-name_fit(i), -scores[i], KINDS.index(self.docs[i].kind),
                                       self.docs[i].label.lower()))
        res.hits = [Hit(self.docs[i], float(scores[i])) for i in ranked[:limit]]
        return res


def build_index(explorer: Any) -> SearchIndex:
    """Build the index from the graph (about 1,500 documents on the shipped graph)."""
    concepts = common.concepts(explorer)
    lab = common.labels(explorer)
    scheme_labels = {s.iri: s.label for s in common.schemes(explorer)}
    docs: list[Doc] = []
    texts: list[list[str]] = []
    names: list[list[frozenset[str]]] = []

    def add(doc: Doc, parts: Iterable[str | None], tags: Iterable[str], called: Iterable[str] = ()) -> None:
        words: list[str] = []
        for p in parts:
            words += tokens(p)
        words += [_tag(t) for t in tags]
        docs.append(doc)
        texts.append(words)
        names.append([frozenset(w) for w in (tokens(n) for n in called) if w])

    def with_broader(iris: Iterable[str]) -> set[str]:
        out: set[str] = set()
        todo = list(iris)
        while todo:
            i = todo.pop()
            if i in out:
                continue
            out.add(i)
            c = concepts.get(i)
            if c is not None:
                todo += list(c.broader)
        return out

    mech_processes = {c.iri: [b for b in with_broader(c.broader) if b in concepts]
                      for c in concepts.values() if c.scheme == common.MECHANISM_SCHEME}
    for c in cases.case_table(explorer):
        tagged = {v for k in ("level", "form", "breadth", "intensity", "country", "population", "need",
                              "process", "mechanism", "domain") for v in c.values(k)}
        add(Doc("case study", c.iri, c.label, c.summary, case=c.iri),
            [c.label, c.label, *c.alt_labels, c.summary, *(lab.get(v, "") for v in sorted(tagged))], tagged,
            [c.label, *c.alt_labels])
    for s in common.statements(explorer).values():
        case = next((a for a in s.about if a.startswith(namespaces.FIXED_PREFIXES["case"])), "")
        tagged = set(s.domains) | {s.basis, s.direction}
        for a in s.about:
            tagged |= with_broader([a]) if a in concepts else set()
        add(Doc("finding", s.iri, s.summary, s.quotes[0].text if s.quotes else s.summary, case=case),
            [s.summary, *(q.text for q in s.quotes), *s.about_labels, *s.domain_labels, s.source_label], tagged)
    for c in concepts.values():
        kind = "mechanism" if c.scheme == common.MECHANISM_SCHEME else "concept"
        tagged = {c.iri} | (set(mech_processes.get(c.iri, ())) if kind == "mechanism" else set())
        add(Doc(kind, c.iri, c.label, c.definition or c.scope_note or scheme_labels.get(c.scheme, ""),
                scheme=c.scheme),
            [c.label, c.label, *c.alt_labels, c.definition, c.scope_note], tagged, [c.label, *c.alt_labels])
    for r in common.whole_rows(explorer, "_collections"):  # a framework's named groups, found like concepts
        alts = [a for a in (r.get("altLabels") or "").split(" | ") if a]
        quotes = [q for q in (r.get("quotes") or "").split(" | ") if q]
        add(Doc("concept", r["collection"], r["label"], r.get("scopeNote") or (quotes[0] if quotes else ""),
                scheme=r["scheme"] or ""),
            [r["label"], r["label"], *alts, r.get("scopeNote"), *quotes], {r["collection"]}, [r["label"], *alts])
    expanding = {namespaces.BASE + "scheme/" + s for s in EXPANDING_SCHEMES}
    phrases = []
    for c in concepts.values():
        if c.scheme not in expanding:
            continue
        for written in (c.label, *c.alt_labels):
            words = tuple(tokens(written))
            if words:
                phrases.append((words, c.iri, c.label, written))
    return SearchIndex(docs, texts, phrases, names)


def index(explorer: Any) -> SearchIndex:
    """The explorer's search index, built once per explorer (one release)."""
    return common.memo(explorer, "search_index", lambda: build_index(explorer))


def search(explorer: Any, query: str, kinds: Iterable[str] = KINDS, limit: int = 200) -> Results:
    """Search the graph (see :class:`SearchIndex`)."""
    return index(explorer).search(query, kinds, limit)
