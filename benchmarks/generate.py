"""Synthetic graphs shaped like the real one, for the benchmarks: N renamed copies of its instance data.

The real graph is built from the curated files (``kg.pipeline.run``, SHACL included) or read
from an N-Triples file. Its nodes fall in two groups:

* **shared**: the ontology, the concept schemes and their concepts (levels, processes, outcome
  domains, countries, ...), the quotes and assertions that belong to those concepts (their
  definitions, "need suggests intensity", "concept has example"), and the release node;
* **instance**: case studies, evidence statements, factors, goals, sources and their numbered
  references, mechanisms (they are concepts, but curated records with their own evidence), and
  every quote (with its two selectors) and assertion that hangs off one of those.

A graph at scale factor N is the real graph unchanged (copy 0, so ``case:pace``,
``mechanism:pooled-budget``, ``stmt:pace.hospital-use`` keep answering) plus N - 1 copies of the
instance data, in which every instance IRI gets the suffix ``--c<k>`` and every free-text literal
of an instance node (labels, summaries, quotes, selectors, locators, citations) gets the suffix
`` [copy k]``, so copies are distinct nodes with distinct strings, as a real graph N times the
size would have (the engines intern strings; identical copies would flatter memory). Codes
(case kind, reference numbers, case numbers, offsets) are kept, so ordering and casts still work.
Triples from a shared node to an instance node are kept for copy 0 only, except the structural
inverses ``skos:narrower``/``skos:hasTopConcept`` (a process lists the copied mechanisms under
it, as each copied mechanism says ``skos:broader`` the process). Hence every gallery query has
data at every scale, and its answers grow as they would in a bigger graph of the same shape:
aggregates over concepts keep their row count and grow their counts, listings grow N-fold.

There is no random choice anywhere, so the output is deterministic by construction: the same real
graph and the same N give byte-identical N-Triples (lines in the real graph's sorted order, copy
by copy).

Size: the real graph (release 0.1.0) has about 74.4k triples of which about 54.9k belong to instance
nodes, so N copies hold about 19.5k + 54.9k * N triples: 1x 74k, 10x 0.57M, 100x 5.5M. (The
issue's "100x has about a million triples" does not follow from "1x is ~75k"; a graph of about
a million triples is scale 18.)

Usage::

    python benchmarks/generate.py --scales 1,10,100 --out /tmp/ickg-bench
    python benchmarks/generate.py --scales 3 --base dist/ickg.nt --out /tmp/x
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BASE = "https://w3id.org/ickg/"
# instance records by namespace (mechanisms live in their own namespace, not concept/)
INSTANCE_NAMESPACES = tuple(BASE + ns for ns in ("case/", "statement/", "factor/", "goal/", "source/", "mechanism/"))
# nodes that are instance data when an instance node points at them (or, for assertions, is their subject)
DEPENDENT_NAMESPACES = (BASE + "quote/", BASE + "assertion/")
RDF_SUBJECT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject"
SKOS = "http://www.w3.org/2004/02/skos/core#"
# shared -> instance triples that are copied along with the instance (structural inverses)
COPIED_INVERSES = {SKOS + "narrower", SKOS + "hasTopConcept", SKOS + "member"}
# free-text properties whose literals get the per-copy suffix; everything else (codes, numbers) is kept
TEXT_PROPERTIES = {
    "http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2000/01/rdf-schema#comment",
    SKOS + "prefLabel", SKOS + "altLabel", SKOS + "definition", SKOS + "scopeNote",
    "http://www.w3.org/ns/prov#value", "http://www.w3.org/ns/oa#exact", "http://www.w3.org/ns/oa#prefix",
    "http://www.w3.org/ns/oa#suffix", BASE + "ontology#summary", BASE + "ontology#section",
    BASE + "ontology#locator", BASE + "ontology#figure", BASE + "ontology#sourceFile", BASE + "ontology#doi",
    "http://purl.org/dc/terms/title", "http://purl.org/dc/terms/bibliographicCitation",
    "http://purl.org/dc/terms/identifier", "http://purl.org/dc/terms/description",
}
IRI_MARK, LIT_MARK = "\x00", "\x01"  # placeholders in the copy template (never in N-Triples)


def iri_suffix(k: int) -> str:
    """What copy ``k`` appends to an instance IRI."""
    return f"--c{k}"


def literal_suffix(k: int) -> str:
    """What copy ``k`` appends to a free-text literal of an instance node."""
    return f" [copy {k}]"


# Fixed parameter values for the gallery queries (the brief's; copy 0 keeps these IRIs).
GALLERY_PARAMS = {
    "case": "case:pace", "mechanism": "mechanism:pooled-budget", "process": "process:financial",
    "domain": "domain:hospital-use", "level": "level:meso", "need": "need:severe-unstable",
    "scheme": "scheme:leutz", "statement": "stmt:pace.hospital-use", "text": "budget",
}


def param_values(query) -> dict[str, str]:
    """Values for a gallery query's parameters: the fixed ones, else the first example in its help."""
    out = {}
    for p in query.params:
        if p.name in GALLERY_PARAMS:
            out[p.name] = GALLERY_PARAMS[p.name]
            continue
        m = re.search(r"e\.g\.\s*([^\s,;)]+)", p.help)
        if m:
            out[p.name] = m.group(1).rstrip(".")
        elif not p.optional:
            raise ValueError(f"no benchmark value for parameter {p.name!r} of {query.name}")
    return out


def real_ntriples() -> bytes:
    """The real graph, built from the curated files with SHACL (exactly what the app serves)."""
    from kg import export, pipeline

    outcome = pipeline.run()
    if not outcome.ok:
        raise SystemExit("the curated data has errors; run `ickg validate`")
    return export.to_ntriples(outcome.built.graph).encode("utf-8")


@dataclass
class Plan:
    """The real graph split into what stays once and what each copy repeats."""

    base: bytes            # copy 0: the real graph, verbatim
    template: str          # N-Triples of one copy with IRI_MARK / LIT_MARK placeholders
    real_triples: int
    copied_triples: int    # triples per extra copy
    instance_nodes: int
    case_studies: int

    def triples(self, scale: int) -> int:
        """Triples of the graph at a scale factor."""
        return self.real_triples + (scale - 1) * self.copied_triples


def _nt_term(term) -> str:
    return str(term)  # pyoxigraph's str() is the N-Triples form


def plan(base: bytes) -> Plan:
    """Classify the real graph's nodes and prepare the template of one copy."""
    import pyoxigraph

    triples = [(t.subject, t.predicate, t.object)
               for t in pyoxigraph.parse(base, pyoxigraph.RdfFormat.N_TRIPLES)]
    named = pyoxigraph.NamedNode
    instance: set[str] = set()
    for s, _, o in triples:
        for x in (s, o):
            if isinstance(x, named) and x.value.startswith(INSTANCE_NAMESPACES):
                instance.add(x.value)
    for s, p, o in triples:  # assertions about instance nodes
        if p.value == RDF_SUBJECT and isinstance(o, named) and o.value in instance:
            instance.add(s.value)
    changed = True
    while changed:  # quotes (and their selectors) and assertions reached from instance nodes
        changed = False
        for s, _, o in triples:
            if (s.value in instance and isinstance(o, named) and o.value not in instance
                    and o.value.startswith(DEPENDENT_NAMESPACES)):
                instance.add(o.value)
                changed = True

    def iri(x) -> str:
        if x.value in instance:
            return f"<{x.value}{IRI_MARK}>"
        return _nt_term(x)

    lines = []
    cases = 0
    for s, p, o in triples:
        s_inst = s.value in instance
        o_inst = isinstance(o, named) and o.value in instance
        if p.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" and o.value == BASE + "ontology#CaseStudy":
            cases += 1
        if not s_inst and not (o_inst and p.value in COPIED_INVERSES):
            continue
        if isinstance(o, named):
            obj = iri(o)
        elif isinstance(o, pyoxigraph.Literal) and p.value in TEXT_PROPERTIES and s_inst:
            text = _nt_term(o)
            cut = text.rfind('"')
            obj = text[:cut] + LIT_MARK + text[cut:]
        else:
            obj = _nt_term(o)
        lines.append(f"{iri(s)} {_nt_term(p)} {obj} .\n")
    template = "".join(lines)
    assert IRI_MARK not in base.decode("utf-8") and LIT_MARK not in base.decode("utf-8")
    # the suffix must never turn one copy's IRI into another node's
    originals = {x.value for t in triples for x in (t[0], t[2]) if isinstance(x, named)}
    clash = sorted(v for v in originals if "--c" in v)
    if clash:
        raise ValueError(f"IRIs already containing the copy marker '--c': {clash[:3]}")
    if not base.endswith(b"\n"):
        base += b"\n"
    return Plan(base, template, len(triples), len(lines), len(instance), cases)


def copy_text(p: Plan, k: int) -> str:
    """N-Triples of copy ``k`` (k >= 1)."""
    return p.template.replace(IRI_MARK, iri_suffix(k)).replace(LIT_MARK, literal_suffix(k))


def write(p: Plan, scale: int, path: Path) -> int:
    """Write the graph at a scale factor as N-Triples; return its number of triples."""
    if scale < 1:
        raise ValueError("scale factor must be at least 1")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write(p.base.decode("utf-8"))
        for k in range(1, scale):
            out.write(copy_text(p, k))
    return p.triples(scale)


def generate(p: Plan, scale: int) -> bytes:
    """The graph at a scale factor as N-Triples bytes (for small scales, in memory)."""
    return p.base + "".join(copy_text(p, k) for k in range(1, scale)).encode("utf-8")


def path_for(out_dir: Path, scale: int) -> Path:
    """Where the graph of a scale factor is written."""
    return out_dir / f"ickg-x{scale}.nt"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scales", default="1,10,100", help="comma-separated scale factors (default 1,10,100)")
    ap.add_argument("--out", default="/tmp/ickg-bench", help="output folder (default /tmp/ickg-bench)")
    ap.add_argument("--base", help="N-Triples of the real graph (default: build it from the curated files)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    base = Path(args.base).read_bytes() if args.base else real_ntriples()
    p = plan(base)
    print(f"real graph: {p.real_triples:,} triples, {p.case_studies} case studies; "
          f"{p.instance_nodes:,} instance nodes, {p.copied_triples:,} triples per extra copy "
          f"({time.perf_counter() - t0:.1f} s)")
    for scale in (int(s) for s in args.scales.split(",") if s.strip()):
        t = time.perf_counter()
        path = path_for(Path(args.out), scale)
        n = write(p, scale, path)
        print(f"  x{scale}: {n:,} triples, {p.case_studies * scale} case studies, "
              f"{path.stat().st_size / 1e6:,.0f} MB -> {path} ({time.perf_counter() - t:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
