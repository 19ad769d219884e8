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


def load(evidence: Path, overrides: dict[str, str] | None = None) -> tuple[Corpus, list[Problem]]:
    """Load the evidence after the :func:`preflight` checks, without cascaded errors.

    A file that does not parse is reported once, at its own line; the "unknown id" errors of
    the records that refer to it are left out, as they only repeat that problem.
    """
    early = preflight(evidence, overrides) if evidence.is_dir() else []
    if any(p.severity == "error" for p in early):
        return Corpus(), early  # nothing is parsed: no partial corpus
    corpus, problems = load_evidence(evidence)
    return corpus, early + without_cascades(problems)


def without_cascades(problems: list[Problem]) -> list[Problem]:
    """Problems less the reference errors that follow from a file that could not be read."""
    broken = {Path(p.path).stem for p in problems if p.severity == "error" and p.field in ("(yaml)", "(file)")}
    if not broken:
        return problems
    return [p for p in problems if p.field in ("(yaml)", "(file)") or "unknown" not in p.message
            or not any(f"'{stem}'" in p.message for stem in broken)]


def run(overrides: dict[str, str] | None = None, shacl: bool = True,
        evidence_dir: Path | None = None) -> Outcome:
    """Load, build and (optionally) SHACL-validate; never return a graph that has errors."""
    evidence = evidence_dir or settings.get_path("evidence_dir", overrides)
    ontology = settings.get_path("ontology_dir", overrides)
    corpus, problems = load(evidence, overrides)
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


def verify_quotes(outcome: Outcome, overrides: dict[str, str] | None = None):
    """Check every quote when the source texts are available; None when they are not.

    ``ickg build`` refuses to write anything when the report has an error.
    """
    from kg.checks import check_quotes

    sources = settings.get_path("sources_dir", overrides)
    if not sources.is_dir():
        return None
    return check_quotes(outcome.corpus, sources)


def preflight(evidence_dir: Path, overrides: dict[str, str] | None = None) -> list[Problem]:
    """Problems with the evidence files that must stop loading before any file is parsed.

    Symbolic links that lead out of the evidence folder, files over ``yaml_max_bytes``, and
    files that are not UTF-8 (with the line of the first bad byte).
    """
    from kg import yamlio

    return yamlio.scan_tree(evidence_dir, settings.get_int("yaml_max_bytes", overrides))
