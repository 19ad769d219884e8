"""Designer-test fixtures: designs drawn from the sources' own examples, and an assistant on the shipped graph.

Loaded from ``tests/conftest.py`` (``pytest_plugins``); the designs are imported by the
``tests/test_designer_*.py`` files, one per module of :mod:`kg.designer`.
"""

import pytest

from kg.designer import Assistant, Design
from kg.service import Explorer
from kg.store import EmbeddedStore

FRAIL = Design(title="Frail older people at home", population=["frail-older-people"], need="severe-unstable",
               processes=["financial", "clinical", "organisational"], domains=["hospital-use", "costs", "long-term-care-use"],
               level="meso", form="real", intensity="full-integration",
               notes={"goals": "Keep frail older people out of hospital", "partners": "GPs, council"})
MILD = Design(title="Stable long-term conditions", population=["chronic-conditions"], need="mild-to-moderate",
              processes=["informational"], domains=["patient-experience"])


@pytest.fixture(scope="module")
def assistant(shipped):
    """An assistant on the shipped graph."""
    store = EmbeddedStore(shipped.built.ntriples.encode(), shipped.built.release_id, workers=1)
    yield Assistant(Explorer(store, shipped.built.release_id))
    store.close()
