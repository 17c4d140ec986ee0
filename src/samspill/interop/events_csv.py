"""Samspill's own events CSV, and CSV files from elsewhere read through a column mapping.

The format, used by ``samspill events import/export``: a header row, then one event a row::

    subject,code,onset_ms,offset_ms,modifiers,comment
    child,bid,20000,,kind=show,
    caregiver,hold,240000,248000,,lifted after several attempts

``modifiers`` is ``set=value;set=value``; a multiple choice joins its values with ``,``. The
characters ``% ; = ,`` inside a value are written ``%25 %3B %3D %2C``, so any option round-trips.
Rows are counted as a spreadsheet shows them: the header is row 1.

The analysis commands (``samspill sequential``, ``outcomes``, ``agreement``) read plainer CSV
tables into DataFrames with :func:`read_csv_table` and :func:`read_events_table`: columns
``subject, code, onset_ms, offset_ms`` (offset empty for points), no scheme, extra columns kept.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Literal
from urllib.parse import unquote

import numpy as np
import pandas as pd

from samspill.core.errors import N_, EventError, InputError
from samspill.core.events import Event, ModifierValue, event_problems
from samspill.core.problems import Problem, summarise
from samspill.core.scheme import Scheme
from samspill.interop.cells import neutralise, restore
from samspill.interop.safety import MAX_MS, as_bytes, decode_utf8

CSV_COLUMNS = ["subject", "code", "onset_ms", "offset_ms", "modifiers", "comment"]
REQUIRED = ("subject", "code", "onset_ms")
TimeUnit = Literal["ms", "s"]
_ESCAPES = {"%": "%25", ";": "%3B", "=": "%3D", ",": "%2C"}
_ID_NAMESPACE = uuid.UUID("3c8f6f1e-52a1-4b8e-9d0c-6c1b0c7e9a21")


def format_modifiers(modifiers: Mapping[str, ModifierValue]) -> str:
    """``{"kind": "show", "with": ["toy", "book"]}`` → ``kind=show;with=toy,book``."""
    parts = []
    for set_id, value in modifiers.items():
        values = value if isinstance(value, list) else [value]
        parts.append(f"{_escape(set_id)}={','.join(_escape(v) for v in values)}")
    return ";".join(parts)


def _escape(text: str) -> str:
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


def parse_modifiers(text: str, scheme: Scheme, where: str) -> dict[str, ModifierValue]:
    """The inverse of :func:`format_modifiers`; multiple-choice sets give lists."""
    out: dict[str, ModifierValue] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        set_id, sep, value = part.partition("=")
        if not sep or not set_id.strip():
            raise InputError(
                N_("modifier '{part}' is not set=value"),
                where=where,
                fix=N_("write modifiers as set=value;set2=value"),
                params={"part": str(part)},
            )
        set_id = unquote(set_id.strip())
        if set_id in out:  # never keep only the last of two: that would lose a choice
            raise InputError(
                N_("modifier set '{set_id}' appears twice"),
                where=where,
                fix=N_("write several choices once, as {set_id}=a,b"),
                params={"set_id": str(set_id)},
            )
        values = [unquote(v.strip()) for v in value.split(",") if v.strip()]
        mset = scheme.modifier_set(set_id)
        if mset is not None and mset.choice == "multiple":
            out[set_id] = values
        elif values:
            out[set_id] = values[0] if len(values) == 1 else values
    return out


def write_events_csv(events: Iterable[Event], *, raw_cells: bool = False) -> str:
    """Events in Samspill's CSV format, sorted by onset then subject and code. Text a
    spreadsheet would run as a formula gets a leading ``'`` unless ``raw_cells``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    cell = (lambda v: v) if raw_cells else neutralise
    for e in sorted(events, key=lambda e: (e.onset_ms, e.subject, e.code)):
        writer.writerow([cell(e.subject), cell(e.code), e.onset_ms,
                         "" if e.offset_ms is None else e.offset_ms,
                         cell(format_modifiers(e.modifiers)), cell(e.comment)])
    return buffer.getvalue()


def read_events_csv(data: bytes | str, *, scheme: Scheme, mapping: Mapping[str, str] | None = None,
                    time_unit: TimeUnit = "ms", source: str = "events.csv") -> list[Event]:
    """Events from a CSV file, checked against ``scheme``; every problem reported at once.

    ``mapping`` names, for a Samspill column, the file's column that holds it
    (``{"onset_ms": "Start (s)", "code": "Behavior"}``); unmapped columns keep their own names.
    ``time_unit="s"`` reads onset and offset as seconds (decimals allowed) and rounds to ms.
    Raises :class:`InputError` for unreadable rows and :class:`EventError` for events that do
    not fit the scheme; nothing is returned partially.
    """
    rows, columns = _rows(data, source)
    names = _columns(columns, mapping or {}, source)
    events: list[Event] = []
    problems: list[Problem] = []
    for number, row in rows:
        where = f"{source}: row {number}"
        try:
            events.append(_event(row, names, scheme, time_unit, where, number))
        except InputError as exc:
            problems.append(Problem(exc.message, exc.fix, (), where))
    if problems:
        raise InputError(
            N_("{count} unreadable row(s):\n{value}"),
            fix=N_("correct these rows and import again"),
            where=source,
            params={"count": len(problems), "value": str(summarise(problems))},
        )
    labels = [f"{source}: row {n}" for n, _ in rows]
    problems = event_problems(events, scheme, complete=True, labels=labels)
    if problems:
        raise EventError(
            N_("{count} problem(s):\n{value}"),
            fix=N_("correct these rows or choose the scheme they were coded with"),
            where=source,
            params={"count": len(problems), "value": str(summarise(problems))},
        )
    return events


def _rows(data: bytes | str, source: str) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    raw = as_bytes(data, source)
    text = decode_utf8(raw, source)
    if "\x00" in text:
        raise InputError(
            N_("the file holds NUL bytes; it is not a text CSV"),
            fix=N_("export the table as CSV (UTF-8)"),
            where=source,
        )
    header_line = text.split("\n", 1)[0]
    # the delimiter comes from the header alone: ';' also separates modifiers in the rows
    delimiter = max(",;\t", key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        table = list(reader)
    except csv.Error as exc:
        raise InputError(
            N_("unreadable CSV near line {line_num} ({reason})"),
            fix=N_("check the quotes on that line"),
            where=source,
            params={"line_num": str(reader.line_num), "reason": str(exc)},
        ) from exc
    if not table or not any(table[0]):
        raise InputError(
            N_("the file has no header row"),
            fix=N_("start with: {columns}"),
            where=source,
            params={"columns": ','.join(CSV_COLUMNS)},
        )
    header = [h.strip() for h in table[0]]
    rows = [(i + 1, dict(zip(header, row, strict=False)))
            for i, row in enumerate(table) if i > 0 and any(c.strip() for c in row)]
    return rows, header


def _columns(header: list[str], mapping: Mapping[str, str], source: str) -> dict[str, str]:
    unknown = [k for k in mapping if k not in CSV_COLUMNS]
    if unknown:
        raise InputError(
            N_("the mapping names unknown field(s) {unknown}"),
            fix=N_("map these fields: {columns}"),
            where=source,
            params={"unknown": ', '.join(unknown), "columns": ', '.join(CSV_COLUMNS)},
        )
    names = {field: mapping.get(field, field) for field in CSV_COLUMNS}
    missing = [f"{f} (column '{names[f]}')" for f in REQUIRED if names[f] not in header]
    missing += [f"{f} (column '{c}')" for f, c in mapping.items() if c not in header]
    if missing:
        raise InputError(
            N_("missing column(s): {listed}"),
            fix=N_("the file has: {header}; map the fields to these"),
            where=source,
            params={"listed": ', '.join(dict.fromkeys(missing)), "header": ', '.join(header)},
        )
    return names


def _event(row: dict[str, str], names: dict[str, str], scheme: Scheme, unit: TimeUnit,
           where: str, number: int) -> Event:
    get = {field: (row.get(column) or "") if field == "comment" else (row.get(column) or "").strip()
           for field, column in names.items()}
    if not get["subject"] or not get["code"]:
        raise InputError(
            N_("subject and code must not be empty"),
            fix=N_("fill them in"),
        )
    offset = _time(get["offset_ms"], unit, "offset") if get["offset_ms"] else None
    if len(get["comment"]) > 2000:
        raise InputError(
            N_("the comment is longer than 2000 characters"),
            fix=N_("shorten it"),
        )
    ident = uuid.uuid5(_ID_NAMESPACE, f"{number}\x00" + "\x00".join(get.values()))
    return Event(id=str(ident), subject=get["subject"], code=get["code"],
                 onset_ms=_time(get["onset_ms"], unit, "onset"), offset_ms=offset,
                 modifiers=parse_modifiers(get["modifiers"], scheme, where),
                 comment=restore(get["comment"]))  # a neutralised comment reads back as typed


def _time(text: str, unit: TimeUnit, what: str) -> int:
    try:
        value = Decimal(text.replace(",", ".") if unit == "s" else text)
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        raise InputError(
            N_("{what} '{text}' is not a number"),
            fix=N_("give the {what} in {value}"),
            params={
                "what": str(what),
                "text": str(text),
                "value": str('seconds' if unit == 's' else 'ms'),
            },
        ) from None
    if abs(value) > MAX_MS:  # before any arithmetic: 9e999999 would overflow the context
        raise InputError(
            N_("{what} '{text}' is out of range"),
            fix=N_("give a time from 0 up to ten days"),
            params={"what": str(what), "text": str(text)},
        )
    if unit == "s":
        value = value * 1000
    ms = value.quantize(Decimal(1), rounding=ROUND_HALF_UP) if abs(value) <= MAX_MS else value
    if ms != value and unit == "ms":
        raise InputError(
            N_("{what} '{text}' is not whole milliseconds"),
            fix=N_("round it, or import with the time unit seconds"),
            params={"what": str(what), "text": str(text)},
        )
    if not 0 <= ms <= MAX_MS:
        raise InputError(
            N_("{what} '{text}' is out of range"),
            fix=N_("give a time from 0 up to ten days"),
            params={"what": str(what), "text": str(text)},
        )
    return int(ms)


# The plain tables of the analysis commands ---------------------------------------------------

ANALYSIS_COLUMNS = ("subject", "code", "onset_ms", "offset_ms")


@dataclass(frozen=True)
class CsvStyle:
    """How one family of commands reads its CSV files: what it lets through, how it words a
    refusal. The sequential and outcome commands and the agreement commands had a reader each;
    they now share :func:`read_csv_table`, and each keeps its own style (:data:`ANALYSIS_CSV`,
    :data:`AGREEMENT_CSV`), so a file is accepted or refused with the same words as before.
    """

    encoding: str | None  # None: pandas' default, UTF-8
    skip_initial_space: bool  # "child, bid" reads as "bid", " code" as "code"
    not_a_file: str | None  # checked first ({file}); when None, a failed open is `unreadable`
    unreadable: str  # {file}, {name}, {error}
    unreadable_fix: str
    no_column_fix: str  # {columns}: the columns asked for
    check_times: bool  # whole ms ≥ 0 and offset ≥ onset, else EventError naming the line


ANALYSIS_CSV = CsvStyle(
    encoding="utf-8-sig", skip_initial_space=True, not_a_file=None,
    unreadable="cannot read {file}: {error}",
    unreadable_fix="check the path, and save the file as UTF-8 CSV",
    no_column_fix=f"give a header with {', '.join(ANALYSIS_COLUMNS)} (and session)",
    check_times=True)
AGREEMENT_CSV = CsvStyle(  # the agreement statistics check the times, with their own words
    encoding=None, skip_initial_space=False,
    not_a_file="{file} does not exist or is not a file",
    unreadable="{name} cannot be read as CSV ({error})",
    unreadable_fix="save it as comma-separated UTF-8 text with a header row",
    no_column_fix="give a header row with {columns}",
    check_times=False)


def read_csv_table(file: Path, style: CsvStyle, *, text: Iterable[str] = (),
                   columns: Sequence[str] = ()) -> pd.DataFrame:
    """A CSV file with a header row as a DataFrame; ``text`` columns stay text (leading zeros
    kept), every one of ``columns`` must be present. Raises :class:`InputError`."""
    if style.not_a_file is not None and not file.is_file():
        raise InputError(
            style.not_a_file.format(file=file),
            fix=N_("give the path of a CSV"),
        )
    errors: tuple[type[Exception], ...] = (
        UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError)
    if style.not_a_file is None:
        errors += (OSError,)
    try:
        frame = pd.read_csv(file, dtype=dict.fromkeys(text, str), encoding=style.encoding,
                            skipinitialspace=style.skip_initial_space)
    except errors as exc:
        if isinstance(exc, UnicodeDecodeError):
            decode_utf8(file.read_bytes(), file.name)  # raises, naming the line and the byte
        message = style.unreadable.format(file=file, name=file.name, error=exc)
        raise InputError(message.rstrip(), fix=style.unreadable_fix) from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            N_("{name} has no column {missing}"),
            fix=style.no_column_fix.format(columns=', '.join(columns)),
            params={"name": str(file.name), "missing": ', '.join(missing)},
        )
    return frame


def read_events_table(file: Path, style: CsvStyle, *, session_col: str | None = None
                      ) -> tuple[pd.DataFrame, str | None]:
    """An events table (:data:`ANALYSIS_COLUMNS`, optionally a session column, any others
    kept) and the session column it has: ``session_col``, which must then be present, or
    ``session`` when the file has one, else None."""
    session = session_col or "session"
    required = (*ANALYSIS_COLUMNS, *([session_col] if session_col else []))
    frame = read_csv_table(file, style, text=(session, "subject", "code"), columns=required)
    if style.check_times:
        for column in ("onset_ms", "offset_ms"):
            frame[column] = _whole_ms(frame[column], column, file.name,
                                      required=column == "onset_ms")
        late = frame["offset_ms"].notna() & (frame["offset_ms"] < frame["onset_ms"])
        if late.any():
            raise EventError(
                N_("offset_ms comes before onset_ms"),
                where=_line(file.name, late),
                fix=N_("swap or correct the times"),
            )
    return frame, (session if session in frame.columns else None)


def _whole_ms(values: pd.Series, column: str, name: str, *, required: bool) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    bad = (values.notna() & numbers.isna()) | (numbers < 0) | (numbers % 1 > 0)
    if required:
        bad |= values.isna()
    if bad.any():
        shown = values[bad].iloc[0]
        raise EventError(
            N_("{column} {shown} is not a whole number of ms ≥ 0"),
            where=_line(name, bad),
            fix=N_("give {column} in whole milliseconds"),
            params={"column": str(column), "shown": repr(shown)},
        )
    return numbers.astype("Int64")


def _line(name: str, mask: pd.Series) -> str:
    return f"{name} line {int(np.flatnonzero(mask.to_numpy())[0]) + 2}"
