"""Data of the resource page (``app_pages/resource.py``): any IRI of the graph as a linked-data page.

Every IRI gets a page: its label, its types, every property with its value (labels for both,
literals with their language or datatype), the resources that link to it, and the quotes behind
it (its own ``ic:supportedBy`` quotes and those of the assertions made about it). Tables
elsewhere link their IRIs here. What this module does not do: decide which page of the app
suits a kind of resource best (the page offers that link), or render anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg import queries
from kg.views.common import compact, label, memo, quote_info, whole_rows

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: Properties whose values are the resource's own names, shown as its label and alternative labels.
NAME_PROPS = ("http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label")


@dataclass(frozen=True)
class Value:
    """A property value: an IRI (with its label) or a literal (with its language or datatype)."""

    text: str
    iri: str = ""
    note: str = ""  # language tag or compact datatype of a literal


@dataclass
class Resource:
    """Everything the graph says about one IRI."""

    iri: str
    label: str
    types: list[Value]
    properties: list[tuple[str, str, list[Value]]]  # (property IRI, its label, values)
    incoming: list[tuple[str, str, list[Value]]]  # (property IRI, its label, subjects)
    quotes: list[Any] = field(default_factory=list)  # QuoteInfo
    truncated: bool = False

    @property
    def known(self) -> bool:
        """Whether the graph holds anything about the IRI."""
        return bool(self.types or self.properties or self.incoming)


def resolve(ref: str | None) -> str | None:
    """An IRI from a full IRI or a prefixed name (``case:pace``, ``domain:hospital-use``); None if neither."""
    if not ref or not ref.strip():
        return None
    ref = ref.strip()
    if "://" in ref:
        return ref
    try:
        return queries.expand(ref)
    except Exception:  # noqa: BLE001 - an unknown prefix is "no such resource", said by the page
        return None


def name(explorer: Any, iri: str) -> str:
    """A resource's label; a quote, which has none, is named by its own words."""
    text = label(explorer, iri)
    if text == compact(iri):
        words = memo(explorer, "quote_texts", lambda: {r["quote"]: r["text"] for r in
                                                       whole_rows(explorer, "_quote_texts")}).get(iri)
        if words:
            words = " ".join(words.split())
            return "“" + (words[:80] + "…" if len(words) > 80 else words) + "”"
    return text


def _value(explorer: Any, term: Any) -> Value:
    if term.type == "uri":
        return Value(name(explorer, term.value), term.value)
    if term.type == "bnode":
        return Value(f"_:{term.value}")
    note = term.lang or (compact(term.datatype) if term.datatype and not term.datatype.endswith("#string") else "")
    return Value(term.value, "", note)


def resource(explorer: Any, ref: str) -> Resource | None:
    """The page of an IRI (full or prefixed); None when the reference is not an IRI."""
    iri = resolve(ref)
    if iri is None:
        return None
    out = explorer.named("_resource_out", iri=iri)
    inc = explorer.named("_resource_in", iri=iri)
    props: dict[str, list[Value]] = {}
    types: list[Value] = []
    for _, p, o in out.rows:
        if p.value == RDF_TYPE:
            types.append(_value(explorer, o))
        else:
            props.setdefault(p.value, []).append(_value(explorer, o))
    incoming: dict[str, list[Value]] = {}
    for _, s, p in inc.rows:
        incoming.setdefault(p.value, []).append(_value(explorer, s))
    quotes = []
    seen = set()
    for r in explorer.named("_resource_quotes", iri=iri).values():
        if r["quote"] not in seen:
            seen.add(r["quote"])
            quotes.append(quote_info(explorer, r))

    def ordered(d: dict[str, list[Value]]) -> list[tuple[str, str, list[Value]]]:
        names = [p for p in NAME_PROPS if p in d]
        rest = sorted((p for p in d if p not in NAME_PROPS), key=lambda p: label(explorer, p).lower())
        return [(p, label(explorer, p), sorted(d[p], key=lambda v: (v.text.lower(), v.iri))) for p in names + rest]

    return Resource(iri=iri, label=name(explorer, iri), types=sorted(types, key=lambda v: v.text.lower()),
                    properties=ordered(props), incoming=ordered(incoming), quotes=quotes,
                    truncated=out.truncated or inc.truncated)


def app_page(iri: str) -> tuple[str, dict[str, str]] | None:
    """The app page that shows a kind of resource best, with its URL parameters (a case study's page, ...)."""
    from kg.namespaces import FIXED_PREFIXES

    for prefix, page, param in (("case", "cases", "case"),):
        ns = FIXED_PREFIXES[prefix]
        if iri.startswith(ns) and "/" not in iri[len(ns):]:
            return page, {param: iri[len(ns):]}
    base = "https://w3id.org/ickg/concept/"
    if iri.startswith(base):
        scheme, _, concept = iri[len(base):].partition("/")
        if concept and "/" not in concept:
            return "ontology", {"scheme": scheme, "concept": concept}
    return None


def link_params(iri: str) -> dict[str, str]:
    """URL parameters of the resource page of an IRI (its compact form where there is one)."""
    return {"iri": compact(iri)}
