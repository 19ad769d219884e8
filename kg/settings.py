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
    Setting("query_memory_limit_mb", "2048", "ICKG_QUERY_MEMORY_LIMIT_MB",
            "Memory one query may use, in MB, on top of the graph its worker process has loaded (an "
            "address-space limit; 0: none); a query over it stops with a memory-limit error."),
    Setting("short_query_ms", "1000", "ICKG_SHORT_QUERY_MS",
            "How long a query may run in the short lane before it moves to the long lane, in ms."),
    Setting("max_client_queries", "4", "ICKG_MAX_CLIENT_QUERIES",
            "HTTP: queries one client address may have in progress at once; more get 429."),
    Setting("base_url", "", "ICKG_BASE_URL",
            "HTTP: the public URL of `ickg serve` (e.g. https://kg.example.org); links use it, never "
            "the Host header. Empty: the address the server listens on."),
    Setting("yaml_max_bytes", "2000000", "ICKG_YAML_MAX_BYTES",
            "Largest evidence file accepted, in bytes."),
    Setting("yaml_max_nodes", "200000", "ICKG_YAML_MAX_NODES",
            "Most YAML nodes one evidence file may hold once aliases are expanded."),
    Setting("read_only", "false", "ICKG_READ_ONLY",
            "true: the app never writes the curated files (the curation workbench drafts, checks and "
            "offers downloads, but does not save); set it for a public deployment."),
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


_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off", "")


def get_bool(name: str, overrides: dict[str, str] | None = None) -> bool:
    """Return a yes/no setting; a value that is neither counts as yes (the safe side for read_only)."""
    return get(name, overrides).strip().lower() not in _FALSE


# --------------------------------------------------------------------------- validation

#: Integer settings: (smallest allowed value, largest allowed value).
_INT_RANGES = {"query_time_limit_ms": (1, 3_600_000), "max_rows": (1, 10_000_000),
               "query_memory_limit_mb": (0, 1_048_576), "short_query_ms": (1, 3_600_000),
               "max_client_queries": (1, 10_000), "yaml_max_bytes": (1, 1_000_000_000),
               "yaml_max_nodes": (1, 1_000_000_000)}
_URL_SETTINGS = ("sparql_endpoint", "base_url")
_BOOL_SETTINGS = ("read_only",)


def problems(overrides: dict[str, str] | None = None) -> list[str]:
    """What is wrong with the settings in force (overrides, environment, defaults); empty when valid."""
    out = []
    for s in SETTINGS:
        value = get(s.name, overrides)
        where = "--setting" if overrides and s.name in overrides else (s.env if s.env in os.environ else "default")
        if s.name in _INT_RANGES:
            low, high = _INT_RANGES[s.name]
            try:
                n = int(value.strip())
            except ValueError:
                out.append(f"setting {s.name} ({where}): {value!r} is not a whole number")
                continue
            if not low <= n <= high:
                out.append(f"setting {s.name} ({where}): {n} is outside {low}..{high:,}")
        elif s.name in _BOOL_SETTINGS:
            if value.strip().lower() not in _TRUE + _FALSE:
                out.append(f"setting {s.name} ({where}): {value!r} is not true or false")
        elif s.name in _URL_SETTINGS and value:
            from urllib.parse import urlsplit

            try:
                parts = urlsplit(value)
                parts.port  # noqa: B018 - raises on a bad port
            except ValueError as exc:
                out.append(f"setting {s.name} ({where}): not a URL ({exc})")
                continue
            if parts.scheme not in ("http", "https") or not parts.hostname:
                out.append(f"setting {s.name} ({where}): {mask(value)!r} is not an http(s) URL")
            elif s.name == "base_url" and (parts.query or parts.fragment or parts.username):
                out.append(f"setting {s.name} ({where}): give scheme, host, port and path only")
    return out


# ------------------------------------------------------------------------------ masking

_SECRET_WORDS = ("pass", "secret", "token", "key", "credential", "auth", "sig")


def mask(value: str) -> str:
    """A value safe to print: user and password in a URL, and its query string, hidden."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return "(hidden: not a well-formed URL)" if "@" in value or "?" in value else value
    if not parts.scheme or not parts.netloc:
        return value
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{port}" if port else "")  # user and password dropped
    query = parts.query
    if query:
        pairs = []
        for item in query.split("&"):
            key, sep, val = item.partition("=")
            hidden = any(w in key.lower() for w in _SECRET_WORDS) or key.lower() not in _SAFE_PARAMS
            pairs.append(f"{key}{sep}{'***' if hidden and val else val}")
        query = "&".join(pairs)
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


_SAFE_PARAMS = ("default-graph-uri", "named-graph-uri", "format", "output", "timeout")


def shown(name: str, value: str) -> str:
    """A setting's value as it may be printed or served: secrets and local paths withheld."""
    if any(w in name.lower() for w in _SECRET_WORDS):
        return "(hidden)" if value else ""
    return mask(value)


def public(name: str, value: str) -> str:
    """A setting's value as a public endpoint may show it: also no local folder paths."""
    if name.endswith("_dir"):
        return Path(value).name if value else ""
    return shown(name, value)
