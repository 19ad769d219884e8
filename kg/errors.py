"""One problem type for curated data, one for runtime failures.

A :class:`Problem` names the file, the line and the field (a path such as
``findings[3].quote``), says what is wrong and, where it helps, how to fix it. Loaders never
stop at the first problem: they collect them all so a curator sees every one in one run.
Severity is part of the problem, set where the rule is declared, not by the printer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the curated data."""

    path: str
    line: int | None
    field: str
    message: str
    severity: Severity = "error"
    hint: str = ""

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        text = f"{self.severity.upper()} {where} {self.field}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


@dataclass
class DataError(Exception):
    """Raised when the curated data has errors; carries every problem found."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        errors = [p for p in self.problems if p.severity == "error"]
        return f"{len(errors)} error(s) in the curated data:\n" + "\n".join(map(str, self.problems))


class IckgError(Exception):
    """A usage or runtime failure with a message meant for the user (exit code 2)."""


def relpath(path: Path | str) -> str:
    """Show a path relative to the working directory where possible."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
