"""Case studies ranked by fit to a design, with the reasons they match and where they differ.

The ranking is a transparent weighted overlap (table :data:`WEIGHTS`), deterministic, and
explained rank by rank. A case is scored only over the answers it is classified on: a case the
sources say nothing about on a question is neither rewarded nor penalised for it (unknown is not
a mismatch), and how much it is classified on is shown ("classified on 4 of your 8 answers").
Cases classified on less than half the weight of the answers rank after those classified on
more, so a case known on one matching answer does not outrank a case known on six; among equal
fits, the case known on more of the answers comes first. Remaining ties are broken by the
strength of the case's own evidence (its strongest evaluated finding, then how many findings
with a direction it has), then by name.

* need and intensity are one dimension, scored once: the case's Leutz level against the level
  the need suggests (Nolte and McKee), or against the chosen level when no need is given; an
  intensity the assistant warns against (more or less than the need suggests) earns nothing;
* countries follow the country hierarchy (a United Kingdom case fits an English design, and an
  English case a United Kingdom design);
* populations follow the population hierarchy (frail older people are older people);
* mechanisms count only uses in place (in use or piloted), with broader mechanisms (direct
  payments are personal budgets);
* goals are the outcome domains of a case's stated goals and of its own findings that carry a
  direction (what it aims at or reports on);
* sectors are matched against the words the sources describe the case with.

It is not a model of effectiveness: a case that matches well is a case worth reading, not a
promise. What this module does not do: choose the evidence for a design
(:mod:`kg.designer.evidence`) or word the brief (:mod:`kg.designer.brief`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from kg.designer.model import Cited, Design, Match, local_id
from kg.designer.recommend import recommend
from kg.designer.vocab import labels, vocab

#: Dimension -> (weight, scheme). A case's fit is the sum of the weights of the dimensions it
#: matches over the sum of the weights of the answered dimensions it is classified on.
WEIGHTS: dict[str, tuple[float, str]] = {
    "population": (3.0, "population"),
    "processes": (3.0, "process"),
    "intensity": (2.0, "leutz"),
    "mechanisms": (2.0, "mechanism"),
    "goals": (2.0, "domain"),
    "level": (1.0, "level"),
    "form": (1.0, "form"),
    "breadth": (1.0, "breadth"),
    "country": (1.0, "country"),
    "sectors": (1.0, ""),
}

#: The words that show a sector in the sources' description of a case (data text, not user text).
SECTOR_WORDS: dict[str, str] = {
    "health care": r"\b(health care|healthcare|hospital|primary care|general practi|GP|physician|nurs)",
    "social care": r"\b(social care|social services|social work|home care|personal care)",
    "housing": r"\b(housing|homeless|home modification|accommodation)",
    "education": r"\b(education|school)",
    "employment": r"\b(employment|employ|job|vocational)",
    "transport": r"\b(transport)",
    "voluntary and community": r"\b(voluntary|charit|community organi[sz]ation|community-based organi[sz]ation)",
    "public health": r"\b(public health|population health|prevention)",
    "criminal justice": r"\b(criminal|prison|offender|justice)",
}

#: Minimum share of the answers a case must be classified on to rank among the first.
MIN_COVERAGE = 0.5


def features(explorer: Any) -> dict[str, dict]:
    """Case id -> {label, feature -> set of concept ids}, with goals (stated, or reported on by the
    case's own findings with a direction), mechanisms in place and descriptive text."""
    cases: dict[str, dict] = {}
    for r in explorer.rows("_case_features"):
        c = cases.setdefault(local_id(r["case"]), {"label": r["label"], "iri": r["case"]})
        c.setdefault(r["feature"], set()).add(local_id(r["value"]))
    quotes: dict[str, dict] = defaultdict(dict)
    for r in explorer.rows("_designer_case_extras"):
        cid = local_id(r["case"])
        if cid not in cases:
            continue
        if r["feature"] in ("summary", "text"):
            cases[cid].setdefault("text", []).append(r["quote"])
        else:
            cases[cid].setdefault(r["feature"], set()).add(local_id(r["value"]))
            quotes[cid].setdefault((r["feature"], local_id(r["value"])), r["quote"])
    for r in explorer.rows("_designer_findings"):
        cid = local_id(r["about"])
        if r["aboutKind"] == "case" and r.get("effect") and cid in cases:
            cases[cid].setdefault("goal", set()).add(local_id(r["domain"]))
            quotes[cid].setdefault(("goal", local_id(r["domain"])), r["quote"])
    for cid, q in quotes.items():
        cases[cid]["quotes"] = q
    return cases


def strength(explorer: Any) -> dict[str, tuple[int, int, str]]:
    """Case id -> (rank of its strongest finding, -number of findings with a direction, basis label)."""
    out: dict[str, tuple[int, int, str]] = {}
    counts: dict[str, set] = defaultdict(set)
    for r in explorer.rows("_designer_findings"):
        if r["aboutKind"] != "case":
            continue
        cid = local_id(r["about"])
        rank = int(r["rank"])
        if r.get("effect"):
            counts[cid].add(r["statement"])
        if cid not in out or rank < out[cid][0]:
            out[cid] = (rank, 0, r["basisLabel"])
    return {cid: (v[0], -len(counts[cid]), v[2]) for cid, v in out.items()}


def sectors_in(text: list[str]) -> dict[str, str]:
    """Sector -> the first sentence of ``text`` that names it."""
    out: dict[str, str] = {}
    for sector, pattern in SECTOR_WORDS.items():
        rx = re.compile(pattern, re.I if sector != "health care" else 0)
        for t in text:
            if rx.search(t):
                out[sector] = t
                break
    return out


def _answers(d: Design, suggested: str) -> dict[str, bool]:
    """Dimension -> answered. Need and intensity are one dimension (the case's Leutz level)."""
    return {"population": bool(d.population), "processes": bool(d.processes),
            "intensity": bool(suggested or d.intensity), "mechanisms": bool(d.mechanisms),
            "goals": bool(d.domains), "level": bool(d.level), "form": bool(d.form),
            "breadth": bool(d.breadth), "country": bool(d.country), "sectors": bool(d.sectors)}


def answer_count(d: Design) -> int:
    """How many of the design's questions are answered (need and intensity count as two answers)."""
    return sum(bool(v) for v in (d.domains, d.population, d.need, d.level, d.sectors, d.country,
                                 d.processes, d.mechanisms, d.breadth, d.intensity, d.form))


def rank_cases(explorer: Any, d: Design, k: int = 10) -> list[Match]:
    """Case studies ranked by fit to the design, with reasons, differences, coverage and an explanation."""
    trees = {s: {c["id"]: set(c["broader"]) for c in vocab(explorer, s)} for s in ("population", "country")}
    scheme_labels = {s: labels(explorer, s) for s in ("population", "process", "leutz", "level", "form",
                                                       "breadth", "country", "mechanism", "domain")}
    suggested = recommend(explorer, d).suggested if d.need else ""
    # the level to reward: the one the need suggests; without a need, the one chosen
    target = suggested or d.intensity
    answered = _answers(d, suggested)
    total_weight = sum(WEIGHTS[k_][0] for k_, on in answered.items() if on)
    n_answers = answer_count(d)
    strong = strength(explorer)

    def up(scheme: str, ids: set[str]) -> set[str]:
        out, todo = set(ids), list(ids)
        while todo:
            for b in trees[scheme].get(todo.pop(), set()):
                if b not in out:
                    out.add(b)
                    todo.append(b)
        return out

    def name(scheme: str, ids) -> str:
        return ", ".join(sorted(scheme_labels[scheme].get(i, i) for i in ids))

    matches = []
    for cid, f in features(explorer).items():
        got, known = 0.0, 0.0
        reasons, diffs, unknown, classified = [], [], [], 0

        def hit(dim: str, share: float = 1.0) -> None:
            nonlocal got, known
            got += WEIGHTS[dim][0] * share
            known += WEIGHTS[dim][0]

        if d.population:
            mine, theirs = up("population", set(d.population)), f.get("population", set())
            if theirs:
                shared = {t for t in theirs if up("population", {t}) & mine}
                hit("population", 1.0 if shared else 0.0)
                (reasons if shared else diffs).append(f"serves {name('population', shared or theirs)}")
            else:
                unknown.append("target population")
        if d.domains:
            theirs = f.get("goal", set())
            if theirs:
                shared = set(d.domains) & theirs
                hit("goals", len(shared) / len(d.domains))
                if shared:
                    reasons.append(f"aims at or reports on {name('domain', shared).lower()}")
                else:
                    diffs.append(f"aims at or reports on {name('domain', theirs).lower()}")
            else:
                unknown.append("goals")
        if d.processes:
            mine, theirs = set(d.processes), f.get("process", set())
            if theirs:
                hit("processes", len(mine & theirs) / len(mine))
                if mine & theirs:
                    reasons.append(f"uses {name('process', mine & theirs).lower()} integration")
                if mine - theirs:
                    diffs.append(f"no {name('process', mine - theirs).lower()} process reported")
            else:
                unknown.append("integrative processes")
        if d.mechanisms:
            mine, theirs = set(d.mechanisms), f.get("mechanism", set())
            if theirs:
                hit("mechanisms", len(mine & theirs) / len(mine))
                if mine & theirs:
                    reasons.append(f"uses {name('mechanism', mine & theirs).lower()} (in use or piloted)")
                if mine - theirs:
                    diffs.append(f"no {name('mechanism', mine - theirs).lower()} in use")
            else:
                unknown.append("mechanisms")
        if target:
            theirs = f.get("intensity", set())
            if theirs:
                ok = target in theirs
                hit("intensity", 1.0 if ok else 0.0)
                why = "the intensity your users' need suggests" if suggested else "the intensity you chose"
                if ok:
                    reasons.append(f"works at {name('leutz', {target}).lower()}, {why}")
                else:
                    diffs.append(f"works at {name('leutz', theirs).lower()}")
            else:
                unknown.append("intensity")
        for key, scheme, wanted in (("level", "level", d.level), ("form", "form", d.form)):
            if not wanted:
                continue
            theirs = f.get(key, set())
            if theirs:
                hit(key, 1.0 if wanted in theirs else 0.0)
                (reasons if wanted in theirs else diffs).append(
                    f"{name(scheme, {wanted} if wanted in theirs else theirs).lower()}")
            else:
                unknown.append({"level": "level", "form": "form (real or virtual)"}[key])
        if d.country:
            theirs = f.get("country", set())
            if theirs:
                mine = up("country", {d.country})
                fits = {t for t in theirs if t in mine or d.country in up("country", {t})}
                hit("country", 1.0 if fits else 0.0)
                (reasons if fits else diffs).append(f"in {name('country', fits or theirs)}")
            else:
                unknown.append("country")
        if d.breadth:
            theirs = f.get("breadth", set())
            if theirs:
                shared = set(d.breadth) & theirs
                hit("breadth", 1.0 if shared else 0.0)
                (reasons if shared else diffs).append(f"{name('breadth', shared or theirs).lower()}")
            else:
                unknown.append("breadth")
        if d.sectors:
            found = sectors_in(f.get("text", []))
            if f.get("text"):
                shared = [s for s in d.sectors if s in found]
                hit("sectors", len(shared) / len(d.sectors))
                if shared:
                    reasons.append(f"the sources describe it with {', '.join(shared)}")
                if set(d.sectors) - set(shared):
                    diffs.append(f"no mention of {', '.join(s for s in d.sectors if s not in shared)}")
            else:
                unknown.append("sectors")
        classified = n_answers - len([u for u in unknown if u != "intensity"]) - (
            (bool(d.need) + bool(d.intensity)) if "intensity" in unknown else 0)
        fit = round(got / known, 3) if known else 0.0
        coverage = round(known / total_weight, 3) if total_weight else 0.0
        m = Match(cid, f["label"], fit, reasons, diffs, unknown)
        m.classified, m.answers, m.coverage = classified, n_answers, coverage
        s = strong.get(cid, (99, 0, ""))
        m.strength = s[2]
        m.findings = -s[1]
        m.key = (classified < MIN_COVERAGE * n_answers, -fit, -classified, s[0], s[1], f["label"].lower())
        m.quotes = f.get("quotes", {})
        matches.append(m)
    matches.sort(key=lambda m: m.key)
    for i, m in enumerate(matches, 1):
        m.rank = i
        m.explanation = _explain(m, matches[i - 2] if i > 1 else None, matches[i] if i < len(matches) else None)
    return matches[:k]


def _explain(m: Match, before: Match | None, after: Match | None) -> str:
    """Why a case sits at its rank, in words."""
    base = (f"#{m.rank}: fit {m.score:.0%} over the {m.classified} of your {m.answers} answers "
            f"it is classified on")
    if m.key[0]:
        base += f" (less than half of what you answered, so it ranks after the cases classified on more)"
    evid = (f"strongest evidence: {m.strength.lower()}" if m.strength else "no findings of its own in the graph")
    if m.findings:
        evid += f", {m.findings} finding{'s' if m.findings != 1 else ''} with a direction"
    same_fit = [o for o in (before, after) if o is not None and o.key[:2] == m.key[:2]]
    tie = [o for o in same_fit if o.key[2] == m.key[2]]
    if same_fit and not tie:
        base += f"; same fit as {', '.join(o.label for o in same_fit)}, ordered by how many of your answers each is known on"
    if tie:
        base += f"; tied on fit with {', '.join(o.label for o in tie)}, ordered by the strength of evidence"
    return f"{base}; {evid}."


def match_quotes(explorer: Any, m: Match, most: int = 2) -> list[Cited]:
    """Quotes behind a match: the case's classifications that the reasons name."""
    rows = explorer.rows("case-profile", case=f"case:{m.case}")
    # a sentence, never a heading: a case study's title ("Torbay Care Trust (England)") shows
    # where the case is, but a brief line cites the sentence that says it
    rows = [r for r in rows if _sentence(r["quote"])] or rows
    reasons = " ".join(m.reasons).lower()
    picked = [r for r in rows if r["valueLabel"].lower() in reasons] or rows
    return [Cited(f"{m.label}: {r['propertyLabel']} {r['valueLabel']}", r["quote"], r["source"], "")
            for r in picked[:most]]


def _sentence(quote: str) -> bool:
    """Whether a quote reads as a sentence rather than a heading or a title."""
    if re.match(r"\s*Case study \d+\b", quote):
        return False
    words = quote.split()
    return len(words) >= 6 and not quote.rstrip().endswith(")") or quote.rstrip().endswith((".", ";", ":"))
