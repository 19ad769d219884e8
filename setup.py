"""Packaging step: the wheel ships the validated graph, the ontology and the app.

``pyproject.toml`` holds the metadata; this file only adds one step to ``build_py``. When a
wheel is built (``pip install .``, ``pip wheel .``, ``python -m build``), the graph is built from
``evidence/`` and ``ontology/`` through the same pipeline as ``ickg build`` (load, build, SHACL)
and written into the package as ``kg/data/ickg.nt.gz`` with ``kg/data/release.json``; the
ontology Turtle files go to ``kg/data/ontology/``; ``app.py`` and ``app_pages/`` go to
``kg/data/app/`` (``ickg app`` runs them). Invalid data stops the build: no wheel ships a graph
with errors. An editable install (``pip install -e .``) reads the checkout instead and ships
nothing.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class build_with_graph(build_py):
    """``build_py`` plus the packaged graph, ontology and app."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        self.package_data_into(Path(self.build_lib) / "kg" / "data")

    def package_data_into(self, data: Path) -> None:
        sys.path.insert(0, str(HERE))
        try:
            from kg import pipeline
        finally:
            sys.path.remove(str(HERE))
        outcome = pipeline.run({"evidence_dir": str(HERE / "evidence"), "ontology_dir": str(HERE / "ontology")})
        if not outcome.ok:
            lines = "\n".join(map(str, (outcome.errors or outcome.problems)[:20]))
            raise SystemExit(f"the curated data has errors; no wheel was built (run `ickg validate`):\n{lines}")
        data.mkdir(parents=True, exist_ok=True)
        nt = outcome.built.ntriples.encode("utf-8")
        # mtime=0: the same graph gives the same bytes
        (data / "ickg.nt.gz").write_bytes(gzip.compress(nt, compresslevel=9, mtime=0))
        (data / "release.json").write_text(json.dumps(
            {"release_id": outcome.built.release_id, "content_hash": outcome.built.content_hash,
             "triples": nt.count(b"\n")}, indent=1) + "\n", encoding="utf-8")
        shutil.copytree(HERE / "ontology", data / "ontology", dirs_exist_ok=True)
        app = data / "app"
        app.mkdir(exist_ok=True)
        shutil.copy2(HERE / "app.py", app / "app.py")
        shutil.copytree(HERE / "app_pages", app / "app_pages", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        triples = nt.count(b"\n")
        print(f"packaged graph: release {outcome.built.release_id}, {triples:,} triples")


setup(cmdclass={"build_py": build_with_graph})
