"""The design brief, Markdown, HTML and PDF, rendered from one structure; every line cites its quote.

:class:`Brief` lays the answer out in the shape of the evidence briefs policymakers know: one
page of key messages first, then the design, options with benefits, harms, costs and certainty,
applicability, equity, implementation, a readiness checklist, what is not known, how the evidence
was gathered (:data:`METHOD_QUOTES`), and an appendix with the full detail. Each quote is listed
once among the references however many lines cite it; data text is escaped in every form. The
PDF is the HTML laid out by xhtml2pdf. What this module does not do: decide what is recommended,
ranked or selected (the other designer modules do).
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from typing import Any

from kg.designer.evidence import mechanism_quote
from kg.designer.matching import match_quotes
from kg.designer.model import NOTES, Cited, Design, Evidence, Recommendation, local_id
from kg.designer.vocab import labels, vocab

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


#: How the evidence behind the graph was gathered, in the HRB review's words (a test proves the
#: quotes are verbatim in the source text).
METHOD_QUOTES = (
    Cited("The HRB review's search was pragmatic rather than systematic.",
          "We consider this search to be pragmatic rather than systematic. We hope we have included all the main "
          "reports on health and social care integration, but there is a possibility that some relevant studies "
          "have been excluded due to the methods employed to undertake our search.",
          "The integration of health and social care services", "Methods"),
)
DIRECTION_WORD = {"positive": "positive", "negative": "negative", "mixed": "mixed", "no-effect": "no effect",
                  "unclear": "unclear"}
#: Lines per list in the key messages (the appendix holds the rest).
KEY_CASES, KEY_FACTORS, KEY_CAVEATS = 3, 2, 3
#: Findings per option and heading (benefits, harms, costs).
PER_OPTION = 2

Line = tuple[str, list[int]]


class Brief:
    """Builds the brief once, in a structure both Markdown and HTML are rendered from.

    The shape is that of a policy brief: key messages on the first page, then the design, the
    options with their benefits, harms, costs and certainty, applicability, equity,
    implementation (with a readiness checklist), what is not known, how the evidence was
    gathered, and an appendix with the full detail. Every line cites the quote that supports
    it; a quote is listed once among the references however many lines cite it.
    """

    def __init__(self, explorer: Any, d: Design, ans: dict) -> None:
        self.x, self.d, self.ans = explorer, d, ans
        self.notes: list[Cited] = []
        self.release = getattr(explorer, "release_id", "")

    def cite(self, c: Cited | None) -> list[int]:
        if c is None or not c.quote:
            return []
        key = (" ".join(c.quote.split()), c.source)
        for i, n in enumerate(self.notes, 1):
            if (" ".join(n.quote.split()), n.source) == key:
                return [i]
        self.notes.append(c)
        return [len(self.notes)]

    def cite_row(self, r: dict) -> list[int]:
        return self.cite(Cited(r["summary"], r["quote"], r.get("citation") or r.get("source", ""), r.get("locator", "")))

    def method(self) -> list[int]:
        return self.cite(METHOD_QUOTES[0])

    # -- the parts -------------------------------------------------------------------------

    def finding_text(self, r: dict, with_caveats: bool = True) -> str:
        kind = r.get("claimLabel") or r.get("claimId", "")
        direction = r.get("direction", "")
        tag = f"{DIRECTION_WORD.get(direction, direction)} · " if direction in DIRECTION_WORD else ""
        text = f"{r['summary']} ({tag}{kind.lower()}; {r['basisLabel'].lower()}; about {r['aboutLabel']})"
        if r.get("uncited"):
            text += " — an uncited secondary claim: the source cites no evidence for it"
        return text

    def caveat_lines(self, r: dict, prefix: str = "Caveat") -> list[Line]:
        return [(f"{prefix} on “{r['summary']}”: {c['summary']}", self.cite_row(c)) for c in r.get("caveatRows", [])]

    def key_messages(self) -> list[Line]:
        d, ans = self.d, self.ans
        rec: Recommendation = ans["recommendation"]
        out: list[Line] = []
        if rec.suggested:
            out.append((f"Suggested intensity: **{rec.suggested_label}**. {rec.because[0].text}",
                        self.cite(rec.because[0])))
        else:
            out.append(("No level of need was given, so no intensity is suggested; Nolte and McKee match the "
                        "intensity to the users' level of need.", self.cite(_need_quote(self.x))))
        for w in rec.warnings[:2]:
            out.append((f"Warning: {w.text}", self.cite(w)))
        for m in ans["matches"][:KEY_CASES]:
            qs = match_quotes(self.x, m, 1)
            out.append((f"Case to read: {m.label} — fit {m.score:.0%}, classified on {m.classified} of your "
                        f"{m.answers} answers; {'; '.join(m.reasons[:3]) or 'no shared features'}.",
                        self.cite(qs[0]) if qs else []))
        ev: Evidence = ans["evidence"]
        # the outcomes chosen; without a choice, the three the relevant findings say most about
        chosen = {f_dom for f in ev.findings for f_dom, i in zip(f["domains"], f["domainIds"]) if i in d.domains}
        shown = sorted(chosen) if chosen else sorted(ev.counts, key=lambda k: -sum(ev.counts[k].values()))[:KEY_CASES]
        for dom, c in sorted((k, v) for k, v in ev.counts.items() if k in shown):
            parts = [f"{n} {DIRECTION_WORD.get(k, k)}" for k, n in sorted(c.items(), key=lambda kv: -kv[1])]
            support = [f for f in ev.findings if dom in f["domains"] and f["direction"]]
            worst = next((f for f in support if f["direction"] in ("negative", "mixed", "no-effect")), support[0])
            out.append((f"Balance of evidence on {dom.lower()}: {', '.join(parts)} among the relevant findings "
                        f"that carry a direction (for example: {worst['summary']}).", self.cite_row(worst)))
        cav = [c for f in ev.own + ev.findings for c in f.get("caveatRows", [])]
        seen = set()
        for c in cav:
            if c["statement"] in seen or len(seen) >= KEY_CAVEATS:
                continue
            seen.add(c["statement"])
            out.append((f"Main caveat: {c['summary']}", self.cite_row(c)))
        rank = {m.case: i for i, m in enumerate(ans["matches"])}
        for kind, word in (("enabler", "Enabler"), ("barrier", "Barrier")):
            items = [f for cat in ans["factors"].get(kind, {}).values() for f in cat if f.get("owner")]
            items.sort(key=lambda f: (rank.get(local_id(f["owner"]), 99), f["label"]))
            for f in items[:KEY_FACTORS]:
                out.append((f"{word} to plan for: {f['label']} ({f['from']})", self.cite(_factor_cited(f))))
        if ev.named_gaps:
            out.append((f"Not known: {ev.named_gaps[0]}", self.method()))
        return out

    def design_lines(self) -> list[Line]:
        d, ans = self.d, self.ans
        lab = {s: labels(self.x, s) for s in ("domain", "population", "need", "level", "process", "breadth",
                                               "leutz", "form", "country", "mechanism")}

        def names(scheme, ids):
            ids = ids if isinstance(ids, list) else ([ids] if ids else [])
            return ", ".join(lab[scheme].get(i, i) for i in ids) or "not answered"

        shaw = {local_id(q["question"]): q for q in ans["shaw"]}
        out: list[Line] = []
        for qid, lines in (("goals", [f"Outcomes sought: {names('domain', d.domains)}",
                                      f"Target users: {names('population', d.population)}; level of need: {names('need', d.need)}",
                                      f"Level of aggregation: {names('level', d.level)}"]),
                           ("context", [f"Sectors: {', '.join(d.sectors) or 'not answered'}",
                                        f"Country or system: {names('country', d.country)}"]),
                           ("type", [f"Integrative processes: {names('process', d.processes)}",
                                     f"Mechanisms: {names('mechanism', d.mechanisms)}"]),
                           ("breadth", [f"Breadth: {names('breadth', d.breadth)}"]),
                           ("intensity", [f"Intensity: {names('leutz', d.intensity)}; form: {names('form', d.form)}"])):
            q = shaw.get(qid)
            refs = self.cite(Cited(f"Shaw et al.: {qid}", q["prompts"], "The integration of health and social care services",
                                   q["locator"])) if q else []
            out.append((f"**{qid.capitalize()}** — " + "; ".join(lines), refs))
            for key, (qq, title) in NOTES.items():
                if qq == qid and d.notes.get(key):
                    out.append((f"{title}: {d.notes[key]} (the designer's note)", refs))
        return out

    def options(self) -> list[tuple[str, list[Line]]]:
        """Per chosen process: benefits, harms, costs and the certainty of the evidence."""
        ev: Evidence = self.ans["evidence"]
        out = []
        by: dict[str, list[dict]] = defaultdict(list)
        seen = set()
        for r in ev.rows:
            if (r["processId"], r["statement"]) not in seen:
                seen.add((r["processId"], r["statement"]))
                by[r["processLabel"]].append(r)
        for plabel, rows in sorted(by.items()):
            lines: list[Line] = []
            rows = sorted(rows, key=lambda r: (int(r["rank"]), r["statement"]))
            directional = [r for r in rows if local_id(r["direction"]) in DIRECTION_WORD]
            for head, pick in (("Benefit", [r for r in directional if local_id(r["direction"]) == "positive"]),
                               ("Harm or no benefit", [r for r in directional
                                                       if local_id(r["direction"]) in ("negative", "mixed", "no-effect")]),
                               ("Cost", [r for r in directional if r["domainId"] in ("costs", "cost-effectiveness")])):
                for r in pick[:PER_OPTION]:
                    lines.append((f"{head}: {r['summary']} ({r['domainLabel'].lower()}; {r['basisLabel'].lower()}; "
                                  f"about {r['aboutLabel']})", self.cite_row(r)))
                if not pick:
                    lines.append((f"{head}: no finding with a direction in the graph for the outcomes you chose.",
                                  self.method()))
            if directional:
                best = directional[0]
                counts = defaultdict(int)
                for r in directional:
                    counts[local_id(r["direction"])] += 1
                lines.append((f"Certainty: {len(directional)} findings with a direction "
                              f"({', '.join(f'{n} {DIRECTION_WORD[k]}' for k, n in sorted(counts.items()))}); the strongest "
                              f"design behind them is {best['basisLabel'].lower()}. Findings about case studies that use "
                              "the process show association, not that the process caused the result.", self.cite_row(best)))
            out.append((f"Option: {plabel} integration", lines))
        return out

    def applicability(self) -> list[Line]:
        out: list[Line] = []
        for m in self.ans["matches"][:KEY_CASES]:
            qs = match_quotes(self.x, m, 2)
            text = f"{m.label}: {'; '.join(m.reasons) or 'no shared features'}"
            if m.differences:
                text += f". Differs: {'; '.join(m.differences)}"
            if m.unknown:
                text += f". The sources are silent on its {', '.join(m.unknown)}"
            out.append((text + ".", [n for q in qs for n in self.cite(q)]))
        return out or [("No case study matches these answers.", self.method())]

    def equity(self) -> list[Line]:
        ev: Evidence = self.ans["evidence"]
        rows = [r for r in ev.findings if "equity" in r["domainIds"]]
        rows += [r for r in ev.rows if r["domainId"] == "equity" and r["statement"] not in {x["statement"] for x in rows}]
        out = [(self.finding_text(r) if "claimLabel" in r else r["summary"], self.cite_row(r)) for r in rows[:4]]
        return out or [("No finding relevant to this design reports on equity and inequalities; check who the "
                        "design reaches and who it leaves out.", self.method())]

    def implementation(self) -> list[Line]:
        ans = self.ans
        out: list[Line] = []
        for kind, word in (("enabler", "Enabler to secure"), ("barrier", "Barrier to plan for")):
            items = [f for cat in ans["factors"].get(kind, {}).values() for f in cat]
            for f in sorted(items, key=lambda f: (not f.get("owner"), f["label"]))[:4]:
                out.append((f"{word}: {f['label']} ({f['from']})", self.cite(_factor_cited(f))))
        for plabel, items in ans["mechanisms"].items():
            for it in items[:2]:
                q = mechanism_quote(self.x, it["mechanism"], it["cases"])
                if q:
                    out.append((f"Mechanism ({plabel.lower()}): {it['label']} — in place at {', '.join(it['cases'])}",
                                self.cite(q)))
        return out

    def readiness(self) -> list[Line]:
        out: list[Line] = []
        for item in readiness_items(self.x):
            out.append((f"[ ] {item['label']}", self.cite(Cited(item["label"], item["quote"], item["source"],
                                                                item["section"]))))
        return out

    def not_known(self) -> list[Line]:
        ev: Evidence = self.ans["evidence"]
        ref = self.method()
        return [(g, ref) for g in ev.named_gaps] or [
            ("The graph holds relevant findings for every answer; the sources were searched pragmatically, so "
             "read the cases before relying on them.", ref)]

    def gathered(self) -> list[Line]:
        return [
            ("The HRB review, the brief's main source, says its search was pragmatic rather than systematic: "
             "relevant studies may be missing.", self.method()),
            ("This brief selects from a curated graph of verbatim quotes: findings about the best-fitting cases, "
             "the chosen population, processes and mechanisms, and effectiveness overall; counts per direction "
             "count only measured outcomes and judgements (targets, descriptions and recommendations carry no "
             "direction).", self.method()),
        ]

    def appendix(self) -> list[tuple[str, list[Line]]]:
        ans, ev = self.ans, self.ans["evidence"]
        cases = []
        for m in ans["matches"]:
            qs = match_quotes(self.x, m, 1)
            text = f"{m.explanation} {m.label}: {'; '.join(m.reasons) or 'no shared features'}"
            if m.differences:
                text += f". Differs: {'; '.join(m.differences)}"
            if m.unknown:
                text += f". Sources silent on: {', '.join(m.unknown)}"
            cases.append((text, self.cite(qs[0]) if qs else self.method()))
        own = []
        for r in ev.own:
            own.append((f"{r['aboutLabel']}: " + self.finding_text(r), self.cite_row(r)))
            own += self.caveat_lines(r)
        findings = []
        for r in ev.findings:
            findings.append((f"{', '.join(r['domains'])}: " + self.finding_text(r) + f" — {r['why']}", self.cite_row(r)))
            findings += self.caveat_lines(r)
        return [("Appendix A. Case studies ranked by fit, each rank explained", cases),
                ("Appendix B. The best-fitting cases' own negative, mixed and null findings and caveats",
                 own or [("The three best-fitting cases have no negative, mixed or null finding and no caveat in "
                          "the graph; that is not the same as none in the world.", self.method())]),
                ("Appendix C. Every relevant finding, with its claim kind and caveats", findings
                 or [("No finding relevant to this design.", self.method())])]

    def sections(self) -> list[tuple[str, list[Line]]]:
        """The brief's sections in order: key messages first, the appendix last."""
        out = [("Key messages", self.key_messages()),
               ("The design: answers to Shaw et al.'s five questions", self.design_lines())]
        out += self.options()
        out += [("Applicability to your setting", self.applicability()),
                ("Equity", self.equity()),
                ("Implementation considerations", self.implementation()),
                ("Readiness checklist (Glasby et al.'s Partnership Readiness Framework)", self.readiness()),
                ("What is not known", self.not_known()),
                ("How the evidence was gathered", self.gathered())]
        out += self.appendix()
        return out

    def markdown(self) -> str:
        secs = self.sections()
        md = [f"# {_md(self.d.title)}", "",
              f"Design brief from the integrated-care knowledge graph, data release `{self.release}`. "
              "Each line cites the verbatim sentence behind it (numbered references at the end).", ""]
        for title, lines in secs:
            md += [f"## {_md(title)}", ""]
            for text, refs in lines:
                md.append(f"- {_md_keep_bold(text)}" + ("".join(f" [{n}]" for n in dict.fromkeys(refs))))
            md.append("")
        md += ["## References", ""]
        for i, c in enumerate(self.notes, 1):
            loc = f", {c.locator}" if c.locator else ""
            md.append(f"{i}. “{_md(' '.join(c.quote.split()))}” — {_md(c.source)}{_md(loc)}")
        return "\n".join(md) + "\n"

    def html(self) -> str:
        secs = self.sections()
        e = html.escape
        out = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
               f"<title>{e(self.d.title)}</title>",
               "<style>body{font-family:Helvetica,Arial,sans-serif;max-width:50rem;margin:2rem auto;line-height:1.45}"
               "h2{border-bottom:1px solid #ccc}sup a{text-decoration:none}blockquote{color:#333;margin:0 0 0 1rem}"
               "section.key{background:#f3f6fa;padding:0.5rem 1rem}</style></head><body>",
               f"<h1>{e(self.d.title)}</h1>",
               f"<p>Design brief from the integrated-care knowledge graph, data release <code>{e(self.release)}</code>. "
               "Each line cites the verbatim sentence behind it.</p>"]
        for i, (title, lines) in enumerate(secs):
            cls = " class='key'" if i == 0 else ""
            out.append(f"<section{cls}><h2>{e(title)}</h2><ul>")
            for text, refs in lines:
                body = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", e(text))
                sup = "".join(f"<sup><a href='#q{n}'>[{n}]</a></sup>" for n in dict.fromkeys(refs))
                out.append(f"<li>{body}{sup}</li>")
            out.append("</ul></section>")
        out.append("<h2>References</h2><ol>")
        for i, c in enumerate(self.notes, 1):
            loc = f", {e(c.locator)}" if c.locator else ""
            out.append(f"<li id='q{i}'><blockquote>“{e(' '.join(c.quote.split()))}”</blockquote>— {e(c.source)}{loc}</li>")
        out.append("</ol></body></html>")
        return "\n".join(out) + "\n"


def _factor_cited(f: dict) -> Cited:
    return Cited(f["label"], f["quote"], f.get("citation") or f.get("source", ""), "")


def _need_quote(explorer: Any) -> Cited | None:
    rows = explorer.rows("integration-for-need", need="need:severe-unstable")
    if not rows:
        return None
    return Cited("Nolte and McKee", rows[0]["why"], "The integration of health and social care services",
                 "Question 1 > Choosing a framework > Breadth and intensity")


def readiness_items(explorer: Any) -> list[dict]:
    """The ten items of Glasby et al.'s Partnership Readiness Framework, with their quotes, in order."""
    items = [c for c in vocab(explorer, "partnership-readiness") if "partnership-readiness-framework" in c["broader"]]
    out = []
    for c in items:
        rows = explorer.rows("_designer_concept_quotes", concept=c["iri"])
        if rows:
            r = rows[0]
            out.append({"label": c["label"], "quote": r["quote"], "source": r["source"], "section": r["section"]})
    return out


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


#: Superscript characters that the PDF's standard fonts lack (¹²³ are in them), as plain characters.
_SUPERSCRIPTS = {"⁰": "0", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9", "⁻": "-",
                 "¹": "1", "²": "2", "³": "3"}


def pdf_superscripts(html: str) -> str:
    """Reference marks as ``<sup>`` runs: the standard PDF fonts have no glyph for ⁴-⁹ and ⁰.

    The sources print their reference numbers as superscript characters (``registry⁶⁴``); in
    the PDF they would come out blank. The text stays the same digits, raised. ``html`` is the
    escaped brief, so only characters are replaced, never markup; one pass, linear.
    """
    out: list[str] = []
    run: list[str] = []
    for ch in html:
        plain = _SUPERSCRIPTS.get(ch)
        if plain is not None:
            run.append(plain)
            continue
        if run:
            out.append("<sup>" + "".join(run) + "</sup>")
            run = []
        out.append(ch)
    if run:
        out.append("<sup>" + "".join(run) + "</sup>")
    return "".join(out)


def brief_pdf(explorer: Any, d: Design, ans: dict) -> bytes:
    """The design brief as PDF: the HTML brief laid out by xhtml2pdf (pure Python, ReportLab underneath)."""
    import io

    from xhtml2pdf import pisa

    out = io.BytesIO()
    status = pisa.CreatePDF(pdf_superscripts(brief_html(explorer, d, ans)), dest=out, encoding="utf-8")
    if status.err:
        raise ValueError(f"the brief could not be laid out as PDF ({status.err} errors)")
    return out.getvalue()
