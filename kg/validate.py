"""SHACL validation: graphs in, typed violations out, each mapped back to the file and line.

pySHACL is called with graphs only (never paths or URLs, so it reads nothing by itself) and
without inference, which keeps a build of the whole graph within a second or two. Results
are turned into :class:`ShapeViolation` records; the build's ``origins`` map gives each focus
node the YAML file and line it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate as _pyshacl_validate
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SH

from kg.errors import Problem


@dataclass(frozen=True)
class ShapeViolation:
    """One SHACL result."""

    shape_id: str
    focus: str
    path: str
    message: str
    severity: str
    source_file: str
    line: int | None

    def as_problem(self) -> Problem:
        """The violation as a curated-data problem (``LEVEL file:line field: message``)."""
        return Problem(self.source_file or self.focus, self.line, self.path or "(node)",
                       f"{self.message} [{self.shape_id}] on <{self.focus}>",
                       "error" if self.severity == "Violation" else "warning")


def load_shapes(ontology_dir: Path) -> Graph:
    """Parse ``ontology/shapes.ttl``."""
    return Graph().parse(ontology_dir / "shapes.ttl", format="turtle")


def _shape_id(results: Graph, result: URIRef) -> str:
    shape = results.value(result, SH.sourceShape)
    # property shapes are blank nodes: name the node shape that holds them
    if shape is not None and not isinstance(shape, URIRef):
        parent = results.value(None, SH.property, shape)
        shape = parent if parent is not None else shape
    text = str(shape) if shape is not None else "?"
    return text.rsplit("#", 1)[-1]


def shacl_validate(data: Graph, shapes: Graph,
                   origins: dict[URIRef, tuple[str, int | None]] | None = None) -> list[ShapeViolation]:
    """Validate a data graph; return every result (violations and warnings)."""
    _conforms, results, _text = _pyshacl_validate(
        data_graph=data, shacl_graph=shapes, inference="none", advanced=False,
        allow_warnings=True, abort_on_first=False)
    origins = origins or {}
    out = []
    lookup = results + shapes  # property shapes live in the shapes graph

    # top-level results only; sh:detail results of nested sh:node checks repeat them
    for result in results.objects(None, SH.result):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        severity = results.value(result, SH.resultSeverity)
        shape_id = _shape_id(lookup, result)
        file, line = origins.get(focus, ("", None))
        out.append(ShapeViolation(shape_id, str(focus), _short(path), str(message or ""),
                                  str(severity).rsplit("#", 1)[-1], file, line))
    return sorted(out, key=lambda v: (v.source_file, v.line or 0, v.shape_id, v.focus))


def _short(path: object) -> str:
    if path is None:
        return ""
    text = str(path)
    for sep in ("#", "/"):
        if sep in text:
            return text.rsplit(sep, 1)[-1]
    return text
