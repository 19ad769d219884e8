"""The ontology page's permalink scroll under AppTest: the script names only the opened concept's element.

Whether the page really scrolls is a browser matter (``tests/test_browser_ontology.py``); these
tests pin what the page sends: a script for a concept of the shown scheme, none for an unknown
one, and nothing from the URL written into the script.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _app_path(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))


def _scripts(at: AppTest) -> list[str]:
    return [str(e.proto.body) for e in at.get("html") if "<script>" in str(e.proto.body)]


def _run(params: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / "ontology.py"), default_timeout=240)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_permalink_to_a_concept_sends_a_scroll_to_its_element():
    """`?scheme=level&concept=meso`: one script, naming the Meso level expander's class; once per session."""
    at = _run({"scheme": "level", "concept": "meso"})
    scripts = _scripts(at)
    assert len(scripts) == 1 and ".st-key-url_concept_meso'" in scripts[0]
    at.run()  # a rerun (another widget) does not scroll again
    assert _scripts(at) == []


def test_unknown_or_hostile_concept_sends_no_script():
    """A concept that is not in the scheme, markup included, never reaches a script."""
    at = _run({"scheme": "level", "concept": "</script><img src=x onerror=alert(1)>"})
    assert _scripts(at) == []


def test_scroll_script_holds_only_a_class_name():
    """Whatever the key, the script carries ``st-key-`` and letters, digits, ``_`` and ``-`` only."""
    from app_pages.common import element_class, scroll_script

    assert element_class("url_concept_hospital-use") == "st-key-url_concept_hospital-use"
    hostile = "url_concept_x'); alert(1); ('</script>"
    script = scroll_script(hostile)
    assert "alert(1)" not in script and "</script>" not in script[:-len("</script>")]
    assert element_class(hostile) in script


def test_unknown_concept_says_so_and_keeps_the_text_inert():
    """A permalink to a concept the scheme lacks is named in a warning, escaped, and no script is sent."""
    at = _run({"scheme": "success-features", "concept": "<img src=x onerror=alert(1)>"})
    warnings = [w.value for w in at.warning]
    assert any("No concept or collection" in w and "&lt;img" in w for w in warnings), warnings
    assert not _scripts(at)


def test_members_of_a_list_name_their_list():
    """Suter et al.'s principle 1 and National Voices' item 1 both print as "1.": each title names its list."""
    at = _run({"scheme": "success-features"})
    labels = [e.label.replace("\\", "") for e in at.expander]  # the titles are Markdown-escaped
    suter = [x for x in labels if "Comprehensive services across the continuum of care" in x]
    assert suter and all("Suter et al." in x for x in suter), suter
