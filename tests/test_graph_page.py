"""The graph page (AppTest, fixture evidence): renders, keeps its state in the URL, says what it cut."""

from __future__ import annotations

import base64
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kg.fixtures import HOSTILE, write_fixture

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "app_pages" / "graph.py")


@pytest.fixture(scope="module")
def fixture_env(tmp_path_factory):
    """Point the app at the fixture evidence (the explorer cache is keyed by this setting)."""
    evidence, sources = write_fixture(tmp_path_factory.mktemp("graph-page"))
    mp = pytest.MonkeyPatch()
    mp.setenv("ICKG_EVIDENCE", str(evidence))
    mp.setenv("ICKG_SOURCES", str(sources))
    mp.syspath_prepend(str(ROOT))  # the page imports app_pages.common
    yield evidence
    mp.undo()


def run(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def frame_html(at: AppTest) -> str:
    [frame] = at.get("iframe")
    src = frame.proto.src
    prefix = "data:text/html;charset=utf-8;base64,"
    assert src.startswith(prefix) and not frame.proto.srcdoc  # an opaque-origin frame, not srcdoc
    return base64.b64decode(src[len(prefix):]).decode("utf-8")


def test_page_renders_the_default_view(fixture_env):
    """Case studies and mechanisms, all nodes shown, three analytics tables, labels not IRIs."""
    at = run()
    page = frame_html(at)
    assert "Showing all 5 nodes." in page and HOSTILE not in page
    assert any(c.value.startswith("Showing all 5 nodes.") for c in at.caption)
    assert len(at.dataframe) == 3
    for df in at.dataframe:
        text = df.value.to_csv()
        assert "https://w3id.org" not in text
    shared = at.dataframe[0].value
    assert list(shared["Mechanism"]) == ["Capitation", "Pooled budget", "Single assessment process"]
    assert [b.label for b in at.get("download_button")][:2] == ["GraphML", "Offline HTML"]


def test_permalink_round_trip(fixture_env):
    """View, case study and cap come from the URL, and changes go back into it."""
    at = run({"view": "neighbourhood", "case": "hostile-valley", "cap": "5"})
    assert at.segmented_control[0].value == "neighbourhood"
    assert at.selectbox[0].value == "hostile-valley"
    assert at.slider[0].value == 5
    assert at.selectbox[1].disabled and at.selectbox[2].disabled  # filters do not apply to one case study
    assert HOSTILE not in frame_html(at)
    at.slider[0].set_value(20).run()
    assert at.query_params["cap"] == "20"
    at.segmented_control[0].set_value("cases-mechanisms").run()
    assert "view" not in at.query_params  # the default view is left out of the URL
    at.selectbox[1].set_value("macro").run()
    assert at.query_params == {"case": "hostile-valley", "cap": "20", "level": "macro"}
    assert "Showing all 2 nodes." in frame_html(at)

    again = run(dict(at.query_params))
    assert again.segmented_control[0].value == "cases-mechanisms"
    assert (again.selectbox[0].value, again.selectbox[1].value, again.slider[0].value) == ("hostile-valley", "macro", 20)
    assert frame_html(again) == frame_html(at)


def test_cap_message(fixture_env):
    """When the cap cuts the network the page says so, with both numbers."""
    from kg import analytics
    from kg.namespaces import CASE
    from kg.service import open_explorer

    x = open_explorer(workers=1)
    try:
        total = analytics.neighbourhood_graph(x, str(CASE["riverside"])).number_of_nodes()
    finally:
        x.close()
    assert total > 5
    at = run({"view": "neighbourhood", "case": "riverside", "cap": "5"})
    [warning] = at.warning
    assert warning.value.startswith(f"Showing 5 of {total} nodes")
    assert f"Showing 5 of {total} nodes" in frame_html(at)


def test_similar_case_studies_table(fixture_env):
    """For Riverside the only similar case study is Hostile Valley, by the Financial process."""
    at = run({"case": "riverside"})
    similar = at.dataframe[2].value
    assert list(similar["Case study"]) == [HOSTILE]
    assert list(similar["Shared processes"]) == ["Financial"]
    assert list(similar["Similarity"]) == [0.2]
