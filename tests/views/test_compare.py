"""kg.views.compare: case studies side by side.

Expected values come from the curated YAML (read here independently of the graph), from the
source texts as quoted in the files, or from a second computation over the rdflib graph;
never from a previous run of the code under test.
"""

from __future__ import annotations

from kg.views import compare


def test_compare(ex):
    """Torbay and PACE side by side: both meso and real; one column per case; unknown ids skipped."""
    comp = compare.comparison(ex, ["torbay-care-trust", "pace", "no-such-case"])
    assert comp.columns == ["group", "aspect", "Torbay Care Trust", "PACE"]
    rows = {(g, a): cells for g, a, cells in comp.rows}
    assert rows[("Classification", "Level of aggregation")] == [["Meso level"], ["Meso level"]]
    assert rows[("Classification", "Country")] == [["England"], ["United States"]]
    assert "Pooled budget" in rows[("Mechanisms by process", "Financial")][0]
    table = comp.table()
    assert list(table[0]) == comp.columns
    cols, flat = compare.compare(ex, ["torbay-care-trust", "pace"])
    assert cols == comp.columns[:4] and flat == table
