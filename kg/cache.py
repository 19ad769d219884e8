"""The validated graph for read-only commands: the build cache, or the graph the package ships.

Read-only consumers (``ickg stats``, ``query``, ``case``, ``design``, ``serve``, the app) call
:func:`validated_graph`. Which graph they get:

* **in a project** (the current folder or one above it holds ``evidence/`` and
  ``ontology/ickg.ttl``; else the checkout of an editable install), or with ``evidence_dir``
  set: the project's own data. The last
  validated build is reused when its inputs are unchanged and rebuilt otherwise. The inputs are
  hashed by content: every file under ``evidence/`` and ``ontology/``, the names, sizes and
  modification times of the source texts, and the code of the ``kg`` package with its version.
  A build is cached only when it has no errors and passes SHACL, so a stale or invalid graph
  is never served: any edit changes the key, and the next command rebuilds.
* **outside a project**: the graph the package ships (``kg/data/ickg.nt.gz``, built and
  validated when the wheel was made, see ``setup.py``).

The cache lives in the project's ``dist/cache/`` (``dist/`` is ignored by git), or in the user's
cache folder (``$XDG_CACHE_HOME/ickg``, default ``~/.cache/ickg``) when ``evidence_dir`` is set
outside a project. Each entry is the sorted N-Triples and a small JSON of the release; the
newest few entries are kept.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from kg import __version__, settings
from kg.errors import IckgError, Problem

#: How many cache entries to keep (one per distinct input: branches, edits being undone).
KEEP = 4
#: The packaged graph and its release, inside the package (written by ``setup.py``).
PACKAGED_GRAPH = "ickg.nt.gz"
PACKAGED_META = "release.json"


class InvalidData(IckgError):
    """The curated data has errors: nothing was built, nothing is served."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(map(str, [p for p in problems if p.severity == "error"][:20]))
        super().__init__(f"the curated data has errors; run `ickg validate`:\n{lines}")


@dataclass
class ValidatedGraph:
    """A validated graph as sorted N-Triples, with its release and where it came from."""

    ntriples: bytes
    release_id: str
    origin: str  # "cache", "build" or "package"
    location: str = ""  # the evidence folder or the packaged file
    key: str = ""
    meta: dict = field(default_factory=dict)

    @property
    def triples(self) -> int:
        """Number of triples (one per line)."""
        return self.ntriples.count(b"\n")

    def memo(self, name: str, compute, overrides: dict[str, str] | None = None):
        """``compute(self)`` (JSON-able), kept beside the cache entry: a pure function of the graph.

        The entry's key covers the code, so a changed ``compute`` never reads an old answer.
        """
        if not self.key:
            return compute(self)
        path = cache_dir(overrides) / f"{self.key}.{name}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
        value = compute(self)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(value, f)
            os.replace(tmp, path)
        except OSError:
            pass
        return value


# --------------------------------------------------------------------------------- hashing

def _hash_tree(h, root: Path, label: str) -> None:
    h.update(f"\x00{label}\x00".encode())
    if not root.is_dir():
        h.update(b"(missing)")
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if "__pycache__" in rel or rel.endswith(".pyc") or (label == "code" and rel.startswith("data/")):
            continue
        h.update(rel.encode("utf-8") + b"\x00" + hashlib.sha256(path.read_bytes()).digest())


def _stat_tree(h, root: Path) -> None:
    h.update(b"\x00sources\x00")
    if not root.is_dir():
        h.update(b"(missing)")
        return
    for path in sorted(root.iterdir()):
        if path.is_file():
            st = path.stat()
            h.update(f"{path.name}\x00{st.st_size}\x00{st.st_mtime_ns}\n".encode("utf-8"))


def inputs_key(evidence: Path, ontology: Path, sources: Path | None) -> str:
    """SHA-256 over everything a build depends on: evidence, ontology, source texts' state, code."""
    h = hashlib.sha256(f"ickg {__version__}".encode())
    _hash_tree(h, evidence, "evidence")
    _hash_tree(h, ontology, "ontology")
    _stat_tree(h, sources) if sources is not None else h.update(b"\x00sources\x00(unset)")
    _hash_tree(h, settings.PACKAGE_DIR, "code")  # the package's code, queries included
    return h.hexdigest()


# --------------------------------------------------------------------------------- the cache

def cache_dir(overrides: dict[str, str] | None = None) -> Path:
    """The project's ``dist/cache``, else the user's cache folder."""
    if settings.is_explicit("dist_dir", overrides) or settings.current_project() is not None:
        return settings.get_path("dist_dir", overrides) / "cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ickg"


def _read(folder: Path, key: str) -> ValidatedGraph | None:
    meta_path, nt_path = folder / f"{key}.json", folder / f"{key}.nt"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        data = nt_path.read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("key") != key or hashlib.sha256(data).hexdigest() != meta.get("sha256"):
        return None  # half-written or tampered with: rebuild
    return ValidatedGraph(data, meta["release_id"], "cache", meta.get("evidence", ""), key, meta)


def _write(folder: Path, graph: ValidatedGraph) -> None:
    """Write an entry atomically (temporary file, then rename); drop the oldest beyond KEEP."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        meta = dict(graph.meta, key=graph.key, release_id=graph.release_id, evidence=graph.location,
                    sha256=hashlib.sha256(graph.ntriples).hexdigest(), triples=graph.triples)
        for suffix, data in ((".nt", graph.ntriples), (".json", json.dumps(meta, indent=1).encode("utf-8"))):
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, folder / f"{graph.key}{suffix}")
        entries = sorted((p for p in folder.glob("*.json") if p.name.count(".") == 1), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            stem = old.name.split(".")[0]
            for path in folder.glob(f"{stem}.*"):
                shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only folder only costs the next command a rebuild


def answers_dir(graph: ValidatedGraph, overrides: dict[str, str] | None = None) -> Path | None:
    """Where :class:`kg.service.Explorer` keeps answers of named queries on this graph (None: nowhere)."""
    return cache_dir(overrides) / f"{graph.key}.answers" if graph.key else None


# ------------------------------------------------------------------------------ the entry point

def uses_project_data(overrides: dict[str, str] | None = None) -> bool:
    """Whether the curated data of a project (or an explicit ``evidence_dir``) is in reach."""
    return settings.is_explicit("evidence_dir", overrides) or settings.current_project() is not None


def validated_graph(overrides: dict[str, str] | None = None, use_cache: bool = True) -> ValidatedGraph:
    """The validated graph the read-only commands serve (see the module's docstring).

    Raises:
        InvalidData: the project's data has errors (nothing is served).
        IckgError: no project and no packaged graph; the message says what to set.
    """
    if not uses_project_data(overrides):
        return packaged_graph()
    evidence = settings.get_path("evidence_dir", overrides)
    ontology = settings.get_path("ontology_dir", overrides)
    try:
        sources = settings.get_path("sources_dir", overrides)
    except IckgError:
        sources = None
    key = inputs_key(evidence, ontology, sources)
    folder = cache_dir(overrides)
    if use_cache:
        hit = _read(folder, key)
        if hit is not None:
            return hit
    from kg import pipeline

    outcome = pipeline.run(overrides)
    if not outcome.ok:
        raise InvalidData(outcome.problems + [v.as_problem() for v in outcome.violations])
    graph = ValidatedGraph(outcome.built.ntriples.encode("utf-8"), outcome.built.release_id, "build",
                           str(evidence), key, {"content_hash": outcome.built.content_hash})
    _write(folder, graph)
    return graph


def packaged_graph() -> ValidatedGraph:
    """The graph shipped in the package; IckgError naming what to do when there is none."""
    folder = settings.packaged_dir()
    path = folder / PACKAGED_GRAPH
    if not path.is_file():
        raise IckgError(f"no curated data: {Path.cwd()} is not inside a project (a folder holding evidence/ "
                        f"and ontology/ickg.ttl) and this installation ships no graph ({path} is missing); "
                        f"run inside the project or set evidence_dir (ICKG_EVIDENCE=DIR)")
    meta = json.loads((folder / PACKAGED_META).read_text(encoding="utf-8"))
    data = path.read_bytes()
    h = hashlib.sha256(b"packaged graph\x00" + data)
    _hash_tree(h, settings.PACKAGE_DIR, "code")  # answers kept for it are the code's too
    return ValidatedGraph(gzip.decompress(data), meta["release_id"], "package", str(path), h.hexdigest(), meta)
