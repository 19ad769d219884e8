"""The explorer's router: page config and navigation with stable url paths. Nothing else."""

import streamlit as st

st.set_page_config(page_title="Integrated-care evidence explorer", page_icon="🔗", layout="wide")

pages = {
    "Explore": [
        st.Page("app_pages/overview.py", title="Overview", icon=":material/home:", url_path="overview", default=True),
        st.Page("app_pages/cases.py", title="Case studies", icon=":material/apartment:", url_path="cases"),
        st.Page("app_pages/evidence_map.py", title="Evidence map", icon=":material/grid_on:", url_path="evidence-map"),
        st.Page("app_pages/compare.py", title="Compare", icon=":material/compare:", url_path="compare"),
        st.Page("app_pages/graph.py", title="Graph", icon=":material/hub:", url_path="graph"),
    ],
    "Research": [
        st.Page("app_pages/sparql.py", title="SPARQL", icon=":material/terminal:", url_path="sparql"),
        st.Page("app_pages/ontology.py", title="Ontology", icon=":material/account_tree:", url_path="ontology"),
        st.Page("app_pages/resource.py", title="Resources", icon=":material/link:", url_path="resource"),
    ],
    "Sources": [
        st.Page("app_pages/reader.py", title="Source reader", icon=":material/menu_book:", url_path="reader"),
        st.Page("app_pages/workbench.py", title="Curation workbench", icon=":material/edit_note:", url_path="workbench"),
    ],
    "Design": [
        st.Page("app_pages/designer.py", title="Design assistant", icon=":material/design_services:", url_path="designer"),
    ],
}
st.navigation(pages).run()
