"""`samspill events import|export`: a coding's events as CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from samspill.cli.common import DataDir, RawCells, Study, console, unit_of_work
from samspill.core.errors import InputError

events_app = typer.Typer(help="Import and export a coding's events as CSV.", no_args_is_help=True)
SessionName = Annotated[str, typer.Option("--session", help="The session's name.")]
Coder = Annotated[
    str | None, typer.Option("--coder", help="Whose coding (default: the only or master coding).")
]


@events_app.command("import")
def import_(
    file: Annotated[
        Path, typer.Argument(help="CSV: subject,code,onset_ms,offset_ms,modifiers,comment")
    ],
    study: Study,
    session: SessionName,
    coder: Coder = None,
    scheme: Annotated[str, typer.Option("--scheme")] = "withdrawal-open",
    data_dir: DataDir = None,
) -> None:
    """Replace a coding's events with the file's, all or nothing.

    With --coder and no coding by that coder yet, a new coding is created.
    """
    from samspill.interop.events_csv import read_events_csv
    from samspill.services import codings, studies
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {file}: {exc}", fix="check the path; save as UTF-8") from exc
    with unit_of_work(data_dir) as (db, _):
        target = studies.get_session(db, study=studies.get_study(db, study), name=session)
        coding = _coding_for(db, target, coder, scheme)
        events = read_events_csv(text, scheme=codings.coding_scheme(coding), source=file.name)
        count = codings.replace_events(db, coding=coding, events=events)
    console.print(f"imported {count} events into coding {coding.id}")


def _coding_for(db, session, coder: str | None, scheme: str):
    from samspill.services import accounts, codings
    from samspill.services.schemes import latest_version
    existing = [
        c for c in codings.codings_of(db, session) if coder is None or c.coder.username == coder
    ]
    if coder is not None and not existing:
        return codings.create_coding(
            db,
            session=session,
            coder=accounts.get_user(db, coder),
            scheme_version=latest_version(db, scheme),
        )
    return codings.pick_coding(db, session=session, coder=coder)


@events_app.command("export")
def export(
    study: Study,
    session: SessionName,
    out: Annotated[Path, typer.Option("--out", help="CSV file to write ('-' for stdout).")],
    coder: Coder = None,
    raw_cells: RawCells = False,
    data_dir: DataDir = None,
) -> None:
    """Write a coding's events as CSV."""
    from samspill.interop.events_csv import write_events_csv
    from samspill.services import codings, studies
    with unit_of_work(data_dir) as (db, _):
        target = studies.get_session(db, study=studies.get_study(db, study), name=session)
        text = write_events_csv(
            codings.coding_events(db, codings.pick_coding(db, session=target, coder=coder)),
            raw_cells=raw_cells,
        )
    if str(out) == "-":
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}")
