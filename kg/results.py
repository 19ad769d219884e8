"""Render query results as a text table, CSV or JSON; every form says if it was cut short."""

from __future__ import annotations

import csv
import io

from kg.store import QueryResult, dumps_json


def to_csv(result: QueryResult) -> str:
    """CSV (UTF-8): plain values, header row; graphs as subject,predicate,object."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if result.kind == "ask":
        w.writerow(["boolean"])
        w.writerow([str(result.boolean).lower()])
    elif result.kind == "graph":
        w.writerow(["subject", "predicate", "object"])
        for tr in result.triples:
            w.writerow([t.value for t in tr])
    else:
        w.writerow(result.columns)
        for row in result.rows:
            w.writerow(["" if v is None else v.value for v in row])
    return buf.getvalue()


def to_table(result: QueryResult, width: int = 60) -> str:
    """An aligned plain-text table."""
    if result.kind == "ask":
        return f"{result.boolean}\n"
    if result.kind == "graph":
        cols, rows = ["subject", "predicate", "object"], [[t.value for t in tr] for tr in result.triples]
    else:
        cols = result.columns
        rows = [["" if v is None else v.value for v in row] for row in result.rows]
    cut = [[c if len(c) <= width else c[: width - 1] + "…" for c in map(str, r)] for r in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cut]) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in cut]
    return "\n".join(x.rstrip() for x in lines) + "\n"


def render(result: QueryResult, fmt: str, release_id: str = "") -> str:
    """Render in ``table``, ``csv`` or ``json``."""
    if fmt == "csv":
        return to_csv(result)
    if fmt == "json":
        return dumps_json(result, release_id) + "\n"
    return to_table(result)
