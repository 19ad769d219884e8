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
    from kg.designer.matching import _sentence

    rows = explorer.rows("case-studies-using-mechanism", mechanism=mechanism_iri)
    rows = sorted(rows, key=lambda r: not _sentence(r.get("quote") or ""))  # a sentence before a heading
    for r in rows:
        if r["label"] in cases and r.get("quote"):
            return Cited(f"{r['label']} uses {r['usedLabel']}", r["quote"], r.get("source") or "", "")
    return None


#: Outcome domains every design's evidence includes: what the sources say about effectiveness overall.
ALWAYS_DOMAINS = ("overall-effectiveness",)
#: How many best-matching cases' own findings come first, and whose negative and mixed findings
#: and caveats are always shown.
TOP_CASES = 3
DIRECTIONAL = ("positive", "negative", "mixed", "no-effect", "unclear")


def relevant(explorer: Any, d: Design, matches: list[Match], case_features: dict | None = None) -> Evidence:
    """Findings relevant to the design, best-matching cases first, with counts, caveats and gaps.

    A finding is relevant when it is about one of the best-matching cases, a case serving the
    chosen population, a chosen process or mechanism (or a mechanism under them), and its
    outcome is a chosen one or effectiveness overall (any outcome when none is chosen).
    Counts per direction count only claims that carry a direction (measured outcomes and
    judgements); targets, descriptive facts and recommendations are listed, not counted.
    """
    from kg.designer.matching import features, sectors_in

    feats = case_features if case_features is not None else features(explorer)
    rows = explorer.rows("_designer_findings")
    by_statement: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_statement[r["statement"]].append(r)
    pop_tree = {c["id"]: set(c["broader"]) for c in vocab(explorer, "population")}

    def up(ids: set[str], tree: dict) -> set[str]:
        out, todo = set(ids), list(ids)
        while todo:
            for b in tree.get(todo.pop(), set()):
                if b not in out:
                    out.add(b)
                    todo.append(b)
        return out

    # a case that matches nothing is not a best-matching case, however it ranks
    fitting = [m for m in matches if m.score > 0]
    rank_of = {m.case: i for i, m in enumerate(fitting)}
    top = [m.case for m in fitting[:TOP_CASES]]
    mine_pop = up(set(d.population), pop_tree)
    pop_cases = {cid for cid, f in feats.items()
                 if any(up({p}, pop_tree) & mine_pop for p in f.get("population", set()))} if d.population else set()
    process_statements: set[str] = set()
    for p in d.processes:
        process_statements |= {r["statement"] for r in explorer.rows("evidence-for-process", process=f"process:{p}")
                               if r.get("route") != "case study"}
    mech_tree = {c["id"]: set(c["broader"]) for c in vocab(explorer, "mechanism")}
    wanted_domains = set(d.domains) | set(ALWAYS_DOMAINS) if d.domains else None

    def why(r: dict) -> tuple[int, str] | None:
        about, kind = local_id(r["about"]), r["aboutKind"]
        if kind == "case" and about in rank_of and rank_of[about] < 10:
            return (rank_of[about], f"about {r['aboutLabel']}, #{rank_of[about] + 1} by fit")
        if kind == "mechanism" and d.mechanisms and up({about}, mech_tree) & set(d.mechanisms):
            return (20, f"about {r['aboutLabel']}, a mechanism you chose")
        if r["statement"] in process_statements:
            return (30, f"about {r['aboutLabel']}, under a process you chose")
        if kind == "case" and about in pop_cases:
            return (40, f"about {r['aboutLabel']}, a case serving your population")
        if about in d.population or about in mine_pop and kind == "concept":
            return (40, f"about {r['aboutLabel']}, your population")
        return None

    picked: dict[str, dict] = {}
    for r in rows:
        dom = local_id(r["domain"])
        if wanted_domains is not None and dom not in wanted_domains:
            continue
        w = why(r)
        if w is None:
            continue
        s = picked.get(r["statement"])
        item = s or {**r, "domains": [], "domainIds": [], "order": w[0], "why": w[1],
                     "direction": local_id(r.get("effect")) if r.get("effect") else "",
                     "claimId": local_id(r["claim"]), "uncited": str(r.get("uncited")).lower() in ("true", "1")}
        if r["domainLabel"] not in item["domains"]:
            item["domains"].append(r["domainLabel"])
            item["domainIds"].append(dom)
        picked[r["statement"]] = item
    findings = sorted(picked.values(), key=lambda r: (r["order"], int(r["rank"]), r["statement"]))
    caveats = caveats_of(explorer, by_statement, {f["statement"] for f in findings} | _case_statements(rows, top))
    for f in findings:
        f["caveatRows"] = caveats.get(f["statement"], [])
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for f in findings:
        if f["direction"]:
            for dl in f["domains"]:
                counts[dl][f["direction"]] += 1
    own = []
    for cid in top:
        for sid in sorted(_case_statements(rows, [cid])):
            r = by_statement[sid][0]
            direction = local_id(r.get("effect")) if r.get("effect") else ""
            if direction in ("negative", "mixed", "no-effect") or caveats.get(sid):
                own.append({**r, "direction": direction, "claimId": local_id(r["claim"]),
                            "domains": sorted({x["domainLabel"] for x in by_statement[sid]}),
                            "caveatRows": caveats.get(sid, []),
                            "uncited": str(r.get("uncited")).lower() in ("true", "1")})
    base = evidence(explorer, d) if d.processes else Evidence([], {}, [], [])
    ev = Evidence(base.rows, base.by_process, base.gaps, base.thin, findings,
                  {k: dict(v) for k, v in counts.items()}, own, caveats)
    ev.named_gaps = name_gaps(explorer, d, matches, feats, ev, sectors_in)
    return ev


def _case_statements(rows: list[dict], cases) -> set[str]:
    wanted = set(cases)
    return {r["statement"] for r in rows if r["aboutKind"] == "case" and local_id(r["about"]) in wanted}


def caveats_of(explorer: Any, by_statement: dict[str, list[dict]], statements: set[str]) -> dict[str, list[dict]]:
    """Statement -> the caveats that qualify it (each a finding row, with its source and locator)."""
    out: dict[str, list[dict]] = defaultdict(list)
    for s in statements:
        rows = by_statement.get(s)
        if not rows or not rows[0].get("caveats"):
            continue
        for cav in rows[0]["caveats"].split():
            crow = by_statement.get(cav)
            if crow:
                out[s].append(crow[0])
    return dict(out)


def name_gaps(explorer: Any, d: Design, matches: list[Match], feats: dict, ev: Evidence, sectors_in) -> list[str]:
    """The real gaps in the evidence for a design, in words: never empty when the evidence is thin."""
    lab = {s: labels(explorer, s) for s in ("population", "country", "mechanism", "domain")}
    gaps: list[str] = []
    pop_tree = {c["id"]: set(c["broader"]) for c in vocab(explorer, "population")}
    for p in d.population:
        if not any(p in f.get("population", set()) for f in feats.values()):
            broader = [lab["population"].get(b, b) for b in pop_tree.get(p, set())]
            gaps.append(f"No case study in the graph serves {lab['population'].get(p, p).lower()}"
                        + (f" (cases for {', '.join(broader).lower()} are the nearest)." if broader else "."))
    if d.country:
        tree = {c["id"]: set(c["broader"]) for c in vocab(explorer, "country")}
        near = {d.country} | tree.get(d.country, set()) | {c for c, b in tree.items() if d.country in b}
        if not any(f.get("country", set()) & near for f in feats.values()):
            gaps.append(f"No case study in the graph comes from {lab['country'].get(d.country, d.country)}.")
    for s in d.sectors:
        if not any(s in sectors_in(f.get("text", [])) for f in feats.values()):
            gaps.append(f"No case study in the graph is described as involving {s}.")
    for m in d.mechanisms:
        if not any(m in f.get("mechanism", set()) for f in feats.values()):
            gaps.append(f"No case study in the graph has {lab['mechanism'].get(m, m).lower()} in use or piloted.")
    for dom in d.domains:
        dl = lab["domain"].get(dom, dom)
        mine = [f for f in ev.findings if dom in f["domainIds"]]
        if not mine:
            gaps.append(f"No finding relevant to this design reports on {dl.lower()}.")
        elif not any(f["direction"] for f in mine):
            kinds = sorted({f["claimLabel"].lower() for f in mine})
            gaps.append(f"On {dl.lower()}, the relevant findings hold only {', '.join(kinds)}: "
                        "no measured outcome or judgement with a direction.")
        elif not any(f["direction"] in ("positive", "negative") for f in mine if f["direction"]):
            gaps.append(f"On {dl.lower()}, only mixed, null or unclear findings with a direction.")
    gaps += [f"No evidence in the sources for {g}." for g in ev.gaps]
    if matches:
        best = matches[0]
        if best.answers and best.classified < best.answers / 2:
            gaps.append(f"The best-fitting case, {best.label}, is classified on only {best.classified} of your "
                        f"{best.answers} answers: the sources say little about cases like this design.")
        if best.score < 0.5:
            gaps.append(f"No case fits well: the best fit is {best.score:.0%} ({best.label}).")
    strong = [f for f in ev.findings if f["direction"] and int(f["rank"]) <= 3]
    if ev.findings and not strong:
        gaps.append("No relevant finding with a direction rests on a systematic review, a randomised trial or a "
                    "quasi-experimental comparison.")
    if not ev.findings:
        gaps.append("No finding in the graph is relevant to this design.")
    return gaps
