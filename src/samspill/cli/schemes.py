"""`samspill scheme …`: list, show, validate and load coding schemes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from samspill.cli.common import DataDir, console, unit_of_work
from samspill.core.errors import InputError, SchemeError

scheme_app = typer.Typer(help="Coding schemes: built-in and lab-loaded.", no_args_is_help=True)


@scheme_app.command("list")
def list_schemes(data_dir: DataDir = None) -> None:
    """Every stored scheme version with its content hash."""
    from samspill.services.schemes import scheme_versions
    with unit_of_work(data_dir) as (db, _):
        for row in scheme_versions(db):
            licensed = "licensed" if row.licensed else "open"
            console.print(f"{row.scheme_id}  v{row.version}  {row.content_hash[:12]}  {licensed}")


@scheme_app.command("show")
def show(
    scheme_id: Annotated[str, typer.Argument(help="Scheme id, e.g. withdrawal-open.")],
    data_dir: DataDir = None,
) -> None:
    """The newest version of a scheme as JSON."""
    from samspill.services.schemes import latest_version, scheme_of
    with unit_of_work(data_dir) as (db, _):
        scheme = scheme_of(latest_version(db, scheme_id))
    typer.echo(json.dumps(scheme.model_dump(mode="json"), indent=2, ensure_ascii=False))


@scheme_app.command("validate")
def validate(file: Annotated[Path, typer.Argument(help="A scheme YAML file.")]) -> None:
    """Report every error with its line and the fix; exit 2 when there is any."""
    from samspill.core.problems import summarise
    from samspill.core.scheme_check import scheme_file_problems
    problems = scheme_file_problems(_read(file), str(file))
    if problems:
        raise SchemeError(
            f"{len(problems)} problem(s):\n{summarise(problems, limit=200)}",
            fix="correct the lines named above",
        )
    console.print(f"{file}: valid")


@scheme_app.command("load")
def load(
    file: Annotated[Path, typer.Argument(help="A scheme YAML file.")], data_dir: DataDir = None
) -> None:
    """Store a scheme (e.g. a licensed lab's items and anchors) as a new version."""
    from samspill.core.scheme_check import parse_scheme
    from samspill.services.schemes import register_scheme
    scheme = parse_scheme(_read(file), str(file))
    with unit_of_work(data_dir) as (db, _):
        row = register_scheme(db, scheme)
    console.print(f"{row.scheme_id} v{row.version} ({row.content_hash[:12]})")


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"cannot read {file}: {exc}", fix="check the path and encoding (UTF-8)"
        ) from exc
