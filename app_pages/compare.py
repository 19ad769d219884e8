"""Compare: two to four case studies side by side, exportable as CSV (``?cases=a&cases=b``)."""

import pandas as pd
import streamlit as st

from app_pages.common import (DIRECTION_SYMBOLS, code, download_buttons, failed, frame, link, md, release_footer,
                              url_multiselect)
from kg.errors import IckgError
from kg.views import cases, common, compare


def _finding_md(text: str) -> str:
    """A finding "Direction: summary [basis]" with its direction's symbol."""
    direction, _, rest = text.partition(": ")
    ident = direction.lower().replace(" ", "-")
    return f"{DIRECTION_SYMBOLS.get(ident, '')} **{md(direction)}**: {md(rest)}"


ex = frame("Compare case studies")
st.markdown("Choose two to four case studies: their classification, the mechanisms they use under each "
            "integrative process, their findings in each outcome domain (direction and evidence basis), and "
            "their enablers and barriers, side by side. An empty cell means the sources say nothing.")

if ex is not None:
    try:
        table = cases.case_table(ex)
        names = {c.iri: c.label for c in table}
        picked = url_multiselect("Case studies", [c.iri for c in sorted(table, key=lambda c: c.label.lower())],
                                 "cases", format_func=lambda v: names.get(v, common.compact(v)),
                                 max_selections=compare.COMPARE_MAX, placeholder="choose 2 to 4 case studies")
        if len(picked) < 2:
            st.info("Choose at least two case studies to compare"
                    + (f" (one chosen: {md(names.get(picked[0], ''))})." if picked else ".")
                    + " For example Kaiser Permanente, Torbay Care Trust and PACE.")
        else:
            comp = compare.comparison(ex, [common.local(p) for p in picked])
            groups = list(dict.fromkeys(g for g, _, _ in comp.rows))
            only = url_multiselect("Show", groups, "show", default=groups, widget="pills",
                                   to_id=lambda g: g.split()[0].lower()) or groups
            n = len(comp.cases)
            head = st.columns([1.2] + [2] * n)
            head[0].markdown("**Aspect**")
            for col, d in zip(head[1:], comp.cases):
                with col:
                    link("cases", d.label, {"case": d.id}, icon=":material/arrow_forward:", help=code(d.iri))
            for group in [g for g in groups if g in only]:
                st.subheader(group, anchor=False, divider="gray")
                for g, aspect, cells in comp.rows:
                    if g != group:
                        continue
                    cols = st.columns([1.2] + [2] * n)
                    if group not in ("Enablers", "Barriers"):
                        cols[0].markdown(f"**{md(aspect)}**")
                    for col, values in zip(cols[1:], cells):
                        if not values:
                            col.caption("—")
                        elif group == "Findings by outcome":
                            col.markdown("\n".join("- " + _finding_md(v) for v in values))
                        else:
                            col.markdown("\n".join("- " + md(v) for v in values))
            st.caption("Each finding reads “direction: summary [claim kind; evidence basis]”, with its caveats. Open a case study for the quote "
                       "behind every line.")
            shown = [r for r in comp.table() if r["group"] in only]
            with st.expander("As a table"):
                st.dataframe(pd.DataFrame(shown, columns=comp.columns), hide_index=True, width="stretch")
            download_buttons("compare-" + "-".join(common.local(p) for p in picked), comp.columns, shown,
                             {"view": "comparison", "case studies": [d.label for d in comp.cases],
                              "groups shown": only}, key="compare_dl")
    except IckgError as exc:
        failed(exc, "the comparison")
    release_footer(ex)
