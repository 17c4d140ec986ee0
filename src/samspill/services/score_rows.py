"""Scored rows kept per coding version: pages that need the whole study's scores score only
the codings that changed since they last ran (issue 23's dyad course, the agreement pages).

:func:`~samspill.services.scoring.cohort_for_study` with ``reuse=True`` (without stability)
asks :func:`split` which of its codings have rows here, scores the others as it always does,
and hands the batch to :func:`assemble`, which keeps them for next time and returns the
group's rows in one order whatever was kept: the codings in the group's order, each coding's
rows in the order its table made them. So a result from kept rows is the result of scoring
every coding again (a test compares the two).

*What a coding's rows depend on*, its key: its events (their version, the one
:func:`samspill.services.columnar.versions` gives the columnar cohort: how many, their latest
``updated_at``, the sums of their edit versions, onsets and offsets, so any save, edit or
delete gives a new one), its ratings and per-segment ratings (as the scorer reads them), its
session's segments and length, and its scheme version (immutable). The *context* holds what
all of a call's codings share: the table the rows are (its function), whether a running state
is ended (``provisional``) and the study's settings. The scoring code is this process's: the
rows live in the process, so a new version of the code starts with none.

Rows are kept per database engine (a weak reference: a disposed engine takes its rows along)
and a key that no longer matches is simply not used; the whole store is emptied past
:data:`LIMIT` codings. Nothing here writes to the database or the data folder.
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from samspill.services import columnar
from samspill.store.models import Coding, SegmentRow

LIMIT = 500_000  # codings × contexts kept per engine; past it the store starts again
Ratings = Callable[[Session, list[int]], dict[int, dict[str, str]]]
T = TypeVar("T")


@dataclass(frozen=True)
class _Kept:
    """One coding's rows: ``frame.iloc[start:stop]`` (frames are shared between codings)."""

    key: str
    frame: pd.DataFrame
    start: int
    stop: int


class _Store:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rows: dict[tuple[str, int], _Kept] = {}
        self.values: dict[str, tuple[str, Any]] = {}  # where → (key, value): remembered()


_STORES: weakref.WeakKeyDictionary[Engine, _Store] = weakref.WeakKeyDictionary()
_STORES_LOCK = threading.Lock()


def _store(db: Session) -> _Store:
    engine = db.get_bind()
    assert isinstance(engine, Engine)  # sessions here are bound to an engine, never a connection
    with _STORES_LOCK:
        found = _STORES.get(engine)
        if found is None:
            found = _STORES[engine] = _Store()
        return found


def context(table: Callable[..., Any], *, provisional: bool, settings: object) -> str:
    """What every coding of one call shares: the table's function, ``provisional``, the
    study's settings (as stored)."""
    text = json.dumps(settings, sort_keys=True, default=str)
    return f"{table.__module__}.{table.__qualname__}|{provisional}|{_digest(text)}"


def keys(db: Session, group: Sequence[Coding], ratings: Ratings) -> dict[int, str]:
    """Each coding's key (see the module): a few grouped queries for the whole group, no
    event loaded."""
    ids = [c.id for c in group]
    events = columnar.versions(db, ids)
    rated = ratings(db, ids)
    segments = _segments(db, {c.session_id for c in group})
    return {c.id: _digest(repr((events[c.id], sorted(rated.get(c.id, {}).items()),
                                segments.get(c.session_id, []), c.session.duration_ms,
                                c.scheme_version_id)))
            for c in group}


def _segments(db: Session, session_ids: set[int]) -> dict[int, list[tuple[object, ...]]]:
    out: dict[int, list[tuple[object, ...]]] = defaultdict(list)
    chosen = sorted(session_ids)
    for start in range(0, len(chosen), columnar.CHUNK):
        rows = db.execute(select(SegmentRow.session_id, SegmentRow.id, SegmentRow.spec_id,
                                 SegmentRow.name, SegmentRow.role, SegmentRow.start_ms,
                                 SegmentRow.end_ms, SegmentRow.note)
                          .where(SegmentRow.session_id.in_(chosen[start:start + columnar.CHUNK]))
                          .order_by(SegmentRow.session_id, SegmentRow.id)).all()
        for session_id, *facts in rows:
            out[session_id].append(tuple(facts))
    return out


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def split(db: Session, where: str, group: Sequence[Coding], found: dict[int, str]
          ) -> tuple[dict[int, _Kept], list[Coding]]:
    """The codings of ``group`` with rows kept under their current key, and the others."""
    store = _store(db)
    with store.lock:
        kept = {c.id: k for c in group
                if (k := store.rows.get((where, c.id))) is not None and k.key == found[c.id]}
    return kept, [c for c in group if c.id not in kept]


def assemble(db: Session, where: str, group: Sequence[Coding], found: dict[int, str],
             kept: dict[int, _Kept], fresh: pd.DataFrame | None) -> pd.DataFrame:
    """The group's rows (``coding_id`` naming each row's coding) from the kept ones and the
    ``fresh`` ones just scored, in the order of the module docstring; every coding with rows
    is kept under its key for next time. Codings in neither (they could not be scored) have
    no rows."""
    position = {c.id: i for i, c in enumerate(group)}
    parts: list[pd.DataFrame] = []
    order: list[np.ndarray] = []
    by_frame: dict[int, list[_Kept]] = defaultdict(list)
    for coding_id in sorted(kept, key=position.__getitem__):
        by_frame[id(kept[coding_id].frame)].append(kept[coding_id])
    coding_of = {id(k): c for c, k in kept.items()}
    for pieces in by_frame.values():
        taken = np.concatenate([np.arange(k.start, k.stop) for k in pieces])
        parts.append(pieces[0].frame.iloc[taken])
        order.append(np.repeat([position[coding_of[id(k)]] for k in pieces],
                               [k.stop - k.start for k in pieces]))
    if fresh is not None and len(fresh):
        parts.append(fresh)
        order.append(fresh["coding_id"].map(position).to_numpy())
    if not parts:
        return fresh if fresh is not None else pd.DataFrame(columns=["coding_id"])
    rows = pd.concat(parts, ignore_index=True) if len(parts) > 1 else \
        parts[0].reset_index(drop=True)
    rows = rows.iloc[np.argsort(np.concatenate(order), kind="stable")].reset_index(drop=True)
    _keep(db, where, rows, found)
    return rows


def _keep(db: Session, where: str, rows: pd.DataFrame, found: dict[int, str]) -> None:
    """Point every coding of ``rows`` (grouped by coding) at its range in ``rows``: older
    frames are let go once no coding points at them."""
    ids = rows["coding_id"].to_numpy()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if len(ids) else np.array([], int)
    stops = np.r_[starts[1:], len(ids)]
    store = _store(db)
    with store.lock:
        if len(store.rows) + len(starts) > LIMIT:
            store.rows.clear()
        for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
            coding_id = int(ids[start])
            store.rows[(where, coding_id)] = _Kept(found[coding_id], rows, start, stop)


def remembered(db: Session, where: str, key: str, compute: Callable[[], T]) -> T:
    """The value computed last for ``where`` if its ``key`` is still the same, else
    ``compute()`` (kept for next time): one value per ``where``. Callers never change what
    they get (it is shared)."""
    store = _store(db)
    with store.lock:
        found = store.values.get(where)
    if found is not None and found[0] == key:
        return found[1]  # type: ignore[no-any-return]
    value = compute()
    with store.lock:
        if len(store.values) >= LIMIT:
            store.values.clear()
        store.values[where] = (key, value)
    return value


def frame_key(frame: pd.DataFrame) -> str:
    """A digest of a table's columns and values (row order counts)."""
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return _digest(repr(list(frame.columns)) + hashlib.sha256(hashed.tobytes()).hexdigest())


def forget(db: Session) -> None:
    """Drop every kept row of this database (a test's cold start; never needed for
    correctness)."""
    store = _store(db)
    with store.lock:
        store.rows.clear()
        store.values.clear()
