"""Design assistant: Shaw et al.'s five questions, answered with evidence. Rendering only.

The design lives in the URL (``kg.designer.Design.to_params``), so a designer can share the
page; every answer is computed by :class:`kg.designer.Assistant`.
"""

from __future__ import annotations

import streamlit as st

from app_pages.common import frame, get_explorer, link, md, share_url
from kg.designer import NOTES, SECTORS, Assistant, Design, design_from_rdf, design_to_rdf, side_by_side

STEPS = ["goals", "context", "type", "breadth", "intensity", "results"]
STEP_LABELS = {"goals": "1 · Goals", "context": "2 · Context", "type": "3 · Type", "breadth": "4 · Breadth",
               "intensity": "5 · Intensity", "results": "Results and brief"}
DIRECTION_ICON = {"positive": "▲", "negative": "▼", "mixed": "◆", "no-effect": "●", "unclear": "?"}


@st.cache_data(show_spinner=False, max_entries=64)
def _vocab(release: str, scheme: str) -> list[dict]:
    return Assistant(get_explorer()).vocab(scheme)


@st.cache_data(show_spinner=False, max_entries=4)
def _shaw(release: str) -> list[dict]:
    return Assistant(get_explorer()).shaw()


@st.cache_data(show_spinner="Matching case studies and gathering evidence ...", max_entries=32)
def _answer(release: str, params: tuple[tuple[str, str], ...]) -> dict:
    design = Design.from_params(dict(params))
    a = Assistant(get_explorer())
    ans = a.answer(design)
    ans["brief_md"] = a.brief_markdown(design, ans)
    ans["brief_html"] = a.brief_html(design, ans)
    return ans


@st.cache_data(show_spinner="Laying out the PDF ...", max_entries=16)
def _pdf(release: str, params: tuple[tuple[str, str], ...]) -> bytes:
    design = Design.from_params(dict(params))
    return Assistant(get_explorer()).brief_pdf(design, _answer(release, params))


def _options(release: str, scheme: str) -> tuple[list[str], dict[str, str]]:
    items = _vocab(release, scheme)
    return [c["id"] for c in items], {c["id"]: c["label"] for c in items}


def _question(release: str, qid: str) -> None:
    for q in _shaw(release):
        if q["question"].rsplit("/", 1)[-1] == qid:
            prompts = q["prompts"].replace("*", "")
            st.info(prompts)
            with st.expander("Shaw et al.'s words, as the HRB review quotes them"):
                st.markdown("> " + md(q["prompts"]))
                st.caption("Pike and Mongan (2014), The integration of health and social care services · "
                           + md(q["locator"]))


def _multi(label: str, scheme: str, current: list[str], release: str, key: str, help: str | None = None) -> list[str]:
    ids, labels = _options(release, scheme)
    return st.multiselect(label, ids, default=[c for c in current if c in ids], format_func=lambda i: labels.get(i, i),
                          key=key, help=help)


def _single(label: str, scheme: str, current: str, release: str, key: str, help: str | None = None) -> str:
    ids, labels = _options(release, scheme)
    options = [""] + ids
    return st.selectbox(label, options, index=options.index(current) if current in options else 0,
                        format_func=lambda i: labels.get(i, i) if i else "— not decided —", key=key, help=help) or ""


def _notes(design: Design, qid: str) -> None:
    for key, (q, title) in NOTES.items():
        if q == qid:
            design.notes[key] = st.text_area(title, value=design.notes.get(key, ""), key=f"dz_note_{key}",
                                             height=80, max_chars=4000)


def _write_url(design: Design) -> None:
    wanted = design.to_params()
    keys = {"d", "pop", "need", "lvl", "sec", "cty", "proc", "mech", "br", "int", "form", "title"} | {f"n_{k}" for k in NOTES}
    for k in keys:
        if k in wanted:
            if st.query_params.get(k) != wanted[k]:
                st.query_params[k] = wanted[k]
        elif k in st.query_params:
            del st.query_params[k]


def _results(release: str, design: Design) -> None:
    ans = _answer(release, tuple(sorted(design.to_params().items())))
    rec = ans["recommendation"]
    st.subheader("The intensity the need suggests")
    if rec.suggested:
        st.success(f"Suggested intensity: **{md(rec.suggested_label)}** (Nolte and McKee's mapping onto Leutz's levels).")
        for c in rec.because:
            st.markdown(f"{md(c.text)}\n\n> {md(c.quote)}")
            st.caption(md(c.source))
    else:
        st.caption("Choose the users' level of need (step 1) to get a suggested intensity.")
    for w in rec.warnings:
        st.warning(md(w.text))
        if w.quote:
            with st.expander("The quote behind this warning"):
                st.markdown("> " + md(w.quote))
                st.caption(" · ".join(md(x) for x in (w.source, w.locator) if x))

    st.subheader("Case studies ranked by fit")
    st.caption("Fit is a weighted overlap over the answers each case is classified on (population 3, processes 3, "
               "intensity 2 — need and intensity counted once, and an intensity warned against earns nothing —, "
               "mechanisms in use or piloted 2, goals 2, level, form, breadth, country and sectors 1 each). What the "
               "sources do not say about a case is not held against it; cases classified on less than half of your "
               "answers rank after the others; among equal fits, the case known on more answers comes first, then "
               "the case with the stronger evidence. A good fit is a case worth reading, not a promise of the same "
               "results.")
    rows = [{"rank": m.rank, "case study": m.label, "fit": round(m.score * 100),
             "classified on": f"{m.classified} of your {m.answers} answers", "why it matches": "; ".join(m.reasons),
             "where it differs": "; ".join(m.differences), "sources silent on": ", ".join(m.unknown),
             "why this rank": m.explanation} for m in ans["matches"]]
    st.dataframe(rows, hide_index=True, width="stretch",
                 column_config={"fit": st.column_config.ProgressColumn("fit %", min_value=0, max_value=100, format="%d%%")})
    cols = st.columns(min(5, max(1, len(ans["matches"]))))
    for col, m in zip(cols, ans["matches"][:5]):
        link("cases", m.label, {"case": m.case}, icon=":material/open_in_new:", container=col)

    ev = ans["evidence"]
    st.subheader("What the evidence says for this design")
    if ev.counts:
        st.caption("Findings by direction for each outcome. Only measured outcomes and judgements carry a direction; "
                   "targets, descriptions and recommendations are listed below but not counted.")
        order = ("positive", "mixed", "no-effect", "negative", "unclear")
        st.dataframe([{"outcome": dom, **{f"{DIRECTION_ICON[k]} {k}": c.get(k, 0) for k in order}}
                      for dom, c in sorted(ev.counts.items())], hide_index=True, width="stretch")
    if not ev.findings:
        st.info("No finding in the graph is about these cases, population, processes or mechanisms and these outcomes.")
    else:
        st.dataframe([{"why relevant": r["why"], "outcome": ", ".join(r["domains"]),
                       "direction": (DIRECTION_ICON.get(r["direction"], "") + " " + r["direction"]).strip(),
                       "claim kind": r["claimLabel"], "evidence basis": r["basisLabel"], "finding": r["summary"],
                       "caveats": " · ".join(c["summary"] for c in r["caveatRows"]),
                       "uncited secondary claim": "yes" if r["uncited"] else "",
                       "quote": " ".join(r["quote"].split()), "source": r["source"], "locator": r["locator"]}
                      for r in ev.findings], hide_index=True, width="stretch", height=360)
    st.markdown("**The best-fitting cases' own negative, mixed and null findings, and their caveats**")
    if not ev.own:
        st.caption("None in the graph for the three best-fitting cases (which is not the same as none in the world).")
    for r in ev.own:
        st.markdown(f"- {DIRECTION_ICON.get(r['direction'], '')} **{md(r['aboutLabel'])}**: {md(r['summary'])} "
                    f"*({md(r['claimLabel'].lower())}; {md(r['basisLabel'].lower())})*")
        for c in r["caveatRows"]:
            st.markdown(f"    - caveat: {md(c['summary'])} — “{md(' '.join(c['quote'].split()))}”")
    st.markdown("**What is not known**")
    for g in ev.named_gaps or ["The graph holds relevant findings for every answer; the HRB review's search was "
                               "pragmatic rather than systematic, so read the cases before relying on them."]:
        st.markdown(f"- {md(g)}")
    if ev.rows:
        with st.expander("Evidence for each chosen process, by outcome"):
            st.dataframe([{"process": r["processLabel"], "outcome": r["domainLabel"], "direction": r["directionLabel"],
                           "evidence basis": r["basisLabel"], "finding": r["summary"], "about": r["aboutLabel"],
                           "route": r.get("route", ""), "quote": " ".join(r["quote"].split()), "source": r["source"]}
                          for r in ev.rows], hide_index=True, width="stretch", height=300)

    st.subheader("Enablers to secure and barriers to plan for")
    c1, c2 = st.columns(2)
    for col, kind, title in ((c1, "enabler", "Enablers"), (c2, "barrier", "Barriers")):
        col.markdown(f"**{title}**")
        groups = ans["factors"].get(kind, {})
        if not groups:
            col.caption("None found among the matching case studies.")
        for cat, items in sorted(groups.items()):
            with col.expander(f"{cat} ({len(items)})"):
                for f in items:
                    st.markdown(f"- {md(f['label'])} — *{md(f['from'])}*")
                    st.caption("“" + md(" ".join(f["quote"].split())) + "” — " + md(f["source"]))

    st.subheader("Mechanisms to consider")
    if not ans["mechanisms"]:
        st.caption("None found among the matching case studies for the processes you chose.")
    for plabel, items in ans["mechanisms"].items():
        st.markdown(f"**{md(plabel)}**")
        st.dataframe([{"mechanism": i["label"], "used by": ", ".join(i["cases"])} for i in items],
                     hide_index=True, width="stretch")

    st.subheader("Readiness checklist")
    st.caption("Glasby et al.'s Partnership Readiness Framework, as the HRB review lists it: the local conditions "
               "that help organisations work together across boundaries.")
    for i, item in enumerate(ans["readiness"]):
        st.checkbox(item["label"], key=f"dz_ready_{i}", help=" ".join(item["quote"].split()))

    st.subheader("Design brief")
    st.caption("Key messages first (the suggested intensity, the three best-fitting cases, the balance of evidence "
               "and its caveats, enablers and barriers), then options with benefits, harms, costs and certainty, "
               "applicability, equity, implementation, what is not known and how the evidence was gathered, and an "
               "appendix with the full detail. Every line cites the sentence behind it.")
    slug = "".join(ch if ch.isalnum() else "-" for ch in design.title.lower()).strip("-") or "design"
    params = tuple(sorted(design.to_params().items()))
    b0, b1, b2, b3, b4 = st.columns(5)
    b0.download_button("Brief (PDF)", lambda: _pdf(release, params), f"{slug}.pdf", "application/pdf",
                       key="dz_pdf", icon=":material/download:", on_click="ignore")
    b1.download_button("Brief (Markdown)", ans["brief_md"].encode("utf-8"), f"{slug}.md", "text/markdown; charset=utf-8",
                       key="dz_md", icon=":material/download:", on_click="ignore")
    b2.download_button("Brief (HTML)", ans["brief_html"].encode("utf-8"), f"{slug}.html", "text/html; charset=utf-8",
                       key="dz_html", icon=":material/download:", on_click="ignore")
    g = design_to_rdf(design, release)
    b3.download_button("Design (Turtle)", g.serialize(format="turtle").encode("utf-8"), f"{slug}.ttl", "text/turtle",
                       key="dz_ttl", icon=":material/download:", on_click="ignore")
    b4.download_button("Design (JSON-LD)", g.serialize(format="json-ld").encode("utf-8"), f"{slug}.jsonld",
                       "application/ld+json", key="dz_jsonld", icon=":material/download:", on_click="ignore")
    with st.expander("Preview the brief"):
        st.markdown(ans["brief_md"])

    st.subheader("Compare with another design")
    other = st.file_uploader("A saved design (Turtle or JSON-LD) to set beside this one", type=["ttl", "jsonld", "json"],
                             key="dz_compare")
    if other is not None:
        try:
            second = design_from_rdf(other.getvalue(), "turtle" if other.name.endswith(".ttl") else "json-ld")
        except ValueError as exc:
            st.error(f"{other.name}: {exc}")
        else:
            theirs = _answer(release, tuple(sorted(second.to_params().items())))
            st.dataframe(side_by_side(ans, theirs), hide_index=True, width="stretch")


def _go_to(step: str) -> None:
    st.session_state["dz_step"] = step


def main() -> None:
    ex = frame("Design assistant")
    if ex is None:
        return
    release = ex.release_id
    st.write("Answer Shaw et al.'s five questions for your integration project. Each answer is matched against "
             "the case studies and the evidence in the graph; the results name what fits, what the evidence "
             "says (including where it is mixed or missing) and what to plan for. Your answers live in the "
             "page's address, so the link shares the design.")
    design = Design.from_params(st.query_params.to_dict())

    with st.sidebar.expander("Load a saved design (Turtle or JSON-LD)"):
        up = st.file_uploader("Design file", type=["ttl", "jsonld", "json"], key="dz_upload")
        if up is not None and st.button("Load this design", key="dz_load"):
            try:
                fmt = "turtle" if up.name.endswith(".ttl") else "json-ld"
                loaded = design_from_rdf(up.getvalue(), fmt)
            except ValueError as exc:
                st.error(f"{up.name}: {exc}")
            else:
                st.query_params.clear()
                st.query_params.update(loaded.to_params())
                st.session_state["dz_title"] = loaded.title
                st.query_params["step"] = "results"
                st.session_state["dz_step"] = "results"
                st.rerun()

    if "dz_step" not in st.session_state:
        url_step = st.query_params.get("step", "goals")
        st.session_state["dz_step"] = url_step if url_step in STEPS else "goals"
    step = st.segmented_control("Step", STEPS, format_func=STEP_LABELS.get, key="dz_step", required=True) or "goals"
    if st.query_params.get("step") != step:
        st.query_params["step"] = step

    design.title = st.text_input("Name of the design", value=design.title, key="dz_title", max_chars=200)
    if step == "goals":
        _question(release, "goals")
        design.domains = _multi("Outcomes you seek", "domain", design.domains, release, "dz_domains")
        design.population = _multi("Target service-user group", "population", design.population, release, "dz_pop")
        design.need = _single("Their level of need (Nolte and McKee)", "need", design.need, release, "dz_need",
                              help="Mild to moderate and stable; moderate; or long-term, severe and unstable.")
        design.level = _single("Level of aggregation", "level", design.level, release, "dz_level")
        _notes(design, "goals")
    elif step == "context":
        _question(release, "context")
        design.sectors = st.multiselect("Sectors involved", list(SECTORS), default=design.sectors, key="dz_sec")
        design.country = _single("Country or system", "country", design.country, release, "dz_cty")
        _notes(design, "context")
    elif step == "type":
        _question(release, "type")
        design.processes = _multi("The most important integrative processes", "process", design.processes,
                                  release, "dz_proc")
        design.mechanisms = _multi("Mechanisms you mean to use", "mechanism", design.mechanisms, release, "dz_mech",
                                   help="Cases count as using a mechanism only where it is in use or piloted.")
        _notes(design, "type")
    elif step == "breadth":
        _question(release, "breadth")
        design.breadth = _multi("Horizontal, vertical or both", "breadth", design.breadth, release, "dz_br")
        _notes(design, "breadth")
    elif step == "intensity":
        _question(release, "intensity")
        design.intensity = _single("Intensity (Leutz's levels)", "leutz", design.intensity, release, "dz_int")
        design.form = _single("Real or virtual integration", "form", design.form, release, "dz_form")
        _notes(design, "intensity")
    _write_url(design)
    if step == "results":
        _results(release, design)
    else:
        nxt = STEPS[STEPS.index(step) + 1]
        st.button(f"Next: {STEP_LABELS[nxt]}", key="dz_next", on_click=_go_to, args=(nxt,))
    st.divider()
    st.caption("Share this design: " + md(share_url({**design.to_params(), "step": step}, "designer")))


main()
