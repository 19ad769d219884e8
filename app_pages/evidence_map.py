"""Evidence map: integrative processes (or mechanisms) by outcome domain, in the manner of Campbell and 3ie maps.

Each cell shows how many findings there are, as bubbles coloured by direction; the cell's
shade is its strongest evidence basis; empty cells are gaps. Clicking a cell (or choosing it
below the map) lists its findings with their quotes; the cell lives in the URL (``?cell=``).
"""

import altair as alt
import pandas as pd
import streamlit as st

from app_pages.common import (DIRECTION_COLOURS, direction_badge, download_buttons, failed, frame, md, quote_button,
                              release_footer, set_params, url_choice, url_multiselect, url_toggle)
from kg.errors import IckgError
from kg.views import common, evidence_map

#: Strength tiers of the evidence basis (the basis scheme's notation), for the cell shading.
TIERS = [(3, "Trial, review or quasi-experiment"), (6, "Before-after, observational or evaluation"),
         (9, "Literature review, survey or qualitative"), (99, "Modelling, opinion, not stated or uncited")]
TIER_COLOURS = ["#08519c", "#4292c6", "#9ecae1", "#deebf7"]


def tier(rank: int | None) -> str:
    if rank is None:
        return "No findings (gap)"
    return next(name for top, name in TIERS if rank <= top)


ex = frame("Evidence map")
st.markdown("Rows are integrative processes (or mechanisms), columns are outcome domains. Each bubble counts the "
            "findings of one direction in the cell; the shade of the cell is the strongest evidence basis among "
            "them; blank cells are **gaps**. Click a cell to read its findings and their quotes.")

if ex is not None:
    try:
        c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
        axis = url_choice("Rows", ["process", "mechanism"], "rows", "process", container=c1,
                          format_func=lambda v: {"process": "Integrative processes", "mechanism": "Mechanisms"}[v])
        include_cases = url_toggle("Count findings about a case study under every process and mechanism it uses",
                                   "cases", True, container=c2,
                                   help="Off: only findings about a mechanism or a process itself.")
        filters = {}
        cols = st.columns(len(evidence_map.MAP_FILTERS))
        for col, f in zip(cols, evidence_map.MAP_FILTERS):
            values = evidence_map.map_filter_values(ex, f.key)
            names = dict(values)
            filters[f.key] = url_multiselect(f.label, [v for v, _ in values], f.key, container=col, help=f.help,
                                             format_func=lambda v, n=names: n.get(v, common.compact(v)),
                                             placeholder="any")
        emap = evidence_map.evidence_map(ex, axis, filters, include_cases)
    except IckgError as exc:
        failed(exc, "the evidence map")
        st.stop()

    row_names, col_names = dict(emap.rows), dict(emap.cols)
    selected_key = st.query_params.get("cell")
    selected = evidence_map.parse_cell_key(emap, selected_key)
    n_cells = len(emap.rows) * len(emap.cols)
    st.caption(f"{emap.total} findings on the map · {n_cells - emap.gaps} of {n_cells} cells hold evidence, "
               f"{emap.gaps} are gaps" + (" · filtered" if any(filters.values()) else ""))
    if any(filters.get(k) for k in ("level", "form", "country")):
        st.caption("Level, form and country keep findings about case studies so classified; findings about a "
                   "mechanism alone have no level, form or country and drop out.")

    # the grid (every cell, gaps included) and the bubbles (one per direction present in a cell)
    grid, bubbles = [], []
    for r, rl in emap.rows:
        for c, cl in emap.cols:
            cell = emap.cell(r, c)
            key = evidence_map.cell_key(r, c)
            grid.append({"row": rl, "col": cl, "key": key, "findings": cell.count, "tier": tier(cell.strongest_rank),
                         "strongest": cell.strongest_basis or "none",
                         "directions": ", ".join(f"{common.label_of_direction(d)} {n}"
                                                 for d, n in cell.directions.items()) or "gap",
                         "selected": key == selected_key})
            for d, n in cell.directions.items():
                bubbles.append({"row": rl, "col": cl, "key": key, "direction": common.label_of_direction(d),
                                "n": n, "findings": cell.count, "strongest": cell.strongest_basis})
    gdf, bdf = pd.DataFrame(grid), pd.DataFrame(bubbles)
    y = alt.Y("row:N", sort=[rl for _, rl in emap.rows], title=None, axis=alt.Axis(labelLimit=260))
    x = alt.X("col:N", sort=[cl for _, cl in emap.cols], title=None,
              axis=alt.Axis(orient="top", labelAngle=-40, labelLimit=170, labelOverlap=False))
    # one selection per layer: a click on a bubble opens its cell as a click on the cell does
    pick = alt.selection_point(name="cell", fields=["key"], on="click", clear=False)
    pick_dot = alt.selection_point(name="dot", fields=["key"], on="click", clear=False)
    tier_names = [name for _, name in TIERS] + ["No findings (gap)"]
    rects = alt.Chart(gdf).mark_rect(stroke="#ffffff", strokeWidth=2).encode(
        x=x, y=y,
        color=alt.Color("tier:N", title="Strongest evidence basis", scale=alt.Scale(domain=tier_names,
                                                                                     range=TIER_COLOURS + ["#f4f4f4"]),
                        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=300, symbolType="square")),
        tooltip=[alt.Tooltip("row:N", title="Row"), alt.Tooltip("col:N", title="Outcome domain"),
                 alt.Tooltip("findings:Q", title="Findings"), alt.Tooltip("directions:N", title="Directions"),
                 alt.Tooltip("strongest:N", title="Strongest basis")]).add_params(pick)
    outline = alt.Chart(gdf[gdf["selected"]]).mark_rect(fill=None, stroke="#000000", strokeWidth=3).encode(x=x, y=y) \
        if selected else None
    layers = [rects]
    if not bdf.empty:
        order = [common.label_of_direction(d) for d in common.DIRECTIONS]
        dots = alt.Chart(bdf).mark_circle(opacity=0.95, stroke="#ffffff", strokeWidth=0.5).encode(
            x=x, y=y, xOffset=alt.XOffset("direction:N", sort=order, scale=alt.Scale(domain=order)),
            size=alt.Size("n:Q", title="Findings", scale=alt.Scale(range=[25, 420]), legend=None),
            color=alt.Color("direction:N", title="Direction", scale=alt.Scale(
                domain=order, range=[DIRECTION_COLOURS[d] for d in common.DIRECTIONS]),
                legend=alt.Legend(orient="bottom", direction="vertical")),
            tooltip=[alt.Tooltip("row:N", title="Row"), alt.Tooltip("col:N", title="Outcome domain"),
                     alt.Tooltip("direction:N", title="Direction"), alt.Tooltip("n:Q", title="Findings"),
                     alt.Tooltip("strongest:N", title="Strongest basis")]).add_params(pick_dot)
        layers.append(dots)
    if outline is not None:
        layers.append(outline)
    chart = alt.layer(*layers).resolve_scale(color="independent", xOffset="independent", size="independent").properties(
        height=alt.Step(40), width="container")
    event = st.altair_chart(chart, width="stretch", on_select="rerun", key=f"map_{axis}",
                            selection_mode=["cell", "dot"] if not bdf.empty else "cell")

    # a click on the map becomes the URL's cell (only when it changed, so the picker below still works)
    clicked = None
    try:
        for name in ("cell", "dot"):
            points = event.selection.get(name) if event is not None else None
            if points and points[0].get("key") != st.session_state.get(f"map_last_{name}"):
                clicked = points[0].get("key")
                st.session_state[f"map_last_{name}"] = clicked
    except AttributeError:
        clicked = None
    if clicked and clicked != st.query_params.get("cell"):
        st.session_state["url_cell"] = clicked
        set_params(cell=clicked)
        st.rerun()

    keys = [evidence_map.cell_key(r, c) for r, _ in emap.rows for c, _ in emap.cols]
    labels = {evidence_map.cell_key(r, c): f"{rl} × {cl} ({emap.cell(r, c).count or 'gap'})"
              for r, rl in emap.rows for c, cl in emap.cols}
    if selected_key and selected_key not in labels:
        st.warning("The cell in the link is not on this map (other rows or filters); choose one below.")
    url_choice("Cell", [""] + keys, "cell", "", widget="selectbox",
               format_func=lambda k: labels.get(k, "choose a cell") if k else "choose a cell (or click the map)")
    selected = evidence_map.parse_cell_key(emap, st.query_params.get("cell"))

    if selected is not None:
        r, c = selected
        cell = emap.cell(r, c)
        items = evidence_map.cell_statements(ex, emap, r, c)
        st.subheader(f"{md(row_names[r])} × {md(col_names[c])}", anchor=False)
        if not items:
            st.info("No findings in this cell: it is a gap in the evidence the sources report"
                    + (". Widening the filters may fill it." if any(filters.values()) else "."))
        else:
            st.markdown(" ".join(direction_badge(d, f"{common.label_of_direction(d)} {n}")
                                 for d, n in cell.directions.items())
                        + f" · strongest evidence basis: {md(cell.strongest_basis)}")
            for i, s in enumerate(items):
                a, b = st.columns([5, 1], vertical_alignment="center")
                a.markdown(direction_badge(s.direction_id, s.direction_label) + " " + md(s.summary))
                a.caption(" · ".join(md(x) for x in ["About: " + "; ".join(s.about_labels), s.basis_label,
                                                     s.source_label, s.locator] if x))
                quote_button(list(s.quotes), key=f"cellq_{i}", container=b)
            what = {"view": "evidence map cell", "rows": axis, "cell": f"{row_names[r]} × {col_names[c]}",
                    "filters": {k: [common.label(ex, v) for v in vs] for k, vs in filters.items() if vs},
                    "findings about case studies counted": include_cases}
            download_buttons(f"evidence-map-{evidence_map.cell_key(r, c)}", evidence_map.CELL_COLUMNS,
                             evidence_map.statement_rows(items), what, key="cell_dl")

    st.subheader("The map as a table", anchor=False)
    table = evidence_map.map_rows(emap)
    with st.expander(f"{len(table)} cells, gaps included"):
        st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
    download_buttons(f"evidence-map-{axis}", evidence_map.MAP_COLUMNS, table,
                     {"view": "evidence map", "rows": axis,
                      "filters": {k: [common.label(ex, v) for v in vs] for k, vs in filters.items() if vs},
                      "findings about case studies counted": include_cases}, key="map_dl")
    release_footer(ex)
