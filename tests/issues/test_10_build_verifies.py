"""Issue 10, finding 12: `ickg build` published what `ickg validate` rejects: an altered quote or
an ASCII-for-Unicode dash swap gave validate exit 1 but build exit 0 and a rewritten dist/.
Now build verifies every quote whenever the source texts are available and writes nothing
when one fails.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from issue10 import ROOT, cli_args, ickg


@pytest.fixture
def copy(fx_settings, tmp_path):
    evidence = tmp_path / "evidence"
    shutil.copytree(fx_settings["evidence_dir"], evidence)
    sources = tmp_path / "sources"
    shutil.copytree(fx_settings["sources_dir"], sources)
    return {"evidence_dir": str(evidence), "sources_dir": str(sources), "dist_dir": str(tmp_path / "dist")}


def _quotes_in(evidence: Path) -> int:
    """Every quoted item in the fixture's files, counted from the YAML itself."""
    import yaml

    def count(node) -> int:
        if isinstance(node, dict):
            return ("quote" in node) + sum(count(v) for v in node.values())
        if isinstance(node, list):
            return sum(count(v) for v in node)
        return 0

    return sum(count(yaml.safe_load(p.read_text(encoding="utf-8"))) for p in sorted(evidence.rglob("*.yaml")))


def test_clean_build_verifies_and_writes(copy, tmp_path):
    r = ickg(*cli_args(copy), "build")
    assert r.returncode == 0, r.stderr[-800:]
    n = _quotes_in(Path(copy["evidence_dir"]))
    assert n >= 20
    assert f"{n}/{n} quotes verified word for word in 2 sources" in r.stderr
    assert (tmp_path / "dist").is_dir()


def test_altered_quote_stops_the_build(copy, tmp_path):
    p = tmp_path / "evidence" / "case-studies" / "riverside.yaml"
    p.write_text(p.read_text().replace("quote: There are no data available", "quote: There are no figures available"))
    assert ickg(*cli_args(copy), "validate").returncode == 1
    r = ickg(*cli_args(copy), "build")
    assert r.returncode == 1
    assert "a quote is not verbatim in its source: nothing was written" in r.stderr
    assert not (tmp_path / "dist").exists()


@pytest.mark.sources
def test_dash_swap_stops_the_build(tmp_path):
    """On the shipped evidence: one en dash in one quote typed as a hyphen stops the build."""
    from kg import settings

    evidence = tmp_path / "evidence"
    shutil.copytree(ROOT / "evidence", evidence)
    p = evidence / "case-studies" / "ccnc.yaml"
    lines = p.read_text(encoding="utf-8").splitlines(keepends=True)
    i = next(i for i, line in enumerate(lines) if "quote:" in line and "\u2013" in line)
    lines[i] = lines[i].replace("\u2013", "-", 1)
    p.write_text("".join(lines), encoding="utf-8")
    opts = {"evidence_dir": str(evidence), "sources_dir": str(settings.get_path("sources_dir")),
            "dist_dir": str(tmp_path / "dist")}
    r = ickg(*cli_args(opts), "build", timeout=900)
    assert r.returncode == 1, r.stderr[-800:]
    assert f"case-studies/ccnc.yaml:{i + 1}" in r.stderr and "nothing was written" in r.stderr
    assert not (tmp_path / "dist").exists()


def test_without_sources_build_says_so(copy, tmp_path):
    r = ickg(*cli_args({**copy, "sources_dir": str(tmp_path / "none")}), "build")
    assert r.returncode == 0
    assert "quotes not verified: the sources folder was not found" in r.stderr
