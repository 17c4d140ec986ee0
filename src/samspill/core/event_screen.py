"""The events' screen before a timeline is built: a vectorised pass suspects rows (an unknown
code or subject, a state without its end, a point with one, a time outside the recording, two
states of one exclusive group at once), and only the codings it suspects are checked event by
event, so that every problem is named with its event."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from samspill.core.arrays import BoolArray, Int64Array
from samspill.core.categorical import Coded
from samspill.core.errors import N_, EventError
from samspill.core.events import Event, event_problems
from samspill.core.problems import Problem, summarise
from samspill.core.scheme import Scheme


def raise_on_problems(events: pd.DataFrame, coded: Coded, kind: np.ndarray,
                       coding: Int64Array, duration: Int64Array, scheme: Scheme,
                       labels: tuple[Hashable, ...]) -> None:
    """A vectorised screen; only codings it suspects go through :func:`event_problems`."""
    suspect = _suspect_rows(events, coded, kind, coding, duration, scheme)
    if not suspect.any():
        return
    problems: list[Problem] = []
    for c in np.unique(coding[suspect]):
        rows = events[coding == c]
        prefix = f"coding {labels[c]}: " if len(labels) > 1 else ""
        problems += _located_problems(rows, scheme, int(duration[c]), prefix)
    if problems:
        raise EventError(
            N_("{count} problem(s) in the events:\n{value}"),
            fix=N_("correct the events named above, then score again"),
            params={"count": len(problems), "value": str(summarise(problems))},
        )


def _suspect_rows(events: pd.DataFrame, coded: Coded, kind: np.ndarray, coding: Int64Array,
                  duration: Int64Array, scheme: Scheme) -> BoolArray:
    onset = events["onset_ms"].to_numpy(dtype="float64", na_value=np.nan)
    offset = events["offset_ms"].to_numpy(dtype="float64", na_value=np.nan)
    allowed = np.zeros((len(coded.code_names) + 1, len(coded.subject_names) + 1), dtype=bool)
    for i, name in enumerate(coded.code_names):
        code = scheme.code(str(name))
        for j, subject in enumerate(coded.subject_names):
            allowed[i, j] = code is not None and subject in code.subjects
    is_state = kind == "state"
    last = np.fmax(onset, offset)
    bad: BoolArray = ((kind == "") | ~allowed[coded.code, coded.subject]
                      | (is_state & np.isnan(offset)) | (~is_state & ~np.isnan(offset))
                      | ~(onset >= 0) | (offset < onset) | (last > duration[coding]))
    return bad | _overlapping(coded, is_state & ~bad, coding, onset, offset, scheme)


def _overlapping(coded: Coded, is_state: BoolArray, coding: Int64Array, onset: np.ndarray,
                 offset: np.ndarray, scheme: Scheme) -> BoolArray:
    """States of one exclusive group (or the same code) overlapping for one subject."""
    group = {code: g.id for g in scheme.exclusive_groups for code in g.codes}
    lane_names = [group.get(str(c), str(c)) for c in coded.code_names]
    lane_of_code = pd.factorize(pd.Index([*lane_names, "?"], dtype=object))[0]
    rows = np.flatnonzero(is_state)
    c, s, lane = coding[rows], coded.subject[rows], lane_of_code[coded.code[rows]]
    order = np.lexsort((onset[rows], lane, s, c))
    c, s, lane, rows = c[order], s[order], lane[order], rows[order]
    hit = np.zeros(len(rows), dtype=bool)
    hit[1:] = ((c[1:] == c[:-1]) & (s[1:] == s[:-1]) & (lane[1:] == lane[:-1])
               & (onset[rows][1:] < offset[rows][:-1]))
    out = np.zeros(len(coding), dtype=bool)
    out[rows[hit]] = True
    return out


def _located_problems(rows: pd.DataFrame, scheme: Scheme, duration_ms: int,
                      prefix: str) -> list[Problem]:
    events: list[Event] = []
    names: list[str] = []
    problems: list[Problem] = []
    # The cells hold whatever the caller gave (pandas-stubs claim scalars; modifiers are dicts):
    # int() and the Event model check them, and a bad one becomes a problem below.
    row: Any
    for row in rows.itertuples(index=False):
        name = f"{prefix}event {row.event_id}"
        try:
            events.append(Event(
                id=str(row.event_id), subject=str(row.subject), code=str(row.code),
                onset_ms=int(row.onset_ms),
                offset_ms=None if pd.isna(row.offset_ms) else int(row.offset_ms),
                modifiers=dict(row.modifiers) if isinstance(row.modifiers, dict) else {}))
            names.append(name)
        except (ValidationError, ValueError, TypeError) as exc:
            problems.append(Problem(f"invalid event ({exc})".replace("\n", " "),
                                    "correct the event's fields", where=name))
    return problems + event_problems(events, scheme, duration_ms=duration_ms, complete=True,
                                     labels=names)
