"""SPARQL console: the query gallery, an editor (YASQE, :mod:`app_pages.sparql_editor`), results with status, charts, graph view, downloads, share links.

URL parameters: ``query`` (a gallery query's name), ``p.<param>`` (its parameters), ``text``
(an edited query's text), ``gq`` and ``tag`` (the gallery search). A link with ``query`` or
``text`` reopens and runs the same query.
"""

import altair as alt
import pandas as pd
import streamlit as st

from app_pages.common import (code, frame, iri_link_column, md, release_footer, resource_url, set_params, share_url,
                              url_choice, url_text)
from app_pages.sparql_editor import sparql_editor
from kg import queries, serialise, settings
from kg.errors import IckgError
from kg.views import common, sparql

DEFAULT_TEXT = """PREFIX ic: <https://w3id.org/ickg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?case ?label WHERE {
  ?case a ic:CaseStudy ; rdfs:label ?label .
}
ORDER BY ?label
"""

ex = frame("SPARQL console")
endpoint = settings.get("sparql_endpoint")
st.markdown("Query the graph with SPARQL 1.1 (read-only; the prefixes `ic:`, `case:`, `mechanism:`, `stmt:`, "
            "`src:`, `scheme:`, `skos:`, `rdfs:`, `dct:`, `prov:` and the concept-scheme prefixes such as "
            "`level:` and `domain:` are predeclared). Start from the gallery of named queries.")
with st.expander("Use the endpoint from outside this app", icon=":material/lan:"):
    st.markdown("Run `ickg serve` and point any SPARQL 1.1 client (SPARQLWrapper, YASGUI, `curl`) at the "
                "endpoint below. Queries are read-only and have the same time and row limits.")
    st.code("http://127.0.0.1:8000/sparql", language="text")
    st.code("curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 5' "
            "http://127.0.0.1:8000/sparql", language="bash")
    st.caption("This app reads from: " + md(endpoint or "the embedded Oxigraph store (no endpoint set)"))

if ex is not None:
    # ------------------------------------------------------------------ the gallery
    st.subheader("Gallery", anchor=False)
    g1, g2 = st.columns([3, 1], vertical_alignment="bottom")
    gq = url_text("Search the gallery (title, description, tags)", "gq", container=g1,
                  placeholder="e.g. hospital, barriers, mechanism")
    tag = url_choice("For", ["", *queries.TAGS], "tag", "", container=g2, widget="selectbox",
                     format_func=lambda t: {"": "everyone", "policymaker": "policymakers", "researcher": "researchers",
                                            "designer": "service designers"}[t])
    matches = sparql.gallery(gq, [tag] if tag else [])
    all_names = [q.name for q in queries.gallery()]
    by_name = {q.name: q for q in queries.gallery()}
    current = st.query_params.get("query", "")
    options = [""] + [q.name for q in matches] + ([current] if current in by_name and current not in
                                                 [q.name for q in matches] else [])
    st.caption(f"{len(matches)} of {len(all_names)} queries match." if (gq or tag) else
               f"{len(all_names)} named queries.")
    name = url_choice("Query", options, "query", "", widget="selectbox",
                      format_func=lambda n: by_name[n].title if n in by_name else "(your own query)")
    nq = by_name.get(name)
    bindings_raw: dict[str, str] = {}
    # one container whatever the chosen query shows, so the editor below keeps its place in the page
    # (Streamlit remounts a component that moves, and a remounted frame can lose its messages)
    with st.container(key="sparql_query_info"):
        if nq is not None:
            st.markdown(md(nq.description))
            st.caption("For " + ", ".join(md(t) + "s" for t in nq.tags) + " · " + code(nq.name))
            if nq.params:
                pcols = st.columns(min(3, len(nq.params)))
                for i, p in enumerate(nq.params):
                    col = pcols[i % len(pcols)]
                    label = f"{p.name}{'' if p.optional else ' (required)'}"
                    choices = sparql.param_choices(ex, p.name) if p.kind == "iri" else None
                    if choices:
                        names = dict(choices)
                        value = url_choice(label, [""] + [c for c, _ in choices], f"p.{p.name}", "", widget="selectbox",
                                           container=col, help=p.help,
                                           format_func=lambda v, n=names, o=p.optional: f"{n[v]}  ·  {v}" if v else
                                           ("(any)" if o else "(choose)"))
                    else:
                        value = url_text(label, f"p.{p.name}", container=col, help=p.help)
                    bindings_raw[p.name] = value

    # ------------------------------------------------------------------ the editor
    st.subheader("Query", anchor=False)
    # The editor's text is set from the URL or the gallery only when the page opens and when another
    # gallery query is chosen; never from the URL afterwards, so a second edit is what "Run query" runs
    # (issue 13: the URL written by the previous run used to overwrite the edit). Each time the page
    # sets the text itself it raises the version, which is what makes the editor take it.
    state = st.session_state
    if "sparql_text" not in state:
        state["sparql_text"] = st.query_params.get("text") or (nq.text if nq is not None else DEFAULT_TEXT)
        state["editor_gallery"] = name
        state["sparql_version"] = 0
    elif state.get("editor_gallery") != name:
        state["editor_gallery"] = name
        state["sparql_text"] = nq.text if nq is not None else DEFAULT_TEXT
        state["sparql_version"] += 1
        set_params(text=None)
    try:
        terms = [(c.term, c.label) for c in sparql.completions(ex)]
    except IckgError:  # the editor still works, with prefix completion only
        terms = []
    edit = sparql_editor(state["sparql_text"], state["sparql_version"], sparql.editor_prefixes(), terms)
    text, force = edit.text, edit.run
    state["sparql_text"] = text
    edited = nq is None or text.strip() != nq.text.strip()
    if force:  # remember what ran, so the link reopens it
        if edited:
            set_params(text=text, query=None)
        else:
            set_params(text=None)
        history = state.setdefault("sparql_history", [])
        if text.strip() and (not history or history[0] != text):
            history.insert(0, text)
            del history[20:]

    def _reopen() -> None:
        chosen = state.get("sparql_recent")
        if chosen:
            state["sparql_text"] = chosen
            state["sparql_version"] += 1

    if edit.rich:
        st.caption("The editor keeps the queries you run in this browser (Earlier queries); Ctrl+Space completes "
                   "the predeclared prefixes and the graph's classes, properties, concepts and case studies.")
    elif state.get("sparql_history"):
        st.selectbox("Recent queries (this session)", [""] + state["sparql_history"], key="sparql_recent",
                     on_change=_reopen, format_func=lambda t: " ".join(t.split())[:120] if t else "reopen a query run "
                     "before", help="The last 20 queries run in this session; choosing one puts it in the editor.")

    share = ({"text": text} if edited else
             {"query": name, **{f"p.{k}": v for k, v in bindings_raw.items() if v}})
    st.caption("Share this query: the link below reopens and runs it.")
    st.code(share_url(share, "sparql"), language="text", wrap_lines=True)

    # ------------------------------------------------------------------ running
    missing = [p.name for p in (nq.params if nq is not None else ()) if not p.optional and not bindings_raw.get(p.name)
               and f"?{p.name}" in text]
    result, error = None, None
    if not text.strip():
        st.info("Write a query, or pick one from the gallery.")
    elif missing:
        st.info("Fill in " + ", ".join(code(m) for m in missing) + " to run this query.")
    else:
        try:
            bindings = {k: queries.to_term(v, next(p.kind for p in nq.params if p.name == k))
                        for k, v in bindings_raw.items() if v and nq is not None and f"?{k}" in text}
            key = (text, tuple(sorted((k, v.n3()) for k, v in bindings.items())))
            cache = st.session_state.setdefault("sparql_results", {})
            if force or key not in cache:
                cache.clear()
                cache[key] = ex.query(text, bindings)
            result = cache[key]
        except IckgError as exc:
            error = exc

    if error is not None:
        st.error("The query could not be run.")
        st.text(str(error))
        st.caption("Queries are read-only (SELECT, ASK, CONSTRUCT, DESCRIBE) and may not call other endpoints.")
    elif result is not None:
        # ------------------------------------------------------------------ results
        st.subheader("Results", anchor=False)
        status = result.status
        if result.truncated or result.timed_out:
            st.warning(status)
        else:
            st.caption(status)
        what = {"query": text, "bindings": {k: v for k, v in bindings_raw.items() if v}} if edited or not nq else \
            {"query name": nq.name, "bindings": {k: v for k, v in bindings_raw.items() if v}, "query": text}
        base = f"query-{nq.name}" if nq is not None and not edited else "query"
        if result.kind == "ask":
            st.metric("Answer", "yes" if result.boolean else "no")
        elif result.kind == "graph":
            rows = [{"subject": common.label(ex, s.value) if s.type == "uri" else s.value,
                     "predicate": common.compact(p.value),
                     "object": common.label(ex, o.value) if o.type == "uri" else o.value,
                     "subject IRI": common.compact(s.value) if s.type == "uri" else "",
                     "object IRI": common.compact(o.value) if o.type == "uri" else ""} for s, p, o in result.triples]
            t_graph, t_table = st.tabs(["Graph", "Triples"])
            with t_graph:
                try:
                    from kg import viz  # the graph view's module; the console works without it

                    page, info = viz.network_html(sparql.triples_graph(ex, result.triples))
                except (ImportError, AttributeError, TypeError, ValueError):
                    page, info = None, {}
                src, too_large = None, False
                if page and info.get("total"):
                    try:
                        src = viz.iframe_src(page)
                    except ValueError:  # over the browser's URL limit; the triples tab has it all
                        too_large = True
                if src:
                    st.iframe(src, height=int(info.get("height", 600)))
                elif too_large:
                    st.info(f"The result is too large to draw as a network ({len(result.triples):,} triples); "
                            "see the triples.")
                elif page:
                    st.info("The result has no links between named nodes to draw; see the triples.")
                else:
                    st.info("The graph view is unavailable in this installation (kg.viz); see the triples.")
            with t_table:
                if rows:
                    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
                else:
                    st.info("The query returned no triples. Check the patterns, or widen them.")
        else:
            cols, rows = sparql.display_rows(ex, result)
            if rows:
                shown = [{c: (resource_url(v) if c.endswith(" IRI") else v) for c, v in r.items()} for r in rows]
                st.dataframe(pd.DataFrame(shown, columns=cols), hide_index=True, width="stretch",
                             column_config={c: iri_link_column(c) for c in cols if c.endswith(" IRI")})
                places, numbers = sparql.chart_options(result)
                if numbers:
                    with st.expander("Chart", icon=":material/bar_chart:", expanded=bool(sparql.chartable(result))):
                        guess = sparql.chartable(result) or (places[0], numbers[0])
                        c1, c2, c3 = st.columns(3)
                        kind = c1.selectbox("Chart type", sparql.CHART_TYPES, key="chart_type")
                        xcol = c2.selectbox("Label or x", places, key="chart_x",
                                            index=places.index(guess[0]) if guess[0] in places else 0)
                        ycol = c3.selectbox("Value (a number column)", numbers, key="chart_y",
                                            index=numbers.index(guess[1]) if guess[1] in numbers else 0)
                        data = pd.DataFrame(sparql.chart_rows(ex, result, xcol, ycol))
                        if data.empty:
                            st.info("No row has both columns filled.")
                        else:
                            st.caption(f"{md(ycol)} by {md(xcol)}, one mark per row, nothing summed"
                                       + (" (first 200 rows)" if len(result.rows) > 200 else ""))
                            numeric_x = pd.api.types.is_numeric_dtype(data["x"])
                            if kind == "bar" and not numeric_x:
                                chart = alt.Chart(data).mark_bar(color="#4575b4").encode(
                                    x=alt.X("y:Q", title=ycol), y=alt.Y("x:N", sort="-x", title=None,
                                                                         axis=alt.Axis(labelLimit=320)),
                                    tooltip=[alt.Tooltip("x", title=xcol), alt.Tooltip("y", title=ycol)]
                                ).properties(height=max(120, 22 * len(data)))
                            else:
                                mark = {"bar": "bar", "line": "line", "point": "point"}[kind]
                                chart = getattr(alt.Chart(data), f"mark_{mark}")(color="#4575b4")
                                chart = chart.encode(x=alt.X("x:Q" if numeric_x else "x:N", title=xcol, sort=None),
                                                     y=alt.Y("y:Q", title=ycol),
                                                     tooltip=[alt.Tooltip("x", title=xcol),
                                                              alt.Tooltip("y", title=ycol)])
                            st.altair_chart(chart, width="stretch")
            else:
                st.info("The query returned no rows. Check the patterns, remove a filter or a parameter.")
        d = st.columns(4)
        d[0].download_button("Download CSV", data=serialise.result_csv(result).encode("utf-8"),
                             file_name=f"{base}.csv", mime="text/csv; charset=utf-8", key="res_csv",
                             icon=":material/download:", on_click="ignore", help="Plain CSV, the header first.")
        d[0].download_button("CSV + provenance (zip)", data=serialise.result_zip(base, result, ex.release_id, what),
                             file_name=f"{base}.zip", mime="application/zip", key="res_zip",
                             icon=":material/folder_zip:", on_click="ignore")
        d[1].download_button("Download JSON", data=serialise.result_json(result, ex.release_id, what).encode("utf-8"),
                             file_name=f"{base}.json", mime="application/sparql-results+json", key="res_json",
                             icon=":material/download:", on_click="ignore")
        if result.kind == "graph":
            header = "\n".join(serialise.context_lines(ex.release_id, what)[1:])
            d[2].download_button("Download Turtle", key="res_ttl", icon=":material/download:", on_click="ignore",
                                 data=serialise.triples_text(result.triples, "ttl", ex.release_id, header).encode("utf-8"),
                                 file_name=f"{base}.ttl", mime="text/turtle")
            d[3].download_button("Download JSON-LD", key="res_jsonld", icon=":material/download:", on_click="ignore",
                                 data=serialise.triples_text(result.triples, "jsonld", ex.release_id).encode("utf-8"),
                                 file_name=f"{base}.jsonld", mime="application/ld+json")
    release_footer(ex)
