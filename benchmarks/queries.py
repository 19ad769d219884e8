"""Time every named query (the gallery and the app's internal ones) on the real graph.

The gallery benchmark (``run.py``) times the public gallery on synthetic graphs; the app's pages
also run internal queries (``kg/queries/_*.rq``) on the graph that ships. This script builds
the real graph (``kg.pipeline.run()``, derived triples included), loads it into an in-process
pyoxigraph store and times each named query with the parameter values of ``generate.py``
(``GALLERY_PARAMS``, else the first example of the parameter's help).

Figures are **CPU time** of the calling process (``time.process_time``), median of ``--runs``
runs after one warm-up: pyoxigraph evaluates a query in the calling thread, so CPU time is the
engine's work and stays meaningful on a busy machine, where wall-clock time does not. Queries
over ``--target`` milliseconds are marked.

Usage::

    python benchmarks/queries.py                 # every named query, 5 runs each
    python benchmarks/queries.py --only evidence-for-process,_case_facets --runs 9
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="timed runs per query (median; default 5)")
    ap.add_argument("--target", type=float, default=20.0, help="mark queries over this many ms (20)")
    ap.add_argument("--only", default="", help="comma-separated query names")
    args = ap.parse_args(argv)

    import pyoxigraph

    from kg import queries
    from kg.protocol import run_on_oxigraph

    t0 = time.perf_counter()
    store = pyoxigraph.Store()
    store.bulk_load(generate.real_ntriples(), pyoxigraph.RdfFormat.N_TRIPLES)
    print(f"real graph: {len(store):,} triples, built and loaded in {time.perf_counter() - t0:.1f} s")

    only = {n for n in args.only.split(",") if n}
    names = sorted(p.stem for p in Path(queries.__file__).with_name("queries").glob("*.rq"))
    rows = []
    for name in names:
        if only and name not in only:
            continue
        q = queries.find(name) or queries.internal(name)
        if q.name.startswith("_derive"):
            continue  # run once at build time, not by any page
        try:
            values = generate.param_values(q)
        except ValueError as exc:
            print(f"  skipped {name}: {exc}")
            continue
        bindings = q.bind(values)
        answer = run_on_oxigraph(store, q.text, bindings, 10000)  # warm-up
        size = len(answer.get("rows") or answer.get("triples") or [])
        times = []
        for _ in range(max(1, args.runs)):
            c0 = time.process_time()
            run_on_oxigraph(store, q.text, bindings, 10000)
            times.append((time.process_time() - c0) * 1000)
        rows.append((statistics.median(times), name, size))

    print(f"\n{'CPU ms':>8}  {'rows':>6}  query")
    for ms, name, size in sorted(rows, reverse=True):
        mark = "  over target" if ms > args.target else ""
        print(f"{ms:8.1f}  {size:6d}  {name}{mark}")
    if rows:
        values = [r[0] for r in rows]
        gallery = [r[0] for r in rows if not r[1].startswith("_")]
        print(f"\n{len(rows)} queries: median {statistics.median(values):.1f} ms, max {max(values):.1f} ms; "
              f"gallery median {statistics.median(gallery):.1f} ms; "
              f"{sum(v > args.target for v in values)} over {args.target:g} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
