"""The ``ickg`` command line.

Exit codes (documented in the README): ``0`` success, ``1`` invalid data (a problem in the
curated files, a failed quote, a SHACL violation), ``2`` usage or runtime error (a bad option,
an unreadable query, an unreachable endpoint). Problems print one per line as
``LEVEL file:line field: message`` followed by a total, so editors and CI logs can jump to them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kg import settings
from kg.errors import IckgError, Problem

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


@cli.command("settings")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def settings_cmd(ctx: click.Context, as_json: bool) -> None:
    """Show every setting, its current value and where it comes from."""
    rows = [{"name": s.name, "value": settings.get(s.name, _settings_from(ctx)), "env": s.env,
             "default": s.default, "help": s.help} for s in settings.SETTINGS]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        click.echo(f"{r['name']:<22} {r['value']}\n{'':<22} ({r['env']}) {r['help']}")


def _load(ctx: click.Context):
    from kg.records import load_evidence

    evidence = settings.get_path("evidence_dir", _settings_from(ctx))
    return load_evidence(evidence)


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
    structural = [p for p in problems if p.severity == "error" and "no anchor" not in p.message]
    if structural:
        _print_problems(structural)
        click.echo("fix these first; nothing was rewritten", err=True)
        ctx.exit(EXIT_INVALID)
    sources = settings.get_path("sources_dir", _settings_from(ctx))
    selected = {p.resolve() for p in paths} if paths else None
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


def main() -> None:
    """Entry point of the console script."""
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
