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


def test_csv_is_plain_with_provenance_beside_it():
    """Plain CSV (header on the first line; pandas reads it as is); provenance in a zip's JSON (issue 13)."""
    import zipfile

    import pandas as pd

    rows = [{"a": "£250,000", "b": 'say "hi"\nnext'}, {"a": None, "b": "x"}]
    text = serialise.csv_text(["a", "b"], rows)
    assert text.lstrip("\ufeff").splitlines()[0] == "a,b" and "#" not in text
    assert list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")))) == [{"a": "£250,000", "b": 'say "hi"\nnext'},
                                                                         {"a": "", "b": "x"}]
    frame = pd.read_csv(io.BytesIO(text.encode("utf-8")))
    assert list(frame.columns) == ["a", "b"] and frame.loc[0, "a"] == "£250,000"
    what = {"filters": {"level": ["Meso level"]}, "query": "SELECT *\nWHERE {}"}
    data = serialise.csv_zip("cases", ["a", "b"], rows, "0.1.0+abc", what)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert sorted(z.namelist()) == ["cases.csv", "cases.json"]
        assert z.read("cases.csv").decode("utf-8") == text
        meta = json.loads(z.read("cases.json"))
    assert meta["release"] == "0.1.0+abc" and meta["filters"] == {"level": ["Meso level"]}
    assert meta["citation"].startswith("Integrated-care knowledge graph, release 0.1.0+abc")
    assert meta["columns"] == ["a", "b"] and meta["rows"] == 2 and meta["query"] == "SELECT *\nWHERE {}"
    assert serialise.csv_zip("cases", ["a", "b"], rows, "0.1.0+abc", what) == data  # same table, same bytes
    data = json.loads(serialise.json_text(["a", "b"], rows, "0.1.0+abc", {"view": "test"}))
    assert data["ickg"]["release"] == "0.1.0+abc" and data["ickg"]["view"] == "test"
    assert data["rows"][0] == {"a": "£250,000", "b": 'say "hi"\nnext'}


def test_result_downloads(ex):
    """Query downloads: the status and the query in the header; SPARQL JSON with ickg metadata."""
    result = ex.named("case-profile", case="case:pace")
    csv_text = serialise.result_csv(result)
    assert csv_text.lstrip("\ufeff").splitlines()[0] == ",".join(result.columns)
    import zipfile

    with zipfile.ZipFile(io.BytesIO(serialise.result_zip("q", result, ex.release_id,
                                                         {"query name": "case-profile"}))) as z:
        meta = json.loads(z.read("q.json"))
    assert meta["query name"] == "case-profile" and meta["status"] == result.status
    data = json.loads(serialise.result_json(result, ex.release_id, {"query": "x"}))
    assert data["ickg"]["release"] == ex.release_id and data["ickg"]["query"] == "x"
    assert len(data["results"]["bindings"]) == len(result.rows)


def test_plain_strings_are_not_typed_xsd_string(ex):
    """A result's plain string literals carry no xsd:string datatype in SPARQL JSON (issue 13)."""
    result = ex.query("SELECT ?l ?n WHERE { VALUES (?l ?n) { (\"plain\" 3) } }")
    data = json.loads(serialise.result_json(result, ex.release_id, {}))
    [b] = data["results"]["bindings"]
    assert b["l"] == {"type": "literal", "value": "plain"}
    assert b["n"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"
