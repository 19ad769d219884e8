"""The design assistant page (Streamlit AppTest): steps, permalink, results, escaping."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kg.designer import Design

PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "designer.py")


def _at(params=None):
    at = AppTest.from_file(PAGE, default_timeout=120)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    return at.run()


def test_first_step_shows_shaws_goals_question():
    """Step 1 renders Shaw's goals prompts in his words."""
    at = _at()
    assert not at.exception
    assert any("what are you seeking to achieve" in i.value for i in at.info)


def test_answers_go_into_the_url():
    """Choosing a level of need writes it to the permalink."""
    at = _at()
    at.selectbox(key="dz_need").set_value("severe-unstable").run()
    assert not at.exception
    assert at.query_params["need"] in ("severe-unstable", ["severe-unstable"])


def test_permalink_reopens_the_design_with_results():
    """A shared link opens the results of the same design."""
    d = Design(title="Frail older people", population=["frail-older-people"], need="severe-unstable",
               processes=["financial", "clinical"], domains=["hospital-use"])
    at = _at({**d.to_params(), "step": "results"})
    assert not at.exception
    assert any("Full integration" in s.value for s in at.success)
    table = at.dataframe[0].value
    assert table.iloc[0]["case study"] == "PACE"
    labels = [b.label for b in at.get("download_button")]
    assert {"Brief (Markdown)", "Brief (HTML)", "Design (Turtle)", "Design (JSON-LD)"} <= set(labels)


def test_more_intensity_than_needed_warns():
    """Full integration for mild, stable needs shows Leutz's first-law warning."""
    d = Design(need="mild-to-moderate", intensity="full-integration")
    at = _at({**d.to_params(), "step": "results"})
    assert any("more than the need suggests" in w.value for w in at.warning)


def test_hostile_title_is_text():
    """A hostile design name reaches the page as text."""
    at = _at({"title": "<img src=x onerror=alert(1)>", "step": "goals"})
    assert not at.exception
    assert at.text_input(key="dz_title").value == "<img src=x onerror=alert(1)>"
    assert not any("<img" in m.value and "\\<img" not in m.value and "&lt;img" not in m.value for m in at.markdown)


def test_results_show_coverage_own_findings_gaps_and_readiness():
    """Coverage per case, the best cases' own negative and mixed findings, named gaps, the readiness checklist."""
    d = Design(title="Children in Finland", population=["children-families"], need="severe-unstable", country="fi")
    at = _at({**d.to_params(), "step": "results"})
    assert not at.exception
    table = at.dataframe[0].value
    assert table.iloc[0]["classified on"].endswith("of your 3 answers")
    assert all(str(x).startswith(f"#{i}: fit ") for i, x in enumerate(table["why this rank"], 1))
    text = " ".join(m.value for m in at.markdown)
    assert "No case study in the graph comes from Finland" in text  # a real gap, named
    assert "None." not in text
    assert "The best-fitting cases' own negative, mixed and null findings" in text
    assert [c.label for c in at.checkbox][:1] == ["Building shared values and principles"]
    assert "Brief (PDF)" in {b.label for b in at.get("download_button")}


def test_mechanism_choice_goes_into_the_url_and_the_ranking():
    """A designer choosing bundled payment sees the cases that use it."""
    d = Design(mechanisms=["bundled-payment"], population=["diabetes"])
    at = _at({**d.to_params(), "step": "results"})
    assert not at.exception
    assert at.query_params["mech"] in ("bundled-payment", ["bundled-payment"])
    top = at.dataframe[0].value.iloc[0]
    assert "bundled payment" in top["why it matches"].lower()
