"""Samspill's own events CSV: ``subject,code,onset_ms,offset_ms,modifiers,comment``.

``modifiers`` is ``set=value;set=value`` (a multiple choice repeats the set). Every row is
checked before anything is stored, and errors name the row (the header is row 1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from pydantic import ValidationError

from samspill.core.errors import EventError, InputError
from samspill.core.events import Event
from samspill.core.problems import Problem, summarise

COLUMNS = ("subject", "code", "onset_ms", "offset_ms", "modifiers", "comment")
REQUIRED = ("subject", "code", "onset_ms")
MAX_ROWS = 1_000_000


def parse_modifiers(text: str) -> dict[str, str | list[str]]:
    out: dict[str, str | list[str]] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"'{part}' is not set=value")
        key, value = key.strip(), value.strip()
        if key in out:
            previous = out[key]
            out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[key] = value
    return out


def format_modifiers(modifiers: dict[str, str | list[str]]) -> str:
    parts = []
    for key in sorted(modifiers):
        values = modifiers[key]
        parts += [f"{key}={v}" for v in (values if isinstance(values, list) else [values])]
    return ";".join(parts)


def read_events_csv(text: str, *, source: str = "events.csv") -> tuple[list[Event], list[str]]:
    """Events and their row labels (``events.csv row 7``) for error messages."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(
            f"{source} lacks the column(s) {', '.join(missing)}",
            fix=f"use the header {','.join(COLUMNS)}",
        )
    events, labels, problems = [], [], []
    for number, row in enumerate(reader, start=2):
        if number > MAX_ROWS:
            raise InputError(f"{source} has more than {MAX_ROWS} rows", fix="split the file")
        label = f"{source} row {number}"
        try:
            events.append(_event(row))
            labels.append(label)
        except (ValueError, ValidationError) as exc:
            problems.append(Problem(_reason(exc), "correct the row", (), label))
    if problems:
        raise EventError(
            f"{len(problems)} bad row(s) in {source}; nothing was imported:\n{summarise(problems)}",
            fix="correct the rows named above",
        )
    return events, labels


def _event(row: dict[str, str | None]) -> Event:
    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    return Event(
        subject=cell("subject"),
        code=cell("code"),
        onset_ms=_millis(cell("onset_ms")),
        offset_ms=_millis(cell("offset_ms")) if cell("offset_ms") else None,
        modifiers=parse_modifiers(cell("modifiers")),
        comment=cell("comment"),
    )


def _millis(text: str) -> int:
    if not text.lstrip("-").isdigit():
        raise ValueError(f"'{text}' is not a whole number of milliseconds")
    return int(text)


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
    return str(exc)


def write_events_csv(events: Sequence[Event]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for e in sorted(events, key=lambda e: (e.onset_ms, e.subject, e.code)):
        writer.writerow(
            [
                e.subject,
                e.code,
                e.onset_ms,
                "" if e.offset_ms is None else e.offset_ms,
                format_modifiers(e.modifiers),
                e.comment,
            ]
        )
    return buffer.getvalue()
