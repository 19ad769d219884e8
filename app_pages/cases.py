"""Case studies: keyword search and facets over the list; a page per case study at ``?case=<id>``."""

import pandas as pd
import streamlit as st

from app_pages.common import (caveat_lines, iri_link_column, resource_url, claim_caption, code, direction_badge, download_buttons, failed, frame, link, md, quote_block,
                              print_styles, quote_button, release_footer, safe_link, set_params, url_multiselect, url_text)
from kg import cite, search, serialise
from kg.errors import IckgError
from kg.views import cases, common

ex = frame()


def _kinds_caption(results: search.Results) -> None:
    if results.expansions:
        st.caption("Also searching for: " + "; ".join(
            f"{md(e.label)} (from “{md(e.matched)}”)" for e in results.expansions))


def _open_case(case_id: str) -> None:
    set_params(case=case_id)


def show_list() -> None:
    st.title("Case studies")
    rows = cases.case_table(ex)
    q = url_text("Search case studies, findings, mechanisms and concepts", "q",
                 placeholder="e.g. bed days, pooled budget, Torbay, older people")
    results = search.search(ex, q) if q.strip() else None
    if results is not None:
        _kinds_caption(results)
        case_hits = {h.doc.iri: h.score for h in results.of("case study")}
        rows = sorted((c for c in rows if c.iri in case_hits), key=lambda c: -case_hits[c.iri])

    # facets: read every selection first, so each facet can show counts for the current list
    options = {f.key: cases.facet_values(ex, f.key) for f in cases.FACETS}
    names = {f.key: dict(options[f.key]) for f in cases.FACETS}
    ids = {f.key: {common.local(v): v for v, _ in options[f.key]} for f in cases.FACETS}
    chosen = {}
    for f in cases.FACETS:
        key = f"url_{f.key}"
        if key in st.session_state:
            chosen[f.key] = [v for v in st.session_state[key] if v in names[f.key]]
        else:
            chosen[f.key] = [ids[f.key][i] for i in st.query_params.get_all(f.key) if i in ids[f.key]]
    shown = cases.filter_cases(rows, chosen)

    with st.expander("Filters" + (f" ({sum(1 for v in chosen.values() if v)} active)" if any(chosen.values()) else ""),
                     expanded=True, icon=":material/filter_list:"):
        cols = st.columns(4)
        for i, f in enumerate(cases.FACETS):
            others = cases.filter_cases(rows, {k: v for k, v in chosen.items() if k != f.key})
            counts = cases.facet_counts(others, f.key, chosen)
            url_multiselect(f.label, [v for v, _ in options[f.key]], f.key, container=cols[i % 4], help=f.help,
                            format_func=lambda v, n=names[f.key], c=counts: f"{n.get(v, common.compact(v))} ({c.get(v, 0)})",
                            placeholder="any")
        st.caption("Within a filter a case study needs any of the chosen values; across filters, all of them. "
                   "Outcome domain, direction and evidence basis combine per finding: one finding must match "
                   "all three. Counts say how many case studies each value would leave.")

    total = len(cases.case_table(ex))
    st.subheader(f"{len(shown)} of {total} case studies" + (f" matching “{md(q.strip())}”" if q.strip() else ""),
                 anchor=False)
    if not shown:
        st.info("No case study matches. Widen the search: remove a filter or use fewer words"
                + (" (the search looks at names, summaries and classifications)." if q.strip() else "."))
    else:
        table = [{"No.": c.number, "Case study": c.label, "Page": f"cases?case={c.id}", "Kind": c.kind,
                  "Level": "; ".join(names["level"].get(v, "") for v in sorted(c.values("level"))),
                  "Form": "; ".join(names["form"].get(v, "") for v in sorted(c.values("form"))),
                  "Country": "; ".join(sorted(names["country"].get(v, "") for v in c.values("country"))),
                  "Findings": c.statements, "IRI": common.compact(c.iri)} for c in shown]
        frame_ = pd.DataFrame(table)
        frame_["No."] = pd.array([c.number for c in shown], dtype="Int64")  # blank, not "None", where unnumbered
        frame_["IRI"] = [resource_url(i) for i in frame_["IRI"]]  # each IRI links to its resource page
        event = st.dataframe(frame_, hide_index=True, width="stretch", key="case_table",
                             on_select="rerun", selection_mode="single-row",
                             column_config={"No.": st.column_config.NumberColumn(width="small", help="HRB review case-study number"),
                                            "Case study": st.column_config.TextColumn(width="large"),
                                            "Page": st.column_config.LinkColumn(
                                                "Page", display_text="open", width="small",
                                                help="The case study's page (a link: open it in a new tab)"),
                                            "Findings": st.column_config.NumberColumn(width="small"),
                                            "IRI": iri_link_column("IRI")})
        sel = event.selection.rows if event is not None and hasattr(event, "selection") else []
        st.caption("Select a row, or follow its link, to open the case study.")
        if sel:
            _open_case(shown[sel[0]].id)
            st.rerun()
        filters = {f.label: [names[f.key].get(v, v) for v in chosen[f.key]] for f in cases.FACETS if chosen[f.key]}
        download_buttons("case-studies", [k for k in table[0] if k != "Page"], table,
                         {"view": "case studies", "search": q.strip(), "filters": filters}, key="cases_dl")

    if results is not None:
        st.subheader("Other matches", anchor=False)
        t_find, t_mech, t_conc = st.tabs([f"Findings ({len(results.of('finding'))})",
                                          f"Mechanisms ({len(results.of('mechanism'))})",
                                          f"Concepts ({len(results.of('concept'))})"])
        stmts = common.statements(ex)
        with t_find:
            hits = results.of("finding")
            if not hits:
                st.info("No finding matches; try other words.")
            for i, h in enumerate(hits[:30]):
                s = stmts.get(h.doc.iri)
                if s is None:
                    continue
                a, b = st.columns([6, 1], vertical_alignment="center")
                a.markdown(direction_badge(s.direction_id, s.direction_label) + " " + md(s.summary))
                a.caption(claim_caption(s.claim_label, ", ".join(s.about_labels), ", ".join(s.domain_labels),
                                        s.basis_label, s.source_label, s.locator))
                quote_button(list(s.quotes), key=f"fq_{i}", container=b)
                caveat_lines([stmts[c] for c in s.caveats if c in stmts], key=f"fq_{i}", container=a)
                if h.doc.case:
                    with a:
                        link("cases", "Open the case study", {"case": common.local(h.doc.case)},
                             icon=":material/arrow_forward:")
            if len(hits) > 30:
                st.caption(f"Showing 30 of {len(hits)} findings; add words to narrow the search.")
        for tab, kind in ((t_mech, "mechanism"), (t_conc, "concept")):
            with tab:
                hits = results.of(kind)
                if not hits:
                    st.info(f"No {kind} matches.")
                for h in hits[:30]:
                    with st.container(border=True):
                        link("ontology", h.doc.label, {"scheme": common.local(h.doc.scheme),
                                                       "concept": common.local(h.doc.iri)},
                             help=code(h.doc.iri))
                        if h.doc.snippet:
                            st.caption(md(h.doc.snippet))
                        if kind == "mechanism":
                            link("cases", "Case studies using it", {"mechanism": common.local(h.doc.iri)})


def line_row(text_md: str, quotes: list, key: str, caption: str = "") -> None:
    a, b = st.columns([5, 1], vertical_alignment="center")
    a.markdown(text_md)
    if caption:
        a.caption(caption)
    quote_button(quotes, key=key, container=b)


def show_case(case_ref: str) -> None:
    detail = cases.case_detail(ex, case_ref)
    if detail is None:
        st.title("Case studies")
        st.warning("There is no case study with the id given in the link.")
        st.text(f"case = {case_ref}")
        if st.button("All case studies", icon=":material/arrow_back:"):
            set_params(case=None)
            st.rerun()
        return
    print_styles()
    if st.button("All case studies", icon=":material/arrow_back:", type="tertiary"):
        set_params(case=None)
        st.rerun()
    st.title(md(detail.label), anchor=False, help=code(detail.iri))
    meta = [detail.kind.capitalize()] + ([f"HRB review case study {detail.number}"] if detail.number else [])
    st.caption(" · ".join(md(m) for m in meta) + " · " + code(common.compact(detail.iri)))
    if detail.alt_labels:
        st.caption("Also called: " + md("; ".join(detail.alt_labels)))

    top_left, top_right = st.columns([3, 2])
    with top_left.container(border=True):
        st.subheader("Key messages", anchor=False)
        st.markdown("\n".join("- " + md(m) for m in detail.key_messages))
        st.caption("Each message restates findings below in plain words, with their figures; each finding has "
                   "its quote.")
    with top_right.container(border=True):
        st.subheader("Evidence basis", anchor=False)
        if detail.basis_counts:
            st.dataframe(pd.DataFrame([{"Evidence basis": b, "Findings": n} for b, _, n in detail.basis_counts]),
                         hide_index=True, width="stretch")
            st.markdown(" ".join(direction_badge(d, f"{common.label_of_direction(d)} {n}")
                                 for d, n in sorted(detail.direction_counts.items(),
                                                    key=lambda t: common.DIRECTIONS.index(t[0])
                                                    if t[0] in common.DIRECTIONS else 9)))
        else:
            st.caption("No findings are reported about this case study.")
    if detail.summary:
        st.markdown(md(detail.summary))
        st.caption("The curator's summary (not a quote).")

    st.header("Classification", anchor="classification")
    if not detail.classification:
        st.caption("The sources do not classify this case study.")
    for i, ln in enumerate(detail.classification):
        line_row(f"**{md(ln.label)}**: {md(ln.value)}", ln.quotes, key=f"cl_{i}",
                 caption=" · ".join(md(s) for s in ln.sources))

    st.header("Integrative processes and mechanisms", anchor="processes")
    if not detail.processes:
        st.caption("The sources name no integrative process for this case study.")
    for i, b in enumerate(detail.processes):
        with st.container(border=True):
            st.markdown(f"**{md(b.label)}**" + (f" — {len(b.mechanisms)} mechanism{'s' if len(b.mechanisms) != 1 else ''}"
                                                 if b.mechanisms else ""), help=b.definition and md(b.definition))
            if b.quotes:
                line_row("Named as a process", b.quotes, key=f"pq_{i}")
            for j, m in enumerate(b.mechanisms):
                line_row(md(m.value), m.quotes, key=f"pm_{i}_{j}", caption=code(common.compact(m.value_iri)))

    st.header("Findings by outcome", anchor="findings")
    if not detail.domains:
        st.caption("The sources report no findings about this case study.")
    for i, block in enumerate(detail.domains):
        counts = " ".join(direction_badge(d, str(n)) for d, n in block.directions.items())
        st.markdown(f"#### {md(block.label)} ({len(block.findings)}) &nbsp; {counts}")
        for j, f in enumerate(block.findings):
            line_row(direction_badge(f.direction_id, f.direction_label) + " " + md(f.value), f.quotes,
                     key=f"fd_{i}_{j}", caption=claim_caption(f.claim_label, f.basis_label, f.source_label,
                                                              f.locator, f.note))
            caveat_lines(f.caveats, key=f"fd_{i}_{j}")

    st.header("Enablers and barriers", anchor="factors")
    c_en, c_ba = st.columns(2)
    for col, title, items, tag in ((c_en, "Enablers", detail.enablers, "en"), (c_ba, "Barriers", detail.barriers, "ba")):
        with col:
            st.subheader(f"{title} ({len(items)})", anchor=False)
            if not items:
                st.caption(f"No {title.lower()} reported.")
            for j, f in enumerate(items):
                line_row(md(f.value), f.quotes, key=f"{tag}_{j}", caption=md(f.label))

    if detail.goals or detail.provision:
        st.header("Goals and service provision", anchor="context")
        for j, g in enumerate(detail.goals):
            line_row("**Goal**: " + md(g.value), g.quotes, key=f"go_{j}", caption=md(g.label))
        for j, p in enumerate(detail.provision):
            line_row(md(p.value), p.quotes, key=f"pr_{j}", caption="Service provision")

    if detail.references:
        st.header("Original studies cited", anchor="references")
        st.caption("The numbered references of the sources that the findings above cite; open the original "
                   "study where the reference gives a DOI or web address.")
        for ref in detail.references:
            st.markdown(f"**[{md(ref.number)}]** {md(ref.text)}"
                        + "".join(" · " + safe_link(u) for u in ref.links))

    st.header("What each source says", anchor="sources")
    for src, name, lines in detail.by_source():
        with st.expander(f"{md(name)} — {len(lines)} line{'s' if len(lines) != 1 else ''}"):
            info = common.source_map(ex).get(src)
            if info is not None:
                st.caption(md(info.citation))
            for ln in lines:
                st.markdown(f"**{md(ln.section)}** · {md(ln.label + ': ' if ln.label else '')}{md(ln.value)}")
                quote_block([q for q in ln.quotes if q.source == src])

    st.header("Neighbourhood", anchor="graph")
    try:
        from kg import viz  # the graph view's module; the page works without it

        graph_html, info = viz.neighbourhood_html(ex, detail.iri)
        st.iframe(viz.iframe_src(graph_html), height=int(info.get("height", 600)))
    except (ImportError, AttributeError, TypeError, ValueError):
        st.info("The graph view is unavailable in this installation (kg.viz is missing); "
                "the neighbourhood can still be downloaded below.")
    except IckgError as exc:
        failed(exc, "the neighbourhood graph")
    try:
        neigh = ex.named("case-neighbourhood", case=detail.iri)
        st.caption(f"Neighbourhood: {neigh.status}.")
        n1, n2 = st.columns(2)
        what = f"case-neighbourhood, case = {common.compact(detail.iri)}"
        n1.download_button("Neighbourhood as Turtle", icon=":material/download:", on_click="ignore",
                           data=serialise.triples_text(neigh.triples, "ttl", ex.release_id, what).encode("utf-8"),
                           file_name=f"{detail.id}-neighbourhood.ttl", mime="text/turtle", key="nb_ttl")
        n2.download_button("Neighbourhood as JSON-LD", icon=":material/download:", on_click="ignore",
                           data=serialise.triples_text(neigh.triples, "jsonld", ex.release_id, what).encode("utf-8"),
                           file_name=f"{detail.id}-neighbourhood.jsonld", mime="application/ld+json", key="nb_jsonld")
    except IckgError as exc:
        failed(exc, "the neighbourhood")

    st.header("Use this case study", anchor="use")
    u1, u2, u3 = st.columns(3)
    with u1:
        link("compare", "Compare with other case studies", {"cases": [detail.id]}, icon=":material/compare:")
    with u2:
        link("sparql", "Open in the SPARQL console", {"query": "what-sources-say-about-a-case",
                                                      "p.case": common.compact(detail.iri)}, icon=":material/terminal:")
    with u3:
        link("evidence-map", "Evidence map", icon=":material/grid_on:")
    download_buttons(f"case-{detail.id}", cases.CASE_COLUMNS, cases.case_rows(detail),
                     {"view": "case study", "case": detail.label, "iri": detail.iri}, key="case_dl")
    st.download_button("Printable page (HTML)", icon=":material/print:", on_click="ignore", key="case_print",
                       data=cases.case_print_html(detail, ex.release_id, cite.dataset_citation(ex.release_id))
                       .encode("utf-8"), file_name=f"case-{detail.id}.html", mime="text/html",
                       help="Key messages, findings with their quotes and the studies cited, on paper-friendly "
                            "pages; or print this page (the browser's print leaves out the menus and buttons).")


if ex is not None:
    case = st.query_params.get("case")
    try:
        if case:
            show_case(case)
        else:
            show_list()
    except IckgError as exc:
        failed(exc, "the case studies")
    release_footer(ex)
