"""kg.cite: DOI links, BibTeX and RIS from the recorded fields of the shipped sources.

Expected values come from the curated YAML (read here independently of the graph), from the
source texts as quoted in the files, or from a second computation over the rdflib graph;
never from a previous run of the code under test.
"""

from __future__ import annotations

import pytest

from kg import cite
from kg.cite import reference_links
from kg.views import common


@pytest.mark.parametrize("doi,url", [
    ("10.1007/s11606-019-05029-z", "https://doi.org/10.1007/s11606-019-05029-z"),
    ("doi:10.15171/ijhpm.2016.111", "https://doi.org/10.15171/ijhpm.2016.111"),
    ("https://doi.org/10.1000/xyz", "https://doi.org/10.1000/xyz"),
    ("javascript:alert(1)", None), ("10.1/short", None), ("", None), (None, None)])
def test_only_dois_become_outside_links(doi, url):
    """A DOI becomes a doi.org link; anything else does not become a link at all."""
    assert cite.doi_url(doi) == url


def test_bibtex_and_ris(ex):
    """BibTeX and RIS carry authors in order, title, journal, DOI; RIS ends with ER."""
    poku = next(s for s in common.sources(ex) if s.id == "poku-2019")
    bib = cite.bibtex(poku)
    assert bib.startswith("@article{Poku2019,")
    assert "author = {Michael K Poku and Calvin M Kagan and Baligh Yehia}" in bib
    assert "doi = {10.1007/s11606-019-05029-z}" in bib and "pages = {1906--1909}" in bib
    assert bib.count("{") == bib.count("}")
    ris = cite.ris(poku).splitlines()
    assert ris[0] == "TY  - JOUR" and ris[-1] == "ER  - "
    assert [x for x in ris if x.startswith("AU  - ")] == ["AU  - Michael K Poku", "AU  - Calvin M Kagan",
                                                         "AU  - Baligh Yehia"]
    assert "DO  - 10.1007/s11606-019-05029-z" in ris
    report = next(s for s in common.sources(ex) if s.id == "pike-mongan-2014")
    assert cite.bibtex(report).startswith("@techreport{") and "institution = {Health Research Board}" in cite.bibtex(report)


def test_bibtex_escapes_special_characters():
    """A title with braces, ampersands and percent signs cannot break the entry."""
    s = common.SourceInfo("x", "x", "A & B {50%} #1", "c", "report", ("A_B",))
    bib = cite.bibtex(s)
    assert r"A \& B \{50\%\} \#1" in bib and r"A\_B" in bib


def test_reference_links_from_reference_texts():
    """DOIs become resolver URLs; web addresses are kept as written; nothing else is invented."""
    assert reference_links("Audit Commission (2009). London. <http://archive.audit-commission.gov.uk/x.pdf>") == [
        "http://archive.audit-commission.gov.uk/x.pdf"]
    assert reference_links("Leutz W. Milbank Q. doi:[10.1111/1468-0009.00125](https://doi.org/10.1111/1468-0009.00125)") \
        == ["https://doi.org/10.1111/1468-0009.00125"]
    assert reference_links("Goddard M. doi:10.15171/ijhpm.2016.111.") == ["https://doi.org/10.15171/ijhpm.2016.111"]
    assert reference_links("Johri M (2003) Int J Geriatr Psychiatry, 18: 222-35.") == []
    assert reference_links("javascript:alert(1) <ftp://x>") == []


def test_citations_keep_journal_volume_and_publisher_apart(ex):
    """Shortell: 'The Milbank Quarterly 99. Milbank Memorial Fund.'; the overview page does not repeat its title."""
    from kg.views import common

    srcs = {s.id: s for s in common.sources(ex)}
    assert "The Milbank Quarterly 99. Milbank Memorial Fund." in srcs["shortell-2021"].citation
    assert "Milbank Memorial Fund 99" not in srcs["shortell-2021"].citation
    overview = srcs["overview-page"].citation
    assert overview.count("Integrated Care") == 1 and "no author or date given" in overview
