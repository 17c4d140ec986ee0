"""`samspill export tidy|binned|redcap|bids`: tables and folders for R, machine learning,
REDCap and BIDS (issue 13), on the export group of :mod:`samspill.cli.exchange`.

Thin commands over :mod:`samspill.services.open_exports`. See ``docs/exports.md``.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from samspill.cli.common import (
    DataDir,
    OnePerSession,
    RawCells,
    Study,
    console,
    pooling_of,
    unit_of_work,
)
from samspill.cli.exchange import (
    CoderOpt,
    FormatOpt,
    Out,
    SessionOpt,
    _write,
    export_app,
    print_excluded,
    progress_bar,
    table_format,
)
from samspill.core.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

NoCodebook = Annotated[bool, typer.Option(
    "--codebook/--no-codebook", help="Write the codebook (NAME.codebook.md) beside the file.")]


class Videos(StrEnum):
    copy = "copy"
    link = "link"
    none = "none"


@export_app.command("tidy")
def export_tidy(study: Study, out: Out, fmt: FormatOpt = None, session: SessionOpt = None,
                coder: CoderOpt = None, one_per_session: OnePerSession = None,
                codebook: NoCodebook = True, raw_cells: RawCells = False,
                data_dir: DataDir = None) -> None:
    """The tidy long table: one row per event (study, dyad, session, segment, coder, pass,
    subject, code, modifiers, onset_ms, offset_ms, duration_ms, provenance), every coding
    unless --one-per-session; .csv, .rds (R: factors, integer ms), .parquet, .xlsx or .sav,
    with its codebook beside it."""
    from samspill.services import audit, exports, open_exports, pooling, studies

    fmt = table_format(out, fmt)
    pooled = pooling_of(one_per_session, "off")
    with unit_of_work(data_dir) as (db, _), progress_bar("export tidy") as report:
        target = studies.get_study(db, study)
        chosen = pooling.pooled(
            db, exports.choose_codings(db, target, session=session, coder=coder), pooled)
        exported, frame = open_exports.tidy_export(db, target, chosen, fmt.value, report,
                                                   raw_cells=raw_cells)
        _write(out, exported.body)
        if codebook:
            _write_codebook(out, frame, f"tidy events of study {study}")
        audit.record(db, action="export", target=f"tidy.{fmt.value}", study=study,
                     detail=f"{exported.taken} coding(s)")
    console.print(f"wrote {len(frame):,} events of {exported.taken} coding(s) to {out}")


def _write_codebook(out: Path, frame: pd.DataFrame, title: str) -> None:
    from samspill.interop import tidy

    book = out.with_name(tidy.codebook_name(out.name))
    _write(book, tidy.codebook_markdown(frame, title).encode("utf-8"))
    console.print(f"wrote its codebook to {book}")


@export_app.command("binned")
def export_binned(study: Study, out: Out,
                  bin_ms: Annotated[int, typer.Option(
                      "--bin-ms", help="Bin size in ms: 1000 for seconds, 40 for 25 fps frames.")]
                  = 1000,
                  fmt: FormatOpt = None, session: SessionOpt = None, coder: CoderOpt = None,
                  one_per_session: OnePerSession = None, codebook: NoCodebook = True,
                  data_dir: DataDir = None) -> None:
    """A binned 0/1 table for machine learning: one row per coding and bin, one column per
    subject and code (subject__code: 1 when coded in the bin), as .csv or .parquet; one
    coding per session unless --one-per-session off."""
    from samspill.services import audit, exports, open_exports, pooling, studies

    fmt = table_format(out, fmt)
    pooled = pooling_of(one_per_session, "auto")
    open_exports.check_bin_ms(bin_ms)  # before the store is opened
    with unit_of_work(data_dir) as (db, _), progress_bar("export binned") as report:
        target = studies.get_study(db, study)
        chosen = pooling.pooled(
            db, exports.choose_codings(db, target, session=session, coder=coder), pooled)
        exported, frame = open_exports.binned_export(db, target, chosen, bin_ms, fmt.value,
                                                     report)
        _write(out, exported.body)
        if codebook:
            _write_codebook(out, frame, f"{bin_ms} ms bins of study {study}")
        audit.record(db, action="export", target=f"binned.{fmt.value}", study=study,
                     detail=f"{exported.taken} coding(s), {bin_ms} ms bins")
    console.print(f"wrote {len(frame):,} bins of {exported.taken} coding(s) to {out}")


@export_app.command("redcap")
def export_redcap(study: Study,
                  out: Annotated[Path | None, typer.Option(
                      "--out", help="Folder for the records and data dictionary CSVs.")] = None,
                  url: Annotated[str | None, typer.Option(
                      "--url", help="The REDCap project's API URL (ending in /api/) to push "
                      "to.")] = None,
                  token_file: Annotated[Path | None, typer.Option(
                      "--token-file", help="File holding the project's API token (never give "
                      "the token itself on the command line).")] = None,
                  dictionary: Annotated[bool, typer.Option(
                      "--dictionary/--no-dictionary", help="With --url: import the data "
                      "dictionary first (REDCap allows it while the project is in "
                      "development).")] = True,
                  session: SessionOpt = None, coder: CoderOpt = None,
                  stability: Annotated[bool, typer.Option(
                      "--stability/--no-stability", help="Each sign's stability (slow for "
                      "large cohorts).")] = True,
                  one_per_session: OnePerSession = None, data_dir: DataDir = None) -> None:
    """The cohort table as a REDCap instrument: records CSV and data dictionary CSV in --out,
    and/or pushed to a REDCap project with --url and --token-file."""
    from samspill.interop import redcap
    from samspill.services import audit, exports, open_exports, studies

    if out is None and url is None:
        raise InputError("nothing to do: neither --out nor --url was given",
                         fix="give --out DIR for the CSV files, or --url and --token-file to "
                         "push to REDCap")
    token = _token(url, token_file)
    pooled = pooling_of(one_per_session, "auto")
    with unit_of_work(data_dir) as (db, _), progress_bar("export redcap") as report:
        target = studies.get_study(db, study)
        chosen = exports.choose_codings(db, target, session=session, coder=coder)
        made = open_exports.redcap_export(db, target, chosen, stability=stability,
                                          pooled=pooled, progress=report)
        if out is not None:
            _folder(out)
            for name, body in made.files(study).items():
                _write(out / name, body)
            console.print(f"wrote {len(made.records)} record(s) and the data dictionary "
                          f"({len(made.dictionary)} fields) to {out}")
        if url is not None and token is not None:
            pushed = redcap.push(url, token, redcap.Instrument(made.records, made.dictionary),
                                 dictionary=dictionary)
            console.print(f"pushed {pushed.records} record(s) to REDCap"
                          + (f" after {pushed.fields} field(s)" if dictionary else ""))
        audit.record(db, action="export", target="redcap", study=study,
                     detail=f"{len(made.records)} record(s)" + (" pushed" if url else ""))
    print_excluded(made.excluded)


def _token(url: str | None, token_file: Path | None) -> str | None:
    if url is None:
        if token_file is not None:
            raise InputError("--token-file is only used with --url",
                             fix="give the project's API URL with --url")
        return None
    if token_file is None:
        raise InputError("--url needs --token-file",
                         fix="save the API token alone in a file readable only by you and "
                         "give --token-file FILE")
    try:
        return token_file.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the token file {token_file}: "
                         f"{getattr(exc, 'strerror', None) or 'not UTF-8 text'}",
                         fix="give the path of a text file holding the token") from None


def _folder(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot make the folder {out}: {exc.strerror}",
                         fix="give a folder you may write to") from None


@export_app.command("bids")
def export_bids(study: Study,
                out: Annotated[Path, typer.Option(
                    "--out", help="New or empty folder for the BIDS dataset.")],
                videos: Annotated[Videos, typer.Option(
                    "--videos", help="copy the videos, link them (symbolic links into the "
                    "media store), or none.")] = Videos.copy,
                session: SessionOpt = None, coder: CoderOpt = None,
                one_per_session: OnePerSession = None, data_dir: DataDir = None) -> None:
    """A BIDS-style folder for sharing: sub-<dyad>/ses-<session>/beh/ with the videos and
    one _events.tsv (seconds) and _events.json per coding, dataset_description.json and
    participants.tsv (pseudonymous codes only); one coding per session unless
    --one-per-session off."""
    from samspill.services import audit, exports, open_exports, pooling, studies

    pooled = pooling_of(one_per_session, "auto")
    with unit_of_work(data_dir) as (db, database), progress_bar("export bids") as report:
        target = studies.get_study(db, study)
        chosen = pooling.pooled(
            db, exports.choose_codings(db, target, session=session, coder=coder), pooled)
        written = open_exports.bids_export(db, target, chosen, out,
                                           media_dir=database.settings.media_dir,
                                           videos=videos.value, progress=report)
        audit.record(db, action="export", target="bids", study=study,
                     detail=f"{written.events_files} coding(s), {written.videos} video(s)")
    console.print(f"wrote {written.participants} participant(s), {written.events_files} "
                  f"events file(s) and {written.videos} video(s) to {out}")
