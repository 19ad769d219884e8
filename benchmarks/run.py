"""Benchmark the gallery on the embedded engine and on plain rdflib, at several scales.

For each scale factor (synthetic graphs from ``benchmarks/generate.py``) and each gallery query
it times, in one run:

* **oxigraph in-process**: :func:`kg.store.run_on_oxigraph` on a pyoxigraph store in the same
  process (the engine alone, plus the conversion of rows to ``Term``);
* **EmbeddedStore**: :class:`kg.store.EmbeddedStore` with its worker process (what the app and
  CLI use: query check, pickling over a pipe, time-limit machinery);
* **rdflib**: plain ``rdflib.Graph.query`` (rdflib's own SPARQL engine,
  ``SPARQL_LOAD_GRAPHS = False``), in a forked subprocess killed at ``--rdflib-timeout``.

Each figure is the median of up to ``--runs`` timed runs after one warm-up run (fewer runs when
a query is slow: timed runs stop once they add up to ``--budget`` seconds; at least one).
Parameters get fixed values (``generate.GALLERY_PARAMS``), bound as the store binds them:
pyoxigraph ``substitutions``, rdflib ``initBindings``. Every engine reads at most ``max_rows``
(10,000, the app's default) rows.

Also: the build of the real graph from the files (``kg.pipeline.run()``, SHACL included, and its
steps), load times (pyoxigraph ``bulk_load`` vs rdflib ``parse`` of N-Triples), peak memory
(``resource.getrusage`` maxrss of each engine's process, and tracemalloc for Python allocations;
tracemalloc slows rdflib's parser about four-fold, so rdflib's Python heap is measured in a
separate parse, only up to ``--rdflib-tracemalloc-max``), and the app's data calls on the shipped
graph. Every scale and engine runs in a fresh subprocess, so peaks are per scale.

Usage::

    python benchmarks/run.py                         # scales 1,10,100 (~23 min on 2 CPUs)
    python benchmarks/run.py --scales 1,10 --json out.json
    python benchmarks/run.py --scales 1 --skip-rdflib-above 0 --runs 3
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import select
import signal
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

MAX_ROWS = 10_000


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def maxrss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def gallery_jobs(only: list[str] | None = None, snapshot: str | None = None) -> list[dict]:
    """Each gallery query with its benchmark bindings (as kg.store.Term values).

    With ``snapshot`` (a JSON file the orchestrator wrote at the start), the query texts come
    from it, so every scale times the same texts even if the files change during the run.
    """
    from kg import queries

    texts = json.loads(Path(snapshot).read_text(encoding="utf-8")) if snapshot else None
    jobs = []
    if texts is not None:
        gallery = [queries.NamedQuery(t["name"], t["title"], t["description"], tuple(t["tags"]),
                                      tuple(queries.Param(**p) for p in t["params"]), t["text"], Path(t["name"]))
                   for t in texts]
    else:
        gallery = list(queries.gallery())
    for q in gallery:
        if only and q.name not in only:
            continue
        values = generate.param_values(q)
        jobs.append({"name": q.name, "text": q.text, "values": values, "bindings": q.bind(values)})
    return jobs


def snapshot_gallery(path: Path) -> list[str]:
    """Write the gallery (texts and headers) to ``path``; return the names."""
    from dataclasses import asdict

    from kg import queries

    rows = [{"name": q.name, "title": q.title, "description": q.description, "tags": list(q.tags),
             "params": [asdict(p) for p in q.params], "text": q.text} for q in queries.gallery()]
    path.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return [r["name"] for r in rows]


def timed_runs(fn, runs: int, budget_s: float, warmup: bool = True) -> dict:
    """Warm up once, then time up to ``runs`` calls until they add up to ``budget_s``.

    A warm-up slower than the budget is the only sample (``runs`` 0): at that length the
    warm-up effect is noise and repeating it would only make the benchmark longer.
    """
    out = None
    times: list[float] = []
    if warmup:
        t0 = time.perf_counter()
        out = fn()
        first = (time.perf_counter() - t0) * 1000
        if first > budget_s * 1000:  # slow enough that warming up does not matter: one sample
            return {"ms": first, "runs": 0, "all_ms": [round(first, 3)], "rows": out}
    while len(times) < runs and (not times or sum(times) < budget_s * 1000):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return {"ms": statistics.median(times), "runs": len(times), "all_ms": [round(t, 3) for t in times],
            "rows": out}


# ---------------------------------------------------------------------------------- children

def child_build(args) -> dict:
    """Build the real graph from the files: the whole pipeline (cold and warm), then its steps."""
    t0 = time.perf_counter()
    from kg import export, pipeline, settings
    from kg.build import build_graph
    from kg.records import load_evidence
    from kg.validate import load_shapes, shacl_validate
    import_s = time.perf_counter() - t0

    t = time.perf_counter()
    outcome = pipeline.run()
    cold = time.perf_counter() - t
    if not outcome.ok:
        raise SystemExit("the curated data has errors; run `ickg validate`")
    triples = len(outcome.built.graph)
    Path(args.out).write_bytes(export.to_ntriples(outcome.built.graph).encode("utf-8"))
    t = time.perf_counter()
    pipeline.run()
    warm = time.perf_counter() - t
    ev, onto = settings.get_path("evidence_dir"), settings.get_path("ontology_dir")
    t = time.perf_counter()
    corpus, _ = load_evidence(ev)
    t_load = time.perf_counter() - t
    t = time.perf_counter()
    built = build_graph(corpus, onto)
    t_build = time.perf_counter() - t
    t = time.perf_counter()
    shacl_validate(built.graph, load_shapes(onto), built.origins)
    t_shacl = time.perf_counter() - t
    return {"import_s": import_s, "pipeline_cold_s": cold, "pipeline_warm_s": warm,
            "load_evidence_s": t_load, "build_graph_s": t_build, "shacl_s": t_shacl,
            "triples": triples, "release": outcome.built.release_id}


def child_oxigraph(args) -> dict:
    """Load one scale into pyoxigraph, time the gallery in-process and through EmbeddedStore."""
    import pyoxigraph

    from kg.store import EmbeddedStore, QueryTimeout, check_query, run_on_oxigraph

    tracemalloc.start()
    data = Path(args.nt).read_bytes()
    t = time.perf_counter()
    store = pyoxigraph.Store()
    store.bulk_load(data, pyoxigraph.RdfFormat.N_TRIPLES)
    load_s = time.perf_counter() - t
    py_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()  # not while timing queries (it slows the Python side)
    rss_after_load = maxrss_mb()

    peer = VirtuosoPeer(args) if args.with_virtuoso else None
    if peer is not None:
        log(f"  [x{args.scale} virtuoso] {peer.triples:,} triples loaded in {peer.load_s:.1f} s")
    es = EmbeddedStore(data, workers=1, time_limit_ms=int(args.timeout * 1000), max_rows=MAX_ROWS)
    t = time.perf_counter()
    es.warm()
    worker_start_s = time.perf_counter() - t
    results = {}
    for job in gallery_jobs(args.queries, args.gallery):
        name, text, b = job["name"], job["text"], job["bindings"]
        check_query(text)  # cached, as in the store
        r: dict = {"values": job["values"]}
        try:
            last = {}

            def once():
                last["result"] = es.query(text, b)
                return _rows(last["result"])

            st = timed_runs(once, args.runs, args.budget)
            r["store_ms"], r["store_runs"], r["rows"] = st["ms"], st["runs"], st["rows"]
            r["answer"] = answer_digest(last["result"], text)
        except QueryTimeout:
            r["store_ms"] = None
            r["store_timeout"] = True
        except Exception as exc:  # noqa: BLE001 - report and go on
            r["store_error"] = f"{type(exc).__name__}: {exc}"
        if r.get("store_timeout"):
            r["inproc_ms"] = None  # cannot be interrupted in-process: not attempted
            r["inproc_timeout"] = True
        else:
            try:
                ip = timed_runs(lambda: _count(run_on_oxigraph(store, text, b, MAX_ROWS)), args.runs, args.budget)
                r["inproc_ms"], r["inproc_runs"], r["inproc_rows"] = ip["ms"], ip["runs"], ip["rows"]
                if ip["runs"]:  # CPU time of the same call: what the engine costs when the machine is busy
                    cpu = []
                    for _ in range(min(3, ip["runs"])):
                        c0 = time.process_time()
                        run_on_oxigraph(store, text, b, MAX_ROWS)
                        cpu.append((time.process_time() - c0) * 1000)
                    r["inproc_cpu_ms"] = statistics.median(cpu)
            except Exception as exc:  # noqa: BLE001
                r["inproc_error"] = f"{type(exc).__name__}: {exc}"
        log(f"  [x{args.scale} oxigraph] {name}: in-process {_fmt(r.get('inproc_ms'))} ms, "
            f"EmbeddedStore {_fmt(r.get('store_ms'))} ms, rows {r.get('rows')}")
        if peer is not None:  # right after, so both engines see the same load on a shared machine
            v = peer.time_query(args, name, text, b)
            log(f"  [x{args.scale} virtuoso] {name}: {_fmt(v.get('ms'))} ms, rows {v.get('rows')}"
                + (f" ({v['error']})" if v.get("error") else "") + (" (timed out)" if v.get("timeout") else ""))
        results[name] = r
    es.close()
    virtuoso = peer.close() if peer is not None else None
    return {"load_s": load_s, "worker_start_s": worker_start_s, "py_peak_mb": py_peak / 1e6,
            "rss_after_load_mb": rss_after_load, "maxrss_mb": maxrss_mb(),
            "worker_maxrss_mb": maxrss_mb(resource.RUSAGE_CHILDREN), "queries": results,
            "loadavg": os.getloadavg(), "virtuoso": virtuoso,
            "bytes": len(data), "triples": len(store)}


VIRTUOSO_GRAPH = "https://w3id.org/ickg/benchmark"


class VirtuosoPeer:
    """A throw-away Virtuoso holding one scale, queried through RemoteStore.

    The server is the one the tests use (``tests/virtuoso.py``: loopback ports, its own temporary
    folder), with a row cap above ``max_rows`` and the query cap of ``--timeout``. The graph is
    loaded with Virtuoso's bulk loader (``ld_dir`` + ``rdf_loader_run``) into a named graph that
    :class:`kg.store.RemoteStore` sends as ``default-graph-uri``: the app's remote backend, over
    HTTP, with the same query check, bindings (a ``VALUES`` block) and limits.
    """

    def __init__(self, args) -> None:
        import shutil

        sys.path.insert(0, str(ROOT / "tests"))
        import virtuoso as vt  # noqa: E402 - the tests' helper

        from kg.store import RemoteStore

        binary = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"
        # buffers of 8 KiB: about 1 GB up to 10x, 4 GB above
        self.buffers = 120_000 if args.scale <= 10 else 500_000
        vt.INI = vt.INI.replace("NumberOfBuffers      = 10000", f"NumberOfBuffers      = {self.buffers}").replace(
            "MaxDirtyBuffers      = 6000", f"MaxDirtyBuffers      = {self.buffers * 3 // 4}")
        self.server = vt.Virtuoso(binary, max_rows=MAX_ROWS * 10, max_seconds=int(args.timeout), startup_timeout=120)
        t = time.perf_counter()
        self.server.start()
        self.start_s = time.perf_counter() - t
        src = Path(args.nt)
        (self.server.dir / src.name).symlink_to(src.resolve())
        t = time.perf_counter()
        self.server.isql(f"ld_dir('{self.server.dir}', '{src.name}', '{VIRTUOSO_GRAPH}');")
        self.server.isql("rdf_loader_run();")
        self.server.isql("checkpoint;")
        self.load_s = time.perf_counter() - t
        self.store = RemoteStore(self.server.sparql, graph=VIRTUOSO_GRAPH, time_limit_ms=int(args.timeout * 1000),
                                 max_rows=MAX_ROWS)
        count = self.store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", {})
        self.triples = int(count.rows[0][0].value)
        self.version = ""
        try:
            lines = self.server.isql("select sys_stat('st_dbms_ver');").split("\n")
            self.version = next((x.strip() for x in lines if x.strip() and x.strip()[0].isdigit()), "")
        except Exception:  # noqa: BLE001
            pass
        self.results: dict = {}

    def time_query(self, args, name: str, text: str, b: dict) -> dict:
        from kg.store import QueryTimeout

        r: dict = {}
        try:
            last = {}

            def once():
                last["result"] = self.store.query(text, b)
                return _rows(last["result"])

            st = timed_runs(once, args.runs, args.budget)
            r["ms"], r["runs"], r["rows"] = st["ms"], st["runs"], st["rows"]
            r["answer"] = answer_digest(last["result"], text)
            if last["result"].timed_out:
                r["timeout"] = True
        except QueryTimeout:
            r["timeout"] = True
        except Exception as exc:  # noqa: BLE001 - report and go on
            r["error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
        self.results[name] = r
        return r

    def close(self) -> dict:
        self.store.close()
        rss = _proc_rss_mb(self.server.proc.pid) if self.server.proc else None
        self.server.stop()
        return {"start_s": self.start_s, "load_s": self.load_s, "triples": self.triples, "queries": self.results,
                "server_rss_mb": rss, "buffers": self.buffers, "version": self.version, "loadavg": os.getloadavg()}


def _proc_rss_mb(pid: int) -> float | None:
    """Peak resident memory of another process (VmHWM), MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def answer_digest(result, text: str) -> str:
    """A digest of an answer that two engines must share: the rows' plain values as a sorted list.

    As ``tests/test_triplestore.py`` compares them: an empty string counts as unbound
    (GROUP_CONCAT over nothing), GROUP_CONCAT values are compared as sorted lists, SAMPLE
    columns only by being bound; an answer cut at the row limit is compared by its size.
    """
    import hashlib
    import re

    if result.kind == "ask":
        return str(result.boolean)
    if result.truncated:
        return f"truncated at {result.max_rows}"
    if result.kind == "graph":
        rows = sorted(repr(tuple(x.value for x in tr)) for tr in result.triples)
    else:
        concat = {m.group(2): (re.search(r"separator\s*=\s*\"([^\"]*)\"", m.group(1), re.I) or [None, " "])[1]
                  for m in re.finditer(r"GROUP_CONCAT\s*\((.*?)\)\s+AS\s+\?(\w+)", text, re.S | re.I)}
        sample = set(re.findall(r"SAMPLE\s*\(.*?\)\s+AS\s+\?(\w+)", text, re.S | re.I))
        rows = []
        for row in result.rows:
            vals = []
            for col, t in zip(result.columns, row):
                v = None if t is None or (t.type == "literal" and t.value == "") else t.value
                if v is not None and col in concat:
                    v = concat[col].join(sorted(v.split(concat[col])))
                if v is not None and col in sample:
                    v = "(any)"
                vals.append(v)
            rows.append(repr(tuple(vals)))
        rows.sort()
    return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()[:16]


def _rows(result) -> str:
    n = len(result.rows) if result.kind == "select" else len(result.triples)
    return f"{n}{'+' if result.truncated else ''}" if result.kind != "ask" else str(result.boolean)


def _count(out: dict) -> str:
    if out["kind"] == "ask":
        return str(out["boolean"])
    n = len(out.get("rows", out.get("triples", [])))
    return f"{n}{'+' if out.get('truncated') else ''}"


def _rdflib_setup():
    import rdflib
    import rdflib.plugins.sparql

    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
    return rdflib


def _rdflib_bindings(rdflib, bindings: dict) -> dict:
    out = {}
    for k, v in bindings.items():
        if v.type == "uri":
            out[k] = rdflib.URIRef(v.value)
        else:
            out[k] = rdflib.Literal(v.value, lang=v.lang,
                                    datatype=rdflib.URIRef(v.datatype) if v.datatype else None)
    return out


def _rdflib_query(g, text: str, init: dict, ns: dict) -> str:
    import itertools

    res = g.query(text, initBindings=init, initNs=ns)
    if res.type == "ASK":
        return str(bool(res.askAnswer))
    rows = list(itertools.islice(iter(res), MAX_ROWS + 1))
    return f"{min(len(rows), MAX_ROWS)}{'+' if len(rows) > MAX_ROWS else ''}"


def child_rdflib(args) -> dict:
    """Parse one scale with rdflib and time each gallery query in a forked, killable subprocess."""
    rdflib = _rdflib_setup()
    from kg.namespaces import FIXED_PREFIXES

    data = Path(args.nt).read_bytes()
    t = time.perf_counter()
    g = rdflib.Graph()
    g.parse(data=data, format="nt")
    load_s = time.perf_counter() - t
    del data
    gc.collect()
    rss_after_load = maxrss_mb()
    gc.freeze()  # keep the loaded graph's pages shared with the forked children
    ns = {p: rdflib.Namespace(v) for p, v in FIXED_PREFIXES.items()}
    results = {}
    for job in gallery_jobs(args.queries, args.gallery):
        init = _rdflib_bindings(rdflib, job["bindings"])
        r = _forked(lambda: _rdflib_query(g, job["text"], init, ns), args)
        results[job["name"]] = r
        shown = (f">{args.timeout:g} s" if r.get("timeout") else
                 f"error {r['error']}" if r.get("error") else f"{r['ms']:.1f} ms")
        log(f"  [x{args.scale} rdflib] {job['name']}: {shown}")
    return {"load_s": load_s, "rss_after_load_mb": rss_after_load, "maxrss_mb": maxrss_mb(),
            "timeout_s": args.timeout, "loadavg": os.getloadavg(),
            "children_maxrss_mb": maxrss_mb(resource.RUSAGE_CHILDREN), "triples": len(g),
            "queries": results, "warmup": not args.no_warmup}


def _forked(fn, args) -> dict:
    """Run warm-up + timed runs of ``fn`` in a forked child; kill it when one run exceeds the cap."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(r)
        try:
            n, total = 0, 0.0
            if not args.no_warmup:
                t0 = time.perf_counter()
                rows = fn()
                first = (time.perf_counter() - t0) * 1000
                if first > args.budget * 1000:  # the warm-up is the only sample
                    os.write(w, (json.dumps({"ms": first, "rows": rows, "warmup_only": True}) + "\n").encode())
                    os._exit(0)
                os.write(w, (json.dumps({"warmup_ms": first}) + "\n").encode())
            while n < args.runs and (n == 0 or total < args.budget * 1000):
                t0 = time.perf_counter()
                rows = fn()
                ms = (time.perf_counter() - t0) * 1000
                n, total = n + 1, total + ms
                os.write(w, (json.dumps({"ms": ms, "rows": rows}) + "\n").encode())
        except BaseException as exc:  # noqa: BLE001
            os.write(w, (json.dumps({"error": f"{type(exc).__name__}: {str(exc)[:200]}"}) + "\n").encode())
        os._exit(0)
    os.close(w)
    times, rows, out, buf = [], None, {}, b""
    with os.fdopen(r, "rb", buffering=0) as pipe:
        while True:
            ready, _, _ = select.select([pipe], [], [], args.timeout)
            if not ready:
                os.kill(pid, signal.SIGKILL)
                if not times:
                    out["timeout"] = True
                break
            chunk = pipe.read(65536)
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                msg = json.loads(line)
                if "error" in msg:
                    out["error"] = msg["error"]
                elif "ms" in msg:
                    times.append(msg["ms"])
                    rows = msg["rows"]
                    if msg.get("warmup_only"):
                        out["warmup_only"] = True
    os.waitpid(pid, 0)
    if times:
        out.update(ms=statistics.median(times), runs=0 if out.get("warmup_only") else len(times), rows=rows,
                   all_ms=[round(t, 3) for t in times])
    return out


def child_rdflib_mem(args) -> dict:
    """rdflib's Python heap: parse under tracemalloc (slow, so apart from the timed parse)."""
    rdflib = _rdflib_setup()
    data = Path(args.nt).read_bytes()
    tracemalloc.start()
    g = rdflib.Graph()
    g.parse(data=data, format="nt")
    cur, peak = tracemalloc.get_traced_memory()
    return {"py_current_mb": cur / 1e6, "py_peak_mb": peak / 1e6, "triples": len(g)}


def child_app(args) -> dict:
    """The app's data calls on the shipped graph: the kg.views modules' views if present, else Explorer.rows."""
    import importlib
    import importlib.util
    import inspect
    import pkgutil

    from kg.service import open_explorer

    t = time.perf_counter()
    ex = open_explorer(workers=1)
    ex.answers = None  # time the engine, not the answers kept on disk from an earlier run
    ex.store.warm()
    open_s = time.perf_counter() - t
    calls: list[tuple[str, object]] = []
    values = dict(generate.GALLERY_PARAMS, **APP_PARAMS)
    mode = "Explorer.rows per gallery query (proxy: kg/views/ not found)"
    if importlib.util.find_spec("kg.views") is not None:
        import kg.views

        mode = "kg.views public functions taking an Explorer, and Explorer.rows per gallery query"
        for info in pkgutil.iter_modules(kg.views.__path__):
            module = importlib.import_module(f"kg.views.{info.name}")
            for name, fn in inspect.getmembers(module, inspect.isfunction):
                if name.startswith("_") or fn.__module__ != module.__name__ or name in GENERIC_VIEWS:
                    continue
                params = list(inspect.signature(fn).parameters.values())
                if not params:
                    continue
                first = params[0]
                if not (first.name in ("ex", "explorer") or "Explorer" in str(first.annotation)):
                    continue
                kwargs, ok = {}, True
                for p in params[1:]:
                    if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                        continue
                    if p.name in values:
                        kwargs[p.name] = values[p.name]
                    elif p.default is p.empty:
                        ok = False
                if ok:
                    calls.append((name, lambda fn=fn, kw=kwargs: fn(ex, **kw)))
                else:
                    log(f"  [app] skipped {name}: needs parameters the benchmark has no value for")
    for job in gallery_jobs(args.queries):  # the query gallery page runs these
        calls.append(("gallery: " + job["name"], lambda job=job: ex.rows(job["name"], **job["values"])))
    results = {}
    for name, call in calls:
        def fresh(call=call):
            ex._cache.clear()  # the Explorer caches answers: time what a first view costs
            return call()
        try:
            st = timed_runs(lambda: _size(fresh()), args.runs, args.budget)
            results[name] = {"ms": st["ms"], "runs": st["runs"]}
        except Exception as exc:  # noqa: BLE001
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
        log(f"  [app] {name}: {_fmt(results[name].get('ms'))} ms")
    ex.close()
    return {"mode": mode, "open_s": open_s, "calls": results}


# helpers that run any named query by name: their cost is the query's, timed with the gallery
GENERIC_VIEWS = {"whole_rows"}

# values for the kg.views functions' other parameters (the gallery's fixed values cover case, scheme, ...)
APP_PARAMS = {"facet": "mechanism", "key": "country", "name": "case", "ref": "case:pace", "iri": "case:pace",
              "fmt": "ttl", "cases": ["case:pace", "case:torbay-care-trust", "case:kaiser-permanente",
                                      "case:chains-of-care-sweden"]}


def _size(x) -> int:
    try:
        return len(x)
    except TypeError:
        return 1


def _git() -> dict:
    def run(*cmd):
        try:
            return subprocess.run(["git", *cmd], cwd=ROOT, capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    return {"head": run("rev-parse", "--short", "HEAD"),
            "dirty": sorted(line[3:] for line in run("status", "--porcelain").splitlines()
                            if line[3:].startswith(("kg/", "ontology/", "evidence/")))}


CHILDREN = {"build": child_build, "oxigraph": child_oxigraph, "rdflib": child_rdflib,
            "rdflib-mem": child_rdflib_mem, "app": child_app}


# ------------------------------------------------------------------------------ orchestrator

def spawn(kind: str, args, extra: list[str], timeout: float = 7200) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--runs", str(args.runs),
           "--budget", str(args.budget), "--timeout", str(args.timeout)] + extra
    if args.queries:
        cmd += ["--queries", ",".join(args.queries)]
    if getattr(args, "gallery", None):
        cmd += ["--gallery", args.gallery]
    t = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=None, timeout=timeout, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child {kind} failed ({proc.returncode})")
    out = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    out["child_wall_s"] = time.perf_counter() - t
    return out


def _fmt(ms, cap: float | None = None) -> str:
    if ms is None:
        return f">{cap:g} s" if cap else "-"
    return f"{ms:,.1f}" if ms < 100 else f"{ms:,.0f}"


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def summarise(res: dict, args) -> list[str]:
    """The Markdown report."""
    out: list[str] = []
    cap = args.timeout
    scales = [int(s) for s in res["scales"]]
    names = sorted({n for s in res["scales"].values() for n in s["oxigraph"]["queries"]})

    def rcap(s):
        rd = res["scales"][str(s)].get("rdflib")
        return rd.get("timeout_s", cap) if rd else cap

    def cell_rdflib(s, n):
        rd = res["scales"][str(s)].get("rdflib")
        if rd is None:
            return "skipped", None
        r = rd["queries"].get(n, {})
        if r.get("timeout"):
            return f">{rcap(s):g} s", rcap(s) * 1000
        if r.get("error"):
            return "error", None
        return _fmt(r.get("ms")), r.get("ms")

    out.append("## Gallery queries\n")
    out.append("Median ms over the timed runs after a warm-up. *oxigraph in-process* = "
               "`run_on_oxigraph` on a pyoxigraph store in the same process; *EmbeddedStore* = the "
               "app's store with its worker process (pipe, pickling, limits); *rdflib* = plain "
               "`Graph.query`; ratio = rdflib / oxigraph in-process; rows = answer size "
               f"(`+` = cut at the {MAX_ROWS:,}-row limit).\n")
    out.append("| query | scale | oxigraph in-process ms | in-process CPU ms | EmbeddedStore ms | rdflib ms | ratio | rows |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for n in names:
        for s in scales:
            q = res["scales"][str(s)]["oxigraph"]["queries"].get(n)
            if q is None:
                continue
            ip = q.get("inproc_ms")
            st = q.get("store_ms")
            rtxt, rms = cell_rdflib(s, n)
            ratio = ""
            if rms is not None and ip:
                ratio = (">" if rtxt.startswith(">") else "") + f"{rms / ip:,.0f}x"
            ip_txt = "error" if q.get("inproc_error") else _fmt(ip, cap)
            st_txt = "error" if q.get("store_error") else _fmt(st, cap)
            out.append(f"| {n} | {s}x | {ip_txt} | {_fmt(q.get('inproc_cpu_ms'))} | {st_txt} | {rtxt} | {ratio} | "
                       f"{q.get('rows', '')} |")
    errors = [(s, n, r["error"]) for s in scales
              for n, r in (res["scales"][str(s)].get("rdflib") or {"queries": {}})["queries"].items() if r.get("error")]
    errors += [(s, n, q.get("store_error") or q.get("inproc_error")) for s in scales
               for n, q in res["scales"][str(s)]["oxigraph"]["queries"].items()
               if q.get("store_error") or q.get("inproc_error")]
    if errors:
        out.append("\nErrors:\n")
        for s, n, e in errors:
            out.append(f"- {n} at {s}x: {e}")
    mism = []
    for s in scales:
        rd = res["scales"][str(s)].get("rdflib")
        for n, q in res["scales"][str(s)]["oxigraph"]["queries"].items():
            rr = (rd or {"queries": {}})["queries"].get(n, {})
            if rr.get("rows") is not None and q.get("rows") is not None and str(rr["rows"]) != str(q["rows"]):
                mism.append(f"- {n} at {s}x: oxigraph {q['rows']} rows, rdflib {rr['rows']} rows")
    if mism:
        out.append("\nAnswers that differ in size between the engines (rdflib's evaluation differs):\n")
        out.extend(mism)

    out.append("\n## Summary per scale\n")
    out.append("| scale | triples | gallery median in-process ms | gallery median EmbeddedStore ms | "
               "max query (in-process) | max query (EmbeddedStore) | gallery median rdflib ms | "
               "rdflib / oxigraph in-process |")
    out.append("|---:|---:|---:|---:|---|---|---:|---:|")
    summary = {}
    for s in scales:
        sc = res["scales"][str(s)]
        qs = sc["oxigraph"]["queries"]
        ip = {n: (q["inproc_ms"] if q.get("inproc_ms") is not None else cap * 1000)
              for n, q in qs.items() if not q.get("inproc_error")}
        st = {n: (q["store_ms"] if q.get("store_ms") is not None else cap * 1000)
              for n, q in qs.items() if not q.get("store_error")}
        rd = sc.get("rdflib")
        rv, rcapped = {}, False
        if rd:
            for n, r in rd["queries"].items():
                if r.get("timeout"):
                    rv[n], rcapped = rcap(s) * 1000, True
                elif r.get("ms") is not None:
                    rv[n] = r["ms"]
        mi, ms_, mr = _median(list(ip.values())), _median(list(st.values())), _median(list(rv.values()))
        cpu = {n: q["inproc_cpu_ms"] for n, q in qs.items() if q.get("inproc_cpu_ms") is not None}
        rmed_capped = rcapped and mr is not None and mr >= rcap(s) * 1000
        # the ratio compares the two engines on the same queries (those rdflib answers)
        common = [n for n in rv if n in ip]
        mi_common = _median([ip[n] for n in common])
        ratio = (mr / mi_common) if (mr is not None and mi_common) else None
        per_query = _median([rv[n] / ip[n] for n in common if ip[n]])
        maxi = max(ip, key=ip.get) if ip else None
        maxs = max(st, key=st.get) if st else None
        summary[s] = {"median_inproc": mi, "median_store": ms_, "median_rdflib": mr, "ratio": ratio,
                      "median_cpu": _median(list(cpu.values())), "max_cpu": max(cpu.items(), key=lambda x: x[1], default=None),
                      "median_inproc_common": mi_common, "median_per_query_ratio": per_query,
                      "common_queries": len(common),
                      "ratio_is_lower_bound": rmed_capped, "max_inproc": (maxi, ip.get(maxi)),
                      "max_store": (maxs, st.get(maxs)), "ip": ip, "st": st,
                      "rdflib_errors": sorted(n for n, r in (rd or {"queries": {}})["queries"].items() if r.get("error"))}
        rtxt = "skipped" if rd is None else (f">{rcap(s):g} s" if rmed_capped else _fmt(mr))
        rat = "-" if ratio is None else (">" if rmed_capped else "") + f"{ratio:,.0f}x"
        if per_query is not None:
            rat += f" (per query: {per_query:,.0f}x)"
        out.append(f"| {s}x | {sc['oxigraph']['triples']:,} | {_fmt(mi)} | {_fmt(ms_)} | "
                   f"{maxi} {_fmt(ip.get(maxi))} | {maxs} {_fmt(st.get(maxs))} | {rtxt} | {rat} |")
    out.append("\nThe rdflib median and the ratio are over the queries rdflib answers (a timeout counts as "
               "the cap, so a ratio with a timeout at the median is a lower bound): the ratio divides rdflib's "
               "median by oxigraph's median over the same queries; \"per query\" is the median of the "
               "per-query ratios. Queries rdflib fails on: " + "; ".join(f"{s}x: {', '.join(v['rdflib_errors']) or 'none'}"
                                                   for s, v in summary.items()) + ".")

    peer = virtuoso_section(res, scales, out)

    out.append("\n## Load and memory per scale\n")
    out.append("| scale | N-Triples MB | pyoxigraph bulk_load s | EmbeddedStore worker start s | rdflib parse s | "
               "oxigraph process maxrss MB | worker maxrss MB | oxigraph Python peak MB (tracemalloc) | "
               "rdflib process maxrss MB | rdflib Python peak MB (tracemalloc) |")
    out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in scales:
        sc = res["scales"][str(s)]
        ox, rd, mem = sc["oxigraph"], sc.get("rdflib"), sc.get("rdflib_mem")
        rd_load = "skipped" if rd is None else f"{rd['load_s']:.1f}"
        rd_rss = ("skipped" if rd is None else
                  f"{rd['rss_after_load_mb']:,.0f} (queries: {rd['children_maxrss_mb']:,.0f})")
        rd_py = "not measured" if mem is None else f"{mem['py_peak_mb']:,.0f}"
        out.append(f"| {s}x | {ox['bytes'] / 1e6:,.0f} | {ox['load_s']:.2f} | {ox['worker_start_s']:.2f} | "
                   f"{rd_load} | {ox['maxrss_mb']:,.0f} | {ox['worker_maxrss_mb']:,.0f} | "
                   f"{ox['py_peak_mb']:,.0f} | {rd_rss} | {rd_py} |")
    out.append("\nThe oxigraph process holds the N-Triples bytes (the Python peak) and the in-process "
               "store; the worker holds its own store. rdflib maxrss is after the parse; "
               "\"queries\" is the largest forked query process.")

    b = res.get("build")
    if b:
        out.append("\n## Build of the real graph from the files\n")
        out.append(f"`kg.pipeline.run()` (load + build + SHACL), {b['triples']:,} triples: "
                   f"**{b['pipeline_cold_s']:.2f} s** cold (first run in a fresh process, after "
                   f"{b['import_s']:.2f} s of imports), {b['pipeline_warm_s']:.2f} s warm. Steps (warm): "
                   f"load + check the YAML {b['load_evidence_s']:.2f} s, build the graph "
                   f"{b['build_graph_s']:.2f} s (load + build {b['load_evidence_s'] + b['build_graph_s']:.2f} s), "
                   f"SHACL {b['shacl_s']:.2f} s.")
    app = res.get("app")
    if app:
        ok = {n: c["ms"] for n, c in app["calls"].items() if c.get("ms") is not None}
        worst = max(ok, key=ok.get) if ok else None
        out.append("\n## The app's data calls on the shipped graph\n")
        out.append(f"Mode: {app['mode']}; Explorer cache (and kg.views' memo on it) cleared before each "
                   f"call, so each figure is what the first visitor of a view waits for; opening the explorer "
                   f"(build + SHACL + worker start) {app['open_s']:.1f} s. {len(ok)} calls, median "
                   f"{_fmt(_median(list(ok.values())))} ms, slowest {worst} {_fmt(ok.get(worst))} ms.\n")
        out.append("| call | ms |")
        out.append("|---|---:|")
        for n, v in sorted(ok.items(), key=lambda x: -x[1]):
            if not n.startswith("gallery: ") or v >= 100:
                out.append(f"| {n} | {_fmt(v)} |")
        out.append(f"\n(gallery queries under 100 ms not listed: "
                   f"{sum(1 for n, v in ok.items() if n.startswith('gallery: ') and v < 100)})")
        bad = [f"{n} ({c['error']})" for n, c in app["calls"].items() if c.get("error")]
        if bad:
            out.append("Failed: " + "; ".join(bad))

    out.append("\n## Targets\n")
    checks = []

    def check(label, ok, detail):
        word = {True: "PASS", False: "MISS", None: "NOT RUN"}[ok]
        checks.append({"target": label, "result": word, "detail": detail})
        out.append(f"- **{word}** {label}: {detail}")

    if 1 in summary:
        for key, lab in (("ip", "oxigraph in-process"), ("st", "EmbeddedStore")):
            over = {n: v for n, v in summary[1][key].items() if v >= 20}
            check(f"1x: every gallery query's median under 20 ms ({lab})", not over,
                  "over: " + ", ".join(f"{n} {_fmt(v)} ms" for n, v in sorted(over.items(), key=lambda x: -x[1]))
                  if over else f"max {summary[1]['max_' + ('inproc' if key == 'ip' else 'store')][0]} "
                               f"{_fmt(summary[1]['max_' + ('inproc' if key == 'ip' else 'store')][1])} ms")
        over = {n: q["inproc_cpu_ms"] for n, q in res["scales"]["1"]["oxigraph"]["queries"].items()
                if (q.get("inproc_cpu_ms") or 0) >= 20}
        check("1x: every gallery query under 20 ms of CPU time (oxigraph in-process; robust to a busy machine)",
              not over, "over: " + ", ".join(f"{n} {_fmt(v)} ms" for n, v in sorted(over.items(), key=lambda x: -x[1]))
              if over else f"max {summary[1]['max_cpu'][0]} {_fmt(summary[1]['max_cpu'][1])} ms" if summary[1]['max_cpu'] else "-")
    else:
        check("1x: every gallery query's median under 20 ms", None, "scale 1 not run")
    large = [s for s in scales if s > 10]
    for big in large:
        sm = summary[big]
        for key, lab, med in (("ip", "oxigraph in-process", sm["median_inproc"]),
                              ("st", "EmbeddedStore", sm["median_store"])):
            check(f"{big}x: gallery median under 100 ms ({lab})", med is not None and med < 100, f"{_fmt(med)} ms"
                  + (f" (CPU time in-process {_fmt(sm['median_cpu'])} ms)" if key == "ip" and sm.get("median_cpu") else ""))
            over = {n: v for n, v in sm[key].items() if v >= 1000}
            check(f"{big}x: no query over 1 s ({lab})", not over,
                  f"{len(over)} over: " + ", ".join(f"{n} {_fmt(v)} ms" for n, v in sorted(over.items(), key=lambda x: -x[1]))
                  if over else "none over")
        if sm["ratio"] is None:
            check(f"{big}x: embedded engine at least 20x faster than rdflib (gallery medians)", None,
                  f"rdflib not run at {big}x")
        else:
            lb = sm["ratio_is_lower_bound"]
            verdict = True if sm["ratio"] >= 20 else (None if lb else False)
            check(f"{big}x: embedded engine at least 20x faster than rdflib (gallery medians)", verdict,
                  f"{'>' if lb else ''}{sm['ratio']:,.0f}x (rdflib {'>' if lb else ''}{_fmt(sm['median_rdflib'])} ms "
                  f"/ oxigraph in-process {_fmt(sm['median_inproc_common'])} ms, medians over the "
                  f"{sm['common_queries']} queries rdflib answers)")
    if not large:
        check("100x targets", None, "no scale above 10 run")
    for sc, p in sorted(peer.items()):
        check(f"{sc}x: embedded at least as fast as Virtuoso on the gallery median (EmbeddedStore vs RemoteStore)",
              p["median_embedded"] <= p["median_virtuoso"],
              f"EmbeddedStore {_fmt(p['median_embedded'])} ms, in-process {_fmt(p['median_inproc'])} ms, "
              f"Virtuoso {_fmt(p['median_virtuoso'])} ms (Virtuoso / EmbeddedStore {p['ratio']:.2f}x) over "
              f"{p['n']} queries")
        check(f"{sc}x: the same answers on both engines", not p["differ"],
              f"{p['same']} same, {len(p['differ'])} differ" + (f": {', '.join(p['differ'])}" if p["differ"] else ""))
    if not peer:
        check("embedded at least as fast as Virtuoso", None, "Virtuoso not run")
    if b:
        check("build of the real graph from the files, SHACL included, under 5 s",
              b["pipeline_cold_s"] < 5, f"{b['pipeline_cold_s']:.2f} s cold, {b['pipeline_warm_s']:.2f} s warm")
    if app:
        ok = {n: c["ms"] for n, c in app["calls"].items() if c.get("ms") is not None}
        worst = max(ok, key=ok.get) if ok else None
        check("no view over 1 s of server time on the shipped graph",
              bool(ok) and ok[worst] < 1000 and not any(c.get("error") for c in app["calls"].values()),
              f"slowest {worst} {_fmt(ok.get(worst))} ms ({app['mode']})"
              + "".join(f"; {n} failed: {c['error']}" for n, c in app["calls"].items() if c.get("error")))
    res["checks"] = checks
    res["summary"] = {str(s): {k: v for k, v in d.items() if k not in ("ip", "st")} for s, d in summary.items()}
    skipped = res.get("skipped", [])
    if skipped:
        out.append("\nSkipped: " + "; ".join(skipped))
    return out


def virtuoso_section(res: dict, scales: list[int], out: list[str]) -> dict:
    """The peer comparison: per query and per scale, EmbeddedStore vs Virtuoso, answers compared."""
    peer: dict = {}
    ran = [s for s in scales if res["scales"][str(s)].get("virtuoso")]
    if not ran:
        return peer
    out.append("\n## The embedded store against Virtuoso (a peer)\n")
    v0 = res["scales"][str(ran[0])]["virtuoso"]
    out.append(f"Virtuoso {v0.get('version') or 'open source'} (Debian `virtuoso-opensource`), a fresh server "
               "per scale on loopback, graph bulk-loaded into a named graph and queried through "
               "`kg.store.RemoteStore` right after the same query on the embedded store (so both see the same "
               "load on a shared machine): "
               "the SPARQL protocol over HTTP with bindings as `VALUES`, the app's remote "
               "backend. The embedded figures are `EmbeddedStore` (worker process, pipe) and Oxigraph "
               "in-process. Median ms; *answers* compares the rows' plain values as sorted lists, as "
               "`tests/test_triplestore.py` does.\n")
    out.append("| query | scale | EmbeddedStore ms | in-process ms | Virtuoso ms | Virtuoso / EmbeddedStore | answers |")
    out.append("|---|---:|---:|---:|---:|---:|---|")
    names = sorted({n for s in ran for n in res["scales"][str(s)]["virtuoso"]["queries"]})
    for s in ran:
        peer[s] = {"emb": {}, "ip": {}, "vt": {}, "same": 0, "differ": []}
    for n in names:
        for s in ran:
            q = res["scales"][str(s)]["oxigraph"]["queries"].get(n, {})
            v = res["scales"][str(s)]["virtuoso"]["queries"].get(n, {})
            e_ms, i_ms, v_ms = q.get("store_ms"), q.get("inproc_ms"), v.get("ms")
            if v.get("error"):
                same = "Virtuoso error"
            elif v.get("timeout"):
                same = "Virtuoso timed out"
            elif q.get("answer") is None or v.get("answer") is None:
                same = "-"
            else:
                same = "same" if q["answer"] == v["answer"] else "DIFFER"
            if same == "same":
                peer[s]["same"] += 1
            elif same != "-":
                peer[s]["differ"].append(n)
            if e_ms is not None and v_ms is not None:
                peer[s]["emb"][n], peer[s]["vt"][n] = e_ms, v_ms
                if i_ms is not None:
                    peer[s]["ip"][n] = i_ms
            ratio = f"{v_ms / e_ms:,.1f}x" if e_ms and v_ms else "-"
            out.append(f"| {n} | {s}x | {_fmt(e_ms)} | {_fmt(i_ms)} | {_fmt(v_ms)} | {ratio} | {same} |")
    out.append("\n| scale | triples | Virtuoso load s | gallery median EmbeddedStore ms | in-process ms | "
               "Virtuoso ms | Virtuoso / EmbeddedStore | slowest on Virtuoso | answers same |")
    out.append("|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for s in ran:
        p, v = peer[s], res["scales"][str(s)]["virtuoso"]
        common = [n for n in p["emb"] if n in p["vt"]]
        p["n"] = len(common)
        p["median_embedded"] = _median([p["emb"][n] for n in common]) or 0.0
        p["median_inproc"] = _median([p["ip"][n] for n in common if n in p["ip"]]) or 0.0
        p["median_virtuoso"] = _median([p["vt"][n] for n in common]) or 0.0
        p["ratio"] = p["median_virtuoso"] / p["median_embedded"] if p["median_embedded"] else 0.0
        slow = max(p["vt"], key=p["vt"].get) if p["vt"] else None
        out.append(f"| {s}x | {v['triples']:,} | {v['load_s']:.1f} | {_fmt(p['median_embedded'])} | "
                   f"{_fmt(p['median_inproc'])} | {_fmt(p['median_virtuoso'])} | {p['ratio']:.2f}x | "
                   f"{slow} {_fmt(p['vt'].get(slow))} | {p['same']}/{p['same'] + len(p['differ'])} |")
    for s in ran:
        for k in ("emb", "ip", "vt"):
            peer[s].pop(k)
    res["peer"] = peer
    return peer


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark the gallery: oxigraph (in-process, EmbeddedStore) vs rdflib.")
    ap.add_argument("--scales", default="1,10,100", help="scale factors (default 1,10,100)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per query after one warm-up (default 5)")
    ap.add_argument("--budget", type=float, default=10.0,
                    help="stop repeating a query once its timed runs add up to this many seconds (default 10)")
    ap.add_argument("--timeout", type=float, default=30.0,
                    help="cap of one query run, seconds (default 30; rdflib beyond it is reported as >30 s)")
    ap.add_argument("--skip-rdflib-above", type=int, default=None, metavar="SCALE",
                    help="do not run rdflib above this scale (default: run it at every scale)")
    ap.add_argument("--rdflib-scales", default=None, metavar="SCALES",
                    help="scales at which to run rdflib (default: every scale not above --skip-rdflib-above)")
    ap.add_argument("--rdflib-single-run-above", type=int, default=10, metavar="SCALE",
                    help="above this scale rdflib runs each query once, without warm-up (default 10)")
    ap.add_argument("--rdflib-large-timeout", type=float, default=10.0, metavar="SECONDS",
                    help="rdflib's cap per query above --rdflib-single-run-above (default 10; enough to bound "
                         "the ratio from below)")
    ap.add_argument("--rdflib-tracemalloc-max", type=int, default=10, metavar="SCALE",
                    help="measure rdflib's Python heap (a separate, slow traced parse) up to this scale (default 10)")
    ap.add_argument("--virtuoso-scales", default="1,10", metavar="SCALES",
                    help="scales at which to run Virtuoso as a peer (default 1,10; empty: none)")
    ap.add_argument("--queries", help="comma-separated gallery query names (default: all)")
    ap.add_argument("--data", default="/tmp/ickg-bench", help="where the generated graphs go (default /tmp/ickg-bench)")
    ap.add_argument("--no-build", action="store_true", help="skip timing the build (reuse DATA/ickg-real.nt)")
    ap.add_argument("--no-app", action="store_true", help="skip timing the app's data calls")
    ap.add_argument("--json", help="also save every measurement to this JSON file")
    # child mode (internal)
    ap.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    ap.add_argument("--scale", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--nt", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--no-warmup", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--gallery", help=argparse.SUPPRESS)
    ap.add_argument("--with-virtuoso", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.queries = [q for q in (args.queries or "").split(",") if q] or None
    args.virtuoso_scales = [int(x) for x in (args.virtuoso_scales or "").split(",") if x.strip()]

    if args.child:
        result = CHILDREN[args.child](args)
        sys.stdout.write(json.dumps(result) + "\n")
        return 0

    t_all = time.perf_counter()
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    real = data / "ickg-real.nt"
    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    import pyoxigraph
    import rdflib

    res: dict = {"machine": {"python": platform.python_version(), "platform": platform.platform(),
                             "cpus": os.cpu_count(), "pyoxigraph": pyoxigraph.__version__,
                             "rdflib": rdflib.__version__},
                 "settings": {k: v for k, v in vars(args).items() if k not in ("child", "scale", "nt", "out")},
                 "scales": {}, "skipped": []}
    args.gallery = str(data / "gallery.json")
    res["gallery"] = snapshot_gallery(Path(args.gallery))
    res["git"] = _git()
    if not args.no_build or not real.exists():
        log("building the real graph from the files (fresh process) ...")
        res["build"] = spawn("build", args, ["--out", str(real)])
        log(f"  pipeline.run(): {res['build']['pipeline_cold_s']:.2f} s cold, {res['build']['pipeline_warm_s']:.2f} s warm")
    else:
        res["skipped"].append("build timing (--no-build)")
    t = time.perf_counter()
    plan = generate.plan(real.read_bytes())
    log(f"generator: {plan.real_triples:,} real triples, {plan.copied_triples:,} per extra copy "
        f"({time.perf_counter() - t:.1f} s)")
    for s in scales:
        path = generate.path_for(data, s)
        t = time.perf_counter()
        n = generate.write(plan, s, path)
        log(f"x{s}: wrote {n:,} triples to {path} ({time.perf_counter() - t:.1f} s)")
        sc: dict = {"triples_planned": n}
        log(f"x{s}: oxigraph ...")
        peer = s in args.virtuoso_scales
        if peer:
            log(f"x{s}: Virtuoso started and loaded in the same child; each query runs on both in turn")
        else:
            res["skipped"].append(f"virtuoso at {s}x (--virtuoso-scales {','.join(map(str, args.virtuoso_scales))})")
        sc["oxigraph"] = spawn("oxigraph", args, ["--scale", str(s), "--nt", str(path)]
                               + (["--with-virtuoso"] if peer else []))
        if sc["oxigraph"].get("virtuoso"):
            sc["virtuoso"] = sc["oxigraph"].pop("virtuoso")
        rdflib_scales = ([int(x) for x in args.rdflib_scales.split(",") if x.strip()]
                         if args.rdflib_scales is not None else None)
        if args.skip_rdflib_above is not None and s > args.skip_rdflib_above:
            res["skipped"].append(f"rdflib at {s}x (--skip-rdflib-above {args.skip_rdflib_above})")
        elif rdflib_scales is not None and s not in rdflib_scales:
            res["skipped"].append(f"rdflib at {s}x (--rdflib-scales {args.rdflib_scales})")
        else:
            extra = ["--scale", str(s), "--nt", str(path)]
            if s > args.rdflib_single_run_above:
                extra += ["--no-warmup"]
                sub = argparse.Namespace(**vars(args))
                sub.runs, sub.timeout = 1, args.rdflib_large_timeout
                log(f"x{s}: rdflib (one run per query, no warm-up, cap {sub.timeout:g} s) ...")
                sc["rdflib"] = spawn("rdflib", sub, extra)
                res["skipped"].append(f"rdflib warm-up and repeats at {s}x (one run per query, cap "
                                      f"{sub.timeout:g} s; --rdflib-single-run-above {args.rdflib_single_run_above}, "
                                      f"--rdflib-large-timeout)")
            else:
                log(f"x{s}: rdflib ...")
                sc["rdflib"] = spawn("rdflib", args, extra)
            if s <= args.rdflib_tracemalloc_max:
                log(f"x{s}: rdflib traced parse (memory) ...")
                sc["rdflib_mem"] = spawn("rdflib-mem", args, ["--nt", str(path)])
            else:
                res["skipped"].append(f"rdflib tracemalloc at {s}x (--rdflib-tracemalloc-max {args.rdflib_tracemalloc_max})")
        res["scales"][str(s)] = sc
        if s > 1:
            path.unlink(missing_ok=True)  # the big files are cheap to regenerate
    if not args.no_app:
        log("app data calls on the shipped graph ...")
        res["app"] = spawn("app", args, [])
    else:
        res["skipped"].append("app data calls (--no-app)")
    res["total_s"] = time.perf_counter() - t_all
    lines = summarise(res, args)
    g = res.get("git", {})
    lines.append(f"\nCode: commit {g.get('head') or '?'}" + (f", with uncommitted changes in {', '.join(g['dirty'])}"
                                                          if g.get("dirty") else "") + "; the gallery texts were "
                 "read once at the start and timed as such at every scale.")
    loads = [f"{s}x {v['oxigraph']['loadavg'][0]:.1f}" for s, v in res["scales"].items()]
    lines.append("\nLoad average (1 min) at the end of each oxigraph run: " + ", ".join(loads)
                 + " (other work on the machine shows here).")
    lines.append(f"\nTotal benchmark time {res['total_s'] / 60:.1f} min on {os.cpu_count()} CPUs, "
                 f"Python {platform.python_version()}, pyoxigraph {pyoxigraph.__version__}, rdflib {rdflib.__version__}.")
    print("\n".join(lines))
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1, default=str), encoding="utf-8")
        print(f"\nsaved {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
