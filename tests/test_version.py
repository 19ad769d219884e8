"""One version number: the package, its metadata and the ontology it publishes agree."""
from __future__ import annotations

import tomllib
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL

import kg

ROOT = Path(__file__).resolve().parent.parent


def test_package_and_ontology_versions_agree():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    g = Graph().parse(ROOT / "ontology" / "ickg.ttl")
    infos = {str(o) for o in g.objects(URIRef("https://w3id.org/ickg/ontology"), OWL.versionInfo)}
    assert meta["project"]["version"] == kg.__version__
    assert infos == {kg.__version__}, f"ontology says {infos}, package says {kg.__version__}"
