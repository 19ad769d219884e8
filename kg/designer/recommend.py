"""The intensity the users' need suggests, and warnings where the chosen intensity differs.

Nolte and McKee's mapping of need onto Leutz's levels, as the HRB review reports it; the
warnings cite Leutz's laws (integrate only as much as the need requires; one party's
integration can be another's fragmentation).
"""

from __future__ import annotations

from typing import Any

from kg.designer.model import Cited, Design, Recommendation, local_id
from kg.designer.vocab import labels


def recommend(explorer: Any, d: Design) -> Recommendation:
    """The Leutz level the need suggests, with the quote, and warnings on a different choice."""
    rec = Recommendation()
    levels = labels(explorer, "leutz")
    order = list(levels)
    if d.need:
        rows = explorer.rows("integration-for-need", need=f"need:{d.need}")
        if rows:
            r = rows[0]
            rec.suggested, rec.suggested_label = local_id(r["intensity"]), r["intensityLabel"]
            rec.because.append(Cited(
                f"Users with {r['needLabel'].lower()} are best served by {r['intensityLabel'].lower()} "
                f"(Nolte and McKee, as the HRB review reports them).", r["why"],
                "The integration of health and social care services",
                "Question 1 > Choosing a framework > Breadth and intensity"))
            if r.get("intensityDefinition"):
                rec.because.append(Cited(f"What {r['intensityLabel'].lower()} means (Leutz, as Shortell presents it).",
                                         r["intensityDefinition"], "Shortell 2021", "Law 1"))
    if d.intensity and rec.suggested and d.intensity != rec.suggested and d.intensity in order:
        law = concept_quote(explorer, "leutz-laws", "law-1", contains="stratify patients")
        chosen = levels.get(d.intensity, d.intensity)
        if order.index(d.intensity) > order.index(rec.suggested):
            text = (f"You chose {chosen.lower()}, more than the need suggests ({rec.suggested_label.lower()}). "
                    f"Leutz's first law: integrate only as much as the need requires; full integration is "
                    f"costly and disruptive where linkage or coordination would serve.")
        else:
            text = (f"You chose {chosen.lower()}, less than the need suggests ({rec.suggested_label.lower()}): "
                    f"users with this level of need may fall through the gaps between services.")
        rec.warnings.append(Cited(text, *law))
    if d.intensity == "full-integration" and d.form == "virtual":
        rec.warnings.append(Cited("Full integration usually means real integration (a single entity responsible "
                                  "for all services); virtual integration is closer to coordination.",
                                  *concept_quote(explorer, "form", "virtual")))
    if d.intensity:
        frag = concept_quote(explorer, "leutz-laws", "law-3", contains="fragment")
        if frag[0]:
            rec.warnings.append(Cited("Plan for the disruption integration brings: one party's integration "
                                      "can be another's fragmentation (Shaw's intensity question asks the same).",
                                      *frag))
    return rec


def concept_quote(explorer: Any, scheme: str, cid: str, contains: str = "") -> tuple[str, str, str]:
    """(quote, source, section) of a concept's first quote, preferring one that contains ``contains``."""
    rows = explorer.rows("_designer_concept_quotes", concept=f"{scheme}:{cid}")
    rows = [r for r in rows if contains.lower() in r["quote"].lower()] or rows
    if not rows:
        return "", "", ""
    r = rows[0]
    return r["quote"], r["source"], r["section"]
