"""Each SHACL shape accepts its valid example and rejects its invalid ones, by its own id."""

from pathlib import Path

import pytest
from rdflib import Graph

from kg.validate import load_shapes, shacl_validate

HERE = Path(__file__).resolve().parent / "data" / "shapes"
ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
FILES = sorted(HERE.glob("S*.ttl"))


def test_examples_exist_for_every_shape():
    """Every shape with an id has a valid and an invalid example (the list is not empty)."""
    shapes = load_shapes(ONTOLOGY)
    ids = {str(s).rsplit("#", 1)[-1].split("-")[0] for s in shapes.subjects()
           if "#S" in str(s)}
    assert ids, "no shapes found"
    for sid in ids:
        assert any(f.name.startswith(sid + "-") and "-valid" in f.name for f in FILES), sid
        assert any(f.name.startswith(sid + "-") and "-invalid" in f.name for f in FILES), sid


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_example(path):
    """Valid examples have no result; invalid ones break exactly the shape their name gives."""
    shapes = load_shapes(ONTOLOGY)
    data = Graph().parse(path, format="turtle")
    violations = shacl_validate(data, shapes)
    shape = path.stem.split("-valid")[0].split("-invalid")[0]
    if "-invalid" in path.stem:
        assert violations, f"{path.name} should not conform"
        assert {v.shape_id for v in violations} == {shape}, [str(v) for v in violations]
    else:
        assert violations == [], [str(v) for v in violations]


def test_shapes_graph_is_valid_shacl():
    """The shapes file itself passes pySHACL's meta-SHACL check."""
    from pyshacl import validate

    shapes = load_shapes(ONTOLOGY)
    conforms, _, text = validate(data_graph=Graph(), shacl_graph=shapes, meta_shacl=True, inference="none")
    assert conforms, text


def test_shipped_graph_conforms(shipped):
    """The graph built from the shipped evidence has no SHACL violation."""
    assert [v for v in shipped.violations if v.severity == "Violation"] == []
