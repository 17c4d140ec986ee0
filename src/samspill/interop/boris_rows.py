"""BORIS event rows, checked a column at a time, and events built from rows already checked.

A BORIS observation holds its events as ``[time, subject, behaviour, modifiers, comment]`` rows,
with a sixth item, the frame index, in media observations. A project of 100 observations x
3,000 events spends most of its import time on these rows, so the plain case is checked column
by column (types, the time range, known behaviours, comment lengths) in one sweep each, and
the events are then built without validating each one again (:func:`trusted_event`). Any row
that is not plain sends its observation down the row-by-row path, which names the row at fault.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel

from samspill.core.events import Event
from samspill.interop.model import NO_FOCAL_SUBJECT
from samspill.interop.safety import MAX_MS

MAX_COMMENT = 2000
MAX_FRAME = 2**31
# (ms, subject, code, modifiers, comment, frame, position in the file): plain tuples, since a
# NamedTuple's constructor costs as much as the rest of the row's handling.
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
# The slots' own setters: about half the time of object.__setattr__, which looks up each name.
_SLOTS = vars(BaseModel)
_set_dict = _SLOTS["__dict__"].__set__
_set_fields = _SLOTS["__pydantic_fields_set__"].__set__
_set_extra = _SLOTS["__pydantic_extra__"].__set__
_set_private = _SLOTS["__pydantic_private__"].__set__


def _trusted(fields: dict[str, Any]) -> Event:
    event = _new(Event)
    _set_dict(event, fields)
    _set_fields(event, _ALL_FIELDS_SET)
    _set_extra(event, None)
    _set_private(event, None)
    return event


def _validated(fields: dict[str, Any]) -> Event:
    event: Event = _validate_event(fields)
    return event


trusted_event = _trusted if _TRUSTABLE else _validated
trusted_event.__doc__ = """An Event from ``fields`` that are already known valid, without validating
them again (chosen once: validation when Event cannot be trusted this way).

``fields`` must hold every field of Event, in its order, with a value validation would keep as
it is: id, subject and code as str, onset_ms and offset_ms (or None) as int within 0..MAX_MS, a
modifiers dict of its own (str or list-of-str values), a comment of at most MAX_COMMENT
characters, a frame that is None or an int >= 0, provenance None. The import checks all of
these per column before it calls this (tests/interop/test_boris_pairing.py compares both ways).
"""


def plain_rows(events: list[Any], known: dict[str, Any]) -> list[Row] | None:
    """The observation's rows in time order, when every row is plain; else None.

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
        frames: list[int | None] | tuple[None, ...] = (None,) * len(events)
    elif lengths == {6}:
        times, subjects, codes, modifiers, comments, raw_frames = zip(*events, strict=True)
        frames = _frames(raw_frames)
    else:
        return None
    if not (set(map(type, times)) <= {float, int} and _all_text(subjects, codes, modifiers,
                                                                comments)):
        return None
    if not set(codes) <= known.keys() or max(map(len, comments)) > MAX_COMMENT:
        return None
    seconds = np.array(times, dtype=np.float64)
    if not bool(np.all((seconds >= 0) & (seconds <= _TOP_SECONDS))):  # also refuses NaN
        return None
    ms = np.floor(seconds * 1000 + 0.5).astype(np.int64)
    if "" in set(subjects):
        subjects = tuple(s or NO_FOCAL_SUBJECT for s in subjects)
    rows = list(zip(ms.tolist(), subjects, codes, modifiers, comments, frames,
                    range(len(events)), strict=True))
    if len(rows) > 1 and not bool(np.all(ms[1:] >= ms[:-1])):
        rows = [rows[i] for i in np.argsort(ms, kind="stable").tolist()]
    return rows


def _all_text(*columns: tuple[Any, ...]) -> bool:
    return all(set(map(type, column)) == {str} for column in columns)


def _frames(raw: tuple[Any, ...]) -> list[int | None] | tuple[None, ...]:
    """Frame indexes as the row-by-row path keeps them: an int in 0..2**31, else None."""
    if set(map(type, raw)) == {str} and set(raw) == {"NA"}:
        return (None,) * len(raw)
    return [f if type(f) is int and 0 <= f < MAX_FRAME else None for f in raw]
