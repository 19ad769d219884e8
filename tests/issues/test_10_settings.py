"""Issue 10, finding 9: bad settings crashed: ``-s query_time_limit_ms=abc`` and ``serve --workers
-1`` gave tracebacks with exit 1; ``max_rows=-5`` was accepted. Now settings are validated and a
bad one exits 2 with a message naming it.
"""

from __future__ import annotations

import pytest
from issue10 import ickg


@pytest.mark.parametrize("setting, needle", [
    ("query_time_limit_ms=abc", "query_time_limit_ms (--setting): 'abc' is not a whole number"),
    ("max_rows=-5", "max_rows (--setting): -5 is outside 1..10,000,000"),
    ("query_memory_limit_mb=lots", "query_memory_limit_mb"),
    ("sparql_endpoint=ftp://example.org/x", "sparql_endpoint (--setting): 'ftp://example.org/x' is not an http(s) URL"),
    ("base_url=http://example.org/?x=1", "base_url"),
])
def test_bad_setting_exits_2(setting, needle):
    r = ickg("-s", setting, "stats")
    assert r.returncode == 2, r.stderr
    assert needle in r.stderr and "Traceback" not in r.stderr


def test_bad_environment_value_exits_2():
    r = ickg("queries", env={"ICKG_MAX_ROWS": "many"})
    assert r.returncode == 2 and "max_rows (ICKG_MAX_ROWS): 'many' is not a whole number" in r.stderr


def test_settings_command_shows_and_flags():
    r = ickg("-s", "max_rows=0", "settings")
    assert r.returncode == 2 and "max_rows" in r.stdout and "outside" in r.stderr


@pytest.mark.parametrize("workers", ["-1", "0", "many"])
def test_serve_workers_is_checked(workers):
    r = ickg("serve", "--workers", workers, "--port", "0")
    assert r.returncode == 2 and "--workers" in r.stderr and "Traceback" not in r.stderr
