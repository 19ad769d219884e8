"""Citations: how to cite a source (BibTeX, RIS) and the dataset itself, and DOI links.

Every field comes from what the curated record gives; nothing is looked up or completed. Author
order is the order the record's citation line gives (see :func:`kg.views.common.sources`).
The functions take any object with a source's fields (:class:`kg.views.common.SourceInfo`);
this module imports nothing from the views, so downloads and the HTTP layer can use it too.
What this module does not do: fetch metadata, or format citation styles (APA, Vancouver, ...).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.views.common import SourceInfo

#: The dataset's own citation; every download carries it.
DATASET_TITLE = "Integrated-care knowledge graph"
DATASET_URL = "https://w3id.org/ickg/"
DATASET_LICENCE = "CC BY 4.0 (curated evidence); quotes remain the words of their sources"


def doi_url(doi: str | None) -> str | None:
    """The resolver URL of a DOI, or None; the only outside links views build from data."""
    if not doi:
        return None
    doi = doi.strip()
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", doi, flags=re.I)
    return f"https://doi.org/{doi}" if re.fullmatch(r"10\.\d{4,9}/\S+", doi) else None


_DOI_IN_TEXT = re.compile(r"(?i)(?:doi:\s*\[?|https?://(?:dx\.)?doi\.org/)(10\.\d{4,9}/[^\s\]\)>,;]+)")
_URL_IN_TEXT = re.compile(r"<(https?://[^\s<>]+)>|\]\((https?://[^\s()]+)\)|(?<![<(])\b(https?://[^\s<>()\]]+)")


def reference_links(text: str | None) -> list[str]:
    """The DOI resolver URLs and web addresses a reference's text gives, in order, without duplicates.

    Only what the text holds: a ``doi:10.x/y`` (also as a Markdown link) becomes its
    ``https://doi.org/`` URL; ``<http...>`` and bare ``http(s)`` addresses are kept as written.
    """
    out: list[str] = []
    for m in _DOI_IN_TEXT.finditer(text or ""):
        url = doi_url(m.group(1).rstrip("."))
        if url and url not in out:
            out.append(url)
    for m in _URL_IN_TEXT.finditer(text or ""):
        url = next(g for g in m.groups() if g).rstrip(".")
        if "doi.org/" in url.lower():
            url = doi_url(url) or url
        if url not in out:
            out.append(url)
    return out


def _bib_escape(text: str) -> str:
    return re.sub(r"([{}\\&%$#_])", r"\\\1", text)


def _year(date: str | None) -> str:
    m = re.match(r"(\d{4})", date or "")
    return m.group(1) if m else ""


def bibtex(src: SourceInfo) -> str:
    """A BibTeX entry for a source, from its recorded fields only."""
    kind = {"article": "article", "report": "techreport", "book": "book"}.get(src.type, "misc")
    key = re.sub(r"[^A-Za-z0-9]+", "", src.id.title()) or "source"
    fields: list[tuple[str, str]] = []
    if src.creators:
        fields.append(("author", " and ".join(src.creators)))
    fields.append(("title", "{" + src.title + "}"))
    if src.journal:
        fields.append(("journal", src.journal))
    if src.publisher:
        fields.append(("institution" if kind == "techreport" else "publisher", src.publisher))
    if src.volume:
        fields.append(("volume", src.volume))
    if src.issue:
        fields.append(("number", src.issue))
    if src.pages:
        fields.append(("pages", src.pages.replace("–", "--")))
    if _year(src.date):
        fields.append(("year", _year(src.date)))
    if src.date and len(src.date) >= 7:
        fields.append(("date", src.date))
    if src.doi:
        fields.append(("doi", src.doi))
    if src.note:
        fields.append(("note", src.note))
    body = ",\n".join(f"  {k} = {{{_bib_escape(v) if k != 'title' else '{' + _bib_escape(src.title) + '}'}}}"
                      for k, v in fields)
    return f"@{kind}{{{key},\n{body}\n}}\n"


def ris(src: SourceInfo) -> str:
    """An RIS record for a source, from its recorded fields only."""
    kind = {"article": "JOUR", "report": "RPRT", "book": "BOOK", "web-page": "ELEC"}.get(src.type, "GEN")
    lines = [f"TY  - {kind}"]
    lines += [f"AU  - {a}" for a in src.creators]
    lines.append(f"TI  - {src.title}")
    if src.journal:
        lines.append(f"JO  - {src.journal}")
    if src.publisher:
        lines.append(f"PB  - {src.publisher}")
    if src.volume:
        lines.append(f"VL  - {src.volume}")
    if src.issue:
        lines.append(f"IS  - {src.issue}")
    if src.pages:
        start, _, end = src.pages.replace("–", "-").partition("-")
        lines.append(f"SP  - {start}")
        if end:
            lines.append(f"EP  - {end}")
    if _year(src.date):
        lines.append(f"PY  - {_year(src.date)}")
    if src.date:
        lines.append(f"DA  - {src.date.replace('-', '/')}")
    if src.doi:
        lines.append(f"DO  - {src.doi}")
        lines.append(f"UR  - {doi_url(src.doi) or ''}")
    if src.note:
        lines.append(f"N1  - {src.note}")
    lines.append("ER  - ")
    return "\n".join(lines) + "\n"


def dataset_citation(release_id: str) -> str:
    """How to cite the graph itself."""
    return f"{DATASET_TITLE}, release {release_id}. {DATASET_URL} ({DATASET_LICENCE})."
