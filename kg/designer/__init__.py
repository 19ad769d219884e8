"""The integration design assistant: Shaw et al.'s five questions, answered with evidence.

A :class:`Design` holds a service designer's answers (goals, context, type, breadth,
intensity) as concept ids plus free-text notes. :class:`Assistant` reads the graph through
named queries only and answers:

* the intensity the users' level of need suggests (Nolte and McKee's mapping onto Leutz's
  levels), with warnings when the chosen intensity differs in either direction (Leutz's first
  law: integrate only as much as the need requires);
* case studies ranked by fit, with the reasons they match and where they differ;
* the evidence for each chosen process by outcome domain and direction, with gaps named;
* enablers and barriers from matching case studies and the general lists, by category;
* mechanisms that matching case studies used under each chosen process;
* a design brief (Markdown, HTML and PDF) in the shape of a policy brief, in which every line
  cites its quote, and an RDF form of the design that reloads.

The package, by seam (each module takes the explorer first and reads named queries only):

* :mod:`~kg.designer.model`: the design and the answer types (plain data, the permalink);
* :mod:`~kg.designer.vocab`: the schemes the designer answers from, Shaw's questions;
* :mod:`~kg.designer.recommend`: the intensity the need suggests, and the warnings;
* :mod:`~kg.designer.matching`: case studies ranked by fit (:data:`WEIGHTS`);
* :mod:`~kg.designer.evidence`: evidence, gaps, factors and mechanisms for a design;
* :mod:`~kg.designer.brief`: the brief in Markdown and HTML;
* :mod:`~kg.designer.rdf`: the design as RDF, and back;
* :mod:`~kg.designer.assistant`: :class:`Assistant`, one object over all of them.

The ranking is a transparent weighted overlap (table :data:`WEIGHTS`) over the answers each
case is classified on, deterministic, with ties broken by the strength of the case's evidence. It is not a model of effectiveness: a case that
matches well is a case worth reading, not a promise. What this module does not do: render
anything (the page does), or hold SPARQL (the named queries do).
"""

from kg.designer.assistant import Assistant, side_by_side
from kg.designer.brief import PER_CELL
from kg.designer.matching import WEIGHTS
from kg.designer.model import NOTES, SECTORS, Cited, Design, Evidence, Match, Recommendation, design_dict
from kg.designer.rdf import DESIGN, design_from_rdf, design_to_rdf

__all__ = ["DESIGN", "NOTES", "PER_CELL", "SECTORS", "WEIGHTS", "Assistant", "Cited", "Design", "Evidence", "Match",
           "Recommendation", "design_dict", "side_by_side", "design_from_rdf", "design_to_rdf"]
