"""The build cache: reused while the inputs are unchanged, rebuilt after any edit, never stale or invalid.

And where the folders come from: the project around the current directory, else an explicit
setting, with a message naming the setting when neither is there.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from kg import cache, settings
from kg.cli import cli
from kg.errors import IckgError


@pytest.fixture
def over(fixture_dirs, tmp_path):
    evidence, sources = fixture_dirs
    return {"evidence_dir": str(evidence), "sources_dir": str(sources), "dist_dir": str(tmp_path / "dist")}


def test_second_read_comes_from_the_cache(over, tmp_path):
    """A second read of unchanged inputs is served from dist/cache, byte for byte."""
    first = cache.validated_graph(over)
    second = cache.validated_graph(over)
    assert (first.origin, second.origin) == ("build", "cache")
    assert second.ntriples == first.ntriples and second.release_id == first.release_id
    assert (tmp_path / "dist" / "cache" / f"{first.key}.nt").is_file()


def test_an_edited_evidence_file_is_rebuilt(over, fixture_dirs):
    """Changing one word of a curated file gives a rebuild with the new content, not the cached graph."""
    evidence, _ = fixture_dirs
    before = cache.validated_graph(over)
    path = evidence / "case-studies" / "riverside.yaml"
    path.write_text(path.read_text().replace("label: Riverside Care Trust", "label: Riverside Trust"))
    after = cache.validated_graph(over)
    assert after.origin == "build"
    assert after.key != before.key and after.release_id != before.release_id
    assert b'"Riverside Trust"' in after.ntriples and b'"Riverside Care Trust"' not in after.ntriples


def test_invalid_data_is_never_served_from_the_cache(over, fixture_dirs):
    """After an edit that breaks the data, the last good graph is not served: the problems are raised."""
    evidence, _ = fixture_dirs
    cache.validated_graph(over)
    path = evidence / "case-studies" / "riverside.yaml"
    path.write_text(path.read_text().replace("direction: ", "direction: sideways-", 1))
    with pytest.raises(cache.InvalidData) as err:
        cache.validated_graph(over)
    assert any("riverside.yaml" in str(p) for p in err.value.problems)


def test_changed_source_texts_change_the_key(over, fixture_dirs):
    """The source texts' state is an input: touching one gives a new key."""
    _, sources = fixture_dirs
    first = cache.validated_graph(over)
    text = sources / "fixture-page.txt"
    text.write_text(text.read_text() + "\n")
    assert cache.validated_graph(over).key != first.key


def test_a_damaged_entry_is_rebuilt(over):
    """A cache entry whose bytes do not match its checksum is ignored and rewritten."""
    first = cache.validated_graph(over)
    nt = cache.cache_dir(over) / f"{first.key}.nt"
    nt.write_bytes(nt.read_bytes()[:-200])
    again = cache.validated_graph(over)
    assert again.origin == "build" and again.ntriples == first.ntriples


def test_stats_twice_gives_the_same_counts(over):
    """`ickg stats` answers the same from a fresh build and from the cache."""
    args = [x for k, v in over.items() for x in ("-s", f"{k}={v}")]
    runs = [CliRunner().invoke(cli, [*args, "stats", "--json"], catch_exceptions=False) for _ in range(2)]
    assert [r.exit_code for r in runs] == [0, 0]
    assert runs[0].output == runs[1].output


def test_answers_are_kept_per_build(over, fixture_dirs):
    """A second explorer reads a named query's answer from disk; after an edit it asks the engine again."""
    from kg.service import open_explorer

    evidence, _ = fixture_dirs
    ex = open_explorer(over, workers=1)
    try:
        labels = ex.rows("case-studies")
        assert list(ex.answers.glob("*.json"))
    finally:
        ex.close()
    ex = open_explorer(over, workers=1)
    try:
        ex.store.query = None  # the engine must not be asked
        assert ex.rows("case-studies") == labels
    finally:
        ex.store.query = type(ex.store).query.__get__(ex.store)
        ex.close()
    path = evidence / "case-studies" / "riverside.yaml"
    path.write_text(path.read_text().replace("label: Riverside Care Trust", "label: Riverside Trust"))
    ex = open_explorer(over, workers=1)
    try:
        assert "Riverside Trust" in {r["label"] for r in ex.rows("case-studies")}
    finally:
        ex.close()


def test_the_project_is_found_from_a_subfolder(tmp_path):
    """Inside a project (evidence/ + ontology/ickg.ttl), any subfolder finds it."""
    (tmp_path / "evidence").mkdir()
    (tmp_path / "ontology").mkdir()
    (tmp_path / "ontology" / "ickg.ttl").write_text("")
    deep = tmp_path / "evidence" / "case-studies"
    deep.mkdir()
    assert settings.find_project(deep) == tmp_path
    assert settings.resolve_path("evidence_dir", deep) == tmp_path / "evidence"
    assert settings.resolve_path("dist_dir", deep) == tmp_path / "dist"


def test_no_project_names_the_setting(tmp_path, monkeypatch):
    """Outside any project (and no editable checkout), a folder setting says what to set."""
    monkeypatch.setattr(settings, "checkout_project", lambda: None)
    assert settings.find_project(tmp_path) is None
    with pytest.raises(IckgError, match=r"set evidence_dir \(--setting evidence_dir=DIR or ICKG_EVIDENCE=DIR\)"):
        settings.resolve_path("evidence_dir", tmp_path)
