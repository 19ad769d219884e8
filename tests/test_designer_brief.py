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
    """Every line of every section cites a numbered quote; no quote is listed twice, no line cites one twice."""
    md = assistant.brief_markdown(FRAIL)
    notes = re.findall(r"^(\d+)\. “(.+?)” — (.*)$", md, re.M)
    numbers = {n for n, _, _ in notes}
    assert len({(q, src) for _, q, src in notes}) == len(notes), "a reference is listed twice"
    sections = _cited_lines(md)
    assert list(sections)[0] == "Key messages"
    for title, lines in sections.items():
        if title == "References":
            continue
        for line in lines:
            refs = re.findall(r" \[(\d+)\]", line)
            assert refs, f"{title}: {line}"
            assert len(refs) == len(set(refs)), f"{title}: a line cites a reference twice: {line}"
            assert set(refs) <= numbers
    assert "Keep frail older people out of hospital" in md
    assert shipped.built.release_id in md


def test_brief_has_the_shape_of_a_policy_brief(assistant):
    """Key messages first, then options, applicability, equity, implementation, readiness, gaps, methods, appendix."""
    md = assistant.brief_markdown(FRAIL)
    titles = [line[3:] for line in md.splitlines() if line.startswith("## ")]
    order = ["Key messages", "The design: answers to Shaw et al.'s five questions", "Option: Financial integration",
             "Applicability to your setting", "Equity", "Implementation considerations",
             "Readiness checklist (Glasby et al.'s Partnership Readiness Framework)", "What is not known",
             "How the evidence was gathered", "Appendix A. Case studies ranked by fit, each rank explained",
             "Appendix B. The best-fitting cases' own negative, mixed and null findings and caveats",
             "Appendix C. Every relevant finding, with its claim kind and caveats", "References"]
    assert [t for t in titles if t in order] == order
    key = _cited_lines(md)["Key messages"]
    assert any(line.startswith("- Suggested intensity: **Full integration**") for line in key)
    assert sum(line.startswith("- Case to read: ") for line in key) == 3
    assert any("Balance of evidence on hospital use" in line for line in key)
    assert len(key) <= 20, "the key messages fit on one page"
    option = _cited_lines(md)["Option: Financial integration"]
    for head in ("Benefit", "Harm or no benefit", "Cost", "Certainty"):
        assert any(line.startswith(f"- {head}") for line in option), head
    assert "We consider this search to be pragmatic rather than systematic." in md
    ready = _cited_lines(md)["Readiness checklist (Glasby et al.'s Partnership Readiness Framework)"]
    assert len(ready) == 10 and ready[0].startswith("- \\[ \\] Building shared values and principles")
    own = _cited_lines(md)["Appendix B. The best-fitting cases' own negative, mixed and null findings and caveats"]
    assert any("PRISMA" in line and "similar" in line for line in own), "PRISMA's null finding on hospital use"


def test_brief_pdf_is_a_pdf_of_the_brief(assistant):
    """The PDF brief is a real PDF that holds the design's name and the key messages."""
    pdf = assistant.brief_pdf(FRAIL)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5000
    from pypdf import PdfReader
    import io

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages[:2])
    assert "Frail older people at home" in text and "Key messages" in text


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


def test_brief_cites_sentences_not_headings(assistant):
    """A case's title line ("Torbay Care Trust (England)") is a heading, never a reference of the brief."""
    md = assistant.brief_markdown(FRAIL)
    quotes = re.findall(r"^\d+\. “(.+?)” — ", md, re.M)
    assert "Torbay Care Trust (England)" not in quotes
    assert not [q for q in quotes if q.startswith("Case study ")]
    assert all(len(q.split()) >= 3 for q in quotes), [q for q in quotes if len(q.split()) < 3]


def test_pdf_prints_reference_superscripts():
    """Reference marks such as ⁶⁴ reach the PDF as raised digits, not as blanks (no glyph in Helvetica)."""
    import io

    from pypdf import PdfReader
    from xhtml2pdf import pisa

    from kg.designer.brief import pdf_superscripts

    html = pdf_superscripts("<html><body><p>benefits by stakeholder group⁶⁴ and ⁴⁵; x&lt;y</p></body></html>")
    assert "group<sup>64</sup> and <sup>45</sup>; x&lt;y" in html
    out = io.BytesIO()
    assert not pisa.CreatePDF(html, dest=out, encoding="utf-8").err
    text = PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text()
    assert "64" in text and "45" in text
    # without the conversion the same page loses the digits: the test above is not vacuous
    out = io.BytesIO()
    pisa.CreatePDF("<html><body><p>group⁶⁴</p></body></html>", dest=out, encoding="utf-8")
    assert "64" not in PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text()
