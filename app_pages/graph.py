"""Graph: networks of case studies, mechanisms and processes, with network analytics. Rendering only.

The graphs and measures come from :mod:`kg.analytics`, the drawing from :mod:`kg.viz`; this page
picks the view, keeps the choice in the URL (``view``, ``case``, ``level``, ``process``, ``cap``)
and shows labels only (IRIs go into the downloads).
"""

from __future__ import annotations

import streamlit as st

from app_pages.common import download_buttons, failed, frame, get_explorer, link, url_choice
from kg import analytics, viz
from kg.errors import IckgError
from kg.namespaces import CASE, concept

VIEWS = {
    "cases-mechanisms": "Case studies ↔ mechanisms",
    "mechanisms-processes": "Mechanisms ↔ processes",
    "neighbourhood": "Neighbourhood of a case study",
}
CAP_MIN, CAP_MAX, CAP_STEP = 5, 500, 5
HEIGHT = 620


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


@st.cache_data(show_spinner="Laying out the network ...", max_entries=32)
def _view(release: str, view: str, case: str, level: str, process: str, cap: int) -> dict:
    """The drawn view and its exports (cached per release and choice)."""
    ex = get_explorer()
    if view == "neighbourhood":
        graph = analytics.neighbourhood_graph(ex, str(CASE[case]))
    elif view == "mechanisms-processes":
        graph = analytics.mechanism_process_graph(ex, level=level and str(concept("level", level)),
                                                  process=process and str(concept("process", process)))
    else:
        graph = analytics.case_mechanism_graph(ex, level=level and str(concept("level", level)),
                                               process=process and str(concept("process", process)))
    html, info = viz.network_html(graph, cap=cap, height=HEIGHT)
    return {"html": html, "info": info, "edges": analytics.edge_rows(graph),
            "graphml": analytics.graphml_bytes(graph), "filter": graph.graph.get("filter", "")}


def _cap() -> int:
    """The node cap slider, kept in the URL parameter ``cap`` (the default is left out)."""
    key = "url_cap"
    if key not in st.session_state:
        try:
            wanted = int(st.query_params.get("cap", viz.DEFAULT_CAP))
        except ValueError:
            wanted = viz.DEFAULT_CAP
        wanted = min(CAP_MAX, max(CAP_MIN, wanted))
        st.session_state[key] = wanted - (wanted - CAP_MIN) % CAP_STEP

    def sync() -> None:
        value = st.session_state[key]
        if value == viz.DEFAULT_CAP:
            st.query_params.pop("cap", None)
        else:
            st.query_params["cap"] = str(value)

    return st.slider("Most nodes to draw", CAP_MIN, CAP_MAX, step=CAP_STEP, key=key, on_change=sync,
                     help="Larger networks are cut to the best-connected nodes (for a neighbourhood: "
                          "the nodes closest to the case study); the page says when that happens.")


def _graph_section(ex, view: str, case: str, level: str, process: str, cap: int) -> None:
    try:
        drawn = _view(ex.release_id, view, case, level, process, cap)
    except IckgError as exc:
        failed(exc, "the network")
        return
    info = drawn["info"]
    what = VIEWS[view] + (f" ({drawn['filter']})" if drawn["filter"] else "")
    try:
        st.iframe(viz.iframe_src(drawn["html"]), height=info["height"], alt=f"Network: {what}")
    except ValueError as exc:  # too large for a data: URL
        st.warning(str(exc))
    text = f"{info['message']} {info['edges_shown']:,} of {info['edges_total']:,} links drawn."
    if info["capped"]:
        st.warning(text, icon=":material/filter_alt:")
    else:
        st.caption(text)
    st.caption("Drag to pan, scroll to zoom, hover over a node for its name and kind. "
               "Positions are computed once, so the same view always looks the same.")

    name = f"ickg-{view}" + (f"-{case}" if view == "neighbourhood" else "") + f"-{ex.release_id}"
    st.subheader("Download this network")
    st.caption(f"The downloads hold the whole network ({info['total']:,} nodes, {info['edges_total']:,} links), "
               "not only the drawn part, with IRIs, labels, kinds and the data release.")
    c1, c2, c3 = st.columns([1, 1, 2])
    c1.download_button("GraphML", data=drawn["graphml"], file_name=f"{name}.graphml",
                       mime="application/graphml+xml", icon=":material/download:", on_click="ignore",
                       key="dl_graphml", help="Nodes (IRI, label, kind) and links, with the release as a graph attribute.")
    c2.download_button("Offline HTML", data=drawn["html"].encode("utf-8"), file_name=f"{name}.html",
                       mime="text/html", icon=":material/download:", on_click="ignore", key="dl_html",
                       help="The interactive drawing as one file that works without a network connection.")
    with c3:
        download_buttons(f"{name}-edges", analytics.EDGE_COLUMNS, drawn["edges"],
                         {"view": what, "node cap (drawing only)": cap}, key="dl_edges")


def _analytics_section(ex, case: str, case_label: str) -> None:
    shared, central, similar = st.tabs(["Most shared mechanisms", "Centrality of mechanisms",
                                        "Similar case studies"])
    with shared:
        st.caption("Mechanisms ranked by the number of case studies that use them; share = of the "
                   "case studies that use any mechanism.")
        try:
            rows = analytics.shared_mechanisms(ex)
        except IckgError as exc:
            failed(exc, "the most shared mechanisms")
        else:
            st.dataframe([{"Mechanism": r["label"], "Case studies": r["case_studies"], "Share": r["share"],
                           "Processes": "; ".join(r["processes"]), "Used by": "; ".join(r["used_by"])}
                          for r in rows], hide_index=True, width="stretch",
                         column_config={"Share": st.column_config.NumberColumn(format="percent")})
    with central:
        st.caption("In the bipartite network of case studies and mechanisms: degree centrality is the "
                   "share of case studies using a mechanism; betweenness (bipartite-normalised) is how "
                   "often it lies on the shortest paths between the others, so a high value marks a "
                   "mechanism that links case studies which otherwise share little.")
        try:
            rows = analytics.mechanism_centrality(ex)
        except IckgError as exc:
            failed(exc, "the centrality of mechanisms")
        else:
            st.dataframe([{"Rank": r["rank"], "Mechanism": r["label"], "Case studies": r["case_studies"],
                           "Degree centrality": round(r["degree_centrality"], 4),
                           "Betweenness": round(r["betweenness"], 4)} for r in rows],
                         hide_index=True, width="stretch")
    with similar:
        st.text(f"Case studies most like: {case_label}")
        st.caption("Similarity is the Jaccard index of the two case studies' sets of mechanisms and "
                   "integrative processes, as the sources assert them: shared items / all items of "
                   "either. Ties are broken by name; case studies sharing nothing are left out.")
        try:
            rows = analytics.similar_cases(ex, str(CASE[case]), k=15)
        except IckgError as exc:
            failed(exc, "the similar case studies")
        else:
            if not rows:
                st.info("No other case study shares a mechanism or process with this one.")
            st.dataframe([{"Case study": r["label"], "Similarity": round(r["score"], 3),
                           "Shared mechanisms": "; ".join(r["shared_mechanisms"]),
                           "Shared processes": "; ".join(r["shared_processes"]),
                           "Only in the chosen case study": "; ".join(r["only_chosen"]),
                           "Only in this one": "; ".join(r["only_other"])} for r in rows],
                         hide_index=True, width="stretch")
        link("cases", "Open the chosen case study", {"case": case}, icon=":material/apartment:")


def render(ex) -> None:
    """The whole page for one explorer."""
    try:
        cases = analytics.case_studies(ex)
        options = analytics.filter_options(ex)
    except IckgError as exc:
        failed(exc, "the case studies and filters")
        return
    if not cases:
        st.info("The graph holds no case studies.")
        return
    case_labels = {_local(c["case"]): c["label"] for c in cases}
    level_labels = {_local(o["iri"]): o["label"] for o in options["level"]}
    process_labels = {_local(o["iri"]): o["label"] for o in options["process"]}

    top = st.columns([5, 3])
    view = url_choice("View", list(VIEWS), "view", "cases-mechanisms", format_func=VIEWS.get,
                      container=top[0])
    default_case = "torbay-care-trust" if "torbay-care-trust" in case_labels else next(iter(case_labels))
    case = url_choice("Case study (neighbourhood and similar case studies)", list(case_labels), "case",
                      default_case, format_func=case_labels.get, widget="selectbox", container=top[1])
    row = st.columns([2, 2, 2])
    any_level = {"": "Any level", **level_labels}
    any_process = {"": "Any process", **process_labels}
    filters_off = view == "neighbourhood"
    level = url_choice("Filter by level", list(any_level), "level", "", format_func=any_level.get,
                       widget="selectbox", container=row[0], disabled=filters_off,
                       help="Keep only case studies a source places at this level (and what they use).")
    process = url_choice("Filter by integrative process", list(any_process), "process", "",
                         format_func=any_process.get, widget="selectbox", container=row[1],
                         disabled=filters_off, help="Keep only mechanisms under this process.")
    with row[2]:
        cap = _cap()
    if filters_off:
        level = process = ""

    _graph_section(ex, view, case, level, process, cap)
    st.divider()
    st.header("Network analytics")
    _analytics_section(ex, case, case_labels[case])


explorer = frame("Graph")
if explorer is not None:
    render(explorer)
