"""Evidence selection for a design: statements by process and outcome, gaps, factors and mechanisms.

* the evidence for each chosen process by outcome domain and direction, with gaps and thin
  cells (only mixed, null or unclear findings) named;
* enablers and barriers from the best-matching case studies, then from the general lists;
* mechanisms the best-matching case studies used under each chosen process.

What this module does not do: rank case studies (:mod:`kg.designer.matching`) or pick which
statements the brief prints (:func:`kg.designer.brief.brief_rows`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from kg.designer.model import Cited, Design, Evidence, Match, local_id
from kg.designer.vocab import labels, vocab


def evidence(explorer: Any, d: Design) -> Evidence:
    """Statements for each chosen process (all processes when none is chosen), with gaps."""
    processes = d.processes or [c["id"] for c in vocab(explorer, "process")]
    domain_labels = labels(explorer, "domain")
    process_labels = labels(explorer, "process")
    rows, seen = [], set()
    by: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for p in processes:
        for r in explorer.rows("evidence-for-process", process=f"process:{p}"):
            dom = local_id(r["domain"])
            if d.domains and dom not in d.domains:
                continue
            by[p][dom][local_id(r["direction"])] += 1
            key = (p, r["statement"], dom)
            if key in seen:
                continue
            seen.add(key)
            rows.append({**r, "processId": p, "processLabel": process_labels.get(p, p), "domainId": dom})
    gaps, thin = [], []
    for p in processes if d.processes else []:
        for dom in d.domains:
            counts = by.get(p, {}).get(dom, {})
            where = f"{process_labels.get(p, p)} × {domain_labels.get(dom, dom)}"
            if not counts:
                gaps.append(where)
            elif not (counts.get("positive") or counts.get("negative")):
                thin.append(where)
    # decisive evidence first by strength, but never hide the mixed and negative
    rows.sort(key=lambda r: (r["processLabel"], r["domainLabel"], int(r["rank"]), r["statement"]))
    return Evidence(rows, {p: {dm: dict(c) for dm, c in v.items()} for p, v in by.items()}, gaps, thin)


def factors(explorer: Any, d: Design, matches: list[Match], top: int = 5,
            general_per_category: int = 6) -> dict[str, dict[str, list[dict]]]:
    """Enablers and barriers by category: all those of the best-matching case studies,
    then those of the general lists (Goddard and Mason, the HRB review's cross-cutting
    sections, ...) that share a theme with them, a few per category."""
    wanted = {m.case for m in matches[:top]}
    rows = explorer.rows("all-factors")
    themes = {r.get("theme") for r in rows if local_id(r.get("owner")) in wanted}
    out: dict[str, dict[str, list[dict]]] = {"enabler": defaultdict(list), "barrier": defaultdict(list)}
    general_count: dict[tuple[str, str], int] = defaultdict(int)
    seen = set()
    for specific in (True, False):
        for r in rows:
            owner = local_id(r.get("owner"))
            if specific != (owner in wanted):
                continue
            if not specific and (r.get("owner") or r.get("theme") not in themes):
                continue
            cat = r.get("categoryLabel") or "Not categorised"
            key = (r["kind"], " ".join(r["label"].lower().split()), owner)
            if key in seen:
                continue
            if not specific:
                if general_count[(r["kind"], cat)] >= general_per_category:
                    continue
                general_count[(r["kind"], cat)] += 1
            seen.add(key)
            out[r["kind"]][cat].append({**r, "from": r.get("ownerLabel") or "general list"})
    return {k: dict(v) for k, v in out.items()}


def mechanisms(explorer: Any, d: Design, matches: list[Match], top: int = 8) -> dict[str, list[dict]]:
    """Per chosen process, mechanisms the best-matching cases used, most used first."""
    wanted = {m.case for m in matches[:top]}
    processes = set(d.processes)
    counts: dict[tuple[str, str], dict] = {}
    for r in explorer.rows("_case_mechanism_process"):
        p = local_id(r["process"])
        if local_id(r["case"]) not in wanted or (processes and p not in processes):
            continue
        item = counts.setdefault((r["processLabel"], r["mechanism"]),
                                 {"mechanism": r["mechanism"], "label": r["mechanismLabel"], "cases": set()})
        item["cases"].add(r["caseLabel"])
    out: dict[str, list[dict]] = defaultdict(list)
    for (plabel, _), item in sorted(counts.items(), key=lambda kv: (kv[0][0], -len(kv[1]["cases"]), kv[1]["label"])):
        out[plabel].append({**item, "cases": sorted(item["cases"])})
    return dict(out)


def mechanism_quote(explorer: Any, mechanism_iri: str, cases: list[str]) -> Cited | None:
    """A quote showing one of ``cases`` using the mechanism."""
    rows = explorer.rows("case-studies-using-mechanism", mechanism=mechanism_iri)
    for r in rows:
        if r["label"] in cases and r.get("quote"):
            return Cited(f"{r['label']} uses {r['usedLabel']}", r["quote"], r.get("source") or "", "")
    return None
