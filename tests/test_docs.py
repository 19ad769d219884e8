"""The documentation tells the truth: settings, commands, exit codes, the two commands first."""

import re
from pathlib import Path

from click.testing import CliRunner

from kg import settings
from kg.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands():
    """The first two code blocks set up and run the app, then set up and run the tests."""
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    assert "streamlit run app.py" in blocks[0] and "pip install" in blocks[0]
    assert "pytest" in blocks[1] and "pip install" in blocks[1]
    assert README.index("<!-- run-command -->") < README.index("<!-- test-command -->") < README.index("## ")


def test_ci_runs_the_readme_test_command():
    """.ci/run extracts and runs the README's test command and makes skips fail."""
    ci = (ROOT / ".ci" / "run").read_text()
    assert "<!-- test-command -->" in ci and "README.md" in ci
    assert "ICKG_REQUIRE_SOURCES=1" in ci


def test_every_setting_is_documented():
    """Each setting and its environment variable appear in the README's settings table."""
    for s in settings.SETTINGS:
        assert f"| `{s.name}` | `{s.env}` |" in README, s.name


def test_every_command_is_documented():
    """Each `ickg` command appears in the README's command table."""
    for name in cli.commands:
        assert f"`ickg {name}" in README, name


def test_exit_codes_are_documented():
    """The README states the three exit codes."""
    assert "**Exit codes:** `0` success; `1` invalid data" in README
    assert "`2` usage or runtime error" in README


def test_settings_command_lists_every_setting():
    """`ickg settings --json` shows every setting with its environment variable."""
    import json

    r = CliRunner().invoke(cli, ["settings", "--json"])
    names = {row["name"] for row in json.loads(r.output)}
    assert names == {s.name for s in settings.SETTINGS}
