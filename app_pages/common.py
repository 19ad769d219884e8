"""Shared page helpers: the cached snapshot and the release badge. Rendering only."""

import streamlit as st

from kg import service
from kg.errors import IckgError


@st.cache_resource(show_spinner="Building the knowledge graph from the curated evidence ...")
def snapshot() -> service.Snapshot:
    """The validated graph summary, built once per server process."""
    return service.load_snapshot()


def frame() -> service.Snapshot | None:
    """Load the snapshot or show a clear error; show the data release in the sidebar."""
    try:
        snap = snapshot()
    except IckgError as exc:
        st.error(f"The knowledge graph could not be loaded.\n\n{exc}")
        return None
    st.sidebar.caption(f"Data release `{snap.release_id}`")
    return snap
