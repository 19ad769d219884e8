"""Source texts as documents: headings, sections and sentences by raw offsets."""

from pathlib import Path

import pytest

from kg import settings
from kg.records import iter_quoted, load_evidence
from kg.sourcetext import Document

ROOT = Path(__file__).resolve().parent.parent

MARKDOWN = """This is a repository copy.

## Integrated Care: A Pill for All Ills?

### Abstract

There is an increasing policy emphasis on integration, e.g. between sectors. However, implementing this simple aim is rather more complex. What are the mechanisms?

**Reuse**

- A list item that ends like a sentence.
- Another item

### What Does the Evidence Tell us?

Curry and Ham report savings of 27% in Torbay.
"""

PLAIN = """Contents
Purpose of review\t15
Clinical/service integrative processes.....................  49

MESO LEVEL INTEGRATION

Case study 8: Torbay Care Trust (England)^{13, 24, 25}

Origins/desired outcomes: Torbay Care Trust was established in 2005. It has five teams.
Effectiveness: Torbay had the lowest use of hospital bed days in the region.
"""


def test_markdown_headings_make_a_section_path():
    """Markdown headings and bold-only lines are headings, nested by level; list items are not."""
    doc = Document(MARKDOWN)
    titles = [h.title for h in doc.headings]
    assert titles == ["Integrated Care: A Pill for All Ills?", "Abstract", "Reuse", "What Does the Evidence Tell us?"]
    sec = doc.section_at(MARKDOWN.index("savings"))
    assert sec.locator == "Integrated Care: A Pill for All Ills? > What Does the Evidence Tell us?"
    assert doc.section_at(MARKDOWN.index("repository")).index == 0


def test_table_of_contents_lines_are_not_headings():
    """Lines with dot leaders or a tab and a page number are contents entries, not headings."""
    doc = Document(PLAIN)
    titles = [h.title for h in doc.headings]
    assert "Purpose of review\t15" not in titles
    assert not any("....." in t for t in titles)
    assert "MESO LEVEL INTEGRATION" in titles
    assert "Case study 8: Torbay Care Trust (England)^{13, 24, 25}" in titles


def test_sentences_split_at_sentence_ends_but_not_abbreviations():
    """A sentence ends at . ! ? before a capital; "e.g." does not end one; offsets are raw offsets."""
    doc = Document(MARKDOWN)
    texts = [s.text(MARKDOWN) for s in doc.sentences]
    assert "There is an increasing policy emphasis on integration, e.g. between sectors." in texts
    assert "However, implementing this simple aim is rather more complex." in texts
    assert "What are the mechanisms?" in texts
    assert "- A list item that ends like a sentence." in texts
    for s in doc.sentences:
        assert MARKDOWN[s.start:s.end].strip() == MARKDOWN[s.start:s.end]
    assert not any(t.startswith("##") or t == "**Reuse**" for t in texts), "headings are not sentences"


def test_sentences_in_a_span_and_a_section():
    """sentences_in finds every sentence overlapping a span; section_sentences stays in its section."""
    doc = Document(PLAIN)
    start = PLAIN.index("Torbay Care Trust was")
    found = doc.sentences_in(start, start + 10)
    assert len(found) == 1 and found[0].text(PLAIN).startswith("Origins/desired outcomes: Torbay Care Trust")
    case = doc.section_at(start)
    assert [s.text(PLAIN) for s in doc.section_sentences(case)] == [
        "Origins/desired outcomes: Torbay Care Trust was established in 2005.", "It has five teams.",
        "Effectiveness: Torbay had the lowest use of hospital bed days in the region."]
    assert doc.line_of(start) == 9


@pytest.mark.sources
def test_every_curated_quote_falls_on_sentences_of_its_source():
    """Each stored anchor of the shipped evidence lies inside its text and overlaps at least one sentence."""
    corpus, _ = load_evidence(ROOT / "evidence")
    folder = settings.get_path("sources_dir")
    docs = {s.id: Document.from_file((folder / s.file).resolve()) for s in corpus.of("sources")}
    n = 0
    for rec in corpus.all():
        for _, q in iter_quoted(rec.model):
            doc = docs[q.source]
            assert 0 <= q.anchor.start < q.anchor.end <= len(doc.raw)
            if q.section == "Front matter" or q.quote.strip().endswith(("\t", ":")):
                continue
            n += 1
            assert doc.sentences_in(q.anchor.start, q.anchor.end) or doc.headings, q.quote
    assert n > 2000


@pytest.mark.sources
def test_the_goddard_mason_headings_are_found():
    """The editorial's own headings are sections of the reader."""
    folder = settings.get_path("sources_dir")
    doc = Document.from_file((folder / "goddard-mason-2016-pill-for-all-ills.txt").resolve())
    titles = [s.title for s in doc.sections]
    for h in ("Abstract", "Introduction", "What Is Integrated Care?", "How Can Integrated Care Achieve its Objectives?",
              "What Does the Evidence Tell us?", "Conclusion", "References"):
        assert h in titles
