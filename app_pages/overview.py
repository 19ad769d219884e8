"""Overview: what the graph holds, and the sources it is built from."""

import streamlit as st

from app_pages.common import frame

snap = frame()
if snap is not None:
    st.title("Integrated health and social care: evidence explorer")
    st.write("A curated knowledge graph of how health and social care services are integrated, "
             "and of what the evidence says about the results. Every fact carries a verbatim quote "
             "from its source.")
    cols = st.columns(5)
    for col, (label, key) in zip(cols, [("Case studies", "CaseStudy"), ("Evidence statements", "EvidenceStatement"),
                                        ("Mechanisms", "Mechanism"), ("Quotes", "Quote"), ("Concepts", "Concept")]):
        col.metric(label, f"{snap.counts.get(key, 0):,}")
    st.caption(f"{snap.triples:,} triples · release {snap.release_id}")
    st.subheader("Sources")
    for s in snap.sources:
        st.text(s["title"])
        st.text(s["citation"])
        if s["support"] == "non-traceable":
            st.caption("Cites no primary evidence: its claims are shown apart from evaluated findings.")
    st.subheader("Numbered case studies of the HRB review")
    st.dataframe([{"No.": c["number"], "Case study": c["label"]} for c in snap.numbered],
                 hide_index=True, use_container_width=True)
