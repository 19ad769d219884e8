"""The ``ickg`` command line.

Exit codes (documented in the README): ``0`` success, ``1`` invalid data (a problem in the
curated files, a failed quote, a SHACL violation), ``2`` usage or runtime error (a bad option,
an unreadable query, an unreachable endpoint). Problems print one per line as
``LEVEL file:line field: message`` followed by a total, so editors and CI logs can jump to them.

Why one module of about 750 lines: each command is a thin wrapper (options, one call into
``kg``, output and exit code) over code that lives elsewhere, and click's group wants the
commands registered on it; a reader finds any command's options by searching this one file.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import click

from kg import settings
from kg.errors import IckgError, Problem, relpath

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _settings_from(ctx: click.Context) -> dict[str, str]:
    return ctx.obj or {}


def _print_problems(problems: list[Problem], what: str = "problem") -> int:
    """Print problems sorted by file and line; return the number of errors."""
    for p in sorted(problems, key=lambda p: (p.path, p.line or 0, p.field)):
        click.echo(str(p), err=True)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if problems:
        click.echo(f"{errors} error(s), {warnings} warning(s)", err=True)
    return errors


class _Group(click.Group):
    def invoke(self, ctx: click.Context):  # noqa: D102 - turn known failures into exit 2
        try:
            return super().invoke(ctx)
        except IckgError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(EXIT_USAGE)


@click.group(cls=_Group)
@click.option("--setting", "-s", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a setting (see `ickg settings`). Repeatable.")
@click.version_option(package_name="ickg")
@click.pass_context
def cli(ctx: click.Context, overrides: tuple[str, ...]) -> None:
    """Integrated-care knowledge graph: build, validate, query and serve the curated evidence."""
    known = {s.name for s in settings.SETTINGS}
    values = {}
    for item in overrides:
        name, sep, value = item.partition("=")
        if not sep or name not in known:
            raise click.UsageError(f"--setting expects NAME=VALUE with NAME one of: {', '.join(sorted(known))}")
        values[name] = value
    ctx.obj = values
    wrong = settings.problems(values)
    if wrong and ctx.invoked_subcommand != "settings":
        for line in wrong:
            click.echo(f"error: {line}", err=True)
        click.echo("fix the settings (see `ickg settings`); nothing was run", err=True)
        ctx.exit(EXIT_USAGE)


@cli.command("settings")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def settings_cmd(ctx: click.Context, as_json: bool) -> None:
    """Show every setting, its current value and where it comes from."""
    rows = [{"name": s.name, "value": settings.shown(s.name, _shown(s.name, _settings_from(ctx))),
             "env": s.env, "default": settings.shown(s.name, s.default), "help": s.help} for s in settings.SETTINGS]
    wrong = settings.problems(_settings_from(ctx))
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    else:
        for r in rows:
            click.echo(f"{r['name']:<22} {r['value']}\n{'':<22} ({r['env']}) {r['help']}")
    for line in wrong:
        click.echo(f"error: {line}", err=True)
    ctx.exit(EXIT_USAGE if wrong else EXIT_OK)


def _shown(name: str, overrides: dict[str, str]) -> str:
    """A setting's value; an unset folder shows where it resolves to (or why it does not)."""
    value = settings.get(name, overrides)
    if value or name not in settings.PROJECT_PATHS and name != "sources_dir":
        return value
    try:
        return f"{settings.resolve_path(name)} (resolved)"
    except IckgError as exc:
        return f"(unresolved: {exc})"


def _load(ctx: click.Context):
    from kg import pipeline

    evidence = settings.get_path("evidence_dir", _settings_from(ctx))
    return pipeline.load(evidence, _settings_from(ctx))


@cli.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Check the curated files (structure and references) without the source texts."""
    corpus, problems = _load(ctx)
    errors = _print_problems(problems)
    n = sum(len(v) for v in corpus.records.values())
    click.echo(f"{n} records loaded; {errors} error(s)")
    ctx.exit(EXIT_INVALID if errors else EXIT_OK)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_context
def anchor(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Compute each quote's anchor (offsets, line, prefix, suffix) from the source texts.

    Rewrites the files in canonical form. With PATHS, only those files.
    """
    from kg.checks import anchor_corpus

    corpus, problems = _load(ctx)
    selected = {p.resolve() for p in paths} if paths else None
    # Files that do not parse cannot be anchored; reference problems (a case another curator
    # has not written yet) do not stop anchoring, `ickg check` reports them.
    broken = [p for p in problems if p.severity == "error" and p.field.startswith("(")
              or not any(p.path == relpath(r.path) for r in corpus.all())]
    broken = [p for p in broken if p.severity == "error"
              and (selected is None or Path(p.path).resolve() in selected)]
    if broken:
        _print_problems(broken)
        click.echo("fix these first; nothing was rewritten", err=True)
        ctx.exit(EXIT_INVALID)
    sources = settings.get_path("sources_dir", _settings_from(ctx))
    changed, failed = anchor_corpus(corpus, sources, selected)
    errors = _print_problems(failed)
    click.echo(f"{changed} file(s) rewritten; {errors} quote(s) could not be anchored")
    ctx.exit(EXIT_INVALID if errors else EXIT_OK)


@cli.command()
@click.option("--check", "check_only", is_flag=True, help="Only report files that are not canonical.")
@click.pass_context
def fmt(ctx: click.Context, check_only: bool) -> None:
    """Rewrite the evidence files in canonical key order and layout."""
    from kg.checks import write_canonical
    from kg.records import canonical_text

    corpus, problems = _load(ctx)
    structural = [p for p in problems if p.severity == "error" and "no anchor" not in p.message]
    bad = []
    for rec in corpus.all():
        if check_only:
            if canonical_text(rec) != rec.path.read_text(encoding="utf-8"):
                bad.append(rec.path)
        elif write_canonical(rec):
            bad.append(rec.path)
    for path in bad:
        click.echo(f"{'not canonical' if check_only else 'reformatted'}: {path}")
    if structural:
        _print_problems(structural)
    click.echo(f"{len(bad)} file(s) {'need `ickg fmt`' if check_only else 'reformatted'}")
    ctx.exit(EXIT_INVALID if (check_only and bad) or structural else EXIT_OK)


def _run_pipeline(ctx: click.Context, shacl: bool = True):
    from kg import pipeline

    with _Progress("loading, building and validating the graph"):
        return pipeline.run(_settings_from(ctx), shacl=shacl)


def _built_or_exit(ctx: click.Context):
    """The pipeline without SHACL, for read-only commands; exit 1 with the problems if nothing was built."""
    outcome = _run_pipeline(ctx, shacl=False)
    if outcome.built is None:
        _print_problems(outcome.problems)
        ctx.exit(EXIT_INVALID)
    return outcome


def _validated_or_exit(ctx: click.Context):
    """The validated graph for read-only commands (the build cache or the packaged graph); exit 1 on invalid data."""
    from kg.cache import InvalidData, validated_graph

    try:
        return validated_graph(_settings_from(ctx))
    except InvalidData as exc:
        _print_problems(exc.problems)
        ctx.exit(EXIT_INVALID)


class _Progress:
    """A one-line progress note on stderr for steps that take a moment."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __enter__(self) -> _Progress:
        import time

        self.t0 = time.perf_counter()
        click.echo(f"{self.what} ...", err=True)
        return self

    def __exit__(self, *exc: object) -> None:
        import time

        click.echo(f"  done in {time.perf_counter() - self.t0:.2f} s", err=True)


@cli.command()
@click.option("--format", "formats", multiple=True, type=click.Choice(["ttl", "nt", "jsonld", "graphml"]),
              help="Formats to write (default: ttl, nt and jsonld).")
@click.pass_context
def build(ctx: click.Context, formats: tuple[str, ...]) -> None:
    """Build the graph, validate it with SHACL, verify every quote and write it into dist/.

    Quotes are verified whenever the source texts are available; nothing is written when one fails.
    """
    from kg import export
    from kg import pipeline as pipeline_mod

    outcome = _run_pipeline(ctx)
    errors = _print_problems(outcome.problems + [v.as_problem() for v in outcome.violations])
    if not outcome.ok:
        click.echo("invalid data: nothing was written", err=True)
        ctx.exit(EXIT_INVALID)
    report = pipeline_mod.verify_quotes(outcome, _settings_from(ctx))
    if report is None:
        click.echo("quotes not verified: the sources folder was not found (set ICKG_SOURCES or "
                   "--setting sources_dir=...); run `ickg validate` where the sources are", err=True)
    else:
        quote_errors = _print_problems(report.problems)
        click.echo(f"{report.checked - report.failed}/{report.checked} quotes verified word for word "
                   f"in {report.sources} sources", err=True)
        if quote_errors:
            click.echo("a quote is not verbatim in its source: nothing was written", err=True)
            ctx.exit(EXIT_INVALID)
    dist = settings.get_path("dist_dir", _settings_from(ctx))
    paths = export.write_all(outcome.built.graph, dist, outcome.built.release_id, formats or ("ttl", "nt", "jsonld"),
                             ntriples=outcome.built.ntriples)
    click.echo(f"release {outcome.built.release_id}: {len(outcome.built.graph):,} triples")
    for path in paths:
        click.echo(f"  wrote {path}")
    ctx.exit(EXIT_OK if not errors else EXIT_INVALID)


@cli.command()
@click.option("--no-quotes", is_flag=True, help="Skip the word-for-word quote check.")
@click.pass_context
def validate(ctx: click.Context, no_quotes: bool) -> None:
    """Validate everything: structure, references, SHACL, and every quote against the sources.

    The quote check fails closed: no quotes checked, an unreadable source or an unknown
    source id is an error.
    """
    from kg.checks import check_hedges, check_quotes

    outcome = _run_pipeline(ctx)
    problems = outcome.problems + [v.as_problem() for v in outcome.violations]
    problems += check_hedges(outcome.corpus)  # warnings only: a summary that drops a hedge
    report = None
    if not no_quotes and not any(p.severity == "error" and p.field.startswith("(") for p in outcome.problems):
        sources = settings.get_path("sources_dir", _settings_from(ctx))
        report = check_quotes(outcome.corpus, sources)
        problems += report.problems
    errors = _print_problems(problems)
    if report is not None:
        click.echo(f"{report.checked - report.failed}/{report.checked} quotes verified word for word "
                   f"in {report.sources} sources")
    if outcome.built is not None:
        click.echo(f"SHACL: {len(outcome.built.graph):,} triples, "
                   f"{sum(v.severity == 'Violation' for v in outcome.violations)} violation(s), "
                   f"{sum(v.severity != 'Violation' for v in outcome.violations)} warning(s)")
    click.echo("valid" if not errors else f"invalid: {errors} error(s)")
    ctx.exit(EXIT_INVALID if errors else EXIT_OK)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Counts by class and by concept."""
    from kg import stats as stats_mod

    graph = _validated_or_exit(ctx)
    data = graph.memo("stats", lambda g: stats_mod.compute(g.ntriples), _settings_from(ctx))
    data["release"] = graph.release_id
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(stats_mod.render(data))


@cli.command()
@click.argument("query", metavar="FILE.rq|NAME")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter of a named query (see `ickg queries`). Repeatable.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
@click.option("--endpoint", help="Query this SPARQL endpoint instead of the embedded store.")
@click.pass_context
def query(ctx: click.Context, query: str, params: tuple[str, ...], fmt: str, endpoint: str | None) -> None:
    """Run a SPARQL query file or a named gallery query; print a table, CSV or JSON."""
    from kg import queries as q
    from kg import results
    from kg.store import open_store

    overrides = dict(_settings_from(ctx))
    if endpoint:
        overrides["sparql_endpoint"] = endpoint
    named = q.find(query)
    if named is not None and not settings.get("sparql_endpoint", overrides):
        # a gallery query on the embedded store: through the explorer, which keeps answers per build
        from kg.service import open_explorer

        values = dict(_split_params(params))
        named.bind(values)  # unknown or malformed parameters are refused before anything opens
        x = open_explorer(overrides)
        try:
            result = x.named(named.name, **values)
        finally:
            x.close()
        click.echo(results.render(result, fmt, x.release_id), nl=False)
        click.echo(result.status, err=True)
        return
    if named is not None:
        text, bindings = named.text, named.bind(dict(_split_params(params)))
    else:
        path = Path(query)
        if not path.is_file():
            raise IckgError(f"no query file or gallery query named {query!r} (see `ickg queries`)")
        if params:
            raise IckgError("--param works with gallery queries only")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise IckgError(f"cannot read {path}: {exc}") from None
        bindings = {}
    store = open_store(overrides)
    try:
        result = store.query(text, bindings)
    finally:
        store.close()
    click.echo(results.render(result, fmt, store.release_id), nl=False)
    click.echo(result.status, err=True)


def _split_params(params: tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for item in params:
        name, sep, value = item.partition("=")
        if not sep:
            raise IckgError(f"--param expects NAME=VALUE, got {item!r}")
        out.append((name.strip(), value))
    return out


@cli.command("queries")
@click.option("--tag", help="Only queries with this tag (policymaker, researcher, designer).")
@click.pass_context
def queries_cmd(ctx: click.Context, tag: str | None) -> None:
    """List the gallery of named queries."""
    from kg import queries as q

    for item in q.gallery():
        if tag and tag not in item.tags:
            continue
        params = " ".join(f"{p.name}=<{p.kind}>" for p in item.params)
        click.echo(f"{item.name:<34} {item.title}" + (f"  [{params}]" if params else ""))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "jsonld", "graphml"]), default="ttl")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write to a file (default: stdout).")
@click.pass_context
def export(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """Export the validated graph as Turtle, N-Triples, JSON-LD or GraphML."""
    from kg import export as export_mod

    outcome = _run_pipeline(ctx)
    if not outcome.ok:
        _print_problems(outcome.problems + [v.as_problem() for v in outcome.violations])
        click.echo("invalid data: nothing was exported", err=True)
        ctx.exit(EXIT_INVALID)
    text = export_mod.serialise(outcome.built.graph, fmt, outcome.built.release_id)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"release {outcome.built.release_id}: wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@cli.command()
@click.option("--output", "-o", type=click.Path(path_type=Path), default=Path("docs/ontology"),
              show_default=True, help="Folder for the generated documentation.")
@click.pass_context
def docs(ctx: click.Context, output: Path) -> None:
    """Generate HTML documentation of the ontology and its concept schemes (pyLODE)."""
    from kg import ontodoc

    outcome = _built_or_exit(ctx)
    with _Progress("writing ontology documentation"):
        paths = ontodoc.write(outcome.built.graph, settings.get_path("ontology_dir", _settings_from(ctx)), output)
    for p in paths:
        click.echo(f"  wrote {p}")


@cli.command()
@click.option("--check", "check_only", is_flag=True, help="Fail if evidence/schema.json is out of date.")
@click.pass_context
def schema(ctx: click.Context, check_only: bool) -> None:
    """Write evidence/schema.json (JSON Schema of the curated files, for editor completion)."""
    from kg.records import json_schema

    path = settings.get_path("evidence_dir", _settings_from(ctx)) / "schema.json"
    text = json_schema()
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if check_only:
        if current != text:
            click.echo(f"{path} is out of date: run `ickg schema`", err=True)
            ctx.exit(EXIT_INVALID)
        click.echo(f"{path} is up to date")
        return
    path.write_text(text, encoding="utf-8")
    click.echo(f"wrote {path}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind; 0.0.0.0 exposes the endpoint to the network, only when asked.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--endpoint", help="Proxy this SPARQL endpoint instead of the embedded store.")
@click.option("--workers", default=3, show_default=True, type=click.IntRange(1, 64),
              help="Query worker processes (a third of them, at least one, form the long lane).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, endpoint: str | None, workers: int) -> None:
    """Serve a read-only SPARQL 1.1 Protocol endpoint (and the query gallery) over HTTP."""
    from kg import http

    overrides = dict(_settings_from(ctx))
    if endpoint:
        overrides["sparql_endpoint"] = endpoint
    http.run(host=host, port=port, overrides=overrides, workers=workers)


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("streamlit_args", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def app(ctx: click.Context, streamlit_args: tuple[str, ...]) -> None:
    """Run the explorer app (`streamlit run`): the project's app.py, else the copy the package ships.

    Extra arguments go to Streamlit, e.g. `ickg app --server.port 8600`.
    """
    import subprocess

    project = settings.current_project()
    path = project / "app.py" if project is not None and (project / "app.py").is_file() else None
    if path is None:
        path = settings.packaged_dir() / "app" / "app.py"
    if not path.is_file():
        raise IckgError(f"no app found: not in a project with app.py, and {path} is not installed")
    env = dict(os.environ)
    for s in settings.SETTINGS:  # --setting values reach the app as their environment variables
        if s.name in _settings_from(ctx):
            env[s.env] = _settings_from(ctx)[s.name]
    ctx.exit(subprocess.call([sys.executable, "-m", "streamlit", "run", str(path), *streamlit_args], env=env))


@cli.command()
@click.option("--endpoint", required=True, help="The triplestore's SPARQL or Graph Store endpoint URL.")
@click.option("--graph", "graph_iri", default="https://w3id.org/ickg/graph", show_default=True,
              help="Named graph to replace with the built graph.")
@click.option("--protocol", type=click.Choice(["gsp", "update"]), default="gsp", show_default=True,
              help="Graph Store Protocol (PUT) or SPARQL 1.1 Update (DROP + INSERT DATA).")
@click.pass_context
def load(ctx: click.Context, endpoint: str, graph_iri: str, protocol: str) -> None:
    """Load the validated graph into a SPARQL 1.1 triplestore (credentials from ICKG_STORE_USER/ICKG_STORE_PASSWORD)."""
    from kg import triplestore

    outcome = _run_pipeline(ctx)
    if not outcome.ok:
        _print_problems(outcome.problems + [v.as_problem() for v in outcome.violations])
        click.echo("invalid data: nothing was loaded", err=True)
        ctx.exit(EXIT_INVALID)
    with _Progress(f"loading {len(outcome.built.graph):,} triples into {endpoint}"):
        n = triplestore.load(outcome.built.graph, endpoint, graph_iri, protocol=protocol)
    click.echo(f"release {outcome.built.release_id}: {n:,} triples in <{graph_iri}> at {endpoint}")


@cli.command()
@click.argument("case_id", metavar="CASE")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
@click.option("--endpoint", help="Read from this SPARQL endpoint instead of the embedded store.")
@click.pass_context
def case(ctx: click.Context, case_id: str, fmt: str, endpoint: str | None) -> None:
    """Everything the graph holds about one case study (the machine form of its page)."""
    from kg import serialise
    from kg.service import open_explorer
    from kg.views import cases

    overrides = dict(_settings_from(ctx))
    if endpoint:
        overrides["sparql_endpoint"] = endpoint
    x = open_explorer(overrides)
    try:
        found = cases.case_matches(x, case_id)
        if len(found) > 1:
            raise IckgError(f"{case_id!r} names {len(found)} case studies: "
                            + ", ".join(f"{c.id} ({c.label})" for c in found[:10]) + "; give one of these ids")
        if not found:
            raise IckgError(f"no case study {case_id!r}; try `ickg query search-labels -p text=...`")
        iri = found[0].iri
        detail = cases.case_detail(x, iri)
        rows = cases.case_rows(detail)
        columns = list(rows[0]) if rows else []
        what = {"case study": case_id}
        if fmt == "csv":
            click.echo(serialise.csv_text(columns, rows).lstrip("\ufeff"), nl=False)
        elif fmt == "json":
            click.echo(serialise.json_text(columns, rows, x.release_id, what))
        else:
            click.echo(case_text(detail, rows, shutil.get_terminal_size((100, 24)).columns))
    finally:
        x.close()


def case_text(detail, rows: list[dict], width: int) -> str:
    """The case page for a terminal: sections, then each line wrapped to ``width`` with its quotes indented."""
    import textwrap

    width = max(40, min(width, 120))
    out = [detail.label, "=" * min(len(detail.label), width)]
    out += textwrap.wrap(detail.summary, width) if detail.summary else []
    out += ["", "Key messages"] + [textwrap.fill(m, width, initial_indent="- ", subsequent_indent="  ")
                                   for m in detail.key_messages]
    section, last = None, None
    for r in rows:
        if r["section"] != section:
            section = r["section"]
            out += ["", section]
        head = ": ".join(x for x in (r["aspect"], r["value"]) if x)
        extra = "; ".join(x for x in (r.get("claim_kind", ""), r.get("direction", ""), r.get("evidence_basis", ""))
                          if x)
        line = head + (f" [{extra}]" if extra else "")
        if line != last:
            out.append(textwrap.fill(line, width, initial_indent="- ", subsequent_indent="  "))
            last = line
            if r.get("caveats"):
                out.append(textwrap.fill("caveat: " + r["caveats"], width, initial_indent="  ",
                                         subsequent_indent="    "))
        if r["quote"]:
            out.append(textwrap.fill(f"“{r['quote']}” ({r['source']}, {r['locator']})", width,
                                     initial_indent="    ", subsequent_indent="    "))
    return "\n".join(out)


@cli.command()
@click.option("--name", "title", help="The design's name (kept in the brief and the saved design).")
@click.option("--outcome", "domains", multiple=True, help="Goals: an outcome domain id (repeatable).")
@click.option("--population", multiple=True, help="Goals: a target population concept id (repeatable).")
@click.option("--need", help="Goals: level of need: mild-to-moderate, moderate or severe-unstable.")
@click.option("--level", help="Goals: level of aggregation: macro, meso or micro.")
@click.option("--sector", "sectors", multiple=True, help="Context: a sector involved, e.g. housing (repeatable).")
@click.option("--country", help="Context: country or system, e.g. gb-eng.")
@click.option("--process", "processes", multiple=True, help="Type: an integrative process id (repeatable).")
@click.option("--mechanism", "mechanisms", multiple=True, help="Type: a mechanism id, e.g. bundled-payment (repeatable).")
@click.option("--breadth", multiple=True, help="Breadth: horizontal and/or vertical (repeatable).")
@click.option("--intensity", help="Intensity: Leutz level: linkage, coordination or full-integration.")
@click.option("--form", help="Intensity: real or virtual.")
@click.option("--from", "from_file", type=click.Path(exists=True, path_type=Path),
              help="Start from a saved design (Turtle or JSON-LD); options given as well override it.")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "pdf", "ttl", "json"]), default="md",
              help="The brief as Markdown, HTML or PDF, the design as Turtle, or the answers as JSON.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output (needed for --format pdf).")
@click.pass_context
def design(ctx: click.Context, title, domains, population, need, level, sectors, country, processes, mechanisms,
           breadth, intensity, form, from_file, fmt, output) -> None:
    """The design assistant without the app: answers to Shaw et al.'s five questions in, a cited brief out."""
    from dataclasses import asdict

    from kg.designer import SECTORS, Assistant, Design, design_from_rdf, design_to_rdf
    from kg.service import open_explorer

    if fmt == "pdf" and not output:
        raise IckgError("--format pdf needs --output FILE")
    if from_file:
        try:
            d = design_from_rdf(from_file.read_bytes(), "turtle" if from_file.suffix == ".ttl" else "json-ld")
        except ValueError as exc:
            raise IckgError(f"{from_file}: {exc}") from None
    else:
        d = Design()
    if title:
        d.title = title[:200]
    for name, value in (("need", need), ("level", level), ("intensity", intensity), ("form", form),
                        ("country", country)):
        if value:
            setattr(d, name, value)
    for name, values in (("population", population), ("processes", processes), ("domains", domains),
                         ("mechanisms", mechanisms), ("breadth", breadth), ("sectors", sectors)):
        if values:
            setattr(d, name, sorted(set(values)))
    bad = [s for s in d.sectors if s not in SECTORS]
    if bad:
        raise IckgError(f"--sector {bad[0]!r} is not one of: {', '.join(SECTORS)}")

    def emit(data: str | bytes) -> None:
        if output:
            output.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
            click.echo(f"wrote {output}", err=True)
        else:
            click.echo(data, nl=False)

    if fmt == "ttl":
        emit(design_to_rdf(d).serialize(format="turtle"))
        return
    x = open_explorer(_settings_from(ctx))
    try:
        a = Assistant(x)
        schemes = {"need": "need", "level": "level", "intensity": "leutz", "form": "form", "country": "country",
                   "population": "population", "processes": "process", "domains": "domain",
                   "mechanisms": "mechanism", "breadth": "breadth"}
        option = {"domains": "outcome", "processes": "process", "mechanisms": "mechanism"}
        for field, scheme in schemes.items():
            known = {c["id"] for c in a.vocab(scheme)}
            value = getattr(d, field)
            for v in (value if isinstance(value, list) else [value] if value else []):
                if v not in known:
                    raise IckgError(f"--{option.get(field, field)} {v!r} is not one of: {', '.join(sorted(known))}")
        ans = a.answer(d)
        if fmt == "md":
            emit(a.brief_markdown(d, ans))
        elif fmt == "html":
            emit(a.brief_html(d, ans))
        elif fmt == "pdf":
            emit(a.brief_pdf(d, ans))
        else:
            matches = [{k: v for k, v in asdict(m).items() if k not in ("key", "quotes")} for m in ans["matches"]]
            out = {"release": x.release_id, "design": asdict(d),
                   "recommendation": asdict(ans["recommendation"]), "matches": matches,
                   "gaps": ans["evidence"].named_gaps, "counts": ans["evidence"].counts}
            emit(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    finally:
        x.close()


# -- reading the sources: coverage and new sources ---------------------------------------------

@cli.command()
@click.argument("source_ids", nargs=-1, metavar="[SOURCE]...")
@click.option("--worklist", "worklist", default=0, show_default=True, type=int,
              help="Also list up to N unquoted passages per source with figures, outcome words or programme names.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def coverage(ctx: click.Context, source_ids: tuple[str, ...], worklist: int, as_json: bool) -> None:
    """How much of each source the facts quote: per source and section, and a worklist of what they do not.

    A sentence counts as quoted when quotes span at least half of its characters.
    """
    from kg import coverage as cov
    from kg.sourcetext import Document

    corpus, problems = _load(ctx)
    if any(p.severity == "error" for p in problems):
        _print_problems(problems)
        ctx.exit(EXIT_INVALID)
    sources_dir = settings.get_path("sources_dir", _settings_from(ctx))
    if not sources_dir.is_dir():
        raise IckgError(f"sources folder {sources_dir} not found: put the source texts there or set ICKG_SOURCES")
    known = corpus.records["sources"]
    unknown = [s for s in source_ids if s not in known]
    if unknown:
        raise IckgError(f"unknown source {unknown[0]!r}; one of: {', '.join(sorted(known))}")
    spans = cov.spans_from_corpus(corpus)
    signals = cov.signals_from_corpus(corpus)
    out = []
    for sid in source_ids or sorted(known):
        path = sources_dir / known[sid].model.file
        try:
            doc = Document.from_file(path.resolve())
        except (OSError, UnicodeDecodeError) as exc:
            raise IckgError(f"cannot read the text of {sid}: {exc}") from None
        out.append(cov.measure(doc, sid, spans.get(sid, []), signals))
    if as_json:
        data = [{"source": c.source, "quotes": c.quotes, "sentences": c.sentences, "quoted": c.quoted,
                 "share": round(c.share, 3), "sections": cov.report_rows(c),
                 "worklist": [{"start": w.start, "end": w.end, "section": w.section.locator, "text": w.text,
                               "reasons": list(w.reasons)} for w in c.worklist[:worklist]]} for c in out]
        click.echo(json.dumps(data, indent=1, ensure_ascii=False))
        return
    for c in out:
        click.echo(f"{c.source}: {c.quoted}/{c.sentences} sentences quoted ({cov.percent(c.share)}), "
                   f"{c.quotes} quotes, {len(c.worklist)} unquoted passages on the worklist")
        for s in c.sections:
            if s.sentences:
                click.echo(f"  {cov.percent(s.share):>5} {s.quoted:>4}/{s.sentences:<4} {s.section.locator or s.section.title}")
        for w in c.worklist[:worklist]:
            click.echo(f"  TODO {w.start}-{w.end} [{'; '.join(w.reasons)}] {w.text[:160]}")
    if len(out) > 1:
        total = sum(c.sentences for c in out)
        quoted = sum(c.quoted for c in out)
        click.echo(f"all sources: {quoted}/{total} sentences quoted ({cov.percent(quoted / total if total else None)})")


@cli.group()
def source() -> None:
    """Register source documents."""


@source.command("add")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--id", "source_id", required=True, help="The new source's id (lower case, digits, hyphens).")
@click.option("--title", required=True, help="The document's title as it gives it.")
@click.option("--type", "type_", default="document", show_default=True,
              type=click.Choice(["report", "article", "web-page", "book", "chapter", "document", "dataset"]))
@click.option("--support", default="traceable", show_default=True, type=click.Choice(["traceable", "non-traceable"]),
              help="traceable: its claims cite references; non-traceable: they cite nothing.")
@click.option("--creator", "creators", multiple=True, help="An author, as printed (repeatable, in order).")
@click.option("--date", help="Date of publication, as precise as the text gives it.")
@click.option("--publisher")
@click.option("--journal")
@click.option("--doi", help="DOI without the resolver, e.g. 10.1234/abc.")
@click.option("--licence")
@click.option("--note", help="A curator's note, e.g. on what the text lacks.")
@click.pass_context
def source_add(ctx: click.Context, file: Path, source_id: str, title: str, type_: str, support: str,
               creators: tuple[str, ...], date: str | None, publisher: str | None, journal: str | None,
               doi: str | None, licence: str | None, note: str | None) -> None:
    """Add a source: its text (plain text or PDF) normalised into ICKG_SOURCES, its record into evidence/sources."""
    from kg.sources_add import add_source

    overrides = _settings_from(ctx)
    fields = {"title": title, "type": type_, "support": support, "creators": list(creators), "date": date,
              "publisher": publisher, "journal": journal, "doi": doi, "licence": licence, "note": note}
    added = add_source(file, source_id, fields, settings.get_path("evidence_dir", overrides),
                       settings.get_path("sources_dir", overrides))
    click.echo(f"wrote {added.text_path} ({added.characters:,} characters)")
    click.echo(f"wrote {relpath(added.record_path)}")
    click.echo("next: curate facts from it in the app's Workbench, or by hand and `ickg anchor`")


def main() -> None:
    """Entry point of the console script."""
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
