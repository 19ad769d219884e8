"""Case studies ranked by fit to a design, with the reasons they match and where they differ.

The ranking is a transparent weighted overlap of classifications (table :data:`WEIGHTS`),
deterministic, with ties broken by label. It is not a model of effectiveness: a case that
matches well is a case worth reading, not a promise. What this module does not do: choose the
evidence for a design (:mod:`kg.designer.evidence`) or word the brief (:mod:`kg.designer.brief`).
"""

from __future__ import annotations

from typing import Any

from kg.designer.model import Cited, Design, Match, local_id
from kg.designer.recommend import recommend
from kg.designer.vocab import labels, vocab

#: Dimension -> (weight, scheme). The score of a case is the sum of the weights of the
#: dimensions it matches, over the sum of the weights the designer answered.
WEIGHTS: dict[str, tuple[float, str]] = {
    "population": (3.0, "population"),
    "processes": (3.0, "process"),
    "need": (2.0, "leutz"),
    "intensity": (2.0, "leutz"),
    "level": (2.0, "level"),
    "form": (1.0, "form"),
    "breadth": (1.0, "breadth"),
    "country": (1.0, "country"),
}


def features(explorer: Any) -> dict[str, dict]:
    """Case id -> {label, feature -> set of concept ids}."""
    cases: dict[str, dict] = {}
    for r in explorer.rows("_case_features"):
        c = cases.setdefault(local_id(r["case"]), {"label": r["label"], "iri": r["case"]})
        c.setdefault(r["feature"], set()).add(local_id(r["value"]))
    return cases


def rank_cases(explorer: Any, d: Design, k: int = 10) -> list[Match]:
    """Case studies ranked by fit to the design, with reasons and differences."""
    pop_tree = {c["id"]: set(c["broader"]) for c in vocab(explorer, "population")}
    scheme_labels = {s: labels(explorer, s) for s in ("population", "process", "leutz", "level", "form", "breadth", "country")}
    suggested = recommend(explorer, d).suggested if d.need else ""

    def up(ids: set[str]) -> set[str]:
        out = set(ids)
        for i in ids:
            out |= pop_tree.get(i, set())
        return out

    answered = {"population": bool(d.population), "processes": bool(d.processes), "need": bool(suggested),
                "intensity": bool(d.intensity), "level": bool(d.level), "form": bool(d.form),
                "breadth": bool(d.breadth), "country": bool(d.country)}
    total = sum(WEIGHTS[k_][0] for k_, on in answered.items() if on) or 1.0
    matches = []
    for cid, f in features(explorer).items():
        score, reasons, diffs, unknown = 0.0, [], [], []

        def name(scheme: str, ids) -> str:
            return ", ".join(sorted(scheme_labels[scheme].get(i, i) for i in ids))

        if d.population:
            mine, theirs = up(set(d.population)), f.get("population", set())
            shared = up(theirs) & mine if theirs else set()
            if shared:
                score += WEIGHTS["population"][0]
                reasons.append(f"serves {name('population', theirs & mine or theirs)}")
            elif theirs:
                diffs.append(f"serves {name('population', theirs)}")
            else:
                unknown.append("target population")
        if d.processes:
            mine, theirs = set(d.processes), f.get("process", set())
            if theirs:
                # the share of the designer's processes the case uses: a case that also
                # integrates in other ways is not penalised for it
                score += WEIGHTS["processes"][0] * len(mine & theirs) / len(mine)
                if mine & theirs:
                    reasons.append(f"uses {name('process', mine & theirs)} integration")
                if mine - theirs:
                    diffs.append(f"no {name('process', mine - theirs)} process reported")
            else:
                unknown.append("integrative processes")
        intensity = f.get("intensity", set())
        for key, wanted in (("need", suggested), ("intensity", d.intensity)):
            if not wanted:
                continue
            if wanted in intensity:
                score += WEIGHTS[key][0]
                why = "the intensity your users' need suggests" if key == "need" else "the intensity you chose"
                reasons.append(f"works at {name('leutz', {wanted}).lower()}, {why}")
            elif intensity:
                diffs.append(f"works at {name('leutz', intensity).lower()}")
            elif key == "intensity":
                unknown.append("intensity")
        for key, scheme, wanted in (("level", "level", d.level), ("form", "form", d.form),
                                    ("country", "country", d.country)):
            if not wanted:
                continue
            theirs = f.get(key, set())
            if wanted in theirs:
                score += WEIGHTS[key][0]
                reasons.append(f"{name(scheme, {wanted}).lower()}" if key != "country" else f"in {name(scheme, {wanted})}")
            elif theirs:
                diffs.append(f"{name(scheme, theirs).lower()}" if key != "country" else f"in {name(scheme, theirs)}")
            else:
                unknown.append({"level": "level", "form": "form (real or virtual)", "country": "country"}[key])
        if d.breadth:
            theirs = f.get("breadth", set())
            if set(d.breadth) & theirs:
                score += WEIGHTS["breadth"][0]
                reasons.append(f"{name('breadth', set(d.breadth) & theirs).lower()}")
            elif theirs:
                diffs.append(f"{name('breadth', theirs).lower()}")
            else:
                unknown.append("breadth")
        matches.append(Match(cid, f["label"], round(score / total, 3), reasons, diffs, unknown))
    matches.sort(key=lambda m: (-m.score, m.label.lower()))
    return matches[:k]


def match_quotes(explorer: Any, m: Match, most: int = 2) -> list[Cited]:
    """Quotes behind a match: the case's classifications that the reasons name."""
    rows = explorer.rows("case-profile", case=f"case:{m.case}")
    reasons = " ".join(m.reasons).lower()
    picked = [r for r in rows if r["valueLabel"].lower() in reasons] or rows
    return [Cited(f"{m.label}: {r['propertyLabel']} {r['valueLabel']}", r["quote"], r["source"], "")
            for r in picked[:most]]
