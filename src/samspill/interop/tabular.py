"""Tables (cohort, session, long events) to CSV, XLSX, SPSS ``.sav`` and Parquet bytes.

Column meaning comes from :mod:`samspill.interop.variables`: SPSS gets variable labels and
value labels (flags and the classification as 0/1, categories such as ``sim_style`` or a
sign's state as coded integers, a sign's ``not_observable`` as user-missing), XLSX a second
sheet ``variables``, Parquet the label and description as field metadata. Columns missing from
the registry are written unlabelled; :func:`undocumented` lists them so a test can keep the
registry complete.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable
from typing import Literal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat

from samspill.core.errors import InputError
from samspill.core.events import Event
from samspill.interop.cells import neutralise_frame
from samspill.interop.events_csv import format_modifiers
from samspill.interop.variables import EVENT_TABLE_COLUMNS, REGISTRY, Variable, spss_name_problems

Format = Literal["csv", "xlsx", "sav", "parquet"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx", "sav", "parquet")
# The file extension of each format; a file named so is written in it.
EXTENSIONS: dict[str, Format] = {".csv": "csv", ".xlsx": "xlsx", ".sav": "sav",
                                 ".parquet": "parquet"}


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
    frame: pd.DataFrame, fmt: Format, *, sheet: str = "data", raw_cells: bool = False
) -> bytes:
    """``frame`` in the given format, as bytes ready to save or send. In CSV and XLSX, text
    cells a spreadsheet would run as a formula get a leading ``'`` unless ``raw_cells``
    (see :mod:`samspill.interop.cells`)."""
    if fmt in ("csv", "xlsx") and not raw_cells:
        frame = neutralise_frame(frame)
    writers = {"csv": _csv, "xlsx": lambda f: _xlsx(f, sheet), "sav": write_sav,
               "parquet": _parquet}
    if fmt not in writers:
        raise InputError(f"unknown table format '{fmt}'", fix=f"use one of {', '.join(FORMATS)}")
    return writers[fmt](frame)


def _csv(frame: pd.DataFrame) -> bytes:
    text: str = frame.to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8")


def _xlsx(frame: pd.DataFrame, sheet: str) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet[:31], index=False)
        _variables_frame(frame).to_excel(writer, sheet_name="variables", index=False)
        for worksheet in writer.book.worksheets:
            for row in worksheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":  # text starting with '=' stays text, never a formula
                        cell.data_type = "s"
    return buffer.getvalue()


def _variables_frame(frame: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for column in frame.columns:
        v = REGISTRY.get(column)
        rows.append({"name": column, "label": v.label if v else "", "unit": v.unit if v else "",
                     "values": "; ".join(f"{c} = {t}" for c, t in v.values) if v else "",
                     "description": v.description if v else "not documented"})
    return pd.DataFrame(rows, columns=["name", "label", "unit", "values", "description"])


def _parquet(frame: pd.DataFrame) -> bytes:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    fields = []
    for field in table.schema:
        v = REGISTRY.get(field.name)
        meta = {"label": v.label, "description": v.description, "unit": v.unit} if v else {}
        fields.append(field.with_metadata(meta) if meta else field)
    table = table.cast(pa.schema(fields, metadata=table.schema.metadata))
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def write_sav(frame: pd.DataFrame) -> bytes:
    """SPSS ``.sav`` with variable labels, value labels and user-missing codes from the
    registry (a sign's ``not_observable`` state is user-missing: never read as absent).

    Raises :class:`InputError` for a column name SPSS cannot hold or a category value the
    registry does not code.
    """
    bad = {c: spss_name_problems(str(c)) for c in frame.columns}
    bad = {c: p for c, p in bad.items() if p}
    if bad:
        raise InputError("SPSS cannot name these columns: " + "; ".join(
            f"'{c}' ({', '.join(p)})" for c, p in bad.items()),
            fix="rename them (letters, digits and _ only, starting with a letter)")
    data, value_labels = _spss_frame(frame)
    labels: dict[str, str | None] = {
        str(c): REGISTRY[c].label if c in REGISTRY else str(c) for c in frame.columns}
    missing: dict[str, list[int | float | str | pyreadstat.pyclasses.MissingRange]] = {
        str(c): [float(code) for code in REGISTRY[c].missing]
        for c in frame.columns if c in REGISTRY and REGISTRY[c].missing}
    handle, path = tempfile.mkstemp(suffix=".sav")
    os.close(handle)
    try:
        pyreadstat.write_sav(data, path, column_labels=labels, variable_value_labels=value_labels,
                             missing_ranges=missing or None)
        with open(path, "rb") as saved:
            return saved.read()
    finally:
        os.unlink(path)


def _spss_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, dict[float, str]]]:
    out = pd.DataFrame(index=frame.index)
    value_labels: dict[str, dict[float, str]] = {}
    for column in frame.columns:
        v = REGISTRY.get(column)
        out[column] = _spss_column(frame[column], v)
        if v and v.values:
            value_labels[column] = {float(code): text for code, text in v.value_labels}
    return out.reset_index(drop=True), value_labels


def _spss_column(series: pd.Series, v: Variable | None) -> pd.Series:
    if v is not None and v.kind == "flag":
        return series.map(lambda x: float(bool(x)) if pd.notna(x) else float("nan")).astype(
            "float64")
    if v is not None and v.kind == "category":
        codes = {text: float(code) for code, text in v.values}
        unknown = sorted({str(x) for x in series.dropna() if str(x) not in codes})
        if unknown:
            raise InputError(f"'{v.name}' holds value(s) {', '.join(unknown)} without an SPSS code",
                             fix=f"add them to '{v.name}' in interop/variables.py")
        return series.map(lambda x: codes[str(x)] if pd.notna(x) else float("nan")).astype(
            "float64")
    if pd.api.types.is_bool_dtype(series):
        return series.astype("float64")
    if pd.api.types.is_numeric_dtype(series):
        return series.astype("float64")
    return series.map(lambda x: "" if x is None or (isinstance(x, float) and pd.isna(x))
                      else str(x)).astype(object)
