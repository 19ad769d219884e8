"""Downloads: result tables as CSV and JSON, and RDF as Turtle, JSON-LD or N-Triples, each with its context.

Every download says what it is (the view, its filters or query), the release, and how to cite
the dataset, so a file that travels on its own still says where it came from: CSV files are plain
(the header on the first line, as spreadsheets and pandas expect) and their provenance travels
in a JSON file beside them, zipped together; JSON downloads carry it in an ``ickg`` member. :mod:`kg.results`
renders query results for the command line and the HTTP endpoint without that header; this
module is for the files the app hands out. What this module does not do: decide what rows a
view holds (the views do) or run queries.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterable

from kg.cite import DATASET_TITLE, dataset_citation
from kg.errors import IckgError
from kg.namespaces import FIXED_PREFIXES

RDF_FORMATS = {"ttl": ("Turtle", "text/turtle", "ttl"), "jsonld": ("JSON-LD", "application/ld+json", "jsonld"),
               "nt": ("N-Triples", "application/n-triples", "nt")}


def triples_text(triples: list[tuple[Any, Any, Any]], fmt: str, release_id: str = "",
                 header: str = "") -> str:
    """Serialise result triples (store :class:`~kg.store.Term` tuples) as Turtle, JSON-LD or N-Triples."""
    import pyoxigraph

    if fmt not in RDF_FORMATS:
        raise IckgError(f"unknown RDF format {fmt!r}; one of {', '.join(RDF_FORMATS)}")
    from kg.store import _from_term

    quads = [pyoxigraph.Triple(_from_term(s), _from_term(p), _from_term(o)) for s, p, o in triples]
    return rdf_text(quads, fmt, release_id, header)


def rdf_text(items: list, fmt: str, release_id: str, header: str) -> str:
    """Serialise pyoxigraph triples in ``fmt``, with ``#`` header lines where the format allows comments."""
    import pyoxigraph

    rdf_format = {"ttl": pyoxigraph.RdfFormat.TURTLE, "jsonld": pyoxigraph.RdfFormat.JSON_LD,
                  "nt": pyoxigraph.RdfFormat.N_TRIPLES}[fmt]
    kwargs = {"prefixes": dict(FIXED_PREFIXES)} if fmt in ("ttl", "jsonld") else {}
    data = pyoxigraph.serialize(items, format=rdf_format, **kwargs)
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    if fmt in ("ttl", "nt"):
        lines = [f"# {DATASET_TITLE}, release {release_id}"] if release_id else []
        lines += [f"# {x}" if x else "#" for x in header.splitlines()]
        return "".join(x + "\n" for x in lines) + text
    return text


def context_lines(release_id: str, what: dict[str, Any]) -> list[str]:
    """The header every download carries: what it is, the filters or query, release, citation."""
    lines = [f"{DATASET_TITLE}, release {release_id}"]
    for k, v in what.items():
        if v in (None, "", [], {}):
            continue
        if isinstance(v, (list, tuple, set)):
            v = "; ".join(map(str, v))
        elif isinstance(v, dict):
            v = "; ".join(f"{a}={'|'.join(b) if isinstance(b, (list, tuple)) else b}" for a, b in v.items() if b)
        text = str(v)
        if "\n" in text:
            lines.append(f"{k}:")
            lines += ["  " + x for x in text.splitlines()]
        else:
            lines.append(f"{k}: {text}")
    lines.append(f"cite as: {dataset_citation(release_id)}")
    return lines


def csv_text(columns: Iterable[str], rows: Iterable[dict[str, Any]]) -> str:
    """Plain CSV in UTF-8: the header on the first line, then the table (a byte-order mark lets spreadsheets
    read UTF-8; pandas and the csv module skip it). What the table is travels beside it (:func:`provenance`)."""
    cols = list(columns)
    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for r in rows:
        w.writerow(["" if r.get(c) is None else r.get(c) for c in cols])
    return buf.getvalue()


def provenance(release_id: str, what: dict[str, Any], columns: Iterable[str], rows: int) -> dict[str, Any]:
    """What a downloaded table is: the view, its filters or query, the release, the citation, the columns."""
    return {"dataset": DATASET_TITLE, "release": release_id, "citation": dataset_citation(release_id),
            **{k: v for k, v in what.items() if v not in (None, "", [], {})},
            "columns": list(columns), "rows": rows}


def csv_zip(name: str, columns: Iterable[str], rows: list[dict[str, Any]], release_id: str,
            what: dict[str, Any]) -> bytes:
    """A zip of ``<name>.csv`` (plain CSV) and ``<name>.json`` (its provenance), for a table to travel whole."""
    import zipfile

    cols = list(columns)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for member, data in ((f"{name}.csv", csv_text(cols, rows)),
                             (f"{name}.json", json.dumps(provenance(release_id, what, cols, len(rows)),
                                                         ensure_ascii=False, indent=1, default=str) + "\n")):
            info = zipfile.ZipInfo(member, date_time=(2020, 1, 1, 0, 0, 0))  # same bytes for the same table
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data.encode("utf-8"))
    return buf.getvalue()


def json_text(columns: Iterable[str], rows: Iterable[dict[str, Any]], release_id: str,
              what: dict[str, Any]) -> str:
    """JSON with the same content as :func:`csv_text`: ``ickg`` metadata, columns and rows."""
    cols = list(columns)
    meta = {"release": release_id, "citation": dataset_citation(release_id),
            **{k: v for k, v in what.items() if v not in (None, "", [], {})}}
    return json.dumps({"ickg": meta, "columns": cols, "rows": [{c: r.get(c) for c in cols} for r in rows]},
                      ensure_ascii=False, indent=1, default=str) + "\n"


def result_json(result: Any, release_id: str, what: dict[str, Any]) -> str:
    """SPARQL 1.1 JSON results with the release, citation and query in the ``ickg`` member."""
    from kg.store import result_to_json

    data = result_to_json(result, release_id)
    data["ickg"].update({"citation": dataset_citation(release_id), "status": result.status,
                         **{k: v for k, v in what.items() if v not in (None, "", [], {})}})
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def result_table(result: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """A query result as (columns, rows) of plain values (a graph as subject, predicate, object)."""
    if result.kind == "ask":
        return ["boolean"], [{"boolean": str(result.boolean).lower()}]
    if result.kind == "graph":
        return ["subject", "predicate", "object"], [{"subject": s.value, "predicate": p.value, "object": o.value}
                                                    for s, p, o in result.triples]
    return list(result.columns), result.values()


def result_csv(result: Any) -> str:
    """A query result as plain CSV (values as the engine returned them)."""
    return csv_text(*result_table(result))


def result_zip(name: str, result: Any, release_id: str, what: dict[str, Any]) -> bytes:
    """A query result as plain CSV with its provenance (query, status, release, citation) in a zip."""
    cols, rows = result_table(result)
    return csv_zip(name, cols, rows, release_id, {**what, "status": result.status,
                                                  "truncated": result.truncated})
