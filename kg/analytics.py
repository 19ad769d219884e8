"""Network analytics on declared projections of the knowledge graph.

Every graph here is built from one named query (``kg/queries/_projection_<name>.rq``) that
returns ``?src ?dst ?srcLabel ?dstLabel`` (optionally ``?srcType ?dstType``). So what a node
*is*, and which relation links two nodes, is decided in a reviewed ``.rq`` file, and the same
code runs on the embedded store and on a remote endpoint. Nodes are identified by IRI; the label
is an attribute (two resources with the same label stay two nodes), and each node carries a
``kind`` (``case``, ``mechanism``, ``process``, ``domain``, ``statement``, ``concept``) read
from its class or, failing that, from its IRI namespace (the IRIs are a public, stable contract;
see the README).

The measures, all deterministic (ties broken by label, then IRI):

* :func:`shared_mechanisms` ranks mechanisms by the number of case studies that use them.
* :func:`mechanism_centrality` gives, in the bipartite case-study--mechanism graph, each
  mechanism's *bipartite degree centrality* (the share of case studies that use it) and
  *bipartite betweenness centrality* (how often it lies on shortest paths between case studies
  and other mechanisms, normalised by the bipartite maximum; ``networkx.algorithms.bipartite``).
  High betweenness marks a mechanism that links case studies that otherwise share little.
* :func:`similar_cases` ranks case studies by the Jaccard index of their sets of mechanisms and
  integrative processes (``ic:usesMechanism`` and ``ic:usesProcess`` as the sources assert
  them; a process counts as one item, like a mechanism) and gives the shared and differing
  items as reasons.

Results are plain lists of dicts (labels and IRIs as strings, numbers as ``int``/``float``), for
the app, the design assistant and JSON alike.

What this module deliberately does not do: convert the whole RDF graph to networkx
(``rdflib_to_networkx``: it mixes quotes, selectors and classes into one hairball and offers no
labels), use labels as node ids, hold SPARQL text, or make HTML (that is :mod:`kg.viz`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import networkx as nx
from networkx.algorithms import bipartite

from kg import queries
from kg.errors import IckgError
from kg.namespaces import BASE, CASE, IC, MECHANISM, STATEMENT

#: Node kinds, in legend order, with their display names.
KINDS: dict[str, str] = {
    "case": "Case study",
    "mechanism": "Mechanism",
    "process": "Integrative process",
    "domain": "Outcome domain",
    "statement": "Evidence statement",
    "concept": "Concept",
    "other": "Other",
}

_KIND_BY_CLASS = {str(IC.CaseStudy): "case", str(IC.Mechanism): "mechanism",
                  str(IC.EvidenceStatement): "statement"}
_KIND_BY_NAMESPACE = (
    (str(CASE), "case"),
    (str(MECHANISM), "mechanism"),
    (BASE + "concept/process/", "process"),
    (BASE + "concept/domain/", "domain"),
    (str(STATEMENT), "statement"),
    (BASE + "concept/", "concept"),
    (BASE + "scheme/", "concept"),
)

# Views of the network page: the projection each is drawn from.
CASE_MECHANISM = "case_mechanism"
CASE_PROCESS = "case_process"
MECHANISM_PROCESS = "mechanism_process"
CASE_LEVEL = "case_level"


def node_kind(iri: str, type_iri: str | None = None) -> str:
    """The kind of a node: from its class if it is a known one, else from its IRI namespace."""
    if type_iri and type_iri in _KIND_BY_CLASS:
        return _KIND_BY_CLASS[type_iri]
    for namespace, kind in _KIND_BY_NAMESPACE:
        if iri.startswith(namespace):
            return kind
    return "other"


def fallback_label(iri: str) -> str:
    """A readable name for a node that has no label: its local name, de-hyphenated."""
    local = iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    text = local.replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else iri


def _sort_key(label: str, iri: str) -> tuple[str, str]:
    return (label.casefold(), iri)


def build_projection(explorer, name: str, **params: str) -> nx.Graph:
    """Build an undirected graph from the named projection ``_projection_<name>``.

    Nodes are IRIs with ``label`` and ``kind`` attributes. Each edge keeps the IRI of its
    ``?src`` end as ``source`` (the graph is undirected for the analytics, exports keep the
    query's direction) and a ``relation`` attribute when the query returns ``?rel``. The graph carries
    ``projection`` and ``release`` attributes.

    Args:
        explorer: a :class:`kg.service.Explorer`.
        name: the projection, e.g. ``case_mechanism`` (``_projection_case_mechanism.rq``).
        params: the query's parameters, if it has any.

    Raises:
        IckgError: when the query is unknown or its answer was cut at the row or time limit
            (an analysis of part of a graph would silently be wrong).
    """
    name = name.removeprefix("_").removeprefix("projection_")
    result = explorer.named(f"_projection_{name}", **params)
    if result.kind != "select" or not {"src", "dst"} <= set(result.columns):
        raise IckgError(f"projection {name!r} must be a SELECT returning ?src ?dst ?srcLabel ?dstLabel")
    if result.truncated or result.timed_out:
        raise IckgError(f"projection {name!r} was cut short ({result.status}); raise the max_rows "
                        f"or query_time_limit_ms setting to analyse the whole graph")
    graph = nx.Graph(projection=name, release=explorer.release_id)
    for row in result.values():
        src, dst = row["src"], row["dst"]
        if not src or not dst:
            continue
        for node, label, typ in ((src, row.get("srcLabel"), row.get("srcType")),
                                 (dst, row.get("dstLabel"), row.get("dstType"))):
            if node not in graph:
                graph.add_node(node, label=label or fallback_label(node), kind=node_kind(node, typ))
        graph.add_edge(src, dst, source=src, **({"relation": row["rel"]} if row.get("rel") else {}))
    return graph


def _nodes_of(graph: nx.Graph, kind: str) -> list[str]:
    return [n for n, k in graph.nodes(data="kind") if k == kind]


def _label(graph: nx.Graph, node: str) -> str:
    return graph.nodes[node]["label"]


def _labels(graph: nx.Graph, nodes: Iterable[str]) -> list[str]:
    return sorted((_label(graph, n) for n in nodes), key=str.casefold)


# ------------------------------------------------------------------------ views


def cases_at_level(explorer, level: str) -> set[str]:
    """IRIs of the case studies a source places at a level (IRI or ``level:meso``)."""
    level = queries.expand(level)
    graph = build_projection(explorer, CASE_LEVEL)
    return set(graph.neighbors(level)) if level in graph else set()


def mechanisms_under(explorer, process: str) -> set[str]:
    """IRIs of the mechanisms under an integrative process (IRI or ``process:financial``)."""
    process = queries.expand(process)
    graph = build_projection(explorer, MECHANISM_PROCESS)
    return set(graph.neighbors(process)) if process in graph else set()


def _describe(explorer, level: str | None, process: str | None) -> str:
    parts = []
    if level:
        graph = build_projection(explorer, CASE_LEVEL)
        iri = queries.expand(level)
        parts.append("case studies at " + (_label(graph, iri) if iri in graph else fallback_label(iri)))
    if process:
        graph = build_projection(explorer, MECHANISM_PROCESS)
        iri = queries.expand(process)
        parts.append("mechanisms under " + (_label(graph, iri) if iri in graph else fallback_label(iri)))
    return "; ".join(parts)


def case_mechanism_graph(explorer, *, level: str | None = None, process: str | None = None) -> nx.Graph:
    """Case studies and the mechanisms they use, optionally filtered.

    Args:
        level: keep only case studies at this level of aggregation (``level:meso``).
        process: keep only mechanisms under this integrative process (``process:financial``).
    """
    graph = build_projection(explorer, CASE_MECHANISM)
    keep = set(graph)
    if level:
        cases = cases_at_level(explorer, level)
        keep -= {n for n in _nodes_of(graph, "case") if n not in cases}
    if process:
        mechanisms = mechanisms_under(explorer, process)
        keep -= {n for n in _nodes_of(graph, "mechanism") if n not in mechanisms}
    sub = graph.subgraph(keep)
    out = nx.Graph(sub.subgraph([n for n in sub if sub.degree(n) > 0]))
    out.graph["filter"] = _describe(explorer, level, process)
    return out


def mechanism_process_graph(explorer, *, level: str | None = None, process: str | None = None) -> nx.Graph:
    """Mechanisms and the integrative processes they fall under, optionally filtered.

    Args:
        level: keep only mechanisms used by case studies at this level.
        process: keep only the mechanisms under this process (with all their processes).
    """
    graph = build_projection(explorer, MECHANISM_PROCESS)
    mechanisms = set(_nodes_of(graph, "mechanism"))
    if level:
        cases = cases_at_level(explorer, level)
        uses = build_projection(explorer, CASE_MECHANISM)
        mechanisms &= {m for c in cases if c in uses for m in uses.neighbors(c)}
    if process:
        mechanisms &= mechanisms_under(explorer, process)
    keep = mechanisms | {p for m in mechanisms for p in graph.neighbors(m)}
    out = nx.Graph(graph.subgraph(keep))
    out.graph["filter"] = _describe(explorer, level, process)
    return out


def neighbourhood_graph(explorer, case_iri: str) -> nx.Graph:
    """One case study with its mechanisms, their processes, its classifications and statements.

    Built from the gallery query ``case-neighbourhood`` (a CONSTRUCT, the same graph a
    researcher downloads as Turtle). Edges carry the predicate's local name as ``relation``;
    a statement's effect direction becomes its ``direction`` attribute rather than a node.
    The graph's ``focus`` attribute is the case study.

    Raises:
        IckgError: when the release holds nothing about the case study (unknown IRI).
    """
    case_iri = queries.expand(case_iri)
    result = explorer.named("case-neighbourhood", case=case_iri)
    if result.truncated or result.timed_out:
        raise IckgError(f"the neighbourhood of {case_iri} was cut short ({result.status})")
    if not result.triples:
        raise IckgError(f"no case study {case_iri} in release {explorer.release_id}")
    labels: dict[str, str] = {}
    directions: dict[str, str] = {}
    edges: list[tuple[str, str, str]] = []
    for s, p, o in result.triples:
        if p.value == "http://www.w3.org/2000/01/rdf-schema#label":
            labels.setdefault(s.value, o.value)
        elif p.value == str(IC.effectDirection):
            directions[s.value] = fallback_label(o.value).lower()
        elif o.type == "uri":
            edges.append((s.value, o.value, p.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]))
    graph = nx.Graph(projection="case-neighbourhood", release=explorer.release_id, focus=case_iri)
    graph.add_node(case_iri, label=labels.get(case_iri) or fallback_label(case_iri), kind="case")
    for s, o, rel in sorted(edges):
        for node in (s, o):
            if node not in graph:
                graph.add_node(node, label=labels.get(node) or fallback_label(node), kind=node_kind(node))
                if node in directions:
                    graph.nodes[node]["direction"] = directions[node]
        graph.add_edge(s, o, source=s, relation=rel)
    return graph


# -------------------------------------------------------------------- analytics


def shared_mechanisms(explorer, limit: int | None = None) -> list[dict]:
    """Mechanisms ranked by how many case studies use them (ties by label).

    Returns:
        Dicts with ``mechanism`` (IRI), ``label``, ``case_studies`` (count), ``share`` (of the
        case studies that use any mechanism), ``processes`` and ``used_by`` (sorted labels).
    """
    graph = build_projection(explorer, CASE_MECHANISM)
    hierarchy = build_projection(explorer, MECHANISM_PROCESS)
    n_cases = len(_nodes_of(graph, "case")) or 1
    rows = []
    for m in _nodes_of(graph, "mechanism"):
        rows.append({
            "mechanism": m,
            "label": _label(graph, m),
            "case_studies": graph.degree(m),
            "share": graph.degree(m) / n_cases,
            "processes": _labels(hierarchy, hierarchy.neighbors(m)) if m in hierarchy else [],
            "used_by": _labels(graph, graph.neighbors(m)),
        })
    rows.sort(key=lambda r: (-r["case_studies"], *_sort_key(r["label"], r["mechanism"])))
    return rows[:limit] if limit is not None else rows


def mechanism_centrality(explorer) -> list[dict]:
    """Degree and betweenness centrality of mechanisms in the case-study--mechanism graph.

    Both are the bipartite versions (``networkx.algorithms.bipartite``), normalised within the
    mechanism side: degree centrality = case studies using the mechanism / all case studies in
    the graph. Ranked by betweenness, then degree, then label.

    Returns:
        Dicts with ``rank``, ``mechanism`` (IRI), ``label``, ``case_studies``,
        ``degree_centrality`` and ``betweenness``.
    """
    graph = build_projection(explorer, CASE_MECHANISM)
    cases = _nodes_of(graph, "case")
    if not cases:
        return []
    degree = bipartite.degree_centrality(graph, cases)
    between = bipartite.betweenness_centrality(graph, cases)
    rows = [{"mechanism": m, "label": _label(graph, m), "case_studies": graph.degree(m),
             "degree_centrality": degree[m], "betweenness": between[m]}
            for m in _nodes_of(graph, "mechanism")]
    rows.sort(key=lambda r: (-round(r["betweenness"], 12), -r["case_studies"],
                             *_sort_key(r["label"], r["mechanism"])))
    return [{"rank": i, **r} for i, r in enumerate(rows, 1)]


def case_features(explorer) -> dict[str, dict[str, tuple[str, str]]]:
    """Each case study's mechanisms and processes: case IRI -> {item IRI: (label, kind)}."""
    features: dict[str, dict[str, tuple[str, str]]] = {}
    for name in (CASE_MECHANISM, CASE_PROCESS):
        graph = build_projection(explorer, name)
        for case in _nodes_of(graph, "case"):
            items = features.setdefault(case, {})
            for item in graph.neighbors(case):
                items[item] = (_label(graph, item), graph.nodes[item]["kind"])
    return features


def jaccard(a: set, b: set) -> float:
    """|a ∩ b| / |a ∪ b|; 0.0 for two empty sets."""
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def similar_cases(explorer, case_iri: str, k: int | None = 10) -> list[dict]:
    """Case studies most similar to one case study, by shared mechanisms and processes.

    Similarity is the Jaccard index of the two sets of mechanisms and integrative processes
    (as the sources assert them). Case studies sharing nothing are left out. Ranked by
    score, then label, then IRI, so the order is stable across runs and backends.

    Args:
        case_iri: the chosen case study (IRI or ``case:pace``).
        k: how many to return (``None`` for all with a score above zero).

    Returns:
        Dicts with ``case`` (IRI), ``label``, ``score``, ``shared`` and ``union`` (counts),
        ``shared_mechanisms``, ``shared_processes``, ``only_chosen`` and ``only_other`` (sorted
        labels) and a one-line ``reason``.

    Raises:
        IckgError: when the release has no such case study.
    """
    case_iri = queries.expand(case_iri)
    labels = {r["case"]: r["label"] for r in case_studies(explorer)}
    if case_iri not in labels:
        raise IckgError(f"no case study {case_iri} in release {explorer.release_id}")
    features = case_features(explorer)
    mine = features.get(case_iri, {})
    rows = []
    for other, theirs in features.items():
        if other == case_iri:
            continue
        shared = mine.keys() & theirs.keys()
        if not shared:
            continue
        union = mine.keys() | theirs.keys()
        items = {**theirs, **mine}

        def names(keys: Iterable[str], kind: str | None = None) -> list[str]:
            return sorted((items[i][0] for i in keys if kind is None or items[i][1] == kind), key=str.casefold)

        shared_m, shared_p = names(shared, "mechanism"), names(shared, "process")
        rows.append({
            "case": other,
            "label": labels.get(other) or fallback_label(other),
            "score": len(shared) / len(union),
            "shared": len(shared),
            "union": len(union),
            "shared_mechanisms": shared_m,
            "shared_processes": shared_p,
            "only_chosen": names(mine.keys() - theirs.keys()),
            "only_other": names(theirs.keys() - mine.keys()),
            "reason": f"shares {len(shared)} of {len(union)} mechanisms and processes: "
                      + ", ".join(shared_m + shared_p),
        })
    rows.sort(key=lambda r: (-r["score"], *_sort_key(r["label"], r["case"])))
    return rows[:k] if k is not None else rows


def case_studies(explorer) -> list[dict]:
    """Every case study as ``{"case": IRI, "label": ...}``, by label."""
    rows = [{"case": r["case"], "label": r["label"] or fallback_label(r["case"])}
            for r in explorer.rows("case-studies")]
    return sorted(rows, key=lambda r: _sort_key(r["label"], r["case"]))


def filter_options(explorer) -> dict[str, list[dict]]:
    """The values of the network filters: levels (that case studies are placed at) and
    processes (that mechanisms fall under), each as ``{"iri": ..., "label": ...}`` by label."""
    out = {}
    for key, name in (("level", CASE_LEVEL), ("process", MECHANISM_PROCESS)):
        graph = build_projection(explorer, name)
        nodes = [n for n, kind in graph.nodes(data="kind") if kind not in ("case", "mechanism")]
        out[key] = sorted(({"iri": n, "label": _label(graph, n)} for n in nodes),
                          key=lambda r: _sort_key(r["label"], r["iri"]))
    return out


# ---------------------------------------------------------------------- exports

EDGE_COLUMNS = ("source", "source_label", "source_kind", "target", "target_label", "target_kind",
                "relation", "release")


def edge_rows(graph: nx.Graph) -> list[dict]:
    """The graph's edges in the projection's direction, with IRIs, labels, kinds and the release."""
    release = str(graph.graph.get("release", ""))
    edges = [(t, s, d) if d.get("source") == t else (s, t, d) for s, t, d in graph.edges(data=True)]
    return [{"source": s, "source_label": _label(graph, s), "source_kind": graph.nodes[s]["kind"],
             "target": t, "target_label": _label(graph, t), "target_kind": graph.nodes[t]["kind"],
             "relation": data.get("relation", ""), "release": release}
            for s, t, data in sorted(edges, key=lambda e: (e[0], e[1]))]


def edges_csv(graph: nx.Graph) -> str:
    """:func:`edge_rows` as CSV; every row carries the release."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=EDGE_COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(edge_rows(graph))
    return buf.getvalue()


def graphml_bytes(graph: nx.Graph) -> bytes:
    """GraphML (UTF-8) with node labels and kinds, and the release as a graph attribute."""
    out = nx.Graph()
    out.graph.update({k: str(v) for k, v in graph.graph.items() if v is not None})
    for n, data in graph.nodes(data=True):
        out.add_node(n, **{k: str(v) for k, v in data.items() if v is not None})
    for s, t, data in graph.edges(data=True):
        out.add_edge(s, t, **{k: str(v) for k, v in data.items() if v is not None})
    buf = io.BytesIO()
    nx.write_graphml(out, buf, encoding="utf-8")
    return buf.getvalue()
