"""`samspill report`: a session report or a study's cohort report, as PDF or HTML."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from samspill.cli.common import DataDir, OnePerSession, Study, console, pooling_of, unit_of_work
from samspill.core.errors import InputError
from samspill.core.selection import Pooling


class Format(StrEnum):
    pdf = "pdf"
    html = "html"


class Language(StrEnum):
    en = "en"
    nb = "nb"


def report(
    study: Study,
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    session: Annotated[
        str | None, typer.Option("--session", help="The session's name (a session report).")
    ] = None,
    cohort: Annotated[
        bool, typer.Option("--cohort", help="The study's cohort report instead.")
    ] = False,
    coder: Annotated[
        str | None,
        typer.Option("--coder", help="Whose coding (default: the master or the only coding)."),
    ] = None,
    fmt: Annotated[
        Format | None,
        typer.Option("--format", help="pdf or html (default: from the --out suffix, else pdf)."),
    ] = None,
    lang: Annotated[Language, typer.Option("--lang", help="Report language.")] = Language.en,
    one_per_session: OnePerSession = None,
    data_dir: DataDir = None,
) -> None:
    """Write a session report (--session NAME) or the cohort report (--cohort)."""
    if cohort == (session is not None):
        raise InputError("name either --session NAME or --cohort", fix="give exactly one of them")
    chosen = (fmt or _format_of(out)).value
    if one_per_session is not None and not cohort:
        raise InputError("--one-per-session is for the cohort report",
                         fix="add --cohort, or leave --one-per-session out")
    content = _cohort(study, lang.value, chosen, data_dir,
                      pooling_of(one_per_session)) if cohort else _session(
        study, session or "", coder, lang.value, chosen, data_dir)
    try:
        out.write_bytes(content)
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror}", fix="check the folder") from exc
    console.print(f"wrote {out}")


def _format_of(out: Path) -> Format:
    return Format.html if out.suffix.lower() in (".html", ".htm") else Format.pdf


def _session(study: str, session: str, coder: str | None, lang: str, fmt: str,
             data_dir: Path | None) -> bytes:
    from samspill.reports.render import render
    from samspill.reports.session_report import session_document
    from samspill.services.reporting import session_data

    with unit_of_work(data_dir) as (db, _database):
        data = session_data(db, study=study, session=session, coder=coder)
    return render(session_document(data, lang), fmt)


def _cohort(study: str, lang: str, fmt: str, data_dir: Path | None, pooled: Pooling) -> bytes:
    from samspill.reports.cohort_report import cohort_document
    from samspill.reports.render import render
    from samspill.services.reporting import agreement_summary, cohort_data

    with unit_of_work(data_dir) as (db, _database), Progress(console=console,
                                                             transient=True) as bar:
        task = bar.add_task("scoring codings", total=None)
        data = cohort_data(db, study=study, agreement=agreement_summary(db, study=study),
                           progress=lambda fraction: bar.update(task, completed=fraction,
                                                                total=1.0),
                           pooled=pooled)
    return render(cohort_document(data, lang), fmt)
