"""`samspill audit list|export`: read the audit log from the command line (it cannot be edited)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from samspill.cli.common import DataDir, console, unit_of_work
from samspill.core.terms import AUDIT_MAX_ROWS

audit_app = typer.Typer(help="The append-only audit log.", no_args_is_help=True)
StudyFilter = Annotated[str | None, typer.Option("--study", help="Only this study's rows.")]
UserFilter = Annotated[str | None, typer.Option("--user", help="Only this user's rows.")]
ActionFilter = Annotated[
    str | None, typer.Option("--action", help="Action prefix: login, read, write, export...")
]
Since = Annotated[
    dt.datetime | None, typer.Option("--since", help="From this UTC time (YYYY-MM-DD[THH:MM]).")
]
Limit = Annotated[int, typer.Option("--limit", help="At most this many rows, newest first.")]


@audit_app.command("list")
def list_rows(
    study: StudyFilter = None,
    user: UserFilter = None,
    action: ActionFilter = None,
    since: Since = None,
    limit: Limit = 50,
    data_dir: DataDir = None,
) -> None:
    """Show the newest rows."""
    from samspill.services import audit
    table = Table("when (UTC)", "user", "action", "what", "study", "from", "detail")
    with unit_of_work(data_dir) as (db, _):
        rows = audit.entries(
            db, study=study, username=user, action=action, since=_utc(since), limit=limit
        )
        for r in rows:
            at = r.at.strftime("%Y-%m-%d %H:%M:%S")
            table.add_row(at, r.username, r.action, r.target, r.study or "", r.client, r.detail)
    console.print(table)


@audit_app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    study: StudyFilter = None,
    user: UserFilter = None,
    action: ActionFilter = None,
    since: Since = None,
    limit: Limit = AUDIT_MAX_ROWS,
    data_dir: DataDir = None,
) -> None:
    """Write the matching rows as CSV (the export itself is logged)."""
    from samspill.services import audit
    with unit_of_work(data_dir) as (db, _):
        rows = audit.entries(
            db, study=study, username=user, action=action, since=_utc(since), limit=limit
        )
        out.write_text(audit.to_csv(rows), encoding="utf-8")
        audit.record(db, action="export.audit", target=out.name, study=study)
    console.print(f"{len(rows)} rows written to {out}")


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.replace(tzinfo=dt.UTC) if moment and moment.tzinfo is None else moment
