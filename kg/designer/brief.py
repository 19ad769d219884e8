"""The design brief, Markdown and HTML, rendered from one structure; every recommendation cites its quote.

:class:`Brief` collects the sections once (answers to Shaw et al.'s questions, the
recommendation, ranked case studies, evidence, open questions, enablers, barriers,
mechanisms) with numbered notes, and renders them; data text is escaped in both forms.
What this module does not do: decide what is recommended, ranked or selected (the other
designer modules do); it only chooses how many statements per cell the brief prints.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from typing import Any

from kg.designer.evidence import mechanism_quote
from kg.designer.matching import match_quotes
from kg.designer.model import NOTES, Cited, Design, Evidence, Recommendation, local_id
from kg.designer.vocab import labels

#: Statements per process x outcome cell in the brief (the page shows them all).
PER_CELL = 4


def brief_rows(rows: list[dict], per_cell: int) -> list[dict]:
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


class Brief:
    """Builds the brief once, in a structure both Markdown and HTML are rendered from."""

    def __init__(self, explorer: Any, d: Design, ans: dict) -> None:
        self.x, self.d, self.ans = explorer, d, ans
        self.notes: list[Cited] = []
        self.release = getattr(explorer, "release_id", "")

    def cite(self, c: Cited) -> int:
        for i, n in enumerate(self.notes, 1):
            if (n.quote, n.source) == (c.quote, c.source):
                return i
        self.notes.append(c)
        return len(self.notes)

    def sections(self) -> list[tuple[str, list[tuple[str, list[int]]]]]:
        d, ans = self.d, self.ans
        lab = {s: labels(self.x, s) for s in ("domain", "population", "need", "level", "process", "breadth", "leutz", "form", "country")}

        def names(scheme, ids):
            ids = ids if isinstance(ids, list) else ([ids] if ids else [])
            return ", ".join(lab[scheme].get(i, i) for i in ids) or "not answered"

        shaw = {local_id(q["question"]): q for q in ans["shaw"]}
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
            refs = [self.cite(c) for c in match_quotes(self.x, m)]
            text = f"{m.label} (fit {m.score:.0%}): " + ("; ".join(m.reasons) or "no shared features")
            if m.differences:
                text += f". Differs: {'; '.join(m.differences)}"
            if m.unknown:
                text += f". Sources silent on: {', '.join(m.unknown)}"
            lines.append((text, refs))
        out.append(("Case studies ranked by fit", lines))
        ev: Evidence = ans["evidence"]
        lines = []
        for r in brief_rows(ev.rows, PER_CELL):
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
                q = mechanism_quote(self.x, it["mechanism"], it["cases"])
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


def brief_markdown(explorer: Any, d: Design, ans: dict) -> str:
    """The design brief as Markdown; every recommendation line cites a numbered quote."""
    return Brief(explorer, d, ans).markdown()


def brief_html(explorer: Any, d: Design, ans: dict) -> str:
    """The design brief as a standalone, escaped HTML page."""
    return Brief(explorer, d, ans).html()
