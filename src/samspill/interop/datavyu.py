"""Datavyu ``.opf`` files to and from one Samspill observation.

Reading (:func:`read_datavyu`) maps each column onto the scheme:

* a column named like a subject (``caregiver``), like a subject and a code group
  (``caregiver_proximity``), or like a code group (a dimension or category, ``proximity``);
  names match ignoring case and ``-``/``_``/spaces;
* in a cell, the argument named ``code`` (or ``behavior``, ``event``, ``value``) holds the
  code, else the first argument whose value is a code (its id or name); ``subject`` names the
  subject where the column does not; ``comment`` (or ``note``) is the comment; every other
  argument is a modifier, by the set it is named after or else by the option it holds;
* an empty cell is skipped (said in a warning), a hidden column too; a column that matches
  nothing is skipped with a warning when others match, and when none does the file is refused
  with the way to derive a scheme from it (:mod:`samspill.interop.datavyu_derive`);
* a cell whose onset equals its offset is a point; a point code's cell gives its onset.

Writing is :mod:`samspill.interop.datavyu_write`; it names the scheme in a hidden column
``samspill``, which :func:`datavyu_scheme` reads.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass, field

from samspill.core.errors import N_, EventError, InputError
from samspill.core.events import Event, event_problems
from samspill.core.numbers import clock
from samspill.core.problems import Problem, summarise
from samspill.core.scheme import Code, Scheme
from samspill.interop.datavyu_db import Cell, Column
from samspill.interop.datavyu_opf import OpfFile, read_opf
from samspill.interop.model import Imported, MediaFile, Observation, Project
from samspill.interop.safety import MAX_MS

META_COLUMN = "samspill"
META_ARGUMENTS = ["scheme", "version", "duration_ms", "procedure"]
CODE_ARGUMENTS = frozenset({"code", "behavior", "behaviour", "event", "value"})
SUBJECT_ARGUMENTS = frozenset({"subject", "who"})
COMMENT_ARGUMENTS = frozenset({"comment", "comments", "note", "notes"})
_ID_NAMESPACE = uuid.UUID("6f1c7c62-1d2b-4c55-9a51-3d0f3f9b7a21")
_NOT_NAME = re.compile(r"[\s\-_.]+")


def norm(text: str) -> str:
    """A name as matched: case and ``-``/``_``/``.``/spaces ignored (``Care-giver`` ≈
    ``care_giver``)."""
    return _NOT_NAME.sub("_", text.strip().casefold()).strip("_")


@dataclass(frozen=True)
class ColumnPlan:
    """How a column's cells become events. Arguments are named as :func:`norm` gives them;
    ``fixed_code`` makes every cell that code, its values the comment (a free-text column)."""

    subject: str | None = None
    group: str | None = None
    code_argument: str | None = None
    fixed_code: str | None = None
    subject_argument: str | None = None
    comments: tuple[str, ...] = ()
    modifiers: dict[str, str] = field(default_factory=dict)  # argument → modifier set id


def file_stem(source: str) -> str:
    name = os.path.basename(source)
    return name[:-4] if name.lower().endswith(".opf") else name


# ---------------------------------------------------------------- reading

def datavyu_scheme(data: bytes | str, *, source: str = "session.opf") -> tuple[str, int] | None:
    """The scheme (id, version) Samspill's export names in its hidden column; None else."""
    meta = _meta(read_opf(data, source).columns)
    version = meta.get("version", "")
    if not meta.get("scheme"):
        return None
    return meta["scheme"], int(version) if version.isascii() and version.isdigit() else 0


def _meta(columns: list[Column]) -> dict[str, str]:
    column = next((c for c in columns if c.name == META_COLUMN), None)
    if column is None or not column.cells:
        return {}
    return dict(zip(column.arguments, column.cells[0].values, strict=True))


def argument_names(column: Column) -> list[str]:
    """A column's arguments as matched; a TEXT or NOMINAL column's one value is ``value``."""
    return [norm(a) for a in column.arguments] if column.type == "MATRIX" else ["value"]


def coding_columns(opf: OpfFile) -> list[Column]:
    """The columns that hold codings: visible ones, Samspill's own hidden column left out."""
    return [c for c in opf.columns if c.visible and c.name != META_COLUMN]


def read_datavyu(data: bytes | str, *, scheme: Scheme, source: str = "session.opf",
                 plans: dict[str, ColumnPlan] | None = None) -> Imported:
    """A Datavyu file's columns as one observation of ``scheme``'s events; ``plans`` (from a
    derived scheme) say how each column maps, else its name and arguments do."""
    opf = read_opf(data, source)
    reader = _Reader(scheme, source)
    chosen: list[tuple[Column, ColumnPlan]] = []
    unmatched: list[str] = []
    for column in opf.columns:
        if column.name == META_COLUMN:
            continue
        if not column.visible:
            reader.warn(f"hidden column '{column.name}' skipped (show it in Datavyu to import "
                        "it)")
            continue
        plan = plans.get(norm(column.name)) if plans is not None else plan_column(column, scheme)
        if plan is None:
            unmatched.append(column.name)
        else:
            chosen.append((column, plan))
    if not chosen:
        raise InputError(
            N_("no column of the file matches a subject or code group of scheme '{id}' "
               "(columns: {columns}; subjects: {subjects})"),
            fix=N_("name the columns after the scheme's subjects or code groups in Datavyu, or "
                   "build a scheme from the file's columns (--derive-scheme, or Derive a scheme "
                   "on the import form)"), where=source,
            params={"id": scheme.id, "columns": ", ".join(unmatched) or "none",
                    "subjects": ", ".join(scheme.subjects)})
    for name in unmatched:
        reader.warn(f"column '{name}' matches no subject or code group of scheme "
                    f"'{scheme.id}'; skipped")
    events = [e for column, plan in chosen for e in reader.column_events(column, plan)]
    reader.check(events)
    return Imported(project=Project(scheme=scheme, observations=[
        _observation(opf, source, events)]), warnings=reader.warnings)


def _observation(opf: OpfFile, source: str, events: list[Event]) -> Observation:
    meta = _meta(opf.columns)
    length = meta.get("duration_ms", "")
    said = length.isascii() and length.isdigit() and 0 < int(length) <= MAX_MS
    procedure = meta.get("procedure", "")
    media = [MediaFile(path=p, player=i + 1) for i, p in enumerate(opf.media)]
    return Observation(name=file_stem(source) or "?", media=media, events=events,
                       duration_ms=int(length) if said else None,
                       variables={"procedure": procedure} if procedure else {})


def plan_column(column: Column, scheme: Scheme) -> ColumnPlan | None:
    """How a column maps onto ``scheme`` by its name, or None when it matches nothing."""
    name = norm(column.name)
    subjects = {norm(s): s for s in scheme.subjects}
    groups = _groups(scheme)
    subject = subjects.get(name)
    group: str | None = None
    if subject is None:
        for key, candidate in subjects.items():
            if name.startswith(key + "_"):
                subject, group = candidate, groups.get(name[len(key) + 1:])
                break
    if subject is None:
        group = groups.get(name)
        if group is None:
            return None
    args = argument_names(column)
    members = [c for c in scheme.codes if group and group in (c.dimension, c.category)]
    if len(members) == 1 and norm(members[0].name) == name:
        # a free-text column of a derived scheme: one code, the values its comment
        return ColumnPlan(subject=subject, group=group, fixed_code=members[0].id,
                          comments=tuple(args))
    return ColumnPlan(
        subject=subject, group=group,
        code_argument=next((a for a in args if a in CODE_ARGUMENTS), None),
        subject_argument=next((a for a in args if a in SUBJECT_ARGUMENTS), None),
        comments=tuple(a for a in args if a in COMMENT_ARGUMENTS))


def _groups(scheme: Scheme) -> dict[str, str]:
    """Code groups by matched name: dimensions (by id and name) and categories."""
    out: dict[str, str] = {}
    for code in scheme.codes:
        for group in (code.dimension, code.category):
            if group:
                out.setdefault(norm(group), group)
    for dimension in scheme.dimensions:
        out.setdefault(norm(dimension.name), dimension.id)
    return out


class _Reader:
    def __init__(self, scheme: Scheme, source: str) -> None:
        self.scheme, self.source = scheme, source
        self.warnings: list[Problem] = []
        self.problems: list[Problem] = []
        self.sets = {s.id: s for s in scheme.modifier_sets}
        self.found: dict[tuple[str, str | None], Code | None] = {}

    def warn(self, message: str) -> None:
        self.warnings.append(Problem(message, "", (), self.source))

    def column_events(self, column: Column, plan: ColumnPlan) -> list[Event]:
        args = argument_names(column)
        out: list[Event] = []
        empty = points_with_length = 0
        for cell in column.cells:
            if not any(cell.values):
                empty += 1
                continue
            event = self._event(column, plan, args, cell)
            if event is not None:
                out.append(event)
                points_with_length += event.offset_ms is None and cell.offset_ms > cell.onset_ms
        if empty:
            self.warn(f"column '{column.name}': {empty} empty cell(s) skipped")
        if points_with_length:
            self.warn(f"column '{column.name}': {points_with_length} cell(s) of point codes "
                      "have a length; their onset was taken")
        return out

    def _where(self, column: Column, cell: Cell) -> str:
        return f"{self.source}: line {cell.line}, column '{column.name}', cell {cell.number}"

    def _event(self, column: Column, plan: ColumnPlan, args: list[str],
               cell: Cell) -> Event | None:
        values = dict(zip(args, cell.values, strict=True))
        where = self._where(column, cell)
        code, used = self._code(plan, values, where)
        if code is None:
            return None
        subject = self._subject(plan, values, code, where)
        comment_args = plan.comments if plan.fixed_code is None else tuple(values)
        comment = "; ".join((f"{a}: {values[a]}" if len(comment_args) > 1 else values[a])
                            for a in comment_args if values.get(a))
        rest = {a: v for a, v in values.items()
                if v and a not in (used, plan.subject_argument, *comment_args)}
        modifiers = self._modifiers(plan, code, rest, where)
        if subject is None:
            return None
        return Event(id=str(uuid.uuid5(_ID_NAMESPACE, f"{column.name}\x00{cell.number}")),
                     subject=subject, code=code.id, onset_ms=cell.onset_ms,
                     offset_ms=None if code.kind == "point" else cell.offset_ms,
                     modifiers=modifiers, comment=comment[:2000])

    def _code(self, plan: ColumnPlan, values: dict[str, str],
              where: str) -> tuple[Code | None, str | None]:
        if plan.fixed_code is not None:
            return self.scheme.code(plan.fixed_code), None
        if plan.code_argument is not None or len(values) == 1:
            arg = plan.code_argument or next(iter(values))
            code = self._lookup(values.get(arg, ""), plan.group)
            if code is None:
                self.problems.append(Problem(
                    f"'{values.get(arg, '')[:60]}' is not a code of scheme '{self.scheme.id}'",
                    "use the scheme's codes or derive a scheme from the file", (), where))
            return code, arg
        skip = (plan.subject_argument, *plan.comments)
        for arg, value in values.items():
            code = self._lookup(value, plan.group) if arg not in skip else None
            if code is not None:
                return code, arg
        self.problems.append(Problem(f"no argument holds a code of scheme '{self.scheme.id}' "
                                     f"({', '.join(values)})", "name one argument 'code'", (),
                                     where))
        return None, None

    def _lookup(self, value: str, group: str | None) -> Code | None:
        key = (value, group)
        if key not in self.found:
            self.found[key] = self._search(value, group)
        return self.found[key]

    def _search(self, value: str, group: str | None) -> Code | None:
        """A code by id, else by name (exactly, then either in any case); a column's group
        first."""
        value = value.strip()
        if not value:
            return None
        codes = self.scheme.codes
        mine = [c for c in codes if group and group in (c.dimension, c.category)]
        for pool in (mine, codes):
            folded = value.casefold()
            found = next((c for c in pool if c.id == value), None) or next(
                (c for c in pool if c.name == value), None) or next(
                (c for c in pool if folded in (c.id.casefold(), c.name.casefold())), None)
            if found is not None:
                return found
        return None

    def _subject(self, plan: ColumnPlan, values: dict[str, str], code: Code,
                 where: str) -> str | None:
        if plan.subject is not None:
            return plan.subject
        said = values.get(plan.subject_argument or "", "")
        if said:
            found = next((s for s in self.scheme.subjects if norm(s) == norm(said)), None)
            if found is None:
                self.problems.append(Problem(f"'{said[:40]}' is not a subject of scheme "
                                             f"'{self.scheme.id}'", f"use "
                                             f"{' or '.join(self.scheme.subjects)}", (), where))
            return found
        if len(code.subjects) == 1:
            return code.subjects[0]
        self.problems.append(Problem(f"the cell does not say whose '{code.id}' it is",
                                     "add a 'subject' argument, or name the column after the "
                                     "subject", (), where))
        return None

    def _modifiers(self, plan: ColumnPlan, code: Code, rest: dict[str, str],
                   where: str) -> dict[str, str | list[str]]:
        sets = [self.sets[i] for i in code.modifiers if i in self.sets]
        out: dict[str, str | list[str]] = {}
        for arg, value in rest.items():
            named = plan.modifiers.get(arg) or next(
                (s.id for s in sets if arg in (norm(s.id), norm(s.label))), None)
            holding = [s.id for s in sets if value in s.options]
            set_id = named or (holding[0] if len(holding) == 1 else None)
            mset = self.sets.get(set_id) if set_id else None
            if mset is None:
                self.problems.append(Problem(
                    f"argument '{arg}' = '{value[:40]}' is no modifier of code '{code.id}'",
                    "name the argument after one of its modifier sets "
                    f"({', '.join(code.modifiers) or 'none'}), or call it 'comment'", (), where))
                continue
            parts = [p.strip() for p in value.split(",") if p.strip()]
            out[mset.id] = parts if mset.choice == "multiple" else value
        return out

    def check(self, events: list[Event]) -> None:
        labels = [f"{e.subject} {e.code} at {clock(e.onset_ms, millis=True)}" for e in events]
        if not self.problems:
            self.problems += event_problems(events, self.scheme, complete=True, labels=labels)
        if self.problems:
            raise EventError(N_("{count} problem(s):\n{value}"),
                             fix=N_("correct the cells in Datavyu, or choose the scheme they "
                                    "were coded with (this check used '{id}'; --scheme, or "
                                    "Scheme on the import form), or derive one from the file"),
                             where=self.source,
                             params={"count": len(self.problems),
                                     "value": str(summarise(self.problems)),
                                     "id": self.scheme.id})
