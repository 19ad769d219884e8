"""Issue 10, finding 10: leaks. Credentials inside URLs were printed by ``ickg settings`` and the
``serve`` start-up line; ``/settings.json`` showed absolute paths; the Host header was reflected
into ``/`` and the gallery's ``schema:target``; a source's ``file:`` could be an absolute path
(the quote checker read /etc/passwd); a GET with invalid percent-encoded UTF-8 was run as U+FFFD.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
from issue10 import ROOT, cli_args, ickg

from kg import settings
from kg.checks import check_quotes, source_path
from kg.http import ServerThread, create_app
from kg.records import load_evidence

SECRET_URL = "https://reader:s3cret@example.org:8890/sparql?apikey=abc123&default-graph-uri=urn:g"


def test_mask_hides_credentials_and_keys():
    shown = settings.mask(SECRET_URL)
    assert "s3cret" not in shown and "abc123" not in shown and "reader" not in shown
    assert shown.startswith("https://example.org:8890/sparql?apikey=***")
    assert "default-graph-uri=urn:g" in shown


def test_ickg_settings_masks():
    r = ickg("-s", f"sparql_endpoint={SECRET_URL}", "settings")
    out = r.stdout + r.stderr
    assert "s3cret" not in out and "abc123" not in out and "example.org:8890" in out
    r = ickg("-s", f"sparql_endpoint={SECRET_URL}", "settings", "--json")
    assert "s3cret" not in r.stdout and "abc123" not in r.stdout


def test_serve_start_up_line_masks(sentinel):
    url = f"http://user:s3cret@127.0.0.1:{sentinel.port}/sparql?apikey=abc123"
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--port", "0", "--endpoint", url], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(lines) < 3:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
    finally:
        proc.terminate()
        proc.wait(20)
    text = "".join(lines)
    assert "SPARQL endpoint" in text, text
    assert "s3cret" not in text and "abc123" not in text and f"127.0.0.1:{sentinel.port}/sparql" in text


def test_settings_json_shows_no_absolute_paths(fx_store, fx_settings):
    server = ServerThread(create_app(fx_store, fx_settings))
    try:
        body = httpx.get(server.url + "/settings.json", timeout=30).text
    finally:
        server.stop()
    for value in fx_settings.values():
        assert value not in body
    assert "/work/" not in body and str(ROOT) not in body


def test_host_header_is_not_reflected(fx_store):
    server = ServerThread(create_app(fx_store, {"base_url": "https://kg.example.org/ickg"}))
    try:
        headers = {"Host": "evil.example"}
        index = httpx.get(server.url + "/", headers=headers, timeout=30).json()
        gallery = httpx.get(server.url + "/gallery.ttl", headers=headers, timeout=30).text
        described = httpx.get(server.url + "/sparql", headers=headers, timeout=30).text
    finally:
        server.stop()
    assert index["sparql"] == "https://kg.example.org/ickg/sparql"
    assert "evil.example" not in gallery and "https://kg.example.org/ickg/sparql" in gallery
    assert "evil.example" not in described


def test_without_base_url_links_use_the_listening_address(fx_store):
    server = ServerThread(create_app(fx_store, {}))
    try:
        index = httpx.get(server.url + "/", headers={"Host": "evil.example"}, timeout=30).json()
    finally:
        server.stop()
    assert index["sparql"] == server.url + "/sparql"


def test_source_file_must_be_inside_the_sources_folder(fx_dirs, tmp_path):
    evidence, sources = fx_dirs
    assert source_path(sources, "/etc/passwd") is None
    assert source_path(sources, "../../etc/passwd") is None
    assert source_path(sources, "fixture-report.txt") == (sources / "fixture-report.txt").resolve()
    (sources / "escape.txt").symlink_to("/etc/passwd")
    try:
        assert source_path(sources, "escape.txt") is None
    finally:
        (sources / "escape.txt").unlink()


def test_quote_check_refuses_an_absolute_source_file(fx_settings, tmp_path):
    import shutil

    evidence = tmp_path / "evidence"
    shutil.copytree(fx_settings["evidence_dir"], evidence)
    p = evidence / "sources" / "fixture-page.yaml"
    p.write_text(p.read_text().replace("file: fixture-page.txt", "file: /etc/passwd"))
    corpus, _ = load_evidence(evidence)
    report = check_quotes(corpus, Path(fx_settings["sources_dir"]))
    assert any("not inside the sources folder" in p.message for p in report.problems)
    r = ickg(*cli_args({**fx_settings, "evidence_dir": str(evidence)}), "validate")
    assert r.returncode == 1 and "not inside the sources folder" in r.stdout + r.stderr
    assert "root:" not in r.stdout + r.stderr


def test_invalid_utf8_in_a_get_query_is_400(served):
    r = httpx.get(served.url + "/sparql?query=ASK%20%7B%3Fs%20%3Fp%20%22%FF%22%7D", timeout=30)
    assert r.status_code == 400 and "UTF-8" in r.json()["error"]
    ok = httpx.get(served.url + "/sparql?query=ASK%20%7B%3Fs%20%3Fp%20%22%C3%A9%22%7D", timeout=30)
    assert ok.status_code == 200
