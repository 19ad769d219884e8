"""The explorer's router: page config, the shared frame and navigation. Nothing else."""

import streamlit as st

st.set_page_config(page_title="Integrated-care evidence explorer", page_icon=":material/hub:", layout="wide")

pages = {
    "Explore": [
        st.Page("app_pages/overview.py", title="Overview", icon=":material/home:", url_path="overview", default=True),
    ],
}
st.navigation(pages).run()
