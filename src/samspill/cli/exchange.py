"""`samspill export …`: research tables and coding files, and the progress bar the imports
(:mod:`samspill.cli.imports`) share.

Thin commands over :mod:`samspill.services.exports`; the converters themselves live in
:mod:`samspill.interop`. See ``docs/exports.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

from samspill.cli.common import (
    DataDir,
    OnePerSession,
    RawCells,
    Study,
    console,
    pooling_of,
    unit_of_work,
)
from samspill.core.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from samspill.services import exports

export_app = typer.Typer(help="Export a study's codings as tables or coding files.",
                         no_args_is_help=True)


class TableFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    sav = "sav"
    parquet = "parquet"
    rds = "rds"


class Tiers(StrEnum):
    subject = "subject"
    subject_dimension = "subject-dimension"


Out = Annotated[Path, typer.Option("--out", help="File to write.")]
SessionOpt = Annotated[str | None, typer.Option("--session", help="Only this session.")]
CoderOpt = Annotated[str | None, typer.Option("--coder", help="Only this coder's codings.")]
FormatOpt = Annotated[TableFormat | None, typer.Option(
    "--format", help="csv, xlsx, sav, parquet or rds (default: from the --out file's "
    "extension).",
    show_default=False)]


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[float], None]]:
    """A rich progress bar on stderr (stdout stays clean); yields the fraction callback.
    Off when stderr is no terminal, so pipes and logs get only the one-line messages."""
    err = Console(stderr=True)
    bar = Progress(TextColumn(label), BarColumn(), TaskProgressColumn(), console=err,
                   transient=True, disable=not err.is_terminal)
    with bar:
        task = bar.add_task(label, total=1.0)
        yield lambda fraction: bar.update(task, completed=fraction)


def print_excluded(excluded: pd.DataFrame) -> None:
    """The codings a cohort left out because they cannot be scored, with the reason and fix."""
    if excluded.empty:
        return
    n = len(excluded)
    typer.echo(f"{n} coding{'s' if n > 1 else ''} left out: {'they' if n > 1 else 'it'} "
               "cannot be scored")
    for row in excluded.itertuples():
        reason = str(row.reason).replace("\n", "\n    ")
        typer.echo(f"  session {row.session}, coder {row.coder} (coding {row.coding_id}): "
                   f"{reason}")
        if row.fix:
            typer.echo(f"    Fix: {row.fix}")


def _write(out: Path, body: bytes) -> None:
    try:
        out.write_bytes(body)
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror}",
                         fix="check the folder exists and is writable") from None


def table_format(out: Path, fmt: TableFormat | None) -> TableFormat:
    """The format to write: ``--format``, else the one the file's extension names. A file whose
    extension names another format than ``--format``, or none that is written, is refused:
    a ``.sav`` must never hold CSV."""
    from samspill.interop.tabular import format_of_name  # pyarrow and pyreadstat: on use

    named = format_of_name(out.name)
    if fmt is None:
        if named is not None:
            return TableFormat(named)
        extension = out.suffix or "no extension"
        raise InputError(f"cannot tell the table format of {out.name} ({extension})",
                         fix="give --format csv, xlsx, sav, parquet or rds, or end the file "
                         "name in .csv, .xlsx, .sav, .parquet or .rds")
    if named is not None and named != fmt.value:
        raise InputError(f"{out.name} is named as a .{named} file but --format is {fmt.value}",
                         fix=f"name the file ….{fmt.value}, or give --format {named}")
    return fmt


def _table(kind: exports.TableKind, study: str, fmt: TableFormat | None, out: Path,
           session: str | None, coder: str | None, data_dir: Path | None,
           stability: bool = True, raw_cells: bool = False,
           one_per_session: str | None = None) -> None:
    from samspill.services import audit, exports, studies
    fmt = table_format(out, fmt)
    pooled = pooling_of(one_per_session, str(exports.default_pooling(kind)))
    with unit_of_work(data_dir) as (db, _), progress_bar(f"export {kind}") as report:
        target = studies.get_study(db, study)
        chosen = exports.choose_codings(db, target, session=session, coder=coder)
        exported = exports.table_export(db, target, kind, fmt.value, chosen, report,
                                        stability=stability, raw_cells=raw_cells,
                                        pooled=pooled)
        _write(out, exported.body)
        audit.record(db, action="export", target=f"{kind}.{fmt.value}", study=study,
                     detail=f"{exported.taken} coding(s)")
    left_out = len(exported.excluded)
    console.print(f"wrote {kind} of {exported.taken - left_out} coding(s) to {out}")
    print_excluded(exported.excluded)


@export_app.command("cohort")
def export_cohort(study: Study, out: Out, fmt: FormatOpt = None,
                  session: SessionOpt = None, coder: CoderOpt = None,
                  stability: Annotated[bool, typer.Option(
                      "--stability/--no-stability",
                      help="Each sign's stability (about 0.1 s per coding; --no-stability for "
                      "large cohorts).")] = True,
                  raw_cells: RawCells = False, one_per_session: OnePerSession = None,
                  data_dir: DataDir = None) -> None:
    """One row per study coding (training and reliability codings are left out; one per
    session unless --one-per-session off): identity,
    each sign's values, state, reason, flag and stability, the hostility qualifier, the
    summary, counts, level. Codings that cannot be scored are left out and listed with the
    reason and the fix. The format follows --format, else the file's extension."""
    _table("cohort", study, fmt, out, session, coder, data_dir, stability, raw_cells,
           one_per_session)


@export_app.command("events")
def export_events(study: Study, out: Out, fmt: FormatOpt = None,
                  session: SessionOpt = None, coder: CoderOpt = None,
                  raw_cells: RawCells = False, one_per_session: OnePerSession = None,
                  data_dir: DataDir = None) -> None:
    """Every event in long format: one row per event, identity columns repeated (every
    coding unless --one-per-session auto or coder:NAME)."""
    _table("events", study, fmt, out, session, coder, data_dir, raw_cells=raw_cells,
           one_per_session=one_per_session)


@export_app.command("predictors")
def export_predictors(study: Study, out: Out, fmt: FormatOpt = None,
                      session: SessionOpt = None, coder: CoderOpt = None,
                      raw_cells: RawCells = False, one_per_session: OnePerSession = None,
                      data_dir: DataDir = None) -> None:
    """One row per dyad (mean over its sessions, one coding per session unless
    --one-per-session off), for 'samspill outcomes OUTCOMES.csv --predictors THIS.csv'."""
    _table("predictors", study, fmt, out, session, coder, data_dir, raw_cells=raw_cells,
           one_per_session=one_per_session)


def _file(kind: exports.FileKind, study: str, out: Path, session: str | None,
          coder: str | None, data_dir: Path | None, tiers: Tiers = Tiers.subject,
          one_per_session: str | None = None) -> None:
    from samspill.services import audit, exports, studies
    pooled = pooling_of(one_per_session, str(exports.default_pooling(kind)))
    with unit_of_work(data_dir) as (db, _), progress_bar(f"export {kind}") as report:
        target = studies.get_study(db, study)
        chosen = exports.choose_codings(db, target, session=session, coder=coder)
        exported = exports.file_export(db, target, kind, chosen, tiers=tiers.value,
                                       progress=report, pooled=pooled)
        _write(out, exported.body)
        audit.record(db, action="export", target=kind, study=study,
                     detail=f"{exported.taken} coding(s)")
    console.print(f"wrote {kind} file of {exported.taken} coding(s) to {out}")


@export_app.command("boris")
def export_boris(study: Study, out: Out, session: SessionOpt = None, coder: CoderOpt = None,
                 one_per_session: OnePerSession = None, data_dir: DataDir = None) -> None:
    """A BORIS project (.boris): the scheme as ethogram, one observation per coding."""
    _file("boris", study, out, session, coder, data_dir, one_per_session=one_per_session)


@export_app.command("elan")
def export_elan(study: Study, out: Out, session: SessionOpt = None, coder: CoderOpt = None,
                tiers: Annotated[Tiers, typer.Option(
                    "--tiers", help="One tier per subject, or per subject and dimension.")]
                = Tiers.subject,
                one_per_session: OnePerSession = None, data_dir: DataDir = None) -> None:
    """One coding as an ELAN file (.eaf); name the session (and the coder if several)."""
    _file("elan", study, out, session, coder, data_dir, tiers, one_per_session)


@export_app.command("datavyu")
def export_datavyu(study: Study, out: Out, session: SessionOpt = None, coder: CoderOpt = None,
                   columns: Annotated[Tiers, typer.Option(
                       "--columns", help="One column per subject, or per subject and "
                                         "dimension.")] = Tiers.subject,
                   one_per_session: OnePerSession = None, data_dir: DataDir = None) -> None:
    """One coding as a Datavyu file (.opf); name the session (and the coder if several).
    Arguments: code, the modifiers, comment; a point is a cell with onset = offset."""
    _file("datavyu", study, out, session, coder, data_dir, columns, one_per_session)


@export_app.command("sdis")
def export_sdis(study: Study, out: Out, session: SessionOpt = None, coder: CoderOpt = None,
                one_per_session: OnePerSession = None, data_dir: DataDir = None) -> None:
    """SDIS Timed data for GSEQ (.sds): one GSEQ session per coding."""
    _file("sdis", study, out, session, coder, data_dir, one_per_session=one_per_session)


# The tidy, binned, REDCap and BIDS exports (issue 13) register on export_app there.
from samspill.cli import exchange_open  # noqa: E402, F401
