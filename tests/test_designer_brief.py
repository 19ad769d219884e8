"""kg.designer.brief: the design brief in Markdown and HTML cites its quotes and escapes data.

Designs are drawn from the sources' own examples (``tests/designer_fixtures.py``), on the shipped graph.
"""

import re

import pytest

from designer_fixtures import FRAIL
from kg.designer import Design


def _cited_lines(md: str) -> dict[str, list[str]]:
    sections, current = {}, None
    for line in md.splitlines():
        if line.startswith("## "):
            current = line[3:]
            sections[current] = []
        elif line.startswith("- ") and current:
            sections[current].append(line)
    return sections


def test_brief_lines_trace_to_quotes(assistant, shipped):
    """Every recommendation, case, evidence, enabler, barrier and mechanism line cites a numbered quote."""
    md = assistant.brief_markdown(FRAIL)
    notes = dict(re.findall(r"^(\d+)\. “(.+?)” — ", md, re.M))
    sections = _cited_lines(md)
    for title in ("Recommendation", "Case studies ranked by fit", "Evidence for the chosen processes",
                  "Enablers to secure", "Barriers to plan for", "Mechanisms to consider"):
        for line in sections[title]:
            if line.startswith("- \\.\\.\\.") or line.startswith("- ..."):
                continue
            refs = re.findall(r"\[(\d+)\]$|\[(\d+)\] ", line)
            assert refs, f"{title}: {line}"
            for a, b in refs:
                assert (a or b) in notes
    assert "Keep frail older people out of hospital" in md
    assert shipped.built.release_id in md


@pytest.mark.sources
def test_brief_quotes_are_verbatim(assistant):
    """The quotes the brief prints are the sources' own words."""
    from kg import settings
    from kg.quotes import SourceText

    texts = [SourceText.from_file(p.resolve()) for p in sorted(settings.get_path("sources_dir").glob("*.txt"))]
    md = assistant.brief_markdown(FRAIL)
    unescape = re.compile(r"\\([\\`*_\[\]<>|~])")
    for quote in re.findall(r"^\d+\. “(.+?)” — ", md, re.M):
        q = unescape.sub(r"\1", quote)
        assert any(t.occurrences(q) for t in texts), q[:80]


def test_brief_html_escapes_hostile_input(assistant):
    """A hostile title or note is text in the HTML brief, never markup."""
    d = Design(title="<script>alert(1)</script>", notes={"goals": '"><img src=x onerror=alert(1)>'})
    page = assistant.brief_html(d)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    md = assistant.brief_markdown(d)
    assert "<script>" not in md and "\\<script\\>" in md
