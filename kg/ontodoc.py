"""Ontology documentation: ``ontology.html`` from the Turtle with pyLODE, ``schemes.html`` written here.

pyLODE documents one OWL ontology per page. Its vocabulary profile (VocPub) documents one SKOS
vocabulary per page and ran all 39 scheme titles together as one heading with no concepts
(issue 13), so the concept schemes get a page of their own making: a section per scheme, in
label order, with every concept (notation, preferred and alternative labels, definition,
broader concepts) and an anchor per scheme and concept. pyLODE's and rdflib's INFO and DEBUG
logging is kept off the console. The data (case studies, statements) is browsed in the app.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from html import escape
from pathlib import Path

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS


@contextmanager
def _quiet():
    """Keep library INFO/DEBUG logging (pyLODE logs every step) off the console while writing."""
    root = logging.getLogger()
    old = root.level, [(h, h.level) for h in root.handlers]
    root.setLevel(logging.WARNING)
    for h, _ in old[1]:
        h.setLevel(max(h.level, logging.WARNING))
    try:
        yield
    finally:
        root.setLevel(old[0])
        for h, level in old[1]:
            h.setLevel(level)


def write(graph: Graph, ontology_dir: Path, output: Path) -> list[Path]:
    """Write ``ontology.html`` (OWL terms) and ``schemes.html`` (SKOS schemes) into ``output``."""
    output.mkdir(parents=True, exist_ok=True)
    paths = []
    with _quiet():
        from pylode import OntPub

        ont = Graph().parse(ontology_dir / "ickg.ttl", format="turtle")
        page = output / "ontology.html"
        OntPub(ontology=ont).make_html(destination=str(page), include_css=True)
    paths.append(page)
    page = output / "schemes.html"
    page.write_text(schemes_html(graph), encoding="utf-8")
    paths.append(page)
    return paths


def _text(g: Graph, node, prop) -> str:
    values = sorted(str(v) for v in g.objects(node, prop) if getattr(v, "language", None) in (None, "en"))
    return values[0] if values else ""


def _anchor(iri: str) -> str:
    return escape(iri.rstrip("/").rsplit("/", 2)[-2] + "-" + iri.rstrip("/").rsplit("/", 1)[-1], quote=True)


def schemes_html(graph: Graph) -> str:
    """Every concept scheme with every concept, as one HTML page (all values escaped)."""
    schemes = sorted(set(graph.subjects(RDF.type, SKOS.ConceptScheme)),
                     key=lambda s: (_text(graph, s, SKOS.prefLabel) or str(s)).lower())
    out = ["<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Concept schemes</title>",
           "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
           "dt{font-weight:600;margin-top:.8em}dd{margin-left:1.5em}code{font-size:85%;color:#555}"
           "nav li{display:inline;margin-right:1em}h2{border-bottom:1px solid #ccc;margin-top:2em}</style></head>"
           "<body><h1>Concept schemes</h1>",
           f"<p>{len(schemes)} schemes of the integrated-care knowledge graph, each with its concepts.</p><nav><ul>"]
    out += [f"<li><a href='#{_anchor(str(s))}'>{escape(_text(graph, s, SKOS.prefLabel) or str(s))}</a></li>"
            for s in schemes]
    out.append("</ul></nav>")
    for scheme in schemes:
        concepts = sorted(set(graph.subjects(SKOS.inScheme, scheme)),
                          key=lambda c: (_notation_key(_text(graph, c, SKOS.notation)),
                                         _text(graph, c, SKOS.prefLabel).lower()))
        title = _text(graph, scheme, SKOS.prefLabel) or str(scheme)
        out.append(f"<section id='{_anchor(str(scheme))}'><h2>{escape(title)}</h2>"
                   f"<p><code>{escape(str(scheme))}</code> · {len(concepts)} concept"
                   f"{'s' if len(concepts) != 1 else ''}</p>")
        definition = _text(graph, scheme, SKOS.definition)
        if definition:
            out.append(f"<p>{escape(definition)}</p>")
        out.append("<dl>")
        for c in concepts:
            label = _text(graph, c, SKOS.prefLabel) or str(c)
            notation = _text(graph, c, SKOS.notation)
            out.append(f"<dt id='{_anchor(str(c))}'>{escape(notation + ' ' if notation else '')}{escape(label)} "
                       f"<code>{escape(str(c))}</code></dt>")
            alts = sorted(str(a) for a in graph.objects(c, SKOS.altLabel))
            if alts:
                out.append(f"<dd>Also: {escape('; '.join(alts))}</dd>")
            for prop, name in ((SKOS.definition, "Definition"), (SKOS.scopeNote, "Scope note")):
                text = _text(graph, c, prop)
                if text:
                    out.append(f"<dd>{name}: {escape(text)}</dd>")
            broader = sorted(b for b in graph.objects(c, SKOS.broader) if isinstance(b, URIRef))
            if broader:
                out.append("<dd>Broader: " + ", ".join(
                    f"<a href='#{_anchor(str(b))}'>{escape(_text(graph, b, SKOS.prefLabel) or str(b))}</a>"
                    for b in broader) + "</dd>")
        out.append("</dl>")
        out += _collections_html(graph, scheme)
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out)


def _collections_html(graph: Graph, scheme: URIRef) -> list[str]:
    """A scheme's collections (found by type, never by label), each a heading with its members listed."""
    cols = [c for c in graph.subjects(DCTERMS.isPartOf, scheme) if (c, RDF.type, SKOS.Collection) in graph]
    if not cols:
        return []
    out = [f"<h3>Collections ({len(cols)})</h3>"]
    for col in sorted(cols, key=lambda c: _text(graph, c, SKOS.prefLabel).lower()):
        label = _text(graph, col, SKOS.prefLabel) or str(col)
        out.append(f"<h4 id='{_anchor(str(col))}'>{escape(label)} <code>{escape(str(col))}</code></h4>")
        note = _text(graph, col, SKOS.scopeNote)
        if note:
            out.append(f"<p>Scope note: {escape(note)}</p>")
        members = sorted(graph.objects(col, SKOS.member),
                         key=lambda m: (_notation_key(_text(graph, m, SKOS.notation)),
                                        _text(graph, m, SKOS.prefLabel).lower()))
        out.append("<ul>" + "".join(
            f"<li><a href='#{_anchor(str(m))}'>{escape(_text(graph, m, SKOS.prefLabel) or str(m))}</a>"
            + (" (collection)" if (m, RDF.type, SKOS.Collection) in graph else "") + "</li>"
            for m in members) + "</ul>")
    return out


def _notation_key(n: str) -> tuple:
    return (0 if n else 1, int(n) if n.isdigit() else 0, n)
