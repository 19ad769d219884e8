"""The verbatim rule: whitespace may differ, nothing else may."""

import pytest

from kg.quotes import SourceText, normalize

TEXT = ("Torbay had the lowest use of hospital bed days in the region and the best\n"
        "performance in terms of length of stay. There was reduced use also of ‘residential’\n"
        "and of nursing homes – an increase in home care. Evidence is not conclusive.")


@pytest.fixture
def src():
    return SourceText(TEXT, "torbay.txt")


def test_normalize_collapses_whitespace_only():
    """Runs of whitespace become one space; case and punctuation stay."""
    assert normalize("  a \n\t b  ") == "a b"
    assert normalize("‘A’ – B") == "‘A’ – B"


@pytest.mark.parametrize("quote", [
    "the best performance in terms of length of stay.",  # wraps across a line break
    "the best\n\n   performance",
    "reduced use also of ‘residential’ and of nursing homes – an increase",
])
def test_accepts_whitespace_differences(src, quote):
    """A quote that differs only in whitespace is found."""
    assert src.occurrences(quote)


@pytest.mark.parametrize("quote,why", [
    ("reduced use also of 'residential' and", "straight quotes for curly"),
    ("nursing homes - an increase", "hyphen for en dash"),
    ("Torbay had the lowest use of hospital beds in the region", "paraphrase"),
    ("the best performance in terms of stay length", "reordering"),
    ("Evidence is conclusive.", "negation flip"),
    ("torbay had the lowest use", "case change"),
    ("lowest use ... in the region", "elision is not allowed"),
])
def test_rejects_anything_but_whitespace(src, quote, why):
    """Typography, wording, order, negation and case all count."""
    assert not src.occurrences(quote), why


def test_anchor_offsets_point_at_the_raw_text(src):
    """start/end are raw offsets; prefix/suffix are the normalised context."""
    a = src.locate("the best performance")
    assert TEXT[a.start:a.end] == "the best\nperformance"
    assert a.line == 1
    assert a.prefix.endswith("in the region and ")
    assert a.suffix.startswith(" in terms of length")
    assert src.anchor_at(a.start, a.end) == a


def test_locate_prefers_the_occurrence_near_a_hint():
    """With a quote that occurs twice, the hint picks the nearer occurrence."""
    s = SourceText("alpha beta gamma. alpha beta gamma.")
    first, second = s.occurrences("alpha beta")
    assert s.locate("alpha beta", near=30) == second
    assert s.locate("alpha beta") == first


def test_diagnose_says_where_a_quote_diverges(src):
    """A near miss names the character where it diverges; a paraphrase is 'absent'."""
    msg = src.diagnose("Torbay had the lowest use of hospital beds in the region")
    assert "diverges after 41/56 chars" in msg
    assert "absent from torbay.txt" in src.diagnose("Nothing of the sort is written anywhere here")
