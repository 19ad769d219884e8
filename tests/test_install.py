"""A wheel installed in a fresh virtual environment works from a folder that is not the project.

The wheel is built as a user would build it (``pip wheel .``, with build isolation: ``setup.py``
builds and validates the graph it ships) and installed into a new virtual environment with
``--no-deps``. The libraries it depends on come from the environment running the tests, made
visible to the new one by a ``.pth`` file, so the test needs no network and no second copy of
Streamlit; the ``kg`` it imports is the installed wheel's (asserted), never this checkout.
Then, from an empty temporary folder: ``ickg stats``, ``ickg query``, ``ickg serve`` answering
a real request on a loopback port, and the app under AppTest.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import sysconfig
import time
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(python of the fresh environment, an unrelated empty folder, environment variables)."""
    tmp = tmp_path_factory.mktemp("wheel")
    wheels = tmp / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
                           capture_output=True, text=True, timeout=1200)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    wheel = next(wheels.glob("ickg-*.whl"))
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = Path(subprocess.check_output([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                           text=True).strip())
    # the dependencies: this environment's site-packages, after the new environment's own
    (purelib / "zz-test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    inst = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
                           str(wheel)], capture_output=True, text=True, timeout=600)
    if inst.returncode != 0 and "no such option: --python" in inst.stderr:
        inst = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(purelib),
                               str(wheel)], capture_output=True, text=True, timeout=600)
    assert inst.returncode == 0, inst.stderr[-3000:]
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ICKG_") and k != "PYTHONPATH"}
    env.update(HOME=str(tmp / "home"), XDG_CACHE_HOME=str(tmp / "cache"))
    return python, elsewhere, env


def ickg(installed, *args, timeout=300):
    python, cwd, env = installed
    return subprocess.run([str(python), "-m", "kg", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_the_installed_package_is_not_the_checkout(installed):
    """`kg` resolves to the wheel's copy in the new environment, which ships graph, ontology and app."""
    python, cwd, env = installed
    out = subprocess.check_output([str(python), "-c", "import kg, sys; print(kg.__file__); print(sys.prefix)"],
                                  cwd=cwd, env=env, text=True).split("\n")
    kg_file = Path(out[0])
    assert ROOT not in kg_file.parents and Path(out[1]) in kg_file.parents
    data = kg_file.parent / "data"
    for name in ("ickg.nt.gz", "release.json", "ontology/ickg.ttl", "ontology/shapes.ttl",
                 "app/app.py", "app/app_pages/common.py", "app/app_pages/sparql_editor.py"):
        assert (data / name).is_file(), name
    # the SPARQL editor component's files (YASQE and the page around it): nothing is fetched at run time
    for name in ("index.html", "editor.js", "editor.css", "yasqe.min.js", "yasqe.min.css"):
        assert (kg_file.parent / "static" / "sparql-editor" / name).is_file(), name


def test_stats_from_an_unrelated_folder(installed, shipped):
    """`ickg stats` outside any project reads the packaged graph: the same release as the checkout's build."""
    r = ickg(installed, "stats", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["release"] == shipped.built.release_id
    assert data["triples"] == shipped.built.ntriples.count("\n")
    assert data["classes"]["CaseStudy"] > 0


def test_query_from_an_unrelated_folder(installed):
    """A gallery query with a parameter answers from the packaged graph."""
    r = ickg(installed, "query", "what-sources-say-about-a-case", "-p", "case=case:pace", "--format", "csv")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) > 2 and "PACE" in r.stdout


def test_evidence_commands_say_what_is_missing(installed):
    """A command that needs the curated files says where it looked and what to set."""
    r = ickg(installed, "check")
    assert r.returncode == 2
    assert "no project found" in r.stderr and "ICKG_EVIDENCE" in r.stderr


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_on_loopback(installed):
    """`ickg serve` from the unrelated folder answers a SPARQL request over HTTP."""
    import httpx

    python, cwd, env = installed
    port = _port()
    proc = subprocess.Popen([str(python), "-m", "kg", "serve", "--port", str(port), "--workers", "1"], cwd=cwd,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        resp = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                resp = httpx.get(f"http://127.0.0.1:{port}/sparql", timeout=10, params={
                    "query": "SELECT (COUNT(*) AS ?n) WHERE { ?c a ic:CaseStudy }"},
                    headers={"Accept": "application/sparql-results+json"})
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        assert resp is not None, proc.stdout.read() if proc.poll() is not None else "no answer in 120 s"
        assert resp.status_code == 200
        n = int(resp.json()["results"]["bindings"][0]["n"]["value"])
        assert n >= 18  # the HRB review's 18 numbered case studies, at least
    finally:
        proc.terminate()
        proc.wait(30)


APP_SCRIPT = """
import sys
from pathlib import Path
import kg.settings
app = kg.settings.packaged_dir() / "app"
sys.path.insert(0, str(app))
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(str(app / "app_pages" / "overview.py"), default_timeout=240).run()
assert not at.exception, at.exception
print("TITLE", at.title[0].value)
print("CAPTIONS", " | ".join(c.value for c in at.caption))
"""


def test_app_runs_from_the_packaged_copy(installed, shipped):
    """The shipped app's overview page renders on the packaged graph, release shown, no exception."""
    python, cwd, env = installed
    r = subprocess.run([str(python), "-c", APP_SCRIPT], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    assert "TITLE " in r.stdout
    assert shipped.built.release_id in r.stdout.replace("\\", "")  # captions escape Markdown
