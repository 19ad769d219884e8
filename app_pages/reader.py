"""Source reader: a source text with every curated fact over the words it quotes; coverage and worklist.

Opens at a place with ``?source=<id>&start=<n>&end=<n>`` (or ``?quote=<quote IRI>``), the
permalink ``kg.views.reader.read_in_context`` builds for any quote.
"""

import pandas as pd
import streamlit as st

from app_pages.common import frame, link, md, release_footer, set_params
from kg.coverage import percent
from kg.errors import IckgError
from kg.views import reader

ex = frame()


def _missing(srcs: list[reader.ReaderSource]) -> None:
    folder = reader.sources_dir()
    st.warning(f"The source texts are not in {md(str(folder))}.")
    st.markdown("The texts are not shipped with the graph. Put these files in that folder, or point the "
                "`ICKG_SOURCES` environment variable (the `sources_dir` setting) at the folder that holds "
                "them, and reload the page:")
    st.text("\n".join(s.file for s in srcs) or "(no sources in the graph)")
    st.caption("The rest of the app does not need them.")


def _place(doc, src, hls, loc) -> None:
    """The facts at the selected place, with links to their pages."""
    here = reader.at(hls, loc.start, loc.end)
    with st.container(border=True):
        st.markdown(f"**Selected passage** · characters {loc.start}–{loc.end} · line {doc.line_of(loc.start)}")
        st.markdown("> " + md(doc.raw[loc.start:loc.end]))
        if not here:
            st.caption("No fact quotes this passage yet.")
        for i, h in enumerate(here[:8]):
            for j, f in enumerate(h.facts):
                a, b = st.columns([4, 2], vertical_alignment="center")
                a.markdown(f"**{md(f.kind_label)}**" + (f" ({md(f.direction)})" if f.direction else "")
                           + f": {md(f.label)}")
                if f.detail:
                    a.caption(md(f.detail))
                if f.page:
                    link(f.page, "Open its page", dict(f.params), icon=":material/open_in_new:", container=b)
            if h.start != loc.start or h.end != loc.end:
                link("reader", "Go to this quote", {"source": src.id, "start": str(h.start), "end": str(h.end)},
                     icon=":material/my_location:")
        link("workbench", "Curate this passage in the workbench",
             {"source": src.id, "start": str(loc.start), "end": str(loc.end)}, icon=":material/edit_note:")


def _read(doc, src, hls, loc) -> None:
    sections = [s for s in doc.sections if doc.section_sentences(s) or s.index == 0]
    current = reader.section_for(doc, loc, hls)
    want = st.query_params.get("section")
    if want and want.isdigit() and (loc is None or loc.start is None):
        current = next((s for s in sections if s.index == int(want)), current)
    names = {s.index: ("  " * max(0, s.level - 2)) + (s.title if s.index else "(beginning)") for s in sections}
    idx = [s.index for s in sections]
    chosen = st.selectbox("Section", idx, index=idx.index(current.index) if current.index in idx else 0,
                          format_func=lambda i: names[i], key=f"section_{src.id}_{current.index}")
    if chosen != current.index:
        set_params(section=chosen, start=None, end=None, quote=None)
        st.rerun()
    section = doc.sections[chosen]
    if loc is not None and loc.start is not None:
        _place(doc, src, hls, loc)
    st.html(reader.legend_html())
    selected = (loc.start, loc.end) if loc is not None and loc.start is not None else None
    st.html(reader.section_html(doc, section, hls, src.id, selected))
    sentences = doc.section_sentences(section)
    if sentences:
        with st.expander("Select a passage to curate", icon=":material/edit_note:"):
            labels = {i: f"{i + 1}. {s.text(doc.raw)[:90]}" for i, s in enumerate(sentences)}
            a, b = st.columns(2)
            first = a.selectbox("From sentence", list(labels), format_func=labels.get, key="sel_from")
            last = b.selectbox("To sentence", list(labels), index=first, format_func=labels.get, key="sel_to")
            lo, hi = sentences[min(first, last)], sentences[max(first, last)]
            st.caption(md(doc.raw[lo.start:hi.end][:400]))
            link("workbench", "Curate the selected sentences", {"source": src.id, "start": str(lo.start), "end": str(hi.end)},
                 icon=":material/edit_note:")


def _coverage(cov) -> None:
    st.markdown(f"**{cov.quoted} of {cov.sentences} sentences** of this text are quoted by some fact "
                f"({percent(cov.share)}), by {cov.quotes} quotes. A sentence counts as quoted when quotes span "
                "at least half of it.")
    rows = [{"Section": s.section.locator or s.section.title, "Sentences": s.sentences, "Quoted": s.quoted,
             "Share": s.share, "Offset": s.section.start} for s in cov.sections if s.sentences]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                 column_config={"Share": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1),
                                "Offset": st.column_config.NumberColumn(help="Character offset of the heading")})


def _worklist(cov, src) -> None:
    st.markdown(f"**{len(cov.worklist)} unquoted sentences** hold a figure, an outcome word or the name of a "
                "curated case study. They are places to read, not findings: decide what each says.")
    for i, w in enumerate(cov.worklist[:50]):
        with st.container(border=True):
            st.markdown(md(w.text))
            st.caption(md(w.section.locator or w.section.title) + " · " + md("; ".join(w.reasons)))
            a, b = st.columns(2)
            link("reader", "Read in context", {"source": src.id, "start": str(w.start), "end": str(w.end)},
                 icon=":material/menu_book:", container=a)
            link("workbench", "Curate", {"source": src.id, "start": str(w.start), "end": str(w.end)},
                 icon=":material/edit_note:", container=b)
    if len(cov.worklist) > 50:
        st.caption(f"Showing 50 of {len(cov.worklist)}; `ickg coverage {src.id} --worklist 1000` lists them all.")


def show() -> None:
    st.title("Source reader")
    srcs = reader.reader_sources(ex)
    loc = reader.location_from_params(st.query_params)
    if not any(s.available for s in srcs):
        _missing(srcs)
        return
    ids = [s.id for s in srcs]
    by_id = {s.id: s for s in srcs}
    first = loc.source if loc is not None and loc.source in by_id else next(s.id for s in srcs if s.available)
    sid = st.selectbox("Source", ids, index=ids.index(first), format_func=lambda i: by_id[i].title,
                       key=f"source_{first}")
    if sid != first:
        set_params(source=sid, start=None, end=None, quote=None, section=None)
        st.rerun()
    if loc is not None and loc.source != sid:
        loc = None
    src = by_id[sid]
    if loc is not None and loc.source and "source" not in st.query_params:
        set_params(source=loc.source, start=loc.start, end=loc.end, quote=None)
    doc = reader.document(src) if src.available else None
    if doc is None:
        st.warning(f"The text of this source ({md(src.file)}) is not in {md(str(reader.sources_dir()))}; "
                   "put it there or set ICKG_SOURCES.")
        return
    if loc is not None and loc.end is not None and loc.end > len(doc.raw):
        st.warning("The place in the link is beyond the end of this text; showing its beginning.")
        loc = None
    hls, misplaced = reader.placed(doc, reader.highlights(ex, src.id))
    if misplaced:
        st.warning(f"{len(misplaced)} quotes of the graph are not at their stored offsets in this copy of "
                   f"{md(src.file)}: the text differs from the one the graph was built from, and they are not "
                   "shown. Run `ickg validate` to see which.")
    cov = reader.coverage(ex, src, doc, hls)
    st.caption(f"{len(hls)} quoted passages · {cov.quoted}/{cov.sentences} sentences quoted "
               f"({percent(cov.share)}) · {len(cov.worklist)} on the worklist · {md(src.file)}")
    t_read, t_cov, t_work = st.tabs(["Read", "Coverage by section", f"Worklist ({len(cov.worklist)})"])
    with t_read:
        _read(doc, src, hls, loc)
    with t_cov:
        _coverage(cov)
    with t_work:
        _worklist(cov, src)


if ex is not None:
    try:
        show()
    except IckgError as exc:
        st.error("Could not load the source reader.")
        st.text(str(exc))
    release_footer(ex)
