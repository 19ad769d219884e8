"""Overview: what the graph holds, the frameworks at a glance, and where to start for each kind of user."""

import altair as alt
import pandas as pd
import streamlit as st

from app_pages.common import code, doi_link, download_buttons, failed, frame, go, link, md, release_footer
from kg import cite, queries
from kg.errors import IckgError
from kg.views import common, overview


def _concept_links(ov, concepts, facet: str) -> None:
    """One row per concept: a link to its case studies (with the count) beside its definition."""
    for c in concepts:
        a, b = st.columns([1, 4])
        with a:
            link("cases", f"{c.label} ({ov.case_counts.get(c.iri, 0)})", {facet: common.local(c.iri)},
                 help=code(c.iri))
        b.markdown(md(c.definition or c.scope_note or ""))


ex = frame("Integrated health and social care: an evidence explorer")
st.markdown("A curated knowledge graph of **how** health and social care services are integrated (levels, "
            "integrative processes, mechanisms, case studies) and of **what the evidence says** about the results. "
            "Every fact carries a verbatim quote from its source, with a locator, one click away.")

if ex is not None:
    try:
        ov = overview.overview(ex)
    except IckgError as exc:
        failed(exc, "the overview")
        st.stop()

    with st.form("search", border=False):
        c1, c2 = st.columns([5, 1], vertical_alignment="bottom")
        q = c1.text_input("Search case studies, findings, mechanisms and concepts",
                          placeholder="e.g. bed days, pooled budget, Torbay, case management")
        if c2.form_submit_button("Search", icon=":material/search:", width="stretch") and q.strip():
            go("cases", {"q": q.strip()})

    n = ov.counts
    cols = st.columns(6)
    metrics = [("Case studies", n.get("CaseStudy", 0), "Programmes, organisations, schemes and policies"),
               ("Findings", n.get("EvidenceStatement", 0), "Evidence statements, each with direction and evidence basis"),
               ("Mechanisms", n.get("Mechanism", 0), "Concrete integrative mechanisms placed under processes"),
               ("Enablers / barriers", f"{n.get('Enabler', 0)} / {n.get('Barrier', 0)}", "As the sources state them"),
               ("Quotes", n.get("Quote", 0), "Verbatim passages, each checked word for word against its source"),
               ("Concept schemes", n.get("ConceptScheme", 0), "Frameworks and vocabularies (SKOS)")]
    for col, (lab, value, help_text) in zip(cols, metrics):
        col.metric(lab, f"{value:,}" if isinstance(value, int) else value, help=help_text)
    st.caption(f"Built from {n.get('Document', 0)} source documents and {n.get('Reference', 0)} numbered references "
               f"they cite.")

    st.header("Where to start")
    c1, c2, c3 = st.columns(3, border=True)
    with c1:
        st.subheader("Policymakers", anchor=False)
        st.markdown("What was integrated, how, for whom, with what effect, and how strong the evidence is.")
        link("cases", "Browse the case studies", icon=":material/apartment:")
        link("compare", "Compare Kaiser, Torbay and PACE",
             {"cases": ["kaiser-permanente", "torbay-care-trust", "pace"]}, icon=":material/compare:")
        link("evidence-map", "Evidence and gaps, mapped", icon=":material/grid_on:")
        link("cases", "Cases with disappointing findings",
             {"direction": ["negative", "mixed", "no-effect"]}, icon=":material/trending_down:")
    with c2:
        st.subheader("Researchers", anchor=False)
        st.markdown(f"A stable, documented ontology; {len(queries.gallery())} named SPARQL queries; downloads with "
                    "the release and citation.")
        link("sparql", "SPARQL console and gallery", icon=":material/terminal:")
        link("sparql", "Strength of evidence by source", {"query": "statements-by-basis"},
             icon=":material/science:")
        link("ontology", "Ontology, schemes, downloads", icon=":material/account_tree:")
        link("evidence-map", "Evidence map by mechanism", {"rows": "mechanism"}, icon=":material/grid_on:")
    with c3:
        st.subheader("Service designers", anchor=False)
        st.markdown("Answer Shaw et al.'s five questions and get the evidence, enablers and barriers that fit.")
        link("designer", "Open the design assistant", icon=":material/design_services:")
        link("sparql", "Integration for a level of need", {"query": "integration-for-need"},
             icon=":material/stairs:")
        link("sparql", "Enablers most reported", {"query": "enablers-most-reported"},
             icon=":material/thumb_up:")
        link("sparql", "Barriers most reported", {"query": "barriers-most-reported"},
             icon=":material/block:")

    st.header("The frameworks at a glance")
    t_levels, t_proc, t_leutz, t_kaiser = st.tabs(["Levels of aggregation", "Integrative processes",
                                                   "Leutz's levels of integration", "The Kaiser triangle"])
    with t_levels:
        st.caption("Curry and Ham's levels, as the HRB review quotes them. Click a level to list its case studies.")
        _concept_links(ov, ov.levels, "level")
    with t_proc:
        st.caption("The seven integrative processes (HRB review). Case counts include cases that use a mechanism "
                   "under the process.")
        _concept_links(ov, ov.processes, "process")
        link("evidence-map", "See the evidence for each process on the evidence map", icon=":material/grid_on:")
    with t_leutz:
        st.caption("Leutz's levels of integration as Shortell presents them, with the level of user need each "
                   "suits (Nolte and McKee).")
        rows = [{"Level": r["label"], "Definition": r["definition"], "Suits": r["suitsNeed"] or "",
                 "Case studies": r["caseStudies"] or "", "IRI": common.compact(r["level"])} for r in ov.leutz]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                     column_config={"Definition": st.column_config.TextColumn(width="large")})
        download_buttons("leutz-levels", ["Level", "Definition", "Suits", "Case studies", "IRI"], rows,
                         {"view": "Leutz's levels of integration", "query name": "leutz-levels"}, key="leutz_dl")
        for r in ov.need:
            with st.expander(f"{md(r['needLabel'])} → {md(r['intensityLabel'])}"):
                st.markdown("> " + md(r["why"]))
                st.caption("Nolte and McKee, as quoted in the HRB review")
    with t_kaiser:
        tiers = sorted(ov.kaiser, key=lambda r: r.get("notation") or "")
        if tiers:
            widths = {0: 1.0, 1: 0.66, 2: 0.33}
            data = pd.DataFrame([{"tier": r["label"], "level": i, "x0": -widths.get(i, 0.3), "x1": widths.get(i, 0.3),
                                  "y0": i, "y1": i + 0.92, "text": r["label"]} for i, r in enumerate(tiers)])
            base = alt.Chart(data)
            bars = base.mark_rect(color="#4575b4", opacity=0.85).encode(
                x=alt.X("x0:Q", axis=None, scale=alt.Scale(domain=[-1, 1])), x2="x1:Q",
                y=alt.Y("y0:Q", axis=None, scale=alt.Scale(domain=[0, len(tiers)])), y2="y1:Q",
                tooltip=[alt.Tooltip("tier:N", title="Tier")])
            text = base.mark_text(color="white", fontSize=13).encode(
                x=alt.value(300), y=alt.Y("yc:Q", axis=None), text="text:N").transform_calculate(yc="datum.y0 + 0.46")
            st.altair_chart((bars + text).properties(height=260, width=600), width="content")
            for r in reversed(tiers):
                st.markdown(f"**{md(r['label'])}**: " + md(r["definition"] or ""))
            st.caption("The Kaiser Permanente population-based model, in the HRB review's words.")
        else:
            st.info("The Kaiser triangle is not in this release.")

    st.header("Sources")
    st.caption("The documents the graph is built from. Copy a citation as BibTeX or RIS.")
    for s in ov.sources:
        with st.container(border=True):
            st.markdown(f"**{md(s.title)}**")
            st.text(s.citation)
            bits = [f"{s.statements:,} findings", f"{s.quotes:,} quotes"]
            if s.references:
                bits.append(f"{s.references} numbered references")
            bits.append("claims traceable to cited evidence" if s.traceable else
                        "cites no evidence: its claims are shown as uncited")
            st.caption(" · ".join(bits) + (" · " + doi_link(s.doi) if s.doi else "") + " · " + code(common.compact(s.iri)))
            if s.note:
                st.caption(md(s.note))
            b1, b2 = st.columns(2)
            with b1.popover("BibTeX", icon=":material/content_copy:"):
                st.code(cite.bibtex(s), language="bibtex")
            with b2.popover("RIS", icon=":material/content_copy:"):
                st.code(cite.ris(s), language="text")
    release_footer(ex)
