"""kg.serialise: downloads carry the release, what was shown and the citation.

Expected values come from the curated YAML (read here independently of the graph), from the
source texts as quoted in the files, or from a second computation over the rdflib graph;
never from a previous run of the code under test.
"""

from __future__ import annotations

import csv
import io
import json

from kg import serialise


def test_csv_carries_release_filters_and_citation():
    """UTF-8 with BOM, # header lines with what was shown, then the table exactly."""
    rows = [{"a": "£250,000", "b": 'say "hi"\nnext'}, {"a": None, "b": "x"}]
    text = serialise.csv_text(["a", "b"], rows, "0.1.0+abc", {"filters": {"level": ["Meso level"]},
                                                             "query": "SELECT *\nWHERE {}"})
    assert text.startswith("\ufeff# Integrated-care knowledge graph, release 0.1.0+abc\n")
    head = [x for x in text.lstrip("\ufeff").splitlines() if x.startswith("#")]
    assert "# filters: level=Meso level" in head and "# query:" in head and "#   SELECT *" in head
    assert any(x.startswith("# cite as: Integrated-care knowledge graph, release 0.1.0+abc") for x in head)
    body = "".join(line for line in io.StringIO(text.lstrip("\ufeff")) if not line.startswith("#"))
    assert list(csv.DictReader(io.StringIO(body))) == [{"a": "£250,000", "b": 'say "hi"\nnext'}, {"a": "", "b": "x"}]
    data = json.loads(serialise.json_text(["a", "b"], rows, "0.1.0+abc", {"view": "test"}))
    assert data["ickg"]["release"] == "0.1.0+abc" and data["ickg"]["view"] == "test"
    assert data["rows"][0] == {"a": "£250,000", "b": 'say "hi"\nnext'}


def test_result_downloads(ex):
    """Query downloads: the status and the query in the header; SPARQL JSON with ickg metadata."""
    result = ex.named("case-profile", case="case:pace")
    csv_text = serialise.result_csv(result, ex.release_id, {"query name": "case-profile"})
    assert "# query name: case-profile" in csv_text and f"# status: {result.status}" in csv_text
    data = json.loads(serialise.result_json(result, ex.release_id, {"query": "x"}))
    assert data["ickg"]["release"] == ex.release_id and data["ickg"]["query"] == "x"
    assert len(data["results"]["bindings"]) == len(result.rows)
