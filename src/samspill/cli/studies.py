"""`samspill study …`: list, create, export and import whole studies; show and set a study's
settings (``study settings show|set``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from samspill.cli.common import DataDir, console, unit_of_work
from samspill.core import numbers
from samspill.core.errors import InputError

if TYPE_CHECKING:
    from samspill.core.setting_fields import SettingField

study_app = typer.Typer(help="Studies: list, export and import.", no_args_is_help=True)
settings_app = typer.Typer(help="A study's settings: show and set.", no_args_is_help=True)
study_app.add_typer(settings_app, name="settings")
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
    from samspill.services.archive_import import import_study
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


@settings_app.command("show")
def settings_show(
    study: Annotated[str, typer.Argument(help="The study's name.")],
    data_dir: DataDir = None,
) -> None:
    """Every setting with its value now; times also in seconds, shares also in percent."""
    from samspill.core.setting_fields import FIELDS
    from samspill.services import studies
    from samspill.services import study_settings as settings_service
    with unit_of_work(data_dir) as (db, _):
        values = settings_service.current_values(studies.get_study(db, study))
    for key, value in values.items():
        console.print(f"{key} = {settings_service.plain(value)}{_for_people(FIELDS[key], value)}",
                      markup=False, highlight=False)


@settings_app.command("set")
def settings_set(
    study: Annotated[str, typer.Argument(help="The study's name.")],
    assignments: Annotated[
        list[str], typer.Argument(help="KEY=VALUE, e.g. certification.min_tapes=12.")
    ],
    data_dir: DataDir = None,
) -> None:
    """Change settings; all are checked first, and nothing changes unless all are valid."""
    from samspill.services import studies
    from samspill.services import study_settings as settings_service
    changes = dict(_assignment(text) for text in assignments)
    with unit_of_work(data_dir) as (db, _):
        changed = settings_service.change_settings(
            db, study=studies.get_study(db, study), changes=changes, by=None
        )
    for change in changed:
        old, new = settings_service.plain(change.old), settings_service.plain(change.new)
        console.print(f"{change.key}: {old} -> {new}", markup=False, highlight=False)
    if not changed:
        console.print("nothing changed: every value was already so")


def _assignment(text: str) -> tuple[str, str]:
    key, sign, value = text.partition("=")
    if not sign or not key.strip():
        raise InputError(f"'{text}' is not KEY=VALUE",
                         fix="write e.g. agreement_unit_ms=500; 'study settings show' lists keys")
    return key.strip(), value


def _for_people(spec: SettingField, value: object) -> str:
    """The value as people read it, where the key's unit says more than the number."""
    if value is None or isinstance(value, bool):
        return ""
    if spec.unit == "ms":
        return f"  ({numbers.seconds(value)})"
    if spec.unit == "share":
        return f"  ({numbers.percent(value)})"
    return ""
