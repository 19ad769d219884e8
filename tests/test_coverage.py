"""Coverage of the sources by quotes, per section, and the worklist of unquoted evidence-like sentences."""

import json

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.coverage import Signals, is_quoted, measure, merge, signals_from_corpus, spans_from_corpus
from kg.fixtures import REPORT
from kg.records import load_evidence
from kg.sourcetext import Document

TEXT = """Results

Hospital bed days fell by 27% in Torbay. Staff liked the new teams. See doi:10.15171/ijhpm.2016.111 for details.
The trust saved £250,000 in its first year. Nobody measured anything else here.
"""


def _span(text: str, words: str) -> tuple[int, int]:
    i = TEXT.index(words)
    return i, i + len(words)


def test_merge_joins_overlapping_spans():
    """Overlapping and touching spans merge; disjoint ones stay apart."""
    assert merge([(5, 10), (0, 3), (8, 12), (12, 14), (20, 21)]) == [(0, 3), (5, 14), (20, 21)]


def test_a_sentence_is_quoted_when_half_of_it_is():
    """Quotes over at least half of a sentence's characters count; a few words do not."""
    doc = Document(TEXT)
    first = doc.sentences[0]
    assert first.text(TEXT) == "Hospital bed days fell by 27% in Torbay."
    assert is_quoted(first, [_span(TEXT, "Hospital bed days fell by 27%")])
    assert not is_quoted(first, [_span(TEXT, "bed days")])


def test_measure_counts_per_section_and_lists_unquoted_evidence():
    """Coverage per section; the worklist holds unquoted sentences with figures, outcome words or names."""
    doc = Document(TEXT)
    signals = Signals(("bed days",), ("Torbay",))
    cov = measure(doc, "t", [_span(TEXT, "Hospital bed days fell by 27% in Torbay.")], signals)
    results = next(s for s in cov.sections if s.section.title == "Results")
    assert (results.sentences, results.quoted) == (5, 1)
    assert cov.share == pytest.approx(1 / 5)
    listed = {c.text: c.reasons for c in cov.worklist}
    assert "Hospital bed days fell by 27% in Torbay." not in listed, "quoted sentences are not on the worklist"
    assert listed["The trust saved £250,000 in its first year."] == ("figure £250,000", "outcome: saved")
    assert "Staff liked the new teams." not in listed
    assert "Nobody measured anything else here." not in listed
    # a DOI is not a figure
    assert not any(r.startswith("figure") for r in listed.get("See doi:10.15171/ijhpm.2016.111 for details.", ()))


def test_signals_name_programmes_case_sensitively():
    """Programme names match as words and with their case; outcome terms ignore case."""
    s = Signals(("Hospital use",), ("PACE",))
    assert s.reasons("The pace of change in hospital use was slow.") == ["outcome: hospital use"]
    assert s.reasons("PACE enrollees had fewer admissions.") == ["outcome: fewer", "programme: PACE"]


def test_fixture_coverage_from_records(fixture_dirs):
    """The fixture report: spans from the records' anchors cover the sentences they quote."""
    evidence, sources = fixture_dirs
    corpus, problems = load_evidence(evidence)
    assert not [p for p in problems if p.severity == "error"]
    spans = spans_from_corpus(corpus)
    doc = Document(REPORT)
    cov = measure(doc, "fixture-report", spans["fixture-report"], signals_from_corpus(corpus))
    quoted = {s.text(REPORT) for s in doc.sentences if is_quoted(s, merge(spans["fixture-report"]))}
    assert "Effectiveness: Riverside had the lowest use of hospital bed days in the region." in quoted
    assert "There are no data available on cost-effectiveness." in quoted
    assert cov.quoted == len(quoted)
    assert cov.quoted == cov.sentences == 10, "every sentence of the fixture report is quoted"
    assert cov.worklist == []


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_coverage_command_prints_sources_and_sections(fixture_dirs):
    """`ickg coverage` prints each source's share and its sections' counts, the same numbers as the module."""
    evidence, sources = fixture_dirs
    r = run("-s", f"evidence_dir={evidence}", "-s", f"sources_dir={sources}", "coverage", "--worklist", "5")
    assert r.exit_code == 0, r.output
    corpus, _ = load_evidence(evidence)
    cov = measure(Document(REPORT), "fixture-report", spans_from_corpus(corpus)["fixture-report"],
                  signals_from_corpus(corpus))
    assert f"fixture-report: {cov.quoted}/{cov.sentences} sentences quoted" in r.output
    assert "Case study A: Riverside Care Trust" in r.output
    assert "all sources:" in r.output
    j = run("-s", f"evidence_dir={evidence}", "-s", f"sources_dir={sources}", "coverage", "fixture-report", "--json")
    data = json.loads(j.output)
    assert [d["source"] for d in data] == ["fixture-report"]
    assert data[0]["quoted"] == cov.quoted and data[0]["sentences"] == cov.sentences


def test_coverage_command_errors(fixture_dirs, tmp_path):
    """An unknown source or a missing sources folder is a usage error (exit 2) that says what to do."""
    evidence, sources = fixture_dirs
    r = run("-s", f"evidence_dir={evidence}", "-s", f"sources_dir={sources}", "coverage", "nope")
    assert r.exit_code == 2 and "unknown source 'nope'" in r.output
    r = run("-s", f"evidence_dir={evidence}", "-s", f"sources_dir={tmp_path / 'none'}", "coverage")
    assert r.exit_code == 2 and "ICKG_SOURCES" in r.output


def test_a_sentence_quoted_at_another_place_is_not_work_left():
    """Text repeated in a summary and quoted in the body stays off the worklist (but counts as unquoted there)."""
    text = "Summary\n\nBed days fell by 27% in Torbay.\n\nBody\n\nBed days fell by 27% in Torbay.\n"
    doc = Document(text)
    body = text.rindex("Bed days")
    cov = measure(doc, "t", [(body, body + len("Bed days fell by 27% in Torbay."))], Signals(("bed days",), ()))
    assert cov.worklist == []
    assert (cov.quoted, cov.sentences) == (1, 2)
