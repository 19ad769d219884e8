"""Register a new source: its text into the sources folder, its record into ``evidence/sources``.

``ickg source add FILE --id ID --title ...`` reads a plain-text file (UTF-8) or a PDF (through
``pypdf``, when installed: ``pip install 'ickg[pdf]'``), normalises it the way the quote rule
expects and writes it as ``<sources_dir>/<id>.txt``, then writes ``evidence/sources/<id>.yaml``
with the bibliographic fields, validated by the :class:`kg.records.Source` model.

The normalisation only touches what the quote rule cannot see or must not meet: a byte-order
mark is dropped, line ends become ``\\n``, the text is put in Unicode NFC (so a quote typed with
a composed "é" matches a source that spelled it with a combining accent), control characters
other than tab and newline (a PDF's form feeds) become newlines, trailing spaces go, and the
file ends with one newline. Nothing else changes: no quote-mark, dash or hyphenation folding,
because quotes must match the text character for character.

Nothing is written when the id is taken, the text file exists with other content, the text is
empty or not UTF-8, or the record fails its model: the message names what to change.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kg.errors import IckgError, relpath

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029]")
_TRAILING = re.compile(r"[ \t]+(?=\n)")


def normalise_text(text: str) -> str:
    """The text as the sources folder keeps it (see the module docstring for exactly what changes)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("\n", text)
    text = _TRAILING.sub("", text)
    return text.strip("\n") + "\n"


def read_text(path: Path) -> str:
    """The text of a plain-text or PDF file.

    Raises:
        IckgError: when the file cannot be read, is not UTF-8, or is a PDF without pypdf installed.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IckgError(f"cannot read {path}: {exc}") from None
    if data.startswith(b"%PDF") or path.suffix.lower() == ".pdf":
        try:
            from pypdf import PdfReader
        except ImportError:
            raise IckgError(f"{path} is a PDF: install pypdf (pip install 'ickg[pdf]') to extract its text, "
                            "or convert it to plain text first") from None
        try:
            reader = PdfReader(path)
            return "\n\n".join(page.extract_text() or "" for page in reader.pages)
        except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds for a damaged file
            raise IckgError(f"cannot extract text from {path}: {exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IckgError(f"{path} is not UTF-8 text (byte {exc.start}); convert it to UTF-8 first") from None


@dataclass(frozen=True)
class Added:
    """What ``add_source`` wrote."""

    text_path: Path
    record_path: Path
    characters: int


def add_source(file: Path, source_id: str, fields: dict[str, Any], evidence_dir: Path, sources_dir: Path) -> Added:
    """Normalise a source text into the sources folder and write its record.

    Args:
        file: the plain-text (or PDF) file.
        source_id: the new source's id (lower case, digits, hyphens); names both files.
        fields: bibliographic fields of :class:`kg.records.Source` (``title``, ``type``, ``support``,
            ``creators``, ``date``, ...).

    Raises:
        IckgError: with the reason, when nothing was written.
    """
    from kg.records import Source, canonical_text, Record

    text = normalise_text(read_text(file))
    if not text.strip():
        raise IckgError(f"{file} holds no text")
    record_path = evidence_dir / "sources" / f"{source_id}.yaml"
    text_path = sources_dir / f"{source_id}.txt"
    if record_path.exists():
        raise IckgError(f"{relpath(record_path)} exists: the id {source_id!r} is taken")
    data = {"id": source_id, "file": text_path.name, **{k: v for k, v in fields.items() if v not in (None, "", [], ())}}
    try:
        model = Source.model_validate(data)
    except ValidationError as exc:
        msgs = "; ".join(f"{'.'.join(map(str, e['loc'])) or '(record)'}: {e['msg']}" for e in exc.errors())
        raise IckgError(f"the source record is not valid: {msgs}") from None
    if text_path.exists() and text_path.read_text(encoding="utf-8", errors="replace") != text:
        raise IckgError(f"{text_path} exists with other content; remove it or choose another id")
    if not (evidence_dir / "sources").is_dir():
        raise IckgError(f"{relpath(evidence_dir / 'sources')} is not a folder (check ICKG_EVIDENCE)")
    sources_dir.mkdir(parents=True, exist_ok=True)
    text_path.write_text(text, encoding="utf-8")
    record_path.write_text(canonical_text(Record("sources", model, record_path, {})), encoding="utf-8")
    return Added(text_path, record_path, len(text))
