"""`samspill study …`: list, export and import whole studies."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from samspill.cli.common import DataDir, console, unit_of_work

study_app = typer.Typer(help="Studies: list, export and import.", no_args_is_help=True)
AsUser = Annotated[str, typer.Option("--as-user", help="Whose rights to use (default: admin).")]


@study_app.command("list")
def list_studies(data_dir: DataDir = None) -> None:
    """Every study with its number of sessions."""
    from samspill.services import accounts, studies
    with unit_of_work(data_dir) as (db, _):
        admin = accounts.get_user(db, "admin")
        for study in studies.studies_for(db, admin):
            count = len(studies.sessions_of(db, study))
            console.print(f"{study.name}  {count} session(s)  {study.title}")


@study_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Short name, e.g. ssp-2026.")],
    owner: Annotated[str, typer.Option("--owner", help="The owning user.")] = "admin",
    title: Annotated[str, typer.Option("--title")] = "",
    data_dir: DataDir = None,
) -> None:
    """Create an empty study."""
    from samspill.services import accounts, studies
    with unit_of_work(data_dir) as (db, _):
        studies.create_study(db, name=name, owner=accounts.get_user(db, owner), title=title)
    console.print(f"study '{name}' created")


@study_app.command("export")
def export(
    study: Annotated[str, typer.Option("--study")],
    out: Annotated[Path, typer.Option("--out", help="The .zip file to write.")],
    data_dir: DataDir = None,
) -> None:
    """Write the whole study (JSON and media) to one versioned archive."""
    from samspill.services import studies
    from samspill.services.archive import export_study
    with unit_of_work(data_dir) as (db, database):
        export_study(
            db, study=studies.get_study(db, study), media_dir=database.settings.media_dir, out=out
        )
    console.print(f"wrote {out}")


@study_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="An archive from 'study export'.")],
    rename: Annotated[str | None, typer.Option("--as", help="Import under this name.")] = None,
    owner: Annotated[str, typer.Option("--owner", help="Who owns the import.")] = "admin",
    data_dir: DataDir = None,
) -> None:
    """Read an archive; nothing is imported unless all of it is valid."""
    from samspill.services import accounts
    from samspill.services.archive import import_study
    with unit_of_work(data_dir) as (db, database):
        study = import_study(
            db,
            path=file,
            media_dir=database.settings.media_dir,
            importer=accounts.get_user(db, owner),
            rename=rename,
        )
        name = study.name
    console.print(f"imported study '{name}'")
