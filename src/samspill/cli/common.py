"""What every command shares: the --data-dir option, opening the database, code-list options."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from samspill.core.errors import InputError, SamspillError
from samspill.core.selection import Pooling

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from samspill.settings import Settings
    from samspill.store.db import Database

# Every command module imports the store, the services and the heavy libraries inside the
# command that uses them, so `samspill --help` and the commands that compute nothing start at
# once (issue 15; tests/test_cli_startup.py holds the line).

console = Console()
DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Data folder (default ./samspill-data or $SAMSPILL_DATA_DIR).",
        show_default=False,
    ),
]
Study = Annotated[str, typer.Option("--study", help="The study's name.")]
RawCells = Annotated[bool, typer.Option(
    "--raw-cells",
    help="Write text exactly as stored. By default a text cell starting with = + - @ (or a "
    "tab or carriage return) gets a leading ' so a spreadsheet cannot run it as a formula; "
    "numbers are never changed. Use this only for files read by R or Python.")]


OnePerSession = Annotated[str | None, typer.Option(
    "--one-per-session", metavar="auto|coder:NAME|off",
    help="Which codings of a double-coded session a pooled result takes: auto (one: the "
    "master, else the reconciled coding, else the first submitted), coder:NAME (the same, "
    "NAME's coding before the first submitted) or off (every coding). Default: auto, but off "
    "for the events table and coding files.", show_default=False)]


def pooling_of(text: str | None, default: str = "auto") -> Pooling:
    """The ``--one-per-session`` option read by the one rule (``core/selection.py``)."""
    return Pooling.parse(text if text is not None else default)


def error_text(error: SamspillError) -> str:
    """An error as the terminal shows it, each fix once: ``where: what. Fix: how`` on one line;
    a message listing several problems (each with its own ``Fix:``) keeps its lines, and the
    error's own fix follows on a line of its own rather than after the last problem's."""
    text = f"{error.where}: {error.message}" if error.where else error.message
    if not error.fix:
        return text
    if "\n" in text or "Fix:" in text:
        return f"{text}\nFix: {error.fix}"
    return f"{text}. Fix: {error.fix}"


def settings_for(data_dir: Path | None) -> Settings:
    from samspill.settings import Settings

    return Settings(data_dir=data_dir) if data_dir is not None else Settings()


def open_database(data_dir: Path | None) -> Database:
    """The database, migrated to the newest schema, with the built-in schemes registered."""
    from samspill.services.schemes import register_builtin_schemes
    from samspill.store.db import Database

    database = Database(settings_for(data_dir))
    database.migrate()
    with database.session() as db:
        register_builtin_schemes(db)
    return database


@contextmanager
def unit_of_work(data_dir: Path | None) -> Iterator[tuple[Session, Database]]:
    database = open_database(data_dir)
    try:
        with database.session() as db:
            yield db, database
    finally:
        database.dispose()


def code_list(text: str, option: str) -> list[str]:
    """``"respond, hold"`` → ``["respond", "hold"]``; an option naming no code is refused."""
    codes = [c.strip() for c in text.split(",") if c.strip()]
    if not codes:
        raise InputError(f"{option} names no code", fix=f"give {option} CODE[,CODE…]")
    return codes
