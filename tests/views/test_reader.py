"""The source reader's data: permalinks, highlights from the graph, coverage, and escaped HTML."""

import re

import pytest

from kg.coverage import measure, signals_from_corpus, spans_from_corpus
from kg.fixtures import HOSTILE, REPORT
from kg.records import load_evidence
from kg.service import open_explorer
from kg.sourcetext import Document
from kg.views import reader

PAYLOAD = "</script><img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    from kg.fixtures import write_fixture

    evidence, sources = write_fixture(tmp_path_factory.mktemp("reader-fixture"))
    overrides = {"evidence_dir": str(evidence), "sources_dir": str(sources)}
    x = open_explorer(overrides, workers=1)
    yield x, evidence, sources
    x.close()


def test_read_in_context_params_come_from_the_quote_iri():
    """A quote IRI names its source and offsets; the reader's parameters are built from it."""
    iri = "https://w3id.org/ickg/quote/pike-mongan-2014.149877-149990"
    assert reader.read_in_context(iri) == {"source": "pike-mongan-2014", "start": "149877", "end": "149990"}
    assert reader.read_in_context_url(iri) == "reader?source=pike-mongan-2014&start=149877&end=149990"
    assert reader.read_in_context("https://w3id.org/ickg/case/pace") == {}
    assert reader.quote_location("quote:poku-2019.10-20") == reader.Location("poku-2019", 10, 20)


@pytest.mark.parametrize("params,expected", [
    ({"source": "poku-2019", "start": "5", "end": "9"}, reader.Location("poku-2019", 5, 9)),
    ({"quote": "quote:poku-2019.5-9"}, reader.Location("poku-2019", 5, 9)),
    ({"source": "poku-2019", "start": "9", "end": "5"}, reader.Location("poku-2019")),
    ({"source": "poku-2019", "start": "x", "end": "5"}, reader.Location("poku-2019")),
    ({"source": PAYLOAD, "start": "1", "end": "2"}, None),
    ({}, None),
])
def test_locations_from_url_parameters(params, expected):
    """Malformed or hostile parameters never become a location; a bad span falls back to the whole text."""
    assert reader.location_from_params(params) == expected


def test_highlights_label_what_each_quote_supports(fx):
    """Every kind of fact in the fixture shows up on the words it quotes, with the page that shows it."""
    x, _, _ = fx
    hls = reader.highlights(x, "fixture-report")
    by_text = {h.text: h for h in hls}
    bed = by_text["Riverside had the lowest use of hospital bed days in the region."]
    assert [(f.kind, f.direction, f.page, dict(f.params)) for f in bed.facts] == [
        ("finding", "positive", "cases", {"case": "riverside"})]
    assert by_text["Long-term commitment to joint working."].facts[0].kind == "enabler"
    assert by_text["The initial absence of common information systems."].facts[0].kind == "barrier"
    uses = by_text["Each team uses a single assessment process and a pooled budget."]
    assert {f.kind for f in uses.facts} == {"mechanism"}
    assert any("Pooled budget" in f.label for f in uses.facts)
    cls = by_text["Riverside Care Trust joined health and social care teams"]
    assert {f.label for f in cls.facts} == {"Riverside Care Trust: country Gb Eng", "Riverside Care Trust: form Real"}
    macro = by_text["Macro level: integrated care for the whole population."]
    assert macro.facts[0].kind == "definition" and dict(macro.facts[0].params) == {"scheme": "level", "concept": "macro"}
    mixed = by_text["Evidence on costs is mixed."]
    assert mixed.kind == "finding" and mixed.direction == "mixed"


def test_graph_spans_equal_record_anchors(fx):
    """The reader (graph) and `ickg coverage` (records) see the same quoted spans and the same coverage."""
    x, evidence, sources = fx
    corpus, _ = load_evidence(evidence)
    from_records = spans_from_corpus(corpus)
    for sid in ("fixture-report", "fixture-page"):
        assert sorted({(h.start, h.end) for h in reader.highlights(x, sid)}) == from_records[sid]
    src = next(s for s in reader.reader_sources(x, sources) if s.id == "fixture-report")
    assert src.available
    doc = reader.document(src)
    via_graph = reader.coverage(x, src, doc)
    via_records = measure(Document(REPORT), "fixture-report", from_records["fixture-report"], signals_from_corpus(corpus))
    assert (via_graph.quoted, via_graph.sentences) == (via_records.quoted, via_records.sentences)


def test_sources_without_text_are_marked_unavailable(fx, tmp_path):
    """Without the texts, each source says it is unavailable and has no document."""
    x, _, _ = fx
    srcs = reader.reader_sources(x, tmp_path)
    assert {s.id for s in srcs} == {"fixture-report", "fixture-page"}
    assert not any(s.available for s in srcs)
    assert all(reader.document(s) is None for s in srcs)


def test_section_html_escapes_a_hostile_source_text_and_labels(fx):
    """Source text, labels and links reach the HTML escaped: a hostile text stays text."""
    x, _, _ = fx
    raw = f"Case study\n\nThe programme {PAYLOAD} cut bed days & costs.\n"
    doc = Document(raw)
    start = raw.index("The programme")
    fact = reader.Fact("https://w3id.org/ickg/statement/x.y", "finding", HOSTILE, HOSTILE, "positive", "cases",
                       (("case", "x"),))
    hl = reader.Highlight("https://w3id.org/ickg/quote/evil.1-2", start, start + 40, raw[start:start + 40], "S", 3, (fact,))
    out = reader.section_html(doc, doc.section_at(start), [hl], "evil", selected=(start, start + 40))
    assert PAYLOAD not in out and "<img" not in out and "<b>" not in out
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in out
    assert 'class="ickg-k-finding ickg-selected"' in out and 'id="ickg-selected"' in out
    assert re.search(r'href="\?source=evil&amp;start=\d+&amp;end=\d+"', out)
    # only the tags the reader makes
    assert set(re.findall(r"<(\w+)", out)) <= {"style", "div", "mark", "a", "span"}


def test_an_unquoted_selection_is_outlined(fx):
    """A selection no quote matches (a passage to curate) is outlined in the text."""
    raw = "Heading\n\nOne sentence here. Another one there.\n"
    doc = Document(raw)
    s = raw.index("Another")
    out = reader.section_html(doc, doc.section_at(s), [], "src", selected=(s, s + 7))
    assert '<mark class="ickg-selected" id="ickg-selected"' in out and ">Another</mark>" in out


def test_highlights_off_their_words_are_set_aside(fx):
    """In a copy of the text that differs from the anchored one, misplaced quotes are never drawn."""
    x, _, _ = fx
    hls = reader.highlights(x, "fixture-report")
    good, bad = reader.placed(Document(REPORT), hls)
    assert bad == [] and len(good) == len(hls)
    shifted = Document("An extra first line.\n" + REPORT)
    good, bad = reader.placed(shifted, hls)
    assert good == [] and len(bad) == len(hls)
