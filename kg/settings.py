"""Settings: one table, read by the CLI, the app and the HTTP endpoint, documented by a test.

Each setting has a name, a default, the environment variable that overrides it and a help
line. ``tests/test_docs.py`` asserts that every setting appears in the README's table, so the
documentation cannot drift from the code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kg.errors import IckgError

#: The package folder; shipped data (the packaged graph, the ontology) lives in ``kg/data``.
PACKAGE_DIR = Path(__file__).resolve().parent
#: Path settings resolved from the current project when not set explicitly.
PROJECT_PATHS = {"evidence_dir": "evidence", "ontology_dir": "ontology", "dist_dir": "dist"}


@dataclass(frozen=True)
class Setting:
    """A configurable value with its default, environment variable and help text."""

    name: str
    default: str
    env: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("sources_dir", "", "ICKG_SOURCES",
            "Folder of the source texts that quotes are checked against (not shipped); "
            "default: ../shared/sources beside the project."),
    Setting("evidence_dir", "", "ICKG_EVIDENCE",
            "Folder of the curated YAML files; default: evidence/ of the current project."),
    Setting("ontology_dir", "", "ICKG_ONTOLOGY",
            "Folder of the ontology Turtle files and SHACL shapes; default: ontology/ of the current "
            "project, else the copy shipped in the package."),
    Setting("dist_dir", "", "ICKG_DIST",
            "Where `ickg build` writes the graph exports (and the build cache); default: dist/ of the "
            "current project."),
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
    """Return a path setting as a :class:`Path`; an unset folder is resolved by :func:`resolve_path`."""
    value = get(name, overrides)
    return Path(value) if value else resolve_path(name)


# ---------------------------------------------------------------------- path resolution

class NoProject(IckgError):
    """No project was found and the setting was not given: the message says what to do."""


def is_explicit(name: str, overrides: dict[str, str] | None = None) -> bool:
    """Whether a setting was given (``--setting`` or its environment variable), not defaulted."""
    return bool(get(name, overrides))


def find_project(start: Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` (default: the current directory) that holds both
    ``evidence/`` and ``ontology/ickg.ttl``: the project a command runs in, or None."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "evidence").is_dir() and (folder / "ontology" / "ickg.ttl").is_file():
            return folder
    return None


def checkout_project() -> Path | None:
    """The checkout the package itself lives in (an editable install), if it is a project."""
    return find_project(PACKAGE_DIR.parent) if (PACKAGE_DIR.parent / "pyproject.toml").is_file() else None


def current_project(start: Path | None = None) -> Path | None:
    """The project commands work on: the one around the current directory, else the checkout
    of an editable install; None for an installed wheel used outside any project."""
    return find_project(start) or checkout_project()


def packaged_dir() -> Path:
    """Where the installed package keeps its shipped graph and ontology (``kg/data``)."""
    return PACKAGE_DIR / "data"


def resolve_path(name: str, start: Path | None = None) -> Path:
    """The default of a folder setting: from the current project, else what the package ships.

    ``evidence_dir``, ``ontology_dir`` and ``dist_dir`` are the project's ``evidence/``,
    ``ontology/`` and ``dist/``; ``sources_dir`` is ``../shared/sources`` beside the project.
    The project is the one around the current directory (so a copy of the checkout uses its own
    files), else the checkout of an editable install (:func:`current_project`). Outside both,
    the ontology is the copy the package ships.

    Raises:
        NoProject: when no project is found and nothing is shipped for this setting; the
            message names the setting and its environment variable.
    """
    project = current_project(start)
    if project is not None:
        if name == "sources_dir":
            return project.parent / "shared" / "sources"
        return project / PROJECT_PATHS[name]
    if name == "ontology_dir" and (packaged_dir() / "ontology" / "ickg.ttl").is_file():
        return packaged_dir() / "ontology"
    setting = _BY_NAME[name]
    raise NoProject(f"no project found: neither {(start or Path.cwd())} nor a folder above it holds evidence/ and "
                    f"ontology/ickg.ttl; run inside the project, or set {name} "
                    f"(--setting {name}=DIR or {setting.env}=DIR)")


def get_int(name: str, overrides: dict[str, str] | None = None) -> int:
    """Return an integer setting."""
    return int(get(name, overrides))
