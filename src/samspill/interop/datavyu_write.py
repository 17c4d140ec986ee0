"""Samspill's coding as a Datavyu ``.opf``: one column per subject (or per subject and code
group), arguments ``code``, the modifier sets of its codes and ``comment``; a point is a cell
with onset = offset. A hidden column ``samspill`` names the scheme, the session's length and
procedure, so :func:`samspill.interop.datavyu.read_datavyu` finds them again."""

from __future__ import annotations

from typing import Literal

from samspill.core.errors import N_, EventError
from samspill.core.events import Event, event_problems
from samspill.core.problems import summarise
from samspill.core.scheme import Code, Scheme
from samspill.interop.datavyu import META_ARGUMENTS, META_COLUMN, norm
from samspill.interop.datavyu_db import Cell, Column, column_name
from samspill.interop.datavyu_opf import write_opf
from samspill.interop.model import Observation

ColumnLayout = Literal["subject", "subject-dimension"]


def write_datavyu(observation: Observation, scheme: Scheme, *,
                  columns: ColumnLayout = "subject") -> bytes:
    """The observation as a Datavyu ``.opf`` (zip bytes)."""
    labels = [f"{e.code} at {e.onset_ms} ms" for e in observation.events]
    problems = event_problems(observation.events, scheme, complete=True, labels=labels)
    if problems:
        raise EventError(N_("{count} event(s) cannot be exported:\n{value}"),
                         fix=N_("complete or correct the events first"), where=observation.name,
                         params={"count": len(problems), "value": str(summarise(problems))})
    table = _empty_columns(scheme, columns)
    for event in sorted(observation.events, key=lambda e: (e.onset_ms, e.offset_ms or 0)):
        code = scheme.code(event.code)
        if code is None:
            continue
        key = (event.subject, _group(code, columns))
        column, sets = table.setdefault(key, _column(scheme, key, [code]))
        values = [code.id] + [_modifier_text(event, s) for s in sets] + [event.comment]
        offset = event.onset_ms if event.offset_ms is None else event.offset_ms
        column.cells.append(Cell(event.onset_ms, offset, tuple(values)))
    written = [column for column, _ in table.values()]
    written.append(_meta_column(observation, scheme))
    return write_opf(written, observation.name)


def _group(code: Code, layout: ColumnLayout) -> str:
    return "" if layout == "subject" else (code.dimension or code.category or "other")


_Table = dict[tuple[str, str], tuple[Column, list[str]]]


def _empty_columns(scheme: Scheme, layout: ColumnLayout) -> _Table:
    """A column for every subject (and group) the scheme has, in its order, so a coder can go
    on coding in Datavyu."""
    table: _Table = {}
    for subject in scheme.subjects:
        for code in scheme.codes:
            if subject in code.subjects:
                key = (subject, _group(code, layout))
                if key not in table:
                    codes = [c for c in scheme.codes if subject in c.subjects
                             and _group(c, layout) == key[1]]
                    table[key] = _column(scheme, key, codes)
    return table


def _column(scheme: Scheme, key: tuple[str, str], codes: list[Code]) -> tuple[Column,
                                                                              list[str]]:
    sets = [s.id for s in scheme.modifier_sets if any(s.id in c.modifiers for c in codes)]
    reserved = {"code", "comment"}
    arguments = ["code"] + [column_name(s) if norm(s) not in reserved else f"modifier_{s}"
                            for s in sets] + ["comment"]
    # One subject (a scheme derived from Datavyu columns): the group alone names the column,
    # so a lab gets its own columns back.
    parts = key[1:] if key[1] and len(scheme.subjects) == 1 else key
    name = column_name("_".join(p for p in parts if p))
    return Column(name=name, arguments=arguments), sets


def _modifier_text(event: Event, set_id: str) -> str:
    value = event.modifiers.get(set_id, "")
    return ",".join(value) if isinstance(value, list) else value


def _meta_column(observation: Observation, scheme: Scheme) -> Column:
    values = (scheme.id, str(scheme.version), str(observation.duration_ms or ""),
              observation.variables.get("procedure", ""))
    return Column(name=META_COLUMN, visible=False, arguments=list(META_ARGUMENTS),
                  cells=[Cell(0, 0, values)])
