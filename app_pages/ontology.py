"""Ontology: every concept scheme as a tree with definitions, quotes and sources; classes and properties; downloads.

URL parameters: ``scheme`` (a scheme id, e.g. ``process``) and ``concept`` (a concept id to open and scroll to).
"""

import pandas as pd
import streamlit as st

from app_pages.common import (code, download_buttons, failed, frame, link, md, quote_block, release_footer, scroll_to,
                              url_choice, url_expander, url_tabs)
from kg import serialise
from kg.errors import IckgError
from kg.views import common, ontology

#: Schemes whose concepts are case-study facets: scheme id -> facet (URL parameter of the case list).
FACET_OF_SCHEME = {"level": "level", "form": "form", "breadth": "breadth", "leutz": "intensity", "country": "country",
                   "population": "population", "process": "process", "mechanism": "mechanism", "domain": "domain",
                   "direction": "direction", "basis": "basis", "need": "need"}

ex = frame("Ontology and concept schemes")
st.markdown("The graph's vocabulary: the concept schemes (frameworks from the sources and the project's own "
            "vocabularies) and the OWL classes and properties of the `ic:` namespace "
            "(`https://w3id.org/ickg/ontology#`). Terms and IRIs are stable: researchers' queries depend on them.")

t_schemes, t_terms, t_down = url_tabs(["Concept schemes", "Classes and properties", "Downloads"], "tab",
                                      ["schemes", "terms", "downloads"])

with t_schemes:
    if ex is None:
        st.info("The concept schemes need the knowledge graph, which could not be loaded (see above).")
    else:
        try:
            schemes = common.schemes(ex)
            by_id = {s.id: s for s in schemes}
            default = "process" if "process" in by_id else (schemes[0].id if schemes else "")
            sid = url_choice("Concept scheme", [s.id for s in schemes], "scheme", default, widget="selectbox",
                             format_func=lambda i: f"{by_id[i].label} ({by_id[i].concepts}"
                             + (f", {by_id[i].collections} collections)" if by_id[i].collections else ")"))
            scheme = by_id.get(sid)
            if scheme is not None:
                tree = ontology.scheme_tree(ex, scheme.iri)
                st.caption(("The project's own vocabulary: concepts carry scope notes, not quotes." if scheme.editorial
                            else "Taken from the sources: each concept is quoted.") + " · " + code(common.compact(scheme.iri)))
                facet = FACET_OF_SCHEME.get(sid)
                n_children = {}
                for node in tree:
                    for b in node.concept.broader:
                        n_children[b] = n_children.get(b, 0) + 1
                if not tree:
                    st.info("This scheme has no concepts.")
                cols = ontology.scheme_collections(ex, scheme.iri)
                in_list = {}  # a concept's list, so "1." of one author's list is not taken for another's
                for col in cols:
                    for m in col.members:
                        in_list.setdefault(m.iri, col.label)
                opened = st.query_params.get("concept")
                if opened and opened not in ({common.local(n.concept.iri) for n in tree}
                                             | {common.local(c.iri) for c in cols}):
                    st.warning(f"No concept or collection {md(opened)} in this scheme; showing the whole scheme.")
                for i, node in enumerate(tree):
                    c = node.concept
                    title = (f"{c.notation}. " if c.notation and len(c.notation) < 6 else "") + c.label
                    if n_children.get(c.iri):
                        title += f"  ({n_children[c.iri]} narrower)"
                    if c.iri in in_list:
                        title += f"  · {in_list[c.iri]}"
                    holder = st
                    if node.depth:
                        _, holder = st.columns([min(node.depth, 6), 40 - min(node.depth, 6)])
                    with url_expander(("↳ " if node.depth else "") + md(title), "concept", common.local(c.iri),
                                      container=holder):
                        st.caption(code(common.compact(c.iri)))
                        defs = [q for role, q in node.quotes if role == "definition"]
                        others = [q for role, q in node.quotes if role != "definition"]
                        if defs:
                            st.markdown("**Definition** (the source's words)")
                            quote_block(defs)
                        elif c.definition:
                            st.markdown("**Definition**: " + md(c.definition))
                        if c.scope_note:
                            st.markdown("**Scope note** (the curator's words): " + md(c.scope_note))
                        if c.alt_labels:
                            st.markdown("**Also called**: " + md("; ".join(c.alt_labels)))
                        if others:
                            st.markdown(f"**Other passages** ({len(others)})")
                            quote_block(others[:10])
                            if len(others) > 10:
                                st.caption(f"and {len(others) - 10} more (see the SPARQL console).")
                        if not (defs or c.definition or c.scope_note or others):
                            st.caption("No definition or quote recorded.")
                        if facet:
                            link("cases", "Case studies with this concept", {facet: common.local(c.iri)},
                                 icon=":material/apartment:")
                if cols:
                    st.markdown(f"**Collections** ({len(cols)}): groups the source names (a list, a table "
                                "section, an author's set), each a heading with its members")
                for col in cols:
                    title = (f"{col.notation}. " if col.notation and len(col.notation) < 6 else "") + col.label
                    holder = st
                    if col.depth:
                        _, holder = st.columns([min(col.depth, 6), 40 - min(col.depth, 6)])
                    with url_expander(("↳ " if col.depth else "") + md(f"{title}  ({len(col.members)} members)"),
                                      "concept", common.local(col.iri), container=holder):
                        st.caption(code(common.compact(col.iri)) + " · skos:Collection")
                        st.markdown("\n".join(
                            "- " + (f"{m.notation}. " if m.notation and len(m.notation) < 6 else "") + md(m.label)
                            + (" (collection)" if m.nested else "") for m in col.members))
                        if col.scope_note:
                            st.markdown("**Scope note** (the curator's words): " + md(col.scope_note))
                        if col.quotes:
                            quote_block(list(col.quotes))
                if opened and opened in ({common.local(n.concept.iri) for n in tree}
                                          | {common.local(c.iri) for c in cols}):
                    scroll_to(f"url_concept_{opened}")  # a permalink opens the concept and brings it into view
                rows = [{"concept": n.concept.label, "depth": n.depth, "notation": n.concept.notation or "",
                         "definition": n.concept.definition or "", "scope note": n.concept.scope_note or "",
                         "alternative labels": "; ".join(n.concept.alt_labels), "IRI": n.concept.iri} for n in tree]
                download_buttons(f"scheme-{sid}", ["concept", "depth", "notation", "definition", "scope note",
                                                   "alternative labels", "IRI"], rows,
                                 {"view": "concept scheme", "scheme": scheme.label}, key="scheme_dl")
        except IckgError as exc:
            failed(exc, "the concept schemes")

with t_terms:
    try:
        doc = ontology.ontology_doc()
        st.markdown(f"**{md(doc.title)}** · version {md(doc.version)} · namespace {code(doc.namespace)}")
        if doc.description:
            st.caption(md(doc.description))
        st.subheader(f"Classes ({len(doc.classes)})", anchor=False)
        class_rows = [{"term": t.name, "label": t.label, "documentation": t.comment,
                       "subclass of": "; ".join(t.parents), "IRI": t.iri} for t in doc.classes]
        st.dataframe(pd.DataFrame(class_rows), hide_index=True, width="stretch",
                     column_config={"documentation": st.column_config.TextColumn(width="large")})
        download_buttons("ontology-classes", list(class_rows[0]) if class_rows else ["term"], class_rows,
                         {"view": "ontology classes", "ontology version": doc.version}, key="classes_dl")
        st.subheader(f"Properties ({len(doc.properties)})", anchor=False)
        prop_rows = [{"term": t.name, "kind": t.kind, "label": t.label, "documentation": t.comment,
                      "domain": "; ".join(t.domain), "range": "; ".join(t.range),
                      "deprecated": "yes" if t.deprecated else "", "IRI": t.iri} for t in doc.properties]
        st.dataframe(pd.DataFrame(prop_rows), hide_index=True, width="stretch",
                     column_config={"documentation": st.column_config.TextColumn(width="large")})
        download_buttons("ontology-properties", list(prop_rows[0]) if prop_rows else ["term"], prop_rows,
                         {"view": "ontology properties", "ontology version": doc.version}, key="props_dl")
    except (OSError, ValueError) as exc:
        failed(exc, "the ontology file")

with t_down:
    st.markdown("The ontology as published, and the whole graph of this release (ontology, concept schemes, "
                "case studies, findings, quotes and sources).")
    try:
        st.download_button("Ontology (Turtle)", data=ontology.ontology_turtle().encode("utf-8"), file_name="ickg-ontology.ttl",
                           mime="text/turtle", icon=":material/download:", on_click="ignore", key="dl_onto")
    except OSError as exc:
        failed(exc, "the ontology file")
    if ex is not None:
        for fmt, (name, mime, ext) in serialise.RDF_FORMATS.items():
            st.download_button(f"Whole graph ({name})", icon=":material/download:", on_click="ignore", key=f"dl_{fmt}",
                               data=lambda f=fmt: ontology.graph_text(ex, f)[0].encode("utf-8"),
                               file_name=f"ickg-{ex.release_id.replace('+', '-')}.{ext}", mime=mime)
        st.caption("The graph is serialised when you click. `ickg export` writes the same graph from the command "
                   "line, in a canonical byte-identical order.")
        if ex.backend == "remote":
            st.warning("This app reads a remote SPARQL endpoint: the whole graph is fetched with one CONSTRUCT "
                       "query, which the endpoint may cut at its row limit. The file's header then says how many "
                       "triples are missing.")

if ex is not None:
    release_footer(ex)
