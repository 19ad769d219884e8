"""Settings: one table, read by the CLI, the app and the HTTP endpoint, documented by a test.

Each setting has a name, a default, the environment variable that overrides it and a help
line. ``tests/test_docs.py`` asserts that every setting appears in the README's table, so the
documentation cannot drift from the code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: The project root (the folder holding ``evidence/`` and ``ontology/``).
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    """A configurable value with its default, environment variable and help text."""

    name: str
    default: str
    env: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("sources_dir", str(ROOT.parent / "shared" / "sources"), "ICKG_SOURCES",
            "Folder of the source texts that quotes are checked against (not shipped)."),
    Setting("evidence_dir", str(ROOT / "evidence"), "ICKG_EVIDENCE",
            "Folder of the curated YAML files."),
    Setting("ontology_dir", str(ROOT / "ontology"), "ICKG_ONTOLOGY",
            "Folder of the ontology Turtle files and SHACL shapes."),
    Setting("dist_dir", str(ROOT / "dist"), "ICKG_DIST",
            "Where `ickg build` writes the graph exports."),
    Setting("sparql_endpoint", "", "ICKG_SPARQL_ENDPOINT",
            "URL of a SPARQL 1.1 endpoint to query instead of the embedded store."),
    Setting("query_time_limit_ms", "10000", "ICKG_QUERY_TIME_LIMIT_MS",
            "Time limit for one SPARQL query, in milliseconds."),
    Setting("max_rows", "10000", "ICKG_MAX_ROWS",
            "Row limit for one SPARQL query; longer answers are truncated and flagged."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str, overrides: dict[str, str] | None = None) -> str:
    """Return a setting: an explicit override, else its environment variable, else the default."""
    setting = _BY_NAME[name]
    if overrides and name in overrides:
        return overrides[name]
    return os.environ.get(setting.env, setting.default)


def get_path(name: str, overrides: dict[str, str] | None = None) -> Path:
    """Return a path setting as a :class:`Path`."""
    return Path(get(name, overrides))


def get_int(name: str, overrides: dict[str, str] | None = None) -> int:
    """Return an integer setting."""
    return int(get(name, overrides))
