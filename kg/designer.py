"""The integration design assistant: Shaw et al.'s five questions, answered with evidence.

A :class:`Design` holds a service designer's answers (goals, context, type, breadth,
intensity) as concept ids plus free-text notes. :class:`Assistant` reads the graph through
named queries only and answers:

* the intensity the users' level of need suggests (Nolte and McKee's mapping onto Leutz's
  levels), with warnings when the chosen intensity differs in either direction (Leutz's first
  law: integrate only as much as the need requires);
* case studies ranked by fit, with the reasons they match and where they differ;
* the evidence for each chosen process by outcome domain and direction, with gaps named;
* enablers and barriers from matching case studies and the general lists, by category;
* mechanisms that matching case studies used under each chosen process;
* a design brief (Markdown and HTML) in which every recommendation cites its quote, and an
  RDF form of the design that reloads.

The ranking is a transparent weighted overlap of classifications (table :data:`WEIGHTS`),
deterministic, with ties broken by label. It is not a model of effectiveness: a case that
matches well is a case worth reading, not a promise. What this module does not do: render
anything (the page does), or hold SPARQL (the named queries do).
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.namespaces import BASE, IC, concept

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

SECTORS = ("health care", "social care", "housing", "education", "employment", "transport",
           "voluntary and community", "public health", "criminal justice")

#: Free-text notes, each beside one of Shaw's five questions.
NOTES: dict[str, tuple[str, str]] = {
    "goals": ("goals", "What you seek to achieve"),
    "support": ("goals", "How you will keep organisational support for the goals"),
    "programmes": ("context", "Other improvement programmes it connects with"),
    "leadership": ("context", "How you will ensure strong leadership across sectors"),
    "commissioning": ("type", "How commissioning arrangements will support integration"),
    "data_sharing": ("type", "How data sharing and information management will be achieved"),
    "partners": ("breadth", "Which partners, and how incentives will be aligned"),
    "intensity": ("intensity", "How you will avoid fragmentation elsewhere in the system"),
}

_PARAM_KEYS = {"domains": "d", "population": "pop", "need": "need", "level": "lvl", "sectors": "sec",
               "country": "cty", "processes": "proc", "breadth": "br", "intensity": "int", "form": "form",
               "title": "title"}
_LISTS = ("domains", "population", "sectors", "processes", "breadth")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass
class Design:
    """A designer's answers: concept ids (local parts) and notes."""

    title: str = "Integration design"
    domains: list[str] = field(default_factory=list)      # domain
    population: list[str] = field(default_factory=list)   # population
    need: str = ""                                        # need
    level: str = ""                                       # level
    sectors: list[str] = field(default_factory=list)      # free list (SECTORS)
    country: str = ""                                     # country
    processes: list[str] = field(default_factory=list)    # process
    breadth: list[str] = field(default_factory=list)      # breadth
    intensity: str = ""                                   # leutz
    form: str = ""                                        # form
    notes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in _LISTS:  # one canonical form: unique, sorted
            setattr(self, name, sorted(set(getattr(self, name))))

    def to_params(self) -> dict[str, str]:
        """The design as URL query parameters (the permalink)."""
        out: dict[str, str] = {}
        for name, key in _PARAM_KEYS.items():
            value = getattr(self, name)
            text = ",".join(value) if isinstance(value, list) else value
            if text and not (name == "title" and text == Design.title):
                out[key] = text
        for k, v in self.notes.items():
            if v.strip():
                out[f"n_{k}"] = v
        return out

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Design:
        """Read a design from URL query parameters; unknown keys and malformed ids are dropped."""
        d = cls()
        for name, key in _PARAM_KEYS.items():
            raw = params.get(key)
            if raw is None:
                continue
            raw = raw[-1] if isinstance(raw, list) else str(raw)
            if name == "title":
                d.title = raw[:200] or d.title
            elif name == "sectors":
                d.sectors = [s for s in raw.split(",") if s in SECTORS]
            elif name in _LISTS:
                setattr(d, name, [x for x in raw.split(",") if _ID.match(x)])
            elif _ID.match(raw):
                setattr(d, name, raw)
        for k in NOTES:
            v = params.get(f"n_{k}")
            if v:
                d.notes[k] = (v[-1] if isinstance(v, list) else str(v))[:4000]
        return d


@dataclass
class Cited:
    """A line of advice with the quote behind it."""

    text: str
    quote: str = ""
    source: str = ""
    locator: str = ""


@dataclass
class Recommendation:
    """The intensity the need suggests, and warnings where the choice differs."""

    suggested: str = ""
    suggested_label: str = ""
    because: list[Cited] = field(default_factory=list)
    warnings: list[Cited] = field(default_factory=list)


@dataclass
class Match:
    """A case study ranked by fit."""

    case: str
    label: str
    score: float
    reasons: list[str]
    differences: list[str]
    unknown: list[str]


@dataclass
class Evidence:
    """Evidence for the chosen processes, by domain, with gaps."""

    rows: list[dict]
    by_process: dict[str, dict[str, dict[str, int]]]
    gaps: list[str]
    thin: list[str]


def _local(iri: str | None) -> str:
    return (iri or "").rstrip("/").rsplit("/", 1)[-1]


class Assistant:
    """Answers a :class:`Design` from the graph, through an :class:`kg.service.Explorer`."""

    def __init__(self, explorer) -> None:
        self.x = explorer

    # -- vocabularies ------------------------------------------------------------------

    def vocab(self, scheme: str) -> list[dict[str, str]]:
        """Concepts of a scheme: id, label, broader (ids), in the scheme's order."""
        rows = self.x.rows("_concept_tree", scheme=f"scheme:{scheme}")
        out: dict[str, dict] = {}
        for r in rows:
            cid = _local(r["concept"])
            item = out.setdefault(cid, {"id": cid, "label": r["label"], "iri": r["concept"], "broader": []})
            if r.get("broader"):
                item["broader"].append(_local(r["broader"]))
        return list(out.values())

    def labels(self, scheme: str) -> dict[str, str]:
        """Concept id -> label for a scheme."""
        return {c["id"]: c["label"] for c in self.vocab(scheme)}

    def shaw(self) -> list[dict[str, str]]:
        """Shaw et al.'s five questions with their prompts and the locator of the quote."""
        return self.x.rows("shaw-questions")

    # -- recommendation ----------------------------------------------------------------

    def recommend(self, d: Design) -> Recommendation:
        """The Leutz level the need suggests, with the quote, and warnings on a different choice."""
        rec = Recommendation()
        levels = self.labels("leutz")
        order = list(levels)
        if d.need:
            rows = self.x.rows("integration-for-need", need=f"need:{d.need}")
            if rows:
                r = rows[0]
                rec.suggested, rec.suggested_label = _local(r["intensity"]), r["intensityLabel"]
                rec.because.append(Cited(
                    f"Users with {r['needLabel'].lower()} are best served by {r['intensityLabel'].lower()} "
                    f"(Nolte and McKee, as the HRB review reports them).", r["why"],
                    "The integration of health and social care services",
                    "Question 1 > Choosing a framework > Breadth and intensity"))
                if r.get("intensityDefinition"):
                    rec.because.append(Cited(f"What {r['intensityLabel'].lower()} means (Leutz, as Shortell presents it).",
                                             r["intensityDefinition"], "Shortell 2021", "Law 1"))
        if d.intensity and rec.suggested and d.intensity != rec.suggested and d.intensity in order:
            law = self._concept_quote("leutz-laws", "law-1", contains="stratify patients")
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
                                      *self._concept_quote("form", "virtual")))
        if d.intensity:
            frag = self._concept_quote("leutz-laws", "law-3", contains="fragment")
            if frag[0]:
                rec.warnings.append(Cited("Plan for the disruption integration brings: one party's integration "
                                          "can be another's fragmentation (Shaw's intensity question asks the same).",
                                          *frag))
        return rec

    def _concept_quote(self, scheme: str, cid: str, contains: str = "") -> tuple[str, str, str]:
        rows = self.x.rows("_designer_concept_quotes", concept=f"{scheme}:{cid}")
        rows = [r for r in rows if contains.lower() in r["quote"].lower()] or rows
        if not rows:
            return "", "", ""
        r = rows[0]
        return r["quote"], r["source"], r["section"]

    # -- ranking -----------------------------------------------------------------------

    def features(self) -> dict[str, dict]:
        """Case id -> {label, feature -> set of concept ids}."""
        cases: dict[str, dict] = {}
        for r in self.x.rows("_case_features"):
            c = cases.setdefault(_local(r["case"]), {"label": r["label"], "iri": r["case"]})
            c.setdefault(r["feature"], set()).add(_local(r["value"]))
        return cases

    def rank_cases(self, d: Design, k: int = 10) -> list[Match]:
        """Case studies ranked by fit to the design, with reasons and differences."""
        pop_tree = {c["id"]: set(c["broader"]) for c in self.vocab("population")}
        labels = {s: self.labels(s) for s in ("population", "process", "leutz", "level", "form", "breadth", "country")}
        suggested = self.recommend(d).suggested if d.need else ""

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
        for cid, f in self.features().items():
            score, reasons, diffs, unknown = 0.0, [], [], []

            def name(scheme: str, ids) -> str:
                return ", ".join(sorted(labels[scheme].get(i, i) for i in ids))

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

    # -- evidence ----------------------------------------------------------------------

    def evidence(self, d: Design) -> Evidence:
        """Statements for each chosen process (all processes when none is chosen), with gaps."""
        processes = d.processes or [c["id"] for c in self.vocab("process")]
        domain_labels = self.labels("domain")
        process_labels = self.labels("process")
        rows, seen = [], set()
        by: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
        for p in processes:
            for r in self.x.rows("evidence-for-process", process=f"process:{p}"):
                dom = _local(r["domain"])
                if d.domains and dom not in d.domains:
                    continue
                by[p][dom][_local(r["direction"])] += 1
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

    # -- factors and mechanisms --------------------------------------------------------

    def factors(self, d: Design, matches: list[Match], top: int = 5,
                general_per_category: int = 6) -> dict[str, dict[str, list[dict]]]:
        """Enablers and barriers by category: all those of the best-matching case studies,
        then those of the general lists (Goddard and Mason, the HRB review's cross-cutting
        sections, ...) that share a theme with them, a few per category."""
        wanted = {m.case for m in matches[:top]}
        rows = self.x.rows("all-factors")
        themes = {r.get("theme") for r in rows if _local(r.get("owner")) in wanted}
        out: dict[str, dict[str, list[dict]]] = {"enabler": defaultdict(list), "barrier": defaultdict(list)}
        general_count: dict[tuple[str, str], int] = defaultdict(int)
        seen = set()
        for specific in (True, False):
            for r in rows:
                owner = _local(r.get("owner"))
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

    def mechanisms(self, d: Design, matches: list[Match], top: int = 8) -> dict[str, list[dict]]:
        """Per chosen process, mechanisms the best-matching cases used, most used first."""
        wanted = {m.case for m in matches[:top]}
        processes = set(d.processes)
        counts: dict[tuple[str, str], dict] = {}
        for r in self.x.rows("_case_mechanism_process"):
            p = _local(r["process"])
            if _local(r["case"]) not in wanted or (processes and p not in processes):
                continue
            item = counts.setdefault((r["processLabel"], r["mechanism"]),
                                     {"mechanism": r["mechanism"], "label": r["mechanismLabel"], "cases": set()})
            item["cases"].add(r["caseLabel"])
        out: dict[str, list[dict]] = defaultdict(list)
        for (plabel, _), item in sorted(counts.items(), key=lambda kv: (kv[0][0], -len(kv[1]["cases"]), kv[1]["label"])):
            out[plabel].append({**item, "cases": sorted(item["cases"])})
        return dict(out)

    # -- the brief ---------------------------------------------------------------------

    def match_quotes(self, m: Match, most: int = 2) -> list[Cited]:
        """Quotes behind a match: the case's classifications that the reasons name."""
        rows = self.x.rows("case-profile", case=f"case:{m.case}")
        reasons = " ".join(m.reasons).lower()
        picked = [r for r in rows if r["valueLabel"].lower() in reasons] or rows
        return [Cited(f"{m.label}: {r['propertyLabel']} {r['valueLabel']}", r["quote"], r["source"], "")
                for r in picked[:most]]

    def mechanism_quote(self, mechanism_iri: str, cases: list[str]) -> Cited | None:
        """A quote showing one of ``cases`` using the mechanism."""
        rows = self.x.rows("case-studies-using-mechanism", mechanism=mechanism_iri)
        for r in rows:
            if r["label"] in cases and r.get("quote"):
                return Cited(f"{r['label']} uses {r['usedLabel']}", r["quote"], r.get("source") or "", "")
        return None

    def answer(self, d: Design) -> dict:
        """Everything the page and the brief show, computed once."""
        matches = self.rank_cases(d)
        return {"design": d, "recommendation": self.recommend(d), "matches": matches,
                "evidence": self.evidence(d), "factors": self.factors(d, matches),
                "mechanisms": self.mechanisms(d, matches), "shaw": self.shaw()}

    def brief_markdown(self, d: Design, ans: dict | None = None) -> str:
        """The design brief as Markdown; every recommendation line cites a numbered quote."""
        return _Brief(self, d, ans or self.answer(d)).markdown()

    def brief_html(self, d: Design, ans: dict | None = None) -> str:
        """The design brief as a standalone, escaped HTML page."""
        return _Brief(self, d, ans or self.answer(d)).html()


#: Statements per process x outcome cell in the brief (the page shows them all).
PER_CELL = 4


def _brief_rows(rows: list[dict], per_cell: int) -> list[dict]:
    """Per process x domain: one statement of each direction first (so mixed and negative
    findings are never crowded out by positive ones), then the strongest designs."""
    cells: dict[tuple[str, str], list[dict]] = defaultdict(list)
    seen = set()
    for r in rows:
        key = (r["processId"], r["statement"])
        if key not in seen:
            seen.add(key)
            cells[(r["processLabel"], r["domainLabel"])].append(r)
    out = []
    for cell in sorted(cells):
        items = sorted(cells[cell], key=lambda r: (int(r["rank"]), r["statement"]))
        picked, directions = [], set()
        for r in items:
            if r["direction"] not in directions:
                directions.add(r["direction"])
                picked.append(r)
        for r in items:
            if len(picked) >= max(per_cell, len(directions)):
                break
            if r not in picked:
                picked.append(r)
        out += sorted(picked, key=lambda r: (int(r["rank"]), r["statement"]))
    return out


class _Brief:
    """Builds the brief once, in a structure both Markdown and HTML are rendered from."""

    def __init__(self, assistant: Assistant, d: Design, ans: dict) -> None:
        self.a, self.d, self.ans = assistant, d, ans
        self.notes: list[Cited] = []
        self.release = getattr(assistant.x, "release_id", "")

    def cite(self, c: Cited) -> int:
        for i, n in enumerate(self.notes, 1):
            if (n.quote, n.source) == (c.quote, c.source):
                return i
        self.notes.append(c)
        return len(self.notes)

    def sections(self) -> list[tuple[str, list[tuple[str, list[int]]]]]:
        d, ans, a = self.d, self.ans, self.a
        lab = {s: a.labels(s) for s in ("domain", "population", "need", "level", "process", "breadth", "leutz", "form", "country")}

        def names(scheme, ids):
            ids = ids if isinstance(ids, list) else ([ids] if ids else [])
            return ", ".join(lab[scheme].get(i, i) for i in ids) or "not answered"

        shaw = {_local(q["question"]): q for q in ans["shaw"]}
        out = []
        answers = []
        for qid, lines in (("goals", [f"Outcomes sought: {names('domain', d.domains)}",
                                      f"Target users: {names('population', d.population)}; level of need: {names('need', d.need)}",
                                      f"Level of aggregation: {names('level', d.level)}"]),
                           ("context", [f"Sectors: {', '.join(d.sectors) or 'not answered'}",
                                        f"Country or system: {names('country', d.country)}"]),
                           ("type", [f"Integrative processes: {names('process', d.processes)}"]),
                           ("breadth", [f"Breadth: {names('breadth', d.breadth)}"]),
                           ("intensity", [f"Intensity: {names('leutz', d.intensity)}; form: {names('form', d.form)}"])):
            q = shaw.get(qid)
            refs = [self.cite(Cited(f"Shaw et al.: {qid}", q["prompts"], "The integration of health and social care services", q["locator"]))] if q else []
            answers.append((f"**{qid.capitalize()}** — " + "; ".join(lines), refs))
            for key, (qq, title) in NOTES.items():
                if qq == qid and d.notes.get(key):
                    answers.append((f"{title}: {d.notes[key]}", []))
        out.append(("Answers to Shaw et al.'s five questions", answers))
        rec: Recommendation = ans["recommendation"]
        lines = []
        if rec.suggested:
            lines.append((f"Suggested intensity: **{rec.suggested_label}**.", [self.cite(c) for c in rec.because]))
        else:
            lines.append(("No level of need given, so no intensity is suggested.", []))
        for w in rec.warnings:
            lines.append((f"Warning: {w.text}", [self.cite(w)] if w.quote else []))
        out.append(("Recommendation", lines))
        lines = []
        for m in ans["matches"]:
            refs = [self.cite(c) for c in self.a.match_quotes(m)]
            text = f"{m.label} (fit {m.score:.0%}): " + ("; ".join(m.reasons) or "no shared features")
            if m.differences:
                text += f". Differs: {'; '.join(m.differences)}"
            if m.unknown:
                text += f". Sources silent on: {', '.join(m.unknown)}"
            lines.append((text, refs))
        out.append(("Case studies ranked by fit", lines))
        ev: Evidence = ans["evidence"]
        lines = []
        for r in _brief_rows(ev.rows, PER_CELL):
            c = Cited(r["summary"], r["quote"], r["citation"], r["locator"])
            via = "" if r.get("route") != "case study" else " — a case study using this process"
            lines.append((f"{r['processLabel']} · {r['domainLabel']} · {r['directionLabel']} · {r['basisLabel']}: "
                          f"{r['summary']} (about {r['aboutLabel']}{via})", [self.cite(c)]))
        left = len({(r["processId"], r["statement"]) for r in ev.rows}) - len(lines)
        if left > 0:
            lines.append((f"... and {left} more statements in the explorer's design assistant (strongest designs "
                          f"and every direction of effect are shown here, {PER_CELL} per process and outcome).", []))
        out.append(("Evidence for the chosen processes", lines or [("No evidence statements match these answers.", [])]))
        gaps = [(f"No evidence in the sources for {g}.", []) for g in ev.gaps]
        gaps += [(f"Only mixed, null or unclear evidence for {t}.", []) for t in ev.thin]
        out.append(("Open questions where the evidence is thin", gaps or [("None among the chosen processes and outcomes.", [])]))
        for kind, title in (("enabler", "Enablers to secure"), ("barrier", "Barriers to plan for")):
            lines = []
            for cat, items in sorted(ans["factors"].get(kind, {}).items()):
                for f in items:
                    lines.append((f"[{cat}] {f['label']} ({f['from']})", [self.cite(Cited(f["label"], f["quote"], f["citation"], ""))]))
            out.append((title, lines or [("None found.", [])]))
        lines = []
        for plabel, items in ans["mechanisms"].items():
            for it in items:
                q = self.a.mechanism_quote(it["mechanism"], it["cases"])
                lines.append((f"{plabel}: {it['label']} — used by {', '.join(it['cases'])}",
                              [self.cite(q)] if q else []))
        out.append(("Mechanisms to consider", lines or [("None found among the matching case studies.", [])]))
        return out

    def markdown(self) -> str:
        secs = self.sections()
        md = [f"# {_md(self.d.title)}", "",
              f"Design brief from the integrated-care knowledge graph, data release `{self.release}`. "
              "Each recommendation cites the verbatim quote behind it (numbered notes at the end).", ""]
        for title, lines in secs:
            md += [f"## {title}", ""]
            for text, refs in lines:
                md.append(f"- {_md_keep_bold(text)}" + ("".join(f" [{n}]" for n in refs)))
            md.append("")
        md += ["## Sources of the quotes", ""]
        for i, c in enumerate(self.notes, 1):
            loc = f", {c.locator}" if c.locator else ""
            md.append(f"{i}. “{_md(' '.join(c.quote.split()))}” — {_md(c.source)}{_md(loc)}")
        return "\n".join(md) + "\n"

    def html(self) -> str:
        secs = self.sections()
        e = html.escape
        out = ["<!doctype html><html lang='en'><meta charset='utf-8'>",
               f"<title>{e(self.d.title)}</title>",
               "<style>body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;line-height:1.5}"
               "sup a{text-decoration:none}blockquote{color:#333}</style><body>",
               f"<h1>{e(self.d.title)}</h1>",
               f"<p>Design brief from the integrated-care knowledge graph, data release <code>{e(self.release)}</code>. "
               "Each recommendation cites the verbatim quote behind it.</p>"]
        for title, lines in secs:
            out.append(f"<h2>{e(title)}</h2><ul>")
            for text, refs in lines:
                body = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", e(text))
                sup = "".join(f"<sup><a href='#q{n}'>[{n}]</a></sup>" for n in refs)
                out.append(f"<li>{body}{sup}</li>")
            out.append("</ul>")
        out.append("<h2>Sources of the quotes</h2><ol>")
        for i, c in enumerate(self.notes, 1):
            loc = f", {e(c.locator)}" if c.locator else ""
            out.append(f"<li id='q{i}'><blockquote>“{e(' '.join(c.quote.split()))}”</blockquote>— {e(c.source)}{loc}</li>")
        out.append("</ol></body></html>")
        return "\n".join(out) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")  # what can format or inject markup mid-line


def _md(text: str) -> str:
    """Escape Markdown (and so HTML) special characters in data text."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_keep_bold(text: str) -> str:
    parts = re.split(r"(\*\*.+?\*\*)", text)
    return "".join(f"**{_md(p[2:-2])}**" if p.startswith("**") and p.endswith("**") else _md(p) for p in parts)


# ------------------------------------------------------------------------------ RDF form

DESIGN = BASE + "design/"
_RDF_PROPS = {"domains": (IC.targetOutcome, "domain"), "population": (IC.targetPopulation, "population"),
              "need": (IC.needLevel, "need"), "level": (IC.level, "level"), "country": (IC.country, "country"),
              "processes": (IC.usesProcess, "process"), "breadth": (IC.breadth, "breadth"),
              "intensity": (IC.intensity, "leutz"), "form": (IC.form, "form")}


def design_to_rdf(d: Design, release_id: str = "") -> Graph:
    """The design as RDF linked to the ontology's concepts (Turtle-ready)."""
    g = Graph()
    g.bind("ic", str(IC._NS))
    g.bind("dct", str(DCTERMS))
    slug = re.sub(r"[^a-z0-9]+", "-", d.title.lower()).strip("-") or "design"
    node = URIRef(DESIGN + slug)
    g.add((node, RDF.type, IC.Design))
    g.add((node, DCTERMS.title, Literal(d.title)))
    if release_id:
        g.add((node, IC.releaseId, Literal(release_id)))
    for name, (prop, scheme) in _RDF_PROPS.items():
        value = getattr(d, name)
        for v in (value if isinstance(value, list) else [value] if value else []):
            g.add((node, prop, concept(scheme, v)))
    for s in d.sectors:
        g.add((node, IC.sector, Literal(s)))
    for key, text in sorted(d.notes.items()):
        if not text.strip():
            continue
        n = BNode(f"note-{key}")
        g.add((node, IC.hasNote, n))
        g.add((n, RDF.type, IC.DesignNote))
        g.add((n, IC.question, concept("shaw", NOTES[key][0])))
        g.add((n, IC.noteTopic, Literal(key)))
        g.add((n, RDF.value, Literal(text)))
    return g


def design_from_rdf(data: str | bytes, fmt: str = "turtle") -> Design:
    """Reload a design written by :func:`design_to_rdf`.

    Raises:
        ValueError: if the data is not RDF or holds no ic:Design.
    """
    g = Graph()
    try:
        g.parse(data=data, format=fmt)
    except Exception as exc:  # rdflib raises many types for bad input
        raise ValueError(f"not a readable {fmt} file: {str(exc).splitlines()[0][:200]}") from None
    nodes = list(g.subjects(RDF.type, IC.Design))
    if len(nodes) != 1:
        raise ValueError(f"expected one ic:Design in the file, found {len(nodes)}")
    node = nodes[0]
    d = Design(title=str(g.value(node, DCTERMS.title) or Design.title))
    for name, (prop, scheme) in _RDF_PROPS.items():
        prefix = str(concept(scheme, ""))
        values = sorted(str(o)[len(prefix):] for o in g.objects(node, prop) if str(o).startswith(prefix))
        values = [v for v in values if _ID.match(v)]
        if name in _LISTS:
            setattr(d, name, values)
        elif values:
            setattr(d, name, values[0])
    d.sectors = sorted(str(s) for s in g.objects(node, IC.sector) if str(s) in SECTORS)
    for n in g.objects(node, IC.hasNote):
        key = str(g.value(n, IC.noteTopic) or "")
        if key in NOTES:
            d.notes[key] = str(g.value(n, RDF.value) or "")
    return d


def design_dict(d: Design) -> dict:
    """Plain dict of a design (for JSON)."""
    return asdict(d)
