"""Evidence map: integrative processes (or mechanisms) by outcome domain, in the manner of Campbell and 3ie maps.

Each cell shows how many findings there are about its process or mechanism, as bubbles
coloured by direction; the cell's shade is its strongest evidence basis; empty cells are gaps.
Findings about whole case studies can be added as a separate layer (``?cases=true``): an italic
"+N" in the cell, never part of its count. Clicking a cell (or choosing it below the map) lists
its findings with their quotes; the cell lives in the URL (``?cell=``). On a narrow screen
(a phone, 390 px) the chart gives way to a list of the cells that hold evidence.
"""

import altair as alt
import pandas as pd
import streamlit as st

from app_pages.common import (DIRECTION_COLOURS, caveat_lines, claim_caption, direction_badge, download_buttons, failed, frame, md, quote_button,
                              release_footer, set_params, url_choice, url_multiselect, url_toggle)
from kg.errors import IckgError
from kg.views import common, evidence_map

#: Strength tiers of the evidence basis (the basis scheme's notation), for the cell shading.
TIERS = [(3, "Trial, review or quasi-experiment"), (6, "Before-after, observational or evaluation"),
         (9, "Literature review, survey or qualitative"), (99, "Modelling, opinion, not stated or uncited")]
TIER_COLOURS = ["#08519c", "#4292c6", "#9ecae1", "#deebf7"]


def finding_row(s, key: str) -> None:
    a, b = st.columns([5, 1], vertical_alignment="center")
    a.markdown(direction_badge(s.direction_id, s.direction_label) + " " + md(s.summary))
    a.caption(claim_caption(s.claim_label, "About: " + "; ".join(s.about_labels), s.basis_label,
                            s.source_label, s.locator))
    quote_button(list(s.quotes), key=key, container=b)
    stmts = common.statements(ex)
    caveat_lines([stmts[c] for c in s.caveats if c in stmts], key=key, container=a)


def tier(rank: int | None) -> str:
    if rank is None:
        return "No findings (gap)"
    return next(name for top, name in TIERS if rank <= top)


ex = frame("Evidence map")
st.markdown("Rows are integrative processes (or mechanisms), columns are outcome domains. Each bubble counts the "
            "findings of one direction **about that process or mechanism**; the shade of the cell is the strongest "
            "evidence basis among them; blank cells are **gaps**. Click a cell to read its findings and their quotes.")
# the chart needs width; below 640 px the list form replaces it (keyed containers get a st-key-<key> class)
st.markdown("<style>@media (max-width: 640px) { .st-key-map_wide { display: none; } }"
            "@media (min-width: 641px) { .st-key-map_narrow { display: none; } }</style>", unsafe_allow_html=True)

if ex is not None:
    try:
        c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
        axis = url_choice("Rows", ["process", "mechanism"], "rows", "process", container=c1,
                          format_func=lambda v: {"process": "Integrative processes", "mechanism": "Mechanisms"}[v])
        include_cases = url_toggle("Show case-level attribution (a separate layer)", "cases", False, container=c2,
                                   help="Adds, beside each cell's count, the findings about case studies that use "
                                        "the process or mechanism. A finding about a whole programme does not say "
                                        "which of its components worked, so these are never added to the count.")
        filters = {}
        cols = st.columns(4)
        for i, f in enumerate(evidence_map.MAP_FILTERS):
            col = cols[i % 4]
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
    st.caption(f"{emap.total} findings about processes and mechanisms · {n_cells - emap.gaps} of {n_cells} cells "
               f"hold evidence, {emap.gaps} are gaps" + (" · filtered" if any(filters.values()) else ""))
    if include_cases:
        st.caption(f"Case-level layer (italic +N in a cell): {emap.case_total} more findings about case studies, "
                   "attributed to every process and mechanism the case uses; not counted in the cells or gaps.")
    if any(filters.get(k) for k in evidence_map.CASE_FILTERS):
        st.caption("Population, need, level, form and country keep findings about that concept or about case "
                   "studies so classified; other findings drop out.")

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
                         "selected": key == selected_key,
                         "case_level": f"+{cell.case_count}" if include_cases and cell.case_count else "",
                         "case_findings": cell.case_count})
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
        order = [common.label_of_direction(d) for d in (*common.DIRECTIONS, common.NO_DIRECTION)]
        dots = alt.Chart(bdf).mark_circle(opacity=0.95, stroke="#ffffff", strokeWidth=0.5).encode(
            x=x, y=y, xOffset=alt.XOffset("direction:N", sort=order, scale=alt.Scale(domain=order)),
            size=alt.Size("n:Q", title="Findings", scale=alt.Scale(range=[25, 420]), legend=None),
            color=alt.Color("direction:N", title="Direction", scale=alt.Scale(
                domain=order, range=[DIRECTION_COLOURS[d] for d in (*common.DIRECTIONS, common.NO_DIRECTION)]),
                legend=alt.Legend(orient="bottom", direction="vertical")),
            tooltip=[alt.Tooltip("row:N", title="Row"), alt.Tooltip("col:N", title="Outcome domain"),
                     alt.Tooltip("direction:N", title="Direction"), alt.Tooltip("n:Q", title="Findings"),
                     alt.Tooltip("strongest:N", title="Strongest basis")]).add_params(pick_dot)
        layers.append(dots)
    if include_cases and (gdf["case_findings"] > 0).any():
        layers.append(alt.Chart(gdf[gdf["case_findings"] > 0]).mark_text(
            fontStyle="italic", fontSize=10, color="#333333", dy=13).encode(
            x=x, y=y, text="case_level:N",
            tooltip=[alt.Tooltip("row:N", title="Row"), alt.Tooltip("col:N", title="Outcome domain"),
                     alt.Tooltip("case_findings:Q", title="Case-level findings (not counted)")]))
    if outline is not None:
        layers.append(outline)
    chart = alt.layer(*layers).resolve_scale(color="independent", xOffset="independent", size="independent").properties(
        height=alt.Step(40), width="container")
    with st.container(key="map_wide"):
        event = st.altair_chart(chart, width="stretch", on_select="rerun", key=f"map_{axis}",
                                selection_mode=["cell", "dot"] if not bdf.empty else "cell")
    with st.container(key="map_narrow"):
        for r, rl in emap.rows:
            filled = [(c, cl, emap.cell(r, c)) for c, cl in emap.cols
                      if emap.cell(r, c).count or (include_cases and emap.cell(r, c).case_count)]
            gaps = len(emap.cols) - sum(1 for *_, cell in filled if cell.count)
            with st.expander(f"{md(rl)} — {len(emap.cols) - gaps} domains with evidence, {gaps} gaps"):
                for c, cl, cell in filled:
                    parts = [direction_badge(d, f"{common.label_of_direction(d)} {n}")
                             for d, n in cell.directions.items()]
                    extra = f" · *+{cell.case_count} case-level*" if include_cases and cell.case_count else ""
                    st.markdown(f"**{md(cl)}** {cell.count or 'gap'} " + " ".join(parts) + extra)
                if not filled:
                    st.caption("No findings: every outcome domain is a gap.")

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
                finding_row(s, key=f"cellq_{i}")
            what = {"view": "evidence map cell", "rows": axis, "cell": f"{row_names[r]} × {col_names[c]}",
                    "filters": {k: [common.label(ex, v) for v in vs] for k, vs in filters.items() if vs},
                    "case-level layer shown": include_cases}
            download_buttons(f"evidence-map-{evidence_map.cell_key(r, c)}", evidence_map.CELL_COLUMNS,
                             evidence_map.statement_rows(items, common.statements(ex)), what, key="cell_dl")
        if include_cases and cell.case_count:
            with st.container(border=True, key="case_layer"):
                st.markdown(f"**Case-level attribution: {cell.case_count} finding{'s' if cell.case_count != 1 else ''}"
                            f" about case studies that use {md(row_names[r])}**")
                st.caption("These findings are about a whole case study; they do not say that this process or "
                           "mechanism caused the result, and are not counted in the cell.")
                for i, s in enumerate(evidence_map.cell_statements(ex, emap, r, c, layer="case")):
                    finding_row(s, key=f"caseq_{i}")

    st.subheader("The map as a table", anchor=False)
    table = evidence_map.map_rows(emap)
    with st.expander(f"{len(table)} cells, gaps included"):
        st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
    download_buttons(f"evidence-map-{axis}", evidence_map.MAP_COLUMNS, table,
                     {"view": "evidence map", "rows": axis,
                      "filters": {k: [common.label(ex, v) for v in vs] for k, vs in filters.items() if vs},
                      "case-level layer shown": include_cases}, key="map_dl")
    release_footer(ex)
