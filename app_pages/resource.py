"""A page for any IRI of the graph (``?iri=case:pace`` or a full IRI): label, types, properties, links, quotes."""

from urllib.parse import quote

import streamlit as st

from app_pages.common import code, failed, frame, link, md, quote_block, release_footer, url_text
from kg.errors import IckgError
from kg.views import resource

ex = frame()


def value_md(v: resource.Value) -> str:
    if v.iri:
        return f"[{md(v.text)}](resource?iri={quote(resource.link_params(v.iri)['iri'], safe=':/#')})"
    return md(v.text) + (f" ({code(v.note)})" if v.note else "")


if ex is not None:
    ref = url_text("IRI or prefixed name", "iri", placeholder="e.g. case:pace, domain:hospital-use, ic:CaseStudy")
    if not ref.strip():
        st.title("Resources")
        st.info("Every IRI of the graph has a page here: give an IRI or a prefixed name above, or follow a "
                "link from any table.")
    else:
        try:
            r = resource.resource(ex, ref)
        except IckgError as exc:
            failed(exc, "the resource")
            r = None
        if r is None:
            st.warning("That is not an IRI or a prefixed name with a known prefix.")
        elif not r.known:
            st.title(md(ref))
            st.warning("The graph holds nothing about this IRI.")
        else:
            st.title(md(r.label), anchor=False)
            st.code(r.iri, language="text")
            if r.types:
                st.markdown("**Types:** " + ", ".join(value_md(t) for t in r.types))
            page = resource.app_page(r.iri)
            if page:
                link(page[0], "Open its page in the explorer", page[1], icon=":material/open_in_new:")
            if r.truncated:
                st.warning("This resource has more triples than the row limit; the lists below are cut.")
            st.header("Properties", anchor="properties")
            for _, plabel, values in r.properties:
                st.markdown(f"**{md(plabel)}**: " + " · ".join(value_md(v) for v in values[:50])
                            + (f" … ({len(values)} in all)" if len(values) > 50 else ""))
            st.header(f"Linked from ({sum(len(v) for _, _, v in r.incoming)})", anchor="incoming")
            if not r.incoming:
                st.caption("Nothing in the graph links to it.")
            for _, plabel, subjects in r.incoming:
                st.markdown(f"**{md(plabel)}** of: " + " · ".join(value_md(v) for v in subjects[:50])
                            + (f" … ({len(subjects)} in all)" if len(subjects) > 50 else ""))
            st.header(f"Quotes ({len(r.quotes)})", anchor="quotes")
            if not r.quotes:
                st.caption("No quote supports this resource directly.")
            quote_block(r.quotes)
    release_footer(ex)
