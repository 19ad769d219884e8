"""Data of the SPARQL console (``app_pages/sparql.py``): the gallery, parameter choices, results for the screen.

SELECT results are shown by label with compact IRIs beside; a CONSTRUCT or DESCRIBE result
becomes a network for :mod:`kg.viz`; a result with text and a number can be charted. The
editor completes the predeclared prefixes (:func:`editor_prefixes`) and the graph's terms
(:func:`completions`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from kg import queries
from kg.namespaces import FIXED_PREFIXES
from kg.views.cases import case_table
from kg.views.common import (compact, label, labels, local, memo, scheme_concepts, schemes, statement_quotes,
                             statements, whole_rows)


def gallery(text: str = "", tags: Iterable[str] = ()) -> list[Any]:
    """Gallery queries whose title, name, description or tags contain every word of ``text``, with all ``tags``."""
    words = [w for w in re.split(r"\s+", text.lower().strip()) if w]
    want = set(tags)
    out = []
    for q in queries.gallery():
        hay = " ".join((q.name, q.title, q.description, " ".join(q.tags))).lower()
        if all(w in hay for w in words) and want <= set(q.tags):
            out.append(q)
    return out


def editor_prefixes() -> dict[str, str]:
    """The prefixes every query surface predeclares (the project's, the W3C ones, every concept scheme's)."""
    return dict(FIXED_PREFIXES)


@dataclass(frozen=True)
class Completion:
    """A term the editor offers: its prefixed name, its label and what it is."""

    term: str
    label: str
    kind: str  # class, property, concept, case study


def completions(explorer: Any) -> list[Completion]:
    """The ontology's classes and properties, every concept and every case study, as prefixed names.

    From the named query ``_completion_terms``; a term no predeclared prefix can shorten is left
    out (the editor completes prefixed names only). Sorted by prefixed name.
    """
    def make() -> list[Completion]:
        names = labels(explorer)
        out = {}
        for r in whole_rows(explorer, "_completion_terms"):
            short = compact(r["term"])
            if short != r["term"] and short not in out:
                out[short] = Completion(short, names.get(r["term"], ""), r["kind"])
        return [out[k] for k in sorted(out)]

    return memo(explorer, "sparql_completions", make)


#: Parameter name -> where its choices come from: a concept scheme, or a class of things.
PARAM_CHOICES = {"case": "cases", "mechanism": "scheme:mechanism", "process": "scheme:process",
                 "domain": "scheme:domain", "level": "scheme:level", "need": "scheme:need",
                 "scheme": "schemes", "statement": "statements"}


def param_choices(explorer: Any, name: str) -> list[tuple[str, str]] | None:
    """Labelled choices (compact IRI, label) for a gallery parameter, or None for free text."""
    source = PARAM_CHOICES.get(name)
    if source is None:
        return None
    if source == "cases":
        items = [(c.iri, c.label) for c in sorted(case_table(explorer), key=lambda c: c.label.lower())]
    elif source == "schemes":
        items = [(s.iri, s.label) for s in schemes(explorer)]
    elif source == "statements":
        items = [(s.iri, s.summary) for s in sorted(statements(explorer).values(), key=lambda s: s.iri)]
    else:
        items = [(c.iri, c.label) for c in sorted(scheme_concepts(explorer, source), key=lambda c: c.label.lower())]
    return [(compact(i), lab) for i, lab in items]


def display_rows(explorer: Any, result: Any) -> tuple[list[str], list[dict[str, str]]]:
    """A SELECT result for the screen: each IRI shown by its label, its compact IRI in a ``<col> IRI`` column."""
    cols = list(result.columns)
    iri_cols = [c for c in cols if any(r[i] is not None and r[i].type == "uri" for r in result.rows
                                       for i in [cols.index(c)])]
    out_cols: list[str] = []
    for c in cols:
        out_cols.append(c)
        if c in iri_cols:
            out_cols.append(f"{c} IRI")
    rows = []
    for r in result.rows:
        d: dict[str, str] = {}
        for c, v in zip(cols, r):
            if v is None:
                d[c] = ""
                if c in iri_cols:
                    d[f"{c} IRI"] = ""
            elif v.type == "uri":
                d[c] = label(explorer, v.value)
                d[f"{c} IRI"] = compact(v.value)
            else:
                d[c] = _typed(v)
                if c in iri_cols:
                    d[f"{c} IRI"] = ""
        rows.append(d)
    return out_cols, rows


_NUMERIC = ("integer", "decimal", "double", "float", "int", "long", "short", "nonNegativeInteger",
            "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong")


def _typed(term: Any) -> Any:
    """A literal as a number where its datatype is numeric, so a column sorts as numbers, not text."""
    if term.type == "literal" and (term.datatype or "").rsplit("#", 1)[-1] in _NUMERIC:
        try:
            n = float(term.value)
        except ValueError:
            return term.value
        return int(n) if n.is_integer() and "." not in term.value and "e" not in term.value.lower() else n
    return term.value


#: Chart types the console offers.
CHART_TYPES = ("bar", "line", "point")


def chart_options(result: Any) -> tuple[list[str], list[str]]:
    """(columns to label or place by, numeric columns to plot) of a SELECT result; empty when nothing to chart."""
    if result.kind != "select" or not result.rows:
        return [], []
    numeric = [c for i, c in enumerate(result.columns)
               if any(r[i] is not None for r in result.rows)
               and all(r[i] is None or (r[i].type == "literal" and (r[i].datatype or "").rsplit("#", 1)[-1]
                                        in _NUMERIC) for r in result.rows)]
    others = [c for c in result.columns if c not in numeric]
    return others + numeric, numeric


def chart_rows(explorer: Any, result: Any, x: str, y: str, limit: int = 200) -> list[dict[str, Any]]:
    """One point per result row, never summed: ``x`` by label (made unique where repeated), ``y`` as a number."""
    xi, yi = result.columns.index(x), result.columns.index(y)
    out, seen = [], {}
    for r in result.rows[:limit]:
        if r[yi] is None or r[xi] is None:
            continue
        xv = label(explorer, r[xi].value) if r[xi].type == "uri" else _typed(r[xi])
        if isinstance(xv, str):
            seen[xv] = seen.get(xv, 0) + 1
            if seen[xv] > 1:
                xv = f"{xv} ({seen[xv]})"
        out.append({"x": xv, "y": _typed(r[yi])})
    return out


def chartable(result: Any) -> tuple[str, str] | None:
    """(label column, number column) when a SELECT result has text and a number to chart, else None."""
    if result.kind != "select" or not result.rows or len(result.rows) > 200:
        return None
    numeric = ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")

    def is_number(col: int) -> bool:
        vals = [r[col] for r in result.rows if r[col] is not None]
        return bool(vals) and all(v.type == "literal" and (v.datatype or "").rsplit("#", 1)[-1] in numeric
                                  for v in vals)

    # aggregates come last in a projection; ranks, numbers and offsets are not quantities to chart
    ordinal = ("rank", "number", "notation", "line", "start", "end")
    nums = [i for i in reversed(range(len(result.columns))) if is_number(i)
            and result.columns[i].lower() not in ordinal]
    texts = [i for i in range(len(result.columns)) if i not in nums and all(
        r[i] is not None for r in result.rows)]
    if not nums or not texts:
        return None
    # prefer a column whose name says it is a label
    texts.sort(key=lambda i: (0 if "label" in result.columns[i].lower() else 1))
    return result.columns[texts[0]], result.columns[nums[0]]


def triples_graph(explorer: Any, triples: list[tuple[Any, Any, Any]]) -> Any:
    """A CONSTRUCT or DESCRIBE result as a network for :mod:`kg.viz`: IRI nodes, labels as attributes.

    Labels come from ``rdfs:label``/``skos:prefLabel`` triples of the result, else from the graph;
    literal-valued triples other than labels are left out (they are in the triples table).
    """
    import networkx as nx

    from kg.analytics import fallback_label, node_kind

    label_props = {"http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel"}
    text_props = {"http://www.w3.org/ns/prov#value", "http://www.w3.org/ns/oa#exact"}  # a quote's words
    own: dict[str, str] = {}
    texts: dict[str, str] = {}
    types: dict[str, str] = {}
    edges = []
    for s, p, o in triples:
        if p.value in label_props and o.type == "literal":
            own.setdefault(s.value, o.value)
        elif p.value in text_props and o.type == "literal":
            texts.setdefault(s.value, o.value)
        elif p.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" and o.type == "uri":
            types.setdefault(s.value, o.value)
        elif s.type == "uri" and o.type == "uri":
            edges.append((s.value, o.value, local(p.value)))
    names = labels(explorer)
    quote_texts = {q.iri: q.text for qs in statement_quotes(explorer).values() for q in qs}
    graph = nx.Graph(projection="query", release=explorer.release_id, edge_labels=True)

    def name(node: str) -> str:
        # a quote has no label: its own words stand for it ("“Torbay had the lowest ...”")
        words = texts.get(node) or quote_texts.get(node)
        if words and not (own.get(node) or names.get(node)):
            words = " ".join(words.split())
            return "“" + (words[:60] + "…" if len(words) > 60 else words) + "”"
        short = compact(node)
        return own.get(node) or names.get(node) or (short if short != node else fallback_label(node))

    for s, o, rel in sorted(edges):
        for node in (s, o):
            if node not in graph:
                graph.add_node(node, label=name(node), kind=node_kind(node, types.get(node)))
        graph.add_edge(s, o, source=s, relation=rel)
    return graph
