"""BORIS event rows, checked a column at a time, and events built from rows already checked.

A BORIS observation holds its events as ``[time, subject, behaviour, modifiers, comment]`` rows,
with a sixth item, the frame index, in media observations. A project of 100 observations x
3,000 events spends most of its import time on these rows, so the plain case is checked column
by column (types, the time range, known behaviours, comment lengths) in one sweep each and kept
as columns (:class:`Columns`); the events are then built a column at a time without validating
each one again (:func:`trusted_events`). Any row that is not plain sends its observation down the
row-by-row path, which names the row at fault.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from itertools import repeat
from operator import itemgetter
from typing import Any, NamedTuple

import numpy as np
from pydantic import BaseModel

from samspill.core.events import Event
from samspill.interop.model import NO_FOCAL_SUBJECT
from samspill.interop.safety import MAX_MS

MAX_COMMENT = 2000
MAX_FRAME = 2**31
# (ms, subject, code, modifiers, comment, frame, position in the file): one row of the
# row-by-row path, as plain tuples (a NamedTuple's constructor costs as much as the row's checks).
Row = tuple[int, str, str, str, str, int | None, int]
_TOP_SECONDS = MAX_MS / 1000
# Validation from a dict of every field marks every field set; pydantic only ever adds to this
# set (and on assignment adds a name already in it), so one set serves every trusted event.
_ALL_FIELDS_SET = set(Event.model_fields)
# The shortcut below is what BaseModel.model_construct does; it holds while Event has no
# post-init hook and no private attributes (else every event goes through validation).
_TRUSTABLE = not Event.__pydantic_post_init__ and not Event.__private_attributes__
_validate_event = Event.__pydantic_validator__.validate_python
_new = object.__new__
# The slots' own setters: about half the time of object.__setattr__, which looks up each name,
# and callable from map(), so a whole observation's events are set up without a Python call each.
_SLOTS = vars(BaseModel)
_set_dict = _SLOTS["__dict__"].__set__
_set_fields = _SLOTS["__pydantic_fields_set__"].__set__
_set_extra = _SLOTS["__pydantic_extra__"].__set__
_set_private = _SLOTS["__pydantic_private__"].__set__


class Columns(NamedTuple):
    """One observation's rows in time order (rows of one time keep the file's order), a
    sequence per item: the time in ms, subject ("" already replaced), behaviour, modifier
    string, comment, frame (None when unknown) and the row's index in the file."""

    ms: Sequence[int]
    subjects: Sequence[str]
    codes: Sequence[str]
    modifiers: Sequence[str]
    comments: Sequence[str]
    frames: Sequence[int | None]
    positions: Sequence[int]

    @classmethod
    def of_rows(cls, rows: list[Row]) -> Columns:
        """The row-by-row path's rows (already in time order) as columns."""
        if not rows:
            return cls((), (), (), (), (), (), ())
        return cls(*zip(*rows, strict=True))


def _consume(iterator: Any) -> None:
    deque(iterator, maxlen=0)


def _trusted_events(fields: list[dict[str, Any]]) -> list[Event]:
    events = list(map(_new, repeat(Event, len(fields))))
    _consume(map(_set_dict, events, fields))
    _consume(map(_set_fields, events, repeat(_ALL_FIELDS_SET)))
    _consume(map(_set_extra, events, repeat(None)))
    _consume(map(_set_private, events, repeat(None)))
    return events


def _validated_events(fields: list[dict[str, Any]]) -> list[Event]:
    return list(map(_validate_event, fields))


trusted_events = _trusted_events if _TRUSTABLE else _validated_events
trusted_events.__doc__ = """Events from ``fields`` that are already known valid, without
validating them again (chosen once: validation when Event cannot be trusted this way).

Each dict of ``fields`` must hold every field of Event, in its order, with a value validation
would keep as it is: id, subject and code as str, onset_ms and offset_ms (or None) as int within
0..MAX_MS, a modifiers dict of its own (str or list-of-str values), a comment of at most
MAX_COMMENT characters, a frame that is None or an int >= 0, provenance None. The import checks
all of these per column before it calls this (tests/interop/test_boris_pairing.py compares both
ways).
"""


def plain_columns(events: list[Any], known: dict[str, Any]) -> Columns | None:
    """The observation's rows as columns in time order, when every row is plain; else None.

    Plain: a list of five items, or six whose frames are indexes or "NA"; a finite time in
    0..ten days; subject, behaviour, modifiers and comment as text; a behaviour of the ethogram;
    a comment of at most MAX_COMMENT characters. The checks are the row-by-row path's, a column
    at a time; the times become ms the same way (half up), and rows of one time keep their order.
    """
    if not events or set(map(type, events)) != {list}:
        return None
    lengths = set(map(len, events))
    if lengths == {5}:
        times, subjects, codes, modifiers, comments = zip(*events, strict=True)
        frames: Sequence[int | None] = (None,) * len(events)
    elif lengths == {6}:
        times, subjects, codes, modifiers, comments, raw_frames = zip(*events, strict=True)
        frames = _frames(raw_frames)
    else:
        return None
    if not set(map(type, times)) <= {float, int}:
        return None
    text = _distinct_text(subjects, codes, modifiers, comments)
    if text is None or not text[1] <= known.keys() or max(map(len, text[3])) > MAX_COMMENT:
        return None
    seconds = np.array(times, dtype=np.float64)
    if not bool(np.all((seconds >= 0) & (seconds <= _TOP_SECONDS))):  # also refuses NaN
        return None
    ms = np.floor(seconds * 1000 + 0.5).astype(np.int64)
    if "" in text[0]:
        subjects = tuple(s or NO_FOCAL_SUBJECT for s in subjects)
    columns = Columns(ms.tolist(), subjects, codes, modifiers, comments, frames,
                      range(len(events)))
    if len(events) > 1 and not bool(np.all(ms[1:] >= ms[:-1])):
        take = itemgetter(*np.argsort(ms, kind="stable").tolist())
        columns = Columns(*(take(column) for column in columns))
    return columns


def _distinct_text(*columns: tuple[Any, ...]) -> list[set[str]] | None:
    """Each column's distinct values when all are text, else None. A column's set is small and
    needed anyway (the behaviours, empty subjects, comment lengths); a value of another type
    stays in it, since no other type equals a str."""
    try:
        distinct = [set(column) for column in columns]
    except TypeError:  # a list or a mapping among the values
        return None
    if all(type(value) is str for values in distinct for value in values):
        return distinct
    return None


def _frames(raw: tuple[Any, ...]) -> Sequence[int | None]:
    """Frame indexes as the row-by-row path keeps them: an int in 0..2**31, else None."""
    if set(map(type, raw)) == {str} and set(raw) == {"NA"}:
        return (None,) * len(raw)
    return [f if type(f) is int and 0 <= f < MAX_FRAME else None for f in raw]
