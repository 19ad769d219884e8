"""Competency questions: what a researcher would ask of these sources, answered from the text.

Each ``tests/competency/<name>.rq`` holds one question as SPARQL with a header that states the
question, the source sentences the expected answer was derived from, and the answer itself::

    # question: Which case studies does the HRB review give as real meso-level integration?
    # evidence: pike-mongan-2014 | Two models are described – PACE in the USA and Torbay Care Trust in England
    # expect: includes
    # row: case=case:pace
    # row: case=case:torbay-care-trust

``expect`` is one of ``exactly`` (the answer's rows, projected on the variables the rows name,
are exactly the expected rows), ``includes`` (every expected row is in the answer), ``excludes``
(no expected row is in the answer), ``count=N`` (N rows), ``true`` or ``false`` (ASK). Values
are prefixed names or IRIs (``case:pace``, ``<https://...>``), quoted literals (``"text"``) or
numbers. Every ``evidence`` line must be word for word in its source (whitespace collapsed), so
an expectation can always be traced to the sentence it was read from; the expectations were
written from those sentences, not from what the graph answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kg import export, quotes
from kg.namespaces import FIXED_PREFIXES, concept

HERE = Path(__file__).resolve().parent / "competency"
FILES = sorted(HERE.glob("*.rq"))
SOURCE_FILES = {
    "pike-mongan-2014": "pike-mongan-2014-hrb-integration-review.txt",
    "shortell-2021": "shortell-2021-leutz-laws-revisited.txt",
    "poku-2019": "poku-2019-coordination-to-integration.txt",
    "goddard-mason-2016": "goddard-mason-2016-pill-for-all-ills.txt",
    "overview-page": "integrated-care-pattern-overview.txt",
}


@dataclass
class Question:
    path: Path
    question: str = ""
    evidence: list[tuple[str, str]] = field(default_factory=list)
    expect: str = ""
    rows: list[dict[str, str]] = field(default_factory=list)
    text: str = ""


def _value(raw: str) -> str:
    raw = raw.strip()
    if raw.startswith("<") and raw.endswith(">"):
        return raw[1:-1]
    if raw.startswith('"') and raw.endswith('"'):
        return raw[1:-1]
    if re.fullmatch(r"-?\d+(\.\d+)?", raw):
        return raw
    prefix, sep, local = raw.partition(":")
    if sep and prefix in FIXED_PREFIXES:
        return FIXED_PREFIXES[prefix] + local
    if sep:
        return str(concept(prefix, local))
    raise ValueError(f"not a value: {raw!r}")


def parse(path: Path) -> Question:
    q = Question(path, text=path.read_text(encoding="utf-8"))
    for line in q.text.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].strip().partition(":")
        key, value = key.strip(), value.strip()
        if key == "question":
            q.question = value
        elif key == "evidence":
            src, _, words = value.partition("|")
            q.evidence.append((src.strip(), words.strip()))
        elif key == "expect":
            q.expect = value
        elif key == "row":
            row = {}
            for part in value.split(";"):
                var, _, val = part.partition("=")
                row[var.strip().lstrip("?")] = _value(val)
            q.rows.append(row)
    return q


QUESTIONS = [parse(p) for p in FILES]


def test_there_are_enough_questions():
    """At least 40 competency questions, each with a question, evidence and an expectation."""
    assert len(QUESTIONS) >= 40, f"only {len(QUESTIONS)} competency questions in {HERE}"
    for q in QUESTIONS:
        assert q.question and q.evidence and q.expect, q.path.name
        assert q.expect in ("exactly", "includes", "excludes", "true", "false") or \
            re.fullmatch(r"count=\d+", q.expect), f"{q.path.name}: bad expect {q.expect!r}"
        if q.expect in ("exactly", "includes", "excludes"):
            assert q.rows, f"{q.path.name}: expect {q.expect} needs rows"


@pytest.mark.sources
@pytest.mark.parametrize("q", QUESTIONS, ids=[q.path.stem for q in QUESTIONS])
def test_evidence_is_verbatim(q):
    """The sentences an expectation was read from are word for word in their source."""
    from tests.conftest import sources_dir

    for src, words in q.evidence:
        assert src in SOURCE_FILES, f"{q.path.name}: unknown source {src!r}"
        text = (sources_dir() / SOURCE_FILES[src]).read_text(encoding="utf-8")
        assert quotes.normalize(words) in quotes.normalize(text), \
            f"{q.path.name}: evidence not verbatim in {src}: {words[:80]!r}"


@pytest.fixture(scope="module")
def oxi(shipped):
    import pyoxigraph

    store = pyoxigraph.Store()
    store.bulk_load(export.to_ntriples(shipped.built.graph).encode(), pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def _term(t) -> str:
    return t.value


@pytest.mark.parametrize("q", QUESTIONS, ids=[q.path.stem for q in QUESTIONS])
def test_competency_question(q, oxi):
    """The graph answers the question as the source text does."""
    result = oxi.query(q.text, prefixes=dict(FIXED_PREFIXES))
    if q.expect in ("true", "false"):
        assert bool(result) is (q.expect == "true"), q.question
        return
    variables = [v.value for v in result.variables]
    rows = [{v: _term(s[v]) for v in variables if s[v] is not None} for s in result]
    if q.expect.startswith("count="):
        assert len(rows) == int(q.expect[6:]), f"{q.question}\n{rows}"
        return
    keys = sorted({k for r in q.rows for k in r})
    missing = [k for k in keys if k not in variables]
    assert not missing, f"{q.path.name}: rows name unprojected variables {missing}"
    got = {tuple(r.get(k) for k in keys) for r in rows}
    want = {tuple(r.get(k) for k in keys) for r in q.rows}
    if q.expect == "exactly":
        assert got == want, f"{q.question}\nmissing: {want - got}\nunexpected: {got - want}"
    elif q.expect == "includes":
        assert want <= got, f"{q.question}\nmissing: {want - got}"
    else:
        assert not (want & got), f"{q.question}\npresent but must not be: {want & got}"
