"""Issue 10, finding 11: data files. A 552-byte alias bomb made `ickg validate` run 66 s to 5.9 GB
and end in a MemoryError traceback; a 50 MB evidence file was accepted; bad YAML on line 9 was
reported as line 12 followed by cascaded errors; the non-UTF-8 message named no line; symlinks
leaving the evidence tree were followed silently.
"""

from __future__ import annotations

import shutil
import time

import pytest
from issue10 import cli_args, ickg

BOMB = "".join(f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join([f"*{chr(96 + i)}"] * 9 if i else ['"x"'] * 9) + "]\n"
               for i in range(9))


@pytest.fixture
def evidence(fx_settings, tmp_path):
    copy = tmp_path / "evidence"
    shutil.copytree(fx_settings["evidence_dir"], copy)
    return copy


def check(fx_settings, evidence, *extra):
    return ickg(*cli_args({**fx_settings, "evidence_dir": str(evidence)}), *extra, "check")


def test_alias_bomb_is_refused_quickly(fx_settings, evidence):
    assert len(BOMB.encode()) < 600
    (evidence / "mechanisms" / "bomb.yaml").write_text(BOMB)
    t0 = time.monotonic()
    r = check(fx_settings, evidence)
    assert time.monotonic() - t0 < 60
    assert r.returncode == 1, r.stderr[-500:]
    assert "bomb.yaml:1 (yaml): not valid YAML: more than 200,000 YAML nodes once aliases are expanded" in r.stderr
    assert "Traceback" not in r.stderr and "MemoryError" not in r.stderr


def test_large_file_is_refused_unread(fx_settings, evidence):
    (evidence / "mechanisms" / "huge.yaml").write_text("id: huge\nlabel: " + "x" * 3_000_000 + "\n")
    r = check(fx_settings, evidence)
    assert r.returncode == 1
    assert "huge.yaml (file): the file is 3,000,017 bytes, over the limit of 2,000,000 (setting yaml_max_bytes)" \
        in r.stderr


def test_size_limit_is_a_setting(fx_settings, evidence):
    r = check(fx_settings, evidence, "-s", "yaml_max_bytes=100")
    assert r.returncode == 1 and "setting yaml_max_bytes" in r.stderr


def test_bad_yaml_names_its_line_without_cascades(fx_settings, evidence):
    p = evidence / "sources" / "fixture-page.yaml"
    lines = p.read_text().splitlines()
    lines[2] = "title: [An overview page"  # line 3: a bracket never closed
    p.write_text("\n".join(lines) + "\n")
    r = check(fx_settings, evidence)
    errors = [line for line in r.stderr.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1, errors
    assert "fixture-page.yaml:3 (yaml): not valid YAML" in errors[0]


def test_non_utf8_names_line_and_column(fx_settings, evidence):
    p = evidence / "sources" / "fixture-page.yaml"
    data = p.read_bytes().split(b"\n")
    data[3] = data[3] + b" caf\xe9"
    p.write_bytes(b"\n".join(data))
    r = check(fx_settings, evidence)
    assert r.returncode == 1
    assert "fixture-page.yaml:4 (file): not UTF-8: byte 0xe9 at column" in r.stderr


def test_symlink_out_of_the_tree_is_refused(fx_settings, evidence, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text((evidence / "mechanisms" / "capitation.yaml").read_text().replace("capitation", "outside"))
    (evidence / "mechanisms" / "outside.yaml").symlink_to(outside)
    r = check(fx_settings, evidence)
    assert r.returncode == 1
    assert "outside.yaml (file): a symbolic link that leads out of the evidence folder; refused" in r.stderr


def test_symlink_inside_the_tree_is_fine(fx_settings, evidence):
    (evidence / "mechanisms" / "README.md").symlink_to(evidence / "mechanisms" / "capitation.yaml")
    r = check(fx_settings, evidence)
    assert "symbolic link" not in r.stderr
