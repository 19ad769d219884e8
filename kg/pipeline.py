"""The pipeline in one call: load the evidence, check it, build the graph, validate its shapes.

Used by the CLI, the app and the tests so that every consumer sees the same graph. Nothing is
written and no graph is returned when any step finds an error: there is never a partial graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kg import settings
from kg.build import Built, build_graph
from kg.derive import derive
from kg.errors import Problem
from kg.records import Corpus, load_evidence
from kg.validate import ShapeViolation, load_shapes, shacl_validate


@dataclass
class Outcome:
    """What a pipeline run produced."""

    corpus: Corpus
    problems: list[Problem] = field(default_factory=list)
    built: Built | None = None
    violations: list[ShapeViolation] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Problems and SHACL violations of severity error."""
        shacl = [v.as_problem() for v in self.violations]
        return [p for p in self.problems + shacl if p.severity == "error"]

    @property
    def ok(self) -> bool:
        """True when a graph was built and nothing is in error."""
        return self.built is not None and not self.errors


def run(overrides: dict[str, str] | None = None, shacl: bool = True,
        evidence_dir: Path | None = None) -> Outcome:
    """Load, build and (optionally) SHACL-validate; never return a graph that has errors."""
    evidence = evidence_dir or settings.get_path("evidence_dir", overrides)
    ontology = settings.get_path("ontology_dir", overrides)
    corpus, problems = load_evidence(evidence)
    outcome = Outcome(corpus, problems)
    if any(p.severity == "error" for p in problems):
        return outcome
    built = derive(build_graph(corpus, ontology))  # + derived triples (kg/derive.py)
    if shacl:
        outcome.violations = shacl_validate(built.graph, load_shapes(ontology), built.origins)
        if any(v.severity == "Violation" for v in outcome.violations):
            return outcome
    outcome.built = built
    return outcome
