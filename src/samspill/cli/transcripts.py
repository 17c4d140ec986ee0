"""`samspill transcript import|export`: a coding's coded transcript as text, Word or PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from samspill.cli.common import DataDir, Study, console, unit_of_work
from samspill.core.errors import InputError

transcript_app = typer.Typer(help="Import and export a coding's coded transcript.",
                             no_args_is_help=True)
SessionName = Annotated[str, typer.Option("--session", help="The session's name.")]
Coder = Annotated[
    str | None, typer.Option("--coder", help="Whose coding (default: the only or master coding).")
]


@transcript_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="Text, one entry per line: 00:55 what happened")],
    study: Study,
    session: SessionName,
    coder: Coder = None,
    locked: Annotated[bool, typer.Option(
        "--locked", help="Also into a submitted or master coding (a tape's master transcript)."
    )] = False,
    data_dir: DataDir = None,
) -> None:
    """Replace a coding's transcript with the file's entries; a bad line is named, and then
    nothing changes."""
    from samspill.services import codings, studies, transcripts
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {file}: {exc}", fix="check the path; save as UTF-8") from exc
    with unit_of_work(data_dir) as (db, _):
        target = studies.get_session(db, study=studies.get_study(db, study), name=session)
        coding = codings.pick_coding(db, session=target, coder=coder)
        row = transcripts.import_text(db, coding=coding, text=text, base_version=None,
                                      by=coding.coder, locked=locked)
        count = len(transcripts.state_of(db, coding).entries)
        console.print(f"imported {count} entries into coding {coding.id} (version {row.version})")


@transcript_app.command("export")
def export(
    study: Study,
    session: SessionName,
    out: Annotated[Path, typer.Option("--out", help="File to write ('-': text to stdout).")],
    coder: Coder = None,
    fmt: Annotated[Literal["txt", "docx", "pdf"], typer.Option(
        "--format", help="txt, docx (Word) or pdf.")] = "txt",
    lang: Annotated[Literal["en", "nb"], typer.Option("--lang", help="en or nb.")] = "en",
    data_dir: DataDir = None,
) -> None:
    """Write a coding's transcript, its [code] tags linked to the coding's events."""
    from samspill.reports.transcript_report import (
        TranscriptHeader,
        transcript_docx,
        transcript_pdf,
    )
    from samspill.services import codings, studies, transcripts
    with unit_of_work(data_dir) as (db, _):
        target = studies.get_session(db, study=studies.get_study(db, study), name=session)
        coding = codings.pick_coding(db, session=target, coder=coder)
        if fmt == "txt":
            body: bytes = transcripts.plain_text(db, coding).encode("utf-8")
        else:
            header = TranscriptHeader(study, session, coding.id, coding.coder.username)
            entries = [(e.entry, e.links) for e in transcripts.readable_entries(db, coding)]
            write = transcript_docx if fmt == "docx" else transcript_pdf
            body = write(header, entries, language=lang)
    if str(out) == "-":
        if fmt != "txt":
            raise InputError("only text goes to stdout", fix="give --out FILE for docx or pdf")
        typer.echo(body.decode("utf-8"), nl=False)
    else:
        out.write_bytes(body)
        console.print(f"wrote {out}")
