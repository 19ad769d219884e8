"""Counts by class and by concept, computed with named queries on an in-process store."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Graph


def local_store(graph: Graph | bytes):
    """An in-process Oxigraph store of a graph (or its N-Triples), for the package's own trusted queries."""
    import pyoxigraph

    if not isinstance(graph, bytes):
        from kg.export import to_ntriples

        graph = to_ntriples(graph).encode("utf-8")
    store = pyoxigraph.Store()
    store.bulk_load(graph, pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def _run(store, name: str) -> list[dict]:
    from kg import queries
    from kg.store import run_on_oxigraph

    q = queries.internal(name)
    res = run_on_oxigraph(store, q.text, {}, 1_000_000)
    return [{c: (None if v is None else v.value) for c, v in zip(res["columns"], row)} for row in res["rows"]]


def compute(graph: Graph | bytes) -> dict:
    """Counts by class, by classifying concept, the numbered case studies and the triple count.

    ``graph`` is an rdflib graph or its N-Triples (what :func:`kg.cache.validated_graph` gives).
    """
    store = local_store(graph)
    classes = {r["class"].rsplit("#", 1)[-1]: int(r["n"]) for r in _run(store, "stats_classes")}
    by_concept: dict[str, list] = defaultdict(list)
    for r in _run(store, "stats_concepts"):
        by_concept[r["property"].rsplit("#", 1)[-1]].append({"concept": r["concept"], "label": r["label"], "n": int(r["n"])})
    numbered = [{"number": int(r["number"]), "case": r["case"], "label": r["label"]} for r in _run(store, "case_numbers")]
    return {"triples": len(store), "classes": classes, "by_concept": dict(by_concept), "numbered_case_studies": numbered}


def render(data: dict) -> str:
    """Plain-text report."""
    lines = [f"release {data.get('release', '')}: {data['triples']:,} triples", "", "by class:"]
    for k, v in sorted(data["classes"].items()):
        lines.append(f"  {k:<22} {v:>6}")
    lines.append("")
    lines.append(f"numbered case studies ({len(data['numbered_case_studies'])} of 18):")
    for c in data["numbered_case_studies"]:
        lines.append(f"  {c['number']:>2}. {c['label']}")
    for prop, rows in data["by_concept"].items():
        lines.append("")
        lines.append(f"by {prop}:")
        for r in rows:
            lines.append(f"  {r['label']:<48} {r['n']:>5}")
    return "\n".join(lines) + "\n"
