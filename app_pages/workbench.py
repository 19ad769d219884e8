"""Curation workbench: turn a selected passage of a source into a fact, checked before it is written.

Opens with ``?source=<id>&start=<n>&end=<n>`` (the reader's "Curate" links). The page only
renders and collects the curator's choices; drafting, validation, suggestions and writing live
in :mod:`kg.workbench`.
"""

from __future__ import annotations

import streamlit as st

from app_pages.common import frame, link, md, reload_explorer
from kg import workbench as wb
from kg.records import CLASSIFIED_FIELDS
from kg.views import workbench as view

frame()  # the data release in the sidebar; the workbench itself reads the files, not the graph
st.title("Curation workbench")
st.caption("Select words in the source reader, say what they support, check, save. Every field is yours to "
           "confirm; suggestions only propose. Nothing that fails `ickg validate` is written.")
if wb.read_only():
    st.info("This app is read-only (setting `read_only`): you can draft and check, and download the changed "
            "file, but nothing is saved here.", icon=":material/lock:")



def choose(container, label: str, pairs: list[tuple[str, str]], key: str, optional: bool = False,
           default: str | None = None) -> str | None:
    """A selectbox over ``(id, label)`` pairs that returns the id (None for "not stated" when optional)."""
    ids = ([""] if optional else []) + [i for i, _ in pairs]
    names = dict(pairs) | {"": "(not stated)"}
    index = ids.index(default) if default in ids else 0
    value = container.selectbox(label, ids, index=index, format_func=lambda i: names.get(i, i), key=key)
    return value or None


project = wb.Project.from_settings()
state = view.load(project)
if state.error:
    st.error(state.error)
    st.stop()
corpus = state.corpus

sources = sorted(corpus.records["sources"])
loc = view.selection_from_params(st.query_params, sources)
if not sources:
    st.warning("There are no sources yet: add one with `ickg source add FILE --id ID --title ...`.")
    st.stop()

c1, c2, c3 = st.columns([3, 1, 1])
source = c1.selectbox("Source", sources, index=sources.index(loc.source) if loc.source in sources else 0,
                      format_func=lambda s: corpus.records["sources"][s].model.title, key="wb_source")
start = c2.number_input("From character", min_value=0, value=loc.start or 0, step=1, key="wb_start")
end = c3.number_input("To character", min_value=0, value=loc.end or 0, step=1, key="wb_end")

try:
    text = view.passage_text(corpus, project, source, int(start), int(end))
except wb.WorkbenchError as exc:
    st.info("Choose a passage: open a source in the reader and use “Curate”, or give character offsets here.")
    st.caption(md(str(exc)))
    link("reader", "Open the source reader", {"source": source}, icon=":material/menu_book:")
    st.stop()

quote = st.text_area("Quote (the source's words; trim it to what supports the fact, never rephrase)", value=text,
                     key=f"wb_quote_{source}_{start}_{end}", height=120)
section = st.text_input("Section locator (the heading path, parts joined by ' > ')",
                        value=view.default_section(corpus, project, source, int(start)),
                        key=f"wb_section_{source}_{start}")
refs = view.reference_numbers(corpus, source)
cites = st.multiselect("References the passage cites (second-hand evidence)", refs, key="wb_cites") if refs else []

sugg = view.suggestions(corpus, quote)
with st.expander("Suggestions for this passage", expanded=True, icon=":material/lightbulb:"):
    st.caption("From the vocabularies' labels and alternative labels, and the most similar curated findings (BM25). "
               "Proposals only: confirm each field below.")
    for title, items in (("Case study", sugg.cases), ("Outcome domain", sugg.domains),
                         ("Direction (of similar findings)", sugg.directions), ("Mechanism", sugg.mechanisms)):
        if items:
            st.markdown(f"**{title}**: " + "; ".join(f"{md(s.label)} ({md(s.why)})" for s in items[:4]))
    if not (sugg.cases or sugg.domains or sugg.directions or sugg.mechanisms or sugg.similar):
        st.caption("No suggestions: the passage names no case study, outcome domain or mechanism, and no "
                   "curated finding is like it.")
    if sugg.similar:
        st.markdown("**Similar curated findings**")
        for s in sugg.similar[:4]:
            st.caption(f"{md(s.label)} · {md(s.why)} · score {s.score}")

kinds = list(wb.FACT_KINDS)
kind = st.radio("What does the passage support?", kinds, format_func=wb.FACT_LABELS.get, horizontal=True,
                key="wb_kind")

options = view.target_options(corpus, kind)
suggested = view.suggested_target(options, sugg, source)
target_key = st.selectbox("Record that receives it", [o.key for o in options],
                          index=suggested, format_func=lambda k: next(o.label for o in options if o.key == k),
                          key=f"wb_target_{kind}")
opt = next(o for o in options if o.key == target_key)
new_id = new_label = case_kind = ""
if opt.new:
    a, b, c = st.columns(3)
    new_id = a.text_input("New id (lower case, digits, hyphens)", key="wb_new_id")
    new_label = b.text_input("Name as the source gives it", key="wb_new_label")
    if opt.folder == "case-studies":
        case_kind = c.selectbox("Kind", view.CASE_KINDS, key="wb_new_kind")

fields: dict = {}
vocab = lambda scheme: view.vocabulary(corpus, scheme)  # noqa: E731 - (id, label) pairs for a selectbox
if kind == "classification":
    a, b = st.columns(2)
    fname = a.selectbox("Classifies the case by", list(CLASSIFIED_FIELDS), key="wb_cl_field")
    fields = {"field": fname, "value": choose(b, "Value", vocab(CLASSIFIED_FIELDS[fname]), key="wb_cl_value")}
elif kind == "mechanism":
    a, b = st.columns(2)
    fields = {"process": choose(a, "Integrative process", vocab("process"), key="wb_process"),
              "mechanism": choose(b, "Mechanism (if the text names one)", vocab("mechanism"), key="wb_mechanism",
                                       optional=True)}
elif kind == "finding":
    a, b = st.columns(2)
    fid = a.text_input("Finding id (unique in the file)", key="wb_f_id")
    summary = b.text_input("Summary in your words (not a quote)", key="wb_f_summary")
    domain_ids = [d for d, _ in vocab("domain")]
    default_domains = [s.value for s in sugg.domains[:1] if s.value in domain_ids]
    domains = st.multiselect("Outcome domains", domain_ids, default=default_domains,
                             format_func=dict(vocab("domain")).get, key="wb_f_domains")
    k, c, d, e = st.columns(4)
    claim = choose(k, "Claim kind", vocab("claim-kind"), key="wb_f_claim", default="measured-outcome")
    # only measured outcomes and judgements carry a direction (docs/curation.md)
    direction = choose(c, "Direction (outcomes and judgements only)", vocab("direction"), key="wb_f_direction",
                       default=sugg.directions[0].value if sugg.directions else None, optional=True)
    if claim not in ("measured-outcome", "judgement"):
        direction = None
    basis = choose(d, "Evidence basis", vocab("basis"), key="wb_f_basis", default="not-stated")
    perspective = choose(e, "Perspective", vocab("perspective"), key="wb_f_perspective", optional=True)
    about = st.multiselect("Also about (case:<id>, mechanism:<id>, <scheme>:<concept>)", view.about_options(corpus),
                           key="wb_f_about")
    figures = st.text_input("Figures as printed, separated by ';' (e.g. -27%; £250,000)", key="wb_f_figures")
    fields.update({"id": fid, "summary": summary, "claim": claim, "domains": domains, "direction": direction,
                   "basis": basis,
                   "perspective": perspective, "about": about,
                   "figures": [x.strip() for x in figures.split(";") if x.strip()]})
elif kind in ("enabler", "barrier"):
    a, b, c = st.columns(3)
    fields = {"label": a.text_input("Short label in your words", key="wb_fac_label"),
              "category": choose(b, "Category", vocab("factor-category"), key="wb_fac_cat", optional=True),
              "theme": choose(c, "Theme", vocab("factor-theme"), key="wb_fac_theme", optional=True)}
elif kind == "definition":
    scheme_id = opt.id
    a, b = st.columns(2)
    concept = choose(a, "Concept", vocab(scheme_id) + [("", "(a new concept)")], key=f"wb_def_concept_{scheme_id}")
    fields = {"concept": concept}
    if not concept:
        fields = {"concept": b.text_input("New concept id", key="wb_def_new_id"),
                  "label": b.text_input("New concept label", key="wb_def_new_label")}

for name, spec in view.extra_fields(kind).items():
    value = st.selectbox(spec.label, [""] + list(spec.choices), key=f"wb_x_{kind}_{name}")
    if value:
        fields[name] = value

target = view.make_target(opt, new_id, new_label, case_kind)
check = st.button("Check", type="primary", icon=":material/fact_check:", key="wb_check")
if check:
    with st.spinner("Validating with the checks of `ickg validate` (models, references, quote, SHACL) ..."):
        st.session_state["wb_draft"] = view.make_draft(project, corpus, source, int(start), int(end), quote, kind,
                                                       target, fields, section, cites)

result = st.session_state.get("wb_draft")
if result is not None:
    if result.message:
        st.error(result.message)
    elif result.draft is not None:
        d = result.draft
        if d.errors:
            st.error(f"Not valid: {len(d.errors)} problem(s). Nothing can be saved until they are fixed.")
            st.text("\n".join(str(p) for p in d.errors))
        else:
            st.success(f"Valid: {md(str(d.path.name))} passes the checks of `ickg validate`"
                       + (" (SHACL included)." if d.shacl_checked else "."))
        if d.new_text:
            st.code(d.diff or "(no change)", language="diff")
            st.download_button("Download the changed file", d.new_text.encode("utf-8"), file_name=d.path.name,
                               mime="text/yaml", key="wb_download", on_click="ignore", icon=":material/download:")
        if d.ok and wb.read_only():
            st.info("This app is read-only (setting `read_only`): download the changed file and commit it "
                    "to the curated data yourself.")
        elif d.ok and st.button("Save", icon=":material/save:", key="wb_save"):
            try:
                path = wb.save(d)
            except wb.WorkbenchError as exc:
                st.error(str(exc))
            else:
                st.session_state["wb_saved"] = str(path)
                st.session_state.pop("wb_draft", None)
                view.forget(project)
                reload_explorer()
                st.rerun()

if st.session_state.get("wb_saved"):
    st.success(f"Saved {md(st.session_state['wb_saved'])}. The app's graph is rebuilt from the files on the next "
               "page load; run `ickg validate` before you commit.")
    link("reader", "Back to the passage in the reader",
         {"source": source, "start": str(int(start)), "end": str(int(end))}, icon=":material/menu_book:")
