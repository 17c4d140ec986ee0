"""Tidy research tables: the long events table with segment, pass and provenance, a binned
0/1 table for machine learning, R's ``.rds``, and the codebook written beside a file.

Pure converters over plain values and DataFrames: :mod:`samspill.services.open_exports`
gathers what the store holds. Times are integer milliseconds; every column is described by
the variable registry (:mod:`samspill.interop.variables`, ``docs/variables.md``).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from samspill.core.errors import N_, InputError
from samspill.core.events import Event, Segment
from samspill.interop.events_csv import format_modifiers
from samspill.interop.variables import (
    BIN_TABLE_COLUMNS,
    REGISTRY,
    TIDY_TABLE_COLUMNS,
    Variable,
    values_text,
)

Registry = Mapping[str, Variable]
# R's integers are 32-bit: every time up to ten days fits (864,000,000 ms).
_R_INT_MAX = 2**31 - 1
# The largest table a binned export makes (rows × columns), so a 1 ms bin over a long study
# is refused with a fix rather than filling the memory.
MAX_BIN_CELLS = 50_000_000
CODEBOOK_COLUMNS = ["name", "label", "kind", "type", "unit", "levels", "description"]


@dataclass(frozen=True)
class CodingEvents:
    """One coding's events with what a tidy or binned row repeats: ``identity`` (study,
    dyad, session, coder, coding_id), its pass and provenance, the session's segments and
    length (None when unknown: the last event's end is used)."""

    identity: Mapping[str, object]
    events: Sequence[Event]
    segments: Sequence[Segment] = ()
    pass_number: int = 1
    provenance: str = "coded"
    duration_ms: int | None = None


def tidy_table(codings: Iterable[CodingEvents]) -> pd.DataFrame:
    """One row per event of every coding, in :data:`TIDY_TABLE_COLUMNS` order; duration is
    ``offset_ms - onset_ms`` (empty for points), ``segment`` the segment holding the onset."""
    rows = [_tidy_row(c, e) for c in codings
            for e in sorted(c.events, key=lambda e: (e.onset_ms, e.subject, e.code))]
    frame = pd.DataFrame(rows, columns=TIDY_TABLE_COLUMNS)
    return frame.astype({"coding_id": "int64", "pass": "int64", "onset_ms": "int64",
                         "offset_ms": "Int64", "duration_ms": "Int64"})


def _tidy_row(coding: CodingEvents, e: Event) -> dict[str, object]:
    return {**coding.identity, "segment": segment_at(coding.segments, e.onset_ms),
            "pass": coding.pass_number, "subject": e.subject, "code": e.code,
            "modifiers": format_modifiers(e.modifiers), "onset_ms": e.onset_ms,
            "offset_ms": e.offset_ms,
            "duration_ms": None if e.offset_ms is None else e.offset_ms - e.onset_ms,
            "provenance": coding.provenance, "assist": e.provenance or ""}


def segment_at(segments: Sequence[Segment], ms: int) -> str:
    """The name of the first segment with ``start_ms <= ms < end_ms``, else ``""``."""
    return next((s.name for s in segments if s.start_ms <= ms < s.end_ms), "")


# ---------------------------------------------------------------- binned table

def code_column(subject: str, code: str) -> str:
    """The binned table's column of a subject's code: ``child__bid`` (codes and subjects are
    identifiers, so the double underscore never occurs inside one)."""
    return f"{subject}__{code}"


def binned_table(codings: Sequence[CodingEvents], bin_ms: int,
                 codes: Sequence[tuple[str, str]] = ()) -> pd.DataFrame:
    """One row per coding and bin of ``bin_ms``, then one 0/1 column per (subject, code):
    1 when a state overlaps the bin (its end is exclusive) or a point lies in it.

    ``codes`` fixes the code columns (a scheme's, so a code never coded is a column of 0s);
    codes found in the events are added after them. A coding runs from 0 to its session's
    length, else to its last event's end. Raises :class:`InputError` for a bin size below 1 ms
    or a table larger than :data:`MAX_BIN_CELLS`."""
    check_bin_ms(bin_ms)
    columns = list(dict.fromkeys([*codes, *((e.subject, e.code) for c in codings
                                             for e in c.events)]))
    lengths = [_length(c) for c in codings]
    rows = sum(-(-n // bin_ms) if n else 0 for n in lengths)
    if rows * (len(columns) + len(BIN_TABLE_COLUMNS)) > MAX_BIN_CELLS:
        raise InputError(N_("{rows} bins × {count} codes is too large a table"),
                         fix=N_("choose a larger --bin-ms, or export one session at a time"),
                         params={"rows": f"{rows:,}", "count": len(columns)})
    frames = [_bins(c, n, bin_ms, columns) for c, n in zip(codings, lengths, strict=True) if n]
    if not frames:
        return pd.DataFrame(columns=[*BIN_TABLE_COLUMNS,
                                     *(code_column(s, c) for s, c in columns)])
    return pd.concat(frames, ignore_index=True)


def check_bin_ms(bin_ms: int) -> None:
    """Refuse a bin size below 1 ms (a bin of 0 ms would make endless rows)."""
    if bin_ms < 1:
        raise InputError(N_("the bin size must be at least 1 ms, not {bin_ms}"),
                         fix=N_("give 1000 ms for one-second bins, or the frame length "
                                "(40 ms for 25 frames a second)"),
                         params={"bin_ms": bin_ms})


def _length(coding: CodingEvents) -> int:
    ends = [e.offset_ms if e.offset_ms is not None else e.onset_ms + 1 for e in coding.events]
    return coding.duration_ms or max(ends, default=0)


def _bins(coding: CodingEvents, length: int, bin_ms: int,
          columns: Sequence[tuple[str, str]]) -> pd.DataFrame:
    count = -(-length // bin_ms)
    starts = np.arange(count, dtype="int64") * bin_ms
    index = {key: n for n, key in enumerate(columns)}
    marks = np.zeros((count, len(columns)), dtype="int8")
    for e in coding.events:
        first = min(e.onset_ms // bin_ms, count - 1)
        # A state covers the bins up to the one holding its last millisecond; a point one bin.
        last = first if e.offset_ms is None or e.offset_ms <= e.onset_ms else \
            min((e.offset_ms - 1) // bin_ms, count - 1)
        marks[first:last + 1, index[(e.subject, e.code)]] = 1
    frame = pd.DataFrame({**{k: coding.identity.get(k) for k in BIN_TABLE_COLUMNS[:5]},
                          "bin": np.arange(count, dtype="int64"), "bin_onset_ms": starts,
                          "bin_offset_ms": np.minimum(starts + bin_ms, length)})
    codes = pd.DataFrame(marks, columns=[code_column(s, c) for s, c in columns])
    return pd.concat([frame, codes], axis=1)


# ---------------------------------------------------------------- codebook and R

def codebook(frame: pd.DataFrame, registry: Registry = REGISTRY) -> pd.DataFrame:
    """One row per column of ``frame``: name, label, kind, the type as written (``integer``,
    ``double``, ``character``, ``factor``, ``0/1 integer``), unit, levels and description,
    from the registry; a binned table's code columns are described as such."""
    rows = []
    for column in frame.columns:
        v = registry.get(column)
        if v is not None:
            rows.append({"name": column, "label": v.label, "kind": v.kind,
                         "type": _r_type(v), "unit": v.unit, "levels": _levels(v),
                         "description": v.description})
        elif "__" in str(column):
            subject, code = str(column).split("__", 1)
            rows.append({"name": column, "label": f"{code} ({subject})", "kind": "flag",
                         "type": "0/1 integer", "unit": "", "levels": "0 = not coded in the "
                         "bin; 1 = coded in the bin",
                         "description": f"1 when {subject}'s code {code} is coded in the bin: "
                         "a state overlapping it, or a point inside it."})
        else:
            rows.append({"name": column, "label": "", "kind": "", "type": "", "unit": "",
                         "levels": "", "description": "not documented"})
    return pd.DataFrame(rows, columns=CODEBOOK_COLUMNS)


def _r_type(v: Variable) -> str:
    return {"text": "character", "integer": "integer", "number": "double",
            "flag": "0/1 integer", "category": "factor"}[v.kind]


def _levels(v: Variable) -> str:
    if v.kind == "category":
        return ", ".join(text for _, text in v.values)
    return values_text(v)


def codebook_markdown(frame: pd.DataFrame, title: str,
                      registry: Registry = REGISTRY) -> str:
    """The codebook as a Markdown page to keep beside the data file."""
    book = codebook(frame, registry)
    lines = [f"# Codebook: {title}", "",
             f"{len(frame):,} rows, {len(frame.columns)} columns. Times are whole "
             "milliseconds (ms) on the session timeline; empty cells are missing values. "
             "Generated by Samspill from its variable registry (docs/variables.md).", "",
             "| " + " | ".join(CODEBOOK_COLUMNS) + " |", "|" + "---|" * len(CODEBOOK_COLUMNS)]
    lines += ["| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |"
              for row in book.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def r_frame(frame: pd.DataFrame, registry: Registry = REGISTRY) -> pd.DataFrame:
    """``frame`` as R should hold it: categories as factors with the registry's levels in its
    order, whole numbers (times in ms, counts, flags) as R integers (32-bit, NA kept), text
    as character with NA for empty."""
    out = pd.DataFrame(index=range(len(frame)))
    for column in frame.columns:
        series = frame[column].reset_index(drop=True)
        v = registry.get(column)
        if v is not None and v.kind == "category":
            levels = [text for _, text in v.values]
            unknown = sorted({str(x) for x in series.dropna()} - set(levels))
            out[column] = pd.Categorical(series.where(series.notna(), None),
                                         categories=levels + unknown)
        elif pd.api.types.is_bool_dtype(series) or _whole(series):
            out[column] = series.astype("Int32")
        else:
            out[column] = series
    return out


def _whole(series: pd.Series) -> bool:
    if not pd.api.types.is_integer_dtype(series):
        return False
    values = series.dropna()
    return values.empty or bool(values.abs().max() <= _R_INT_MAX)


def write_rds(frame: pd.DataFrame, registry: Registry = REGISTRY) -> bytes:
    """``frame`` as an R ``.rds`` file (gzip-compressed, as R's ``saveRDS`` writes), read
    in R with ``readRDS``: factors for categories, integers for times in ms."""
    import pyreadr  # on use: only this export needs it

    handle, path = tempfile.mkstemp(suffix=".rds")
    os.close(handle)
    try:
        pyreadr.write_rds(path, r_frame(frame, registry), compress="gzip")
        with open(path, "rb") as saved:
            return saved.read()
    finally:
        os.unlink(path)


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def codebook_name(data_name: str) -> str:
    """The codebook's file name beside a data file: ``events.rds`` → ``events.codebook.md``."""
    stem = data_name.rsplit(".", 1)[0] if "." in data_name[1:] else data_name
    return f"{_SAFE_NAME.sub('-', stem)}.codebook.md"
