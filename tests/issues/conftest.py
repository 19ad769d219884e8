"""Fixtures for the regression tests of issue 10: a listening sentinel, a store, a served endpoint."""

from __future__ import annotations

import pytest
from issue10 import Sentinel, Served


@pytest.fixture(scope="module")
def sentinel():
    s = Sentinel()
    yield s
    s.close()


@pytest.fixture(scope="module")
def fx_dirs(tmp_path_factory):
    """The fixture evidence and sources, written once per module."""
    from kg.fixtures import write_fixture

    return write_fixture(tmp_path_factory.mktemp("issue10"))


@pytest.fixture(scope="module")
def fx_settings(fx_dirs, tmp_path_factory):
    evidence, sources = fx_dirs
    dist = tmp_path_factory.mktemp("dist")
    return {"evidence_dir": str(evidence), "sources_dir": str(sources), "dist_dir": str(dist)}


@pytest.fixture(scope="module")
def fx_store(fx_settings):
    """An embedded store over the fixture graph: 2 workers, 3 s time limit."""
    from kg import pipeline
    from kg.store import EmbeddedStore

    outcome = pipeline.run(fx_settings, shacl=False)
    store = EmbeddedStore(outcome.built.ntriples.encode(), outcome.built.release_id, workers=2,
                          time_limit_ms=3000, max_rows=10_000)
    store.warm()
    yield store
    store.close()


@pytest.fixture(scope="module")
def served(fx_settings):
    s = Served({**fx_settings, "query_time_limit_ms": "3000"}, "--workers", "2")
    yield s
    s.stop()

