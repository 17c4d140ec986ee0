"""Tables (cohort, session, long events) to CSV, XLSX, SPSS ``.sav``, Parquet and R ``.rds``
bytes.

Column meaning comes from :mod:`samspill.interop.variables` (the cohort and events tables'
``REGISTRY``, the predictors table's ``PREDICTOR_REGISTRY``). Flags are 0/1 in every format.
SPSS gets variable labels with their units, value labels (categories such as ``sim_style`` or
a sign's state as coded integers, a sign's ``not_observable`` as user-missing), measurement
levels, and formats sized to the data (``F7.0`` for onsets up to 1,199,878 ms, ``F5.3`` for a
proportion, ``A`` and the longest text's bytes). XLSX gets a frozen header row and a second
sheet ``variables``, Parquet the label, unit and description as field metadata, R's ``.rds``
factors with the registry's levels (:mod:`samspill.interop.tidy`). Columns
missing from the registry are written without labels; :func:`undocumented` lists them so a test
can keep the registry complete.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable, Mapping
from typing import Literal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat

from samspill.core.errors import N_, InputError
from samspill.core.events import Event
from samspill.interop.cells import neutralise_frame
from samspill.interop.events_csv import format_modifiers
from samspill.interop.tidy import write_rds
from samspill.interop.variables import (
    EVENT_TABLE_COLUMNS,
    REGISTRY,
    Measure,
    Variable,
    spss_name_problems,
    values_text,
)

Format = Literal["csv", "xlsx", "sav", "parquet", "rds"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx", "sav", "parquet", "rds")
Registry = Mapping[str, Variable]
_MAX_NUMBER_WIDTH = 40  # SPSS's widest F format
# The file extension of each format; a file named so is written in it.
EXTENSIONS: dict[str, Format] = {".csv": "csv", ".xlsx": "xlsx", ".sav": "sav",
                                 ".parquet": "parquet", ".rds": "rds"}


def format_of_name(name: str) -> Format | None:
    """The table format a file name's extension says (``cohort.SAV`` → ``sav``), else None."""
    dot = name.rfind(".")
    return EXTENSIONS.get(name[dot:].lower()) if dot > 0 else None


def undocumented(frame: pd.DataFrame) -> list[str]:
    """Columns of ``frame`` that the variable registry does not describe."""
    return [c for c in frame.columns if c not in REGISTRY]


def events_table(events: Iterable[Event], **identity: object) -> pd.DataFrame:
    """The long events table for one coding: identity columns (study, dyad, session, coder,
    coding_id) repeated on every row, then one row per event in time order."""
    rows = [{**identity, "subject": e.subject, "code": e.code, "onset_ms": e.onset_ms,
             "offset_ms": e.offset_ms,
             "duration_ms": None if e.offset_ms is None else e.offset_ms - e.onset_ms,
             "modifiers": format_modifiers(e.modifiers), "comment": e.comment}
            for e in sorted(events, key=lambda e: (e.onset_ms, e.subject, e.code))]
    columns = [c for c in EVENT_TABLE_COLUMNS if c in identity or c not in _IDENTITY_NAMES]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"onset_ms": "int64", "offset_ms": "Int64", "duration_ms": "Int64"})


_IDENTITY_NAMES = {"study", "dyad", "session", "coder", "coding_id"}


def write_table(
    frame: pd.DataFrame, fmt: Format, *, sheet: str = "data", raw_cells: bool = False,
    registry: Registry = REGISTRY,
) -> bytes:
    """``frame`` in the given format, as bytes ready to save or send, its columns described by
    ``registry`` (the predictors table passes ``PREDICTOR_REGISTRY``). Flags are written 0/1.
    In CSV and XLSX, text cells a spreadsheet would run as a formula get a leading ``'``
    unless ``raw_cells`` (see :mod:`samspill.interop.cells`)."""
    writers = {"csv": _csv, "xlsx": lambda f: _xlsx(f, sheet, registry),
               "sav": lambda f: write_sav(f, registry), "parquet": lambda f: _parquet(f, registry),
               "rds": lambda f: write_rds(f, registry)}
    if fmt not in writers:
        raise InputError(
            N_("unknown table format '{fmt}'"),
            fix=N_("use one of {formats}"),
            params={"fmt": str(fmt), "formats": ', '.join(FORMATS)},
        )
    frame = flags_as_numbers(frame, registry)
    if fmt in ("csv", "xlsx") and not raw_cells:
        frame = neutralise_frame(frame)
    return writers[fmt](frame)


def flags_as_numbers(frame: pd.DataFrame, registry: Registry = REGISTRY) -> pd.DataFrame:
    """``frame`` with each flag column as 0/1 (empty when missing), as ``docs/variables.md``
    documents for every format: a spreadsheet's SUM and AVERAGE count 0/1, not TRUE/FALSE.
    A flag column that is already numeric (a mean over sessions) stays as it is."""
    out = frame.copy()
    for column in out.columns:
        v = registry.get(column)
        series = out[column]
        if v is None or v.kind != "flag" or (pd.api.types.is_numeric_dtype(series)
                                             and not pd.api.types.is_bool_dtype(series)):
            continue
        out[column] = series.map(lambda x, name=column: _zero_one(x, name)).astype("Int64")
    return out


def _zero_one(value: object, column: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return pd.NA
    if value in (True, False):  # also 1 and 0, numpy's booleans and integers
        return int(bool(value))
    raise InputError(
        N_("flag '{column}' holds '{value}', neither true nor false"),
        fix=N_("a flag is true or false (1 or 0)"),
        params={"column": str(column), "value": str(value)},
    )


def _csv(frame: pd.DataFrame) -> bytes:
    text: str = frame.to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8")


def _xlsx(frame: pd.DataFrame, sheet: str, registry: Registry) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet[:31], index=False)
        _variables_frame(frame, registry).to_excel(writer, sheet_name="variables", index=False)
        for worksheet in writer.book.worksheets:
            worksheet.freeze_panes = "A2"  # the header row stays in view while scrolling
            worksheet.auto_filter.ref = worksheet.dimensions
            for row in worksheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":  # text starting with '=' stays text, never a formula
                        cell.data_type = "s"
    return buffer.getvalue()


def _variables_frame(frame: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    columns = ["name", "label", "kind", "unit", "values", "description"]
    rows = []
    for column in frame.columns:
        v = registry.get(column)
        rows.append({"name": column, "label": v.label, "kind": v.kind, "unit": v.unit,
                     "values": values_text(v), "description": v.description} if v else
                    {"name": column, "label": "", "kind": "", "unit": "", "values": "",
                     "description": "not documented"})
    return pd.DataFrame(rows, columns=columns)


def _parquet(frame: pd.DataFrame, registry: Registry) -> bytes:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    fields = []
    for field in table.schema:
        v = registry.get(field.name)
        meta = {"label": v.label, "description": v.description, "unit": v.unit} if v else {}
        fields.append(field.with_metadata(meta) if meta else field)
    table = table.cast(pa.schema(fields, metadata=table.schema.metadata))
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def write_sav(frame: pd.DataFrame, registry: Registry = REGISTRY) -> bytes:
    """SPSS ``.sav`` described by ``registry``: variable labels with their units, value labels,
    user-missing codes (a sign's ``not_observable`` state: never read as absent), measurement
    levels, and formats sized to the data (:func:`spss_format`).

    Raises :class:`InputError` for a column name SPSS cannot hold or a category value the
    registry does not code.
    """
    bad = {c: spss_name_problems(str(c)) for c in frame.columns}
    bad = {c: p for c, p in bad.items() if p}
    if bad:
        raise InputError(
            N_("SPSS cannot name these columns: {columns}"),
            fix=N_("rename them (letters, digits and _ only, starting with a letter)"),
            params={"columns": "; ".join(f"'{c}' ({', '.join(p)})" for c, p in bad.items())},
        )
    data, value_labels = _spss_frame(flags_as_numbers(frame, registry), registry)
    described = {str(c): registry.get(c) for c in data.columns}
    labels: dict[str, str | None] = {
        c: v.spss_label if v else c for c, v in described.items()}
    formats = {c: spss_format(data[c], v) for c, v in described.items()}
    measures: dict[str, str] = {c: _measure(data[c], v) for c, v in described.items()}
    # The column SPSS's Data View shows: as wide as the values, at least the default 8.
    shown = {c: min(max(int(f[1:].split(".")[0]), 8), _MAX_NUMBER_WIDTH)
             for c, f in formats.items()}
    missing: dict[str, list[int | float | str | pyreadstat.pyclasses.MissingRange]] = {
        c: [float(code) for code in v.missing] for c, v in described.items() if v and v.missing}
    handle, path = tempfile.mkstemp(suffix=".sav")
    os.close(handle)
    try:
        pyreadstat.write_sav(data, path, column_labels=labels, variable_value_labels=value_labels,
                             missing_ranges=missing or None, variable_format=formats,
                             variable_measure=measures, variable_display_width=shown)
        with open(path, "rb") as saved:
            return saved.read()
    finally:
        os.unlink(path)


def spss_format(series: pd.Series, v: Variable | None) -> str:
    """The SPSS format of one column as written to the ``.sav``: ``A`` and the longest text in
    bytes (at least 1), or ``F`` with the width the widest value needs at the registry's
    decimals (a sign when any value is negative), e.g. ``F7.0`` for 1,199,878 ms and ``F5.3``
    for a proportion."""
    if not pd.api.types.is_numeric_dtype(series):
        return f"A{max([len(str(x).encode('utf-8')) for x in series] + [1])}"
    values = series.dropna().astype("float64")
    if v is not None:
        decimals = v.spss_decimals
    else:  # not in the registry: as many decimals as the data need, up to 2
        decimals = 0 if bool((values == values.round()).all()) else 2
    largest = float(values.abs().max()) if len(values) else 0.0
    width = len(f"{largest:.{decimals}f}") + int(bool((values < 0).any()))
    return f"F{min(width, _MAX_NUMBER_WIDTH)}.{decimals}"


def _measure(series: pd.Series, v: Variable | None) -> Measure:
    if v is not None:
        return v.measurement
    return "scale" if pd.api.types.is_numeric_dtype(series) else "nominal"


def _spss_frame(frame: pd.DataFrame, registry: Registry
                ) -> tuple[pd.DataFrame, dict[str, dict[float, str]]]:
    out = pd.DataFrame(index=frame.index)
    value_labels: dict[str, dict[float, str]] = {}
    for column in frame.columns:
        v = registry.get(column)
        out[column] = _spss_column(frame[column], v)
        if v and v.values:
            value_labels[column] = {float(code): text for code, text in v.value_labels}
    return out.reset_index(drop=True), value_labels


def _spss_column(series: pd.Series, v: Variable | None) -> pd.Series:
    if v is not None and v.kind == "category":
        codes = {text: float(code) for code, text in v.values}
        unknown = sorted({str(x) for x in series.dropna() if str(x) not in codes})
        if unknown:
            raise InputError(
                N_("'{name}' holds value(s) {unknown} without an SPSS code"),
                fix=N_("add them to '{name}' in interop/variables.py"),
                params={"name": str(v.name), "unknown": ', '.join(unknown)},
            )
        return series.map(lambda x: codes[str(x)] if pd.notna(x) else float("nan")).astype(
            "float64")
    if pd.api.types.is_numeric_dtype(series):  # flags are 0/1 by now; booleans too
        return series.astype("float64")
    return series.map(lambda x: "" if x is None or (isinstance(x, float) and pd.isna(x))
                      else str(x)).astype(object)
