"""The `ickg` command line: exit codes 0/1/2 and exact messages."""

import json

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg import __version__


def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def fx(fixture_dirs, tmp_path):
    evidence, sources = fixture_dirs
    return ["-s", f"evidence_dir={evidence}", "-s", f"sources_dir={sources}", "-s", f"dist_dir={tmp_path / 'dist'}"]


def test_validate_fixture_ok(fx):
    """`ickg validate` on clean data checks every quote and exits 0."""
    r = run(*fx, "validate")
    assert r.exit_code == 0, r.output
    assert "21/21 quotes verified word for word in 2 sources" in r.output
    assert r.output.strip().endswith("valid")


def test_validate_reports_a_changed_quote(fx, fixture_dirs):
    """A quote edited away from the source fails with file, line, field and where it diverges."""
    evidence, _ = fixture_dirs
    p = evidence / "case-studies" / "riverside.yaml"
    p.write_text(p.read_text().replace("quote: There are no data available", "quote: There are no figures available"))
    r = run(*fx, "validate")
    assert r.exit_code == 1
    assert "case-studies/riverside.yaml:" in r.output
    assert "findings[1].quote: not verbatim in fixture-report.txt: diverges after 13/" in r.output


def test_validate_fails_closed_without_sources(fx, tmp_path):
    """A missing sources folder is an error, not a skip."""
    r = run(*fx, "-s", f"sources_dir={tmp_path / 'none'}", "validate")
    assert r.exit_code == 1
    assert "sources folder not found" in r.output


def test_validate_detects_moved_offsets(fx, fixture_dirs):
    """A stored anchor that no longer points at the quote is reported."""
    evidence, _ = fixture_dirs
    p = evidence / "case-studies" / "riverside.yaml"
    text = p.read_text()
    import re

    text = re.sub(r"start: (\d+)", lambda m: f"start: {int(m.group(1)) + 1}", text, count=1)
    p.write_text(text)
    r = run(*fx, "validate")
    assert r.exit_code == 1
    assert "do not hold the quote" in r.output


def test_build_writes_exports(fx, tmp_path):
    """`ickg build` writes Turtle, N-Triples and JSON-LD and prints the release."""
    r = run(*fx, "build")
    assert r.exit_code == 0, r.output
    assert f"release {__version__}+" in r.output
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == ["ickg.jsonld", "ickg.nt", "ickg.ttl"]


def test_stats_counts_by_class(fx):
    """`ickg stats --json` counts case studies, statements and concepts."""
    r = run(*fx, "stats", "--json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data["classes"]["CaseStudy"] == 2
    assert data["classes"]["EvidenceStatement"] == 5
    levels = {x["label"]: x["n"] for x in data["by_concept"]["level"]}
    assert levels == {"Meso level": 1, "Macro level": 1}


def test_query_file_formats(fx, tmp_path):
    """`ickg query FILE.rq` prints a table, CSV or JSON."""
    q = tmp_path / "q.rq"
    q.write_text("PREFIX ic: <https://w3id.org/ickg/ontology#>\n"
                 "SELECT ?case WHERE { ?case a ic:CaseStudy } ORDER BY ?case")
    r = run(*fx, "query", str(q), "--format", "csv")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == ["case", "https://w3id.org/ickg/case/hostile-valley",
                                     "https://w3id.org/ickg/case/riverside"]
    r = run(*fx, "query", str(q), "--format", "json")
    data = json.loads(r.stdout)
    assert data["head"]["vars"] == ["case"] and data["ickg"]["truncated"] is False
    assert data["ickg"]["release"].startswith(f"{__version__}+")
    r = run(*fx, "query", str(q))
    assert r.stdout.splitlines()[0].strip() == "case"


def test_query_refuses_updates(fx, tmp_path):
    """An update is refused with exit code 2 and a clear message."""
    q = tmp_path / "u.rq"
    q.write_text("DELETE WHERE { ?s ?p ?o }")
    r = run(*fx, "query", str(q))
    assert r.exit_code == 2
    assert "only read-only queries are allowed" in r.output


def test_query_syntax_error_names_line_and_column(fx, tmp_path):
    """A malformed query gets the parser's message with line and column."""
    q = tmp_path / "bad.rq"
    q.write_text("SELECT ?s\nWHERE { ?s ?p }")
    r = run(*fx, "query", str(q))
    assert r.exit_code == 2
    assert "malformed query: line 2, column" in r.output


@pytest.mark.parametrize("fmt,needle", [("ttl", "@prefix ic: <https://w3id.org/ickg/ontology#>"),
                                        ("nt", "<https://w3id.org/ickg/case/riverside>"),
                                        ("jsonld", '"@context"'), ("graphml", "<graphml")])
def test_export_formats(fx, fmt, needle):
    """`ickg export --format` writes each format with the release in it."""
    r = run(*fx, "export", "--format", fmt)
    assert r.exit_code == 0
    assert needle in r.stdout
    assert f"{__version__}+" in r.stdout


def test_usage_errors_exit_2(fx):
    """Unknown settings, missing files and bad parameters are usage errors (exit 2)."""
    assert run("-s", "nope=1", "stats").exit_code == 2
    r = run(*fx, "query", "no-such-file.rq")
    assert r.exit_code == 2 and "no query file or gallery query named 'no-such-file.rq'" in r.output


def test_docs_generates_html(fx, tmp_path):
    """`ickg docs` writes the ontology and scheme pages."""
    out = tmp_path / "docs"
    r = run(*fx, "docs", "-o", str(out))
    assert r.exit_code == 0, r.output
    html = (out / "ontology.html").read_text()
    assert "Case study" in html and "https://w3id.org/ickg/ontology#" in html
    schemes = (out / "schemes.html").read_text()
    # a section per scheme with every concept (issue 13), and no library logging on the console
    from kg.fixtures import records

    frameworks = records()["frameworks"]
    assert schemes.count("<section id=") == len(frameworks) + 1  # + the mechanisms' scheme
    for fid, rec in frameworks.items():
        assert f"https://w3id.org/ickg/scheme/{fid}</code>" in schemes
        for c in rec["concepts"]:
            assert f"https://w3id.org/ickg/concept/{fid}/{c['id']}</code>" in schemes, (fid, c["id"])
    assert "DEBUG" not in r.output and "INFO" not in r.output


def test_anchor_and_fmt_are_idempotent(fx, fixture_dirs):
    """Anchoring and formatting clean data changes nothing."""
    r = run(*fx, "anchor")
    assert r.exit_code == 0 and "0 file(s) rewritten" in r.output
    r = run(*fx, "fmt", "--check")
    assert r.exit_code == 0 and "0 file(s) need `ickg fmt`" in r.output


def test_case_command_gives_the_page_as_data(fx):
    """`ickg case ID --format json` is the machine form of a case-study page."""
    r = run(*fx, "case", "riverside", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    text = json.dumps(data)
    assert "Riverside Care Trust" in text and "Riverside had the lowest use of hospital bed days" in text
    assert f"{__version__}+" in text


def test_case_command_unknown_case(fx):
    """An unknown case study is a usage error with a hint."""
    r = run(*fx, "case", "atlantis")
    assert r.exit_code == 2 and "no case study 'atlantis'" in r.output


def test_design_command(fx, tmp_path):
    """`ickg design` answers from the command line; bad ids are usage errors; the design round-trips."""
    r = run(*fx, "design", "--need", "severe-unstable", "--population", "older-people", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["recommendation"]["suggested"] == ""  # the fixture has no Nolte and McKee mapping
    assert data["matches"][0]["label"] == "Riverside Care Trust"
    bad = run(*fx, "design", "--level", "galactic")
    assert bad.exit_code == 2 and "--level 'galactic' is not one of: macro, meso, micro" in bad.output
    ttl = run(*fx, "design", "--need", "moderate", "--process", "financial", "--format", "ttl")
    path = tmp_path / "d.ttl"
    path.write_text(ttl.stdout)
    again = run(*fx, "design", "--from", str(path), "--format", "ttl")
    assert again.stdout == ttl.stdout


def test_query_predeclared_concept_prefix(fx, tmp_path):
    """`domain:hospital-use` works undeclared, as the app promises (issue 13); an unknown prefix is one line."""
    q = tmp_path / "dom.rq"
    q.write_text("SELECT ?s WHERE { ?s ic:outcomeDomain domain:hospital-use } ORDER BY ?s")
    r = run(*fx, "query", str(q), "--format", "csv")
    assert r.exit_code == 0, r.output
    assert "https://w3id.org/ickg/statement/riverside.bed-days" in r.stdout
    q.write_text("SELECT ?s WHERE {\n  ?s ic:outcomeDomain nodomain:hospital-use }")
    r = run(*fx, "query", str(q))
    assert r.exit_code == 2
    [line] = [x for x in r.output.splitlines() if "malformed query" in x]
    assert "line 2, column" in line and "unknown prefix nodomain:" in line and "\\u{" not in line


def test_case_command_accepts_labels_and_wraps(fx):
    """`ickg case` takes a label word or an alternative label; the table wraps to the terminal (issue 13)."""
    r = run(*fx, "case", "riverside care trust")
    assert r.exit_code == 0, r.output
    r = run(*fx, "case", "Riverside", env={"COLUMNS": "60"})
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("Riverside Care Trust\n")
    assert all(len(line) <= 60 for line in r.stdout.splitlines())
    assert "Key messages" in r.stdout and "“Riverside had the lowest use of hospital bed days" in r.stdout
    r = run(*fx, "case", "hostile valley")  # the alternative label
    assert r.exit_code == 0, r.output


def test_design_command_takes_every_answer(fx, tmp_path):
    """Name, country, breadth, sectors and mechanisms are options too; the name survives the saved design."""
    args = ("design", "--name", "Riverside again", "--country", "gb-eng", "--breadth", "vertical",
            "--sector", "housing", "--sector", "social care", "--mechanism", "pooled-budget", "--process", "financial")
    r = run(*fx, *args, "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    d = data["design"]
    assert (d["title"], d["country"], d["breadth"], d["sectors"], d["mechanisms"]) == (
        "Riverside again", "gb-eng", ["vertical"], ["housing", "social care"], ["pooled-budget"])
    top = data["matches"][0]
    assert top["label"] == "Riverside Care Trust" and any("pooled budget" in x for x in top["reasons"])
    assert top["explanation"].startswith("#1: fit ")
    ttl = run(*fx, *args, "--format", "ttl")
    path = tmp_path / "d.ttl"
    path.write_text(ttl.stdout)
    again = json.loads(run(*fx, "design", "--from", str(path), "--format", "json").stdout)
    assert again["design"] == d
    bad = run(*fx, "design", "--sector", "moon")
    assert bad.exit_code == 2 and "--sector 'moon' is not one of" in bad.output
    bad = run(*fx, "design", "--mechanism", "telepathy")
    assert bad.exit_code == 2 and "--mechanism 'telepathy' is not one of" in bad.output
    pdf = tmp_path / "brief.pdf"
    r = run(*fx, *args, "--format", "pdf", "-o", str(pdf))
    assert r.exit_code == 0, r.output
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert run(*fx, *args, "--format", "pdf").exit_code == 2
