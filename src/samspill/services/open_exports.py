"""Exports for sharing and for other tools (issue 13): the tidy long events table (CSV, R
``.rds``, ...) with its codebook, the binned 0/1 table for machine learning, the cohort as a
REDCap instrument, and a BIDS-style folder of a study's sessions.

This module gathers what the store holds; the converters are in :mod:`samspill.interop.tidy`,
:mod:`samspill.interop.redcap` and :mod:`samspill.interop.bids`. Exports hold pseudonymous
dyad codes only (never the names or birth dates of ``DyadIdentity``, nor a child's birth
month or a session's date), and only the codings the caller chose (``exports.choose_codings``
applies the blind rule).
"""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pandas as pd
from sqlalchemy.orm import Session

from samspill.core.errors import N_, InputError
from samspill.core.selection import ONE_PER_SESSION, Pooling
from samspill.interop import bids, redcap, tidy
from samspill.interop.tabular import Format, write_table
from samspill.services import codings, pooling, studies
from samspill.services.exports import (
    MEDIA_TYPES,
    ExportFile,
    cohort_of,
    events_by_coding,
)
from samspill.services.media import media_of
from samspill.services.schemes import scheme_of
from samspill.store.media import media_path
from samspill.store.models import Coding, Study

Progress = Callable[[float], None]
BIN_FORMATS: tuple[Format, ...] = ("csv", "parquet")
# The import formats a session's source_metadata names → the provenance of its codings.
_IMPORTED = {"BORIS": "imported-boris", "ELAN": "imported-elan", "DATAVYU": "imported-datavyu"}


def _quiet(_fraction: float) -> None:
    """The default progress callback: report nothing."""


def coding_events(db: Session, chosen: Sequence[Coding],
                  progress: Progress = _quiet) -> list[tidy.CodingEvents]:
    """The chosen codings with their events, segments, pass and provenance, in their order."""
    stored = events_by_coding(db, chosen)
    reconciled = pooling.reconciled_ids(db, {c.session_id for c in chosen})
    passes: dict[int, dict[int, int]] = {}
    out = []
    for n, coding in enumerate(chosen, start=1):
        session = coding.session
        if session.id not in passes:
            ordered = sorted(codings.codings_of(db, session), key=lambda c: (c.created_at, c.id))
            passes[session.id] = {c.id: k for k, c in enumerate(ordered, start=1)}
        out.append(tidy.CodingEvents(
            identity={"study": session.study.name, "dyad": session.dyad.code,
                      "session": session.name, "coder": coding.coder.username,
                      "coding_id": coding.id},
            events=stored[coding.id], segments=studies.segments_of(db, session),
            pass_number=passes[session.id].get(coding.id, 1),
            provenance=provenance_of(coding, coding.id in reconciled),
            duration_ms=session.duration_ms or None))
        progress(0.8 * n / len(chosen))
    return out


def provenance_of(coding: Coding, reconciled: bool) -> str:
    """Where a coding's events came from, as ``docs/variables.md`` lists (``provenance``)."""
    session = coding.session
    if reconciled:
        return "consensus"
    if session.ground_truth:
        return "simulated"
    fmt = str((session.source_metadata or {}).get("format", "")).upper()
    if fmt:
        return _IMPORTED.get(fmt, "imported-other")
    return "coded"


def tidy_frame(db: Session, study: Study, chosen: Sequence[Coding],
               progress: Progress = _quiet) -> pd.DataFrame:
    """The tidy long events table: one row per event of every chosen coding."""
    return tidy.tidy_table(coding_events(db, chosen, progress))


def tidy_export(db: Session, study: Study, chosen: Sequence[Coding], fmt: Format,
                progress: Progress = _quiet, *, raw_cells: bool = False
                ) -> tuple[ExportFile, pd.DataFrame]:
    """The tidy table of the chosen codings in ``fmt`` (its codebook as the file's
    ``table``), and the table itself."""
    frame = tidy_frame(db, study, chosen, progress)
    body = write_table(frame, fmt, sheet="tidy", raw_cells=raw_cells)
    progress(1.0)
    name = f"{study.name}-tidy.{fmt}"
    return ExportFile(name, MEDIA_TYPES[fmt], body, taken=len(chosen),
                      table=tidy.codebook(frame)), frame


# ---------------------------------------------------------------- binned

def check_bin_ms(bin_ms: int) -> None:
    """Refuse a bin size below 1 ms (a bin of 0 ms would make endless rows), before the
    store is read."""
    if bin_ms < 1:
        raise InputError(N_("the bin size must be at least 1 ms, not {bin_ms}"),
                         fix=N_("give 1000 ms for one-second bins, or the frame length "
                                "(40 ms for 25 frames a second)"),
                         params={"bin_ms": bin_ms})


def scheme_codes(chosen: Sequence[Coding]) -> list[tuple[str, str]]:
    """Every (subject, code) the chosen codings' schemes define, in scheme order."""
    versions = {c.scheme_version_id: c.scheme_version for c in chosen}
    return list(dict.fromkeys((subject, code.id) for v in versions.values()
                              for code in scheme_of(v).codes for subject in code.subjects))


def binned_export(db: Session, study: Study, chosen: Sequence[Coding], bin_ms: int,
                  fmt: Format, progress: Progress = _quiet) -> tuple[ExportFile, pd.DataFrame]:
    """The binned 0/1 table of the chosen codings (one row per coding and bin) as CSV or
    Parquet (its codebook as the file's ``table``, which the job page shows), and the
    table itself."""
    if fmt not in BIN_FORMATS:
        raise InputError(N_("the binned table is written as {formats}, not {fmt}"),
                         fix=N_("name the file .csv or .parquet"),
                         params={"formats": " or ".join(BIN_FORMATS), "fmt": fmt})
    check_bin_ms(bin_ms)
    frame = tidy.binned_table(coding_events(db, chosen, progress), bin_ms, scheme_codes(chosen))
    body = write_table(frame, fmt, sheet="bins", raw_cells=True)
    progress(1.0)
    name = f"{study.name}-{bin_ms}ms-bins.{fmt}"
    return ExportFile(name, MEDIA_TYPES[fmt], body, taken=len(chosen),
                      table=tidy.codebook(frame)), frame


# ---------------------------------------------------------------- REDCap

@dataclass(frozen=True)
class RedcapExport:
    """The cohort as a REDCap instrument: the records and the data dictionary (CSV bytes)."""

    records: pd.DataFrame
    dictionary: pd.DataFrame
    excluded: pd.DataFrame
    taken: int

    def files(self, study: str) -> dict[str, bytes]:
        return {f"{study}-redcap-records.csv": redcap.to_csv(self.records),
                f"{study}-redcap-dictionary.csv": redcap.to_csv(self.dictionary)}


def redcap_export(db: Session, study: Study, chosen: Sequence[Coding], *,
                  stability: bool = True, pooled: Pooling = ONE_PER_SESSION,
                  progress: Progress = _quiet) -> RedcapExport:
    """The cohort table of the chosen codings (as ``export cohort`` takes them) as REDCap
    records with their data dictionary; refused when no coding can be scored."""
    cohort = cohort_of(db, study, chosen, stability=stability, progress=progress,
                       pooled=pooled)
    if cohort.table.empty:
        raise InputError(N_("study '{study}' has no coding the cohort can score"),
                         fix=N_("code and submit a study session first"),
                         params={"study": study.name})
    instrument = redcap.instrument(cohort.table)
    return RedcapExport(instrument.records, instrument.dictionary, cohort.excluded,
                        len(cohort.table) + len(cohort.excluded))


# ---------------------------------------------------------------- BIDS

def bids_export(db: Session, study: Study, chosen: Sequence[Coding], out: Path, *,
                media_dir: Path | None, videos: bids.VideoMode = "copy",
                progress: Progress = _quiet) -> bids.Written:
    """Write the chosen codings as a BIDS-style folder at ``out`` (which must be empty or
    new): ``sub-<dyad>/ses-<session>/beh/`` with each session's videos (copied, linked or
    left out) and one ``_events.tsv`` with its ``_events.json`` per coding."""
    bids.check_target(out)
    by_id = {c.id: c for c in chosen}
    runs = []
    for item in coding_events(db, chosen, lambda f: progress(0.5 * f)):
        coding = by_id[int(str(item.identity["coding_id"]))]
        scheme = scheme_of(coding.scheme_version)
        session = coding.session
        sources = [] if videos == "none" or media_dir is None else [
            (media_path(media_dir, m.sha256), _suffix(m.filename))
            for m in media_of(db, session)]
        runs.append(bids.Run(coding=item, scheme=scheme, task=session.procedure,
                             videos=sources))
    written = bids.write_dataset(out, name=study.title or study.name, runs=runs,
                                 videos=videos, copy=shutil.copyfile)
    progress(1.0)
    return written


def _suffix(filename: str) -> str:
    """A video's extension for its exported name (``.mp4``), or none when it is odd; the
    uploaded name itself, which may name the child, never leaves."""
    suffix = PurePosixPath(filename).suffix.lower()
    return suffix if suffix[1:].isalnum() and len(suffix) <= 6 else ""


def bids_zip(db: Session, study: Study, chosen: Sequence[Coding],
             progress: Progress = _quiet) -> ExportFile:
    """The BIDS-style folder without the videos, as one ``.zip`` (the web's download:
    videos can be gigabytes; ``samspill export bids`` copies or links them)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / f"{bids.label(study.name)}-bids"
        bids_export(db, study, chosen, root, media_dir=None, videos="none",
                    progress=lambda f: progress(0.9 * f))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(tmp).as_posix())
    progress(1.0)
    return ExportFile(f"{study.name}-bids.zip", MEDIA_TYPES["zip"], buffer.getvalue(),
                      taken=len(chosen))
