"""Checks and splitting of an events DataFrame shared by lag and time-window analysis, and the
lags as a user writes them (the CLI's ``--lag``, the analysis page's form)."""

from __future__ import annotations

from collections.abc import Collection, Iterator

import numpy as np
import pandas as pd

from samspill.core.errors import N_, EventError, InputError

DEFAULT_SESSION = "all"
POOLED = "(pooled)"


def require_columns(events: pd.DataFrame, columns: Collection[str | None], what: str) -> None:
    """Raise :class:`InputError` naming every column of ``columns`` missing from ``events``."""
    if not isinstance(events, pd.DataFrame):
        raise InputError(
            N_("{what} expects a pandas DataFrame of events, got {name}"),
            fix=N_("pass the event table as a DataFrame"),
            params={"what": str(what), "name": str(type(events).__name__)},
        )
    missing = [c for c in columns if c is not None and c not in events.columns]
    if missing:
        have = ", ".join(map(str, events.columns)) or "none"
        raise InputError(
            N_("{what}: the events have no column {missing}"),
            fix=N_("name the right column (the table has: {have})"),
            params={"what": str(what), "missing": ', '.join(missing), "have": str(have)},
        )


def checked_onsets(events: pd.DataFrame, onset_col: str) -> np.ndarray:
    """Onsets as int64 ms; missing, fractional, negative or non-numeric times raise EventError."""
    raw = pd.to_numeric(events[onset_col], errors="coerce")
    bad = raw.isna() | (raw < 0) | (raw != np.floor(raw))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise EventError(
            N_("onset {value} is not a whole number of ms ≥ 0"),
            where=f'event row {row}',
            fix=N_("give every {onset_col} in whole ms"),
            params={"value": repr(events[onset_col].iloc[row]), "onset_col": str(onset_col)},
        )
    return raw.to_numpy(dtype=np.int64)


def session_groups(events: pd.DataFrame, session_col: str | None
                   ) -> Iterator[tuple[str, pd.DataFrame]]:
    """(session label, its events) in order of first appearance; one group without a column."""
    if session_col is None:
        yield DEFAULT_SESSION, events
        return
    if events[session_col].isna().any():
        raise InputError(
            N_("some events have no value in the session column '{session_col}'"),
            fix=N_("fill in the session of every event or drop those rows"),
            params={"session_col": str(session_col)},
        )
    labels = events[session_col].astype(str)
    if (labels == POOLED).any():
        raise InputError(
            N_("a session is named '{pooled}', the label reserved for pooled rows"),
            fix=N_("rename that session"),
            params={"pooled": str(POOLED)},
        )
    for label in dict.fromkeys(labels):
        yield label, events[labels == label]


def as_code_set(codes: str | Collection[str], name: str) -> frozenset[str]:
    """One code or a collection of codes as a non-empty set."""
    out = frozenset([codes]) if isinstance(codes, str) else frozenset(codes)
    if not out:
        raise InputError(
            N_("{name} names no code"),
            fix=N_("give at least one code as {name}"),
            params={"name": str(name)},
        )
    return out


def parse_lags(text: str) -> list[int]:
    """``"2"`` → [2]; ``"1-3"`` → [1, 2, 3]; ``"1,3"`` → [1, 3]."""
    try:
        if "-" in text:
            first, last = (int(part) for part in text.split("-", 1))
            return list(range(first, last + 1))
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise InputError(
            N_("--lag {text} is not a lag, range or list"),
            fix=N_("give e.g. --lag 1, --lag 1-3 or --lag 1,2"),
            params={"text": repr(text)},
        ) from None
