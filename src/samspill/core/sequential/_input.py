"""Checks and splitting of an events DataFrame shared by lag and time-window analysis, and the
lags as a user writes them (the CLI's ``--lag``, the analysis page's form)."""

from __future__ import annotations

from collections.abc import Collection, Iterator

import numpy as np
import pandas as pd

from samspill.core.errors import EventError, InputError

DEFAULT_SESSION = "all"
POOLED = "(pooled)"


def require_columns(events: pd.DataFrame, columns: Collection[str | None], what: str) -> None:
    """Raise :class:`InputError` naming every column of ``columns`` missing from ``events``."""
    if not isinstance(events, pd.DataFrame):
        raise InputError(f"{what} expects a pandas DataFrame of events, got "
                         f"{type(events).__name__}", fix="pass the event table as a DataFrame")
    missing = [c for c in columns if c is not None and c not in events.columns]
    if missing:
        have = ", ".join(map(str, events.columns)) or "none"
        raise InputError(f"{what}: the events have no column {', '.join(missing)}",
                         fix=f"name the right column (the table has: {have})")


def checked_onsets(events: pd.DataFrame, onset_col: str) -> np.ndarray:
    """Onsets as int64 ms; missing, fractional, negative or non-numeric times raise EventError."""
    raw = pd.to_numeric(events[onset_col], errors="coerce")
    bad = raw.isna() | (raw < 0) | (raw != np.floor(raw))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise EventError(f"onset {events[onset_col].iloc[row]!r} is not a whole number of ms ≥ 0",
                         where=f"event row {row}", fix=f"give every {onset_col} in whole ms")
    return raw.to_numpy(dtype=np.int64)


def session_groups(events: pd.DataFrame, session_col: str | None
                   ) -> Iterator[tuple[str, pd.DataFrame]]:
    """(session label, its events) in order of first appearance; one group without a column."""
    if session_col is None:
        yield DEFAULT_SESSION, events
        return
    if events[session_col].isna().any():
        raise InputError(f"some events have no value in the session column '{session_col}'",
                         fix="fill in the session of every event or drop those rows")
    labels = events[session_col].astype(str)
    if (labels == POOLED).any():
        raise InputError(f"a session is named '{POOLED}', the label reserved for pooled rows",
                         fix="rename that session")
    for label in dict.fromkeys(labels):
        yield label, events[labels == label]


def as_code_set(codes: str | Collection[str], name: str) -> frozenset[str]:
    """One code or a collection of codes as a non-empty set."""
    out = frozenset([codes]) if isinstance(codes, str) else frozenset(codes)
    if not out:
        raise InputError(f"{name} names no code", fix=f"give at least one code as {name}")
    return out


def parse_lags(text: str) -> list[int]:
    """``"2"`` → [2]; ``"1-3"`` → [1, 2, 3]; ``"1,3"`` → [1, 3]."""
    try:
        if "-" in text:
            first, last = (int(part) for part in text.split("-", 1))
            return list(range(first, last + 1))
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise InputError(f"--lag {text!r} is not a lag, range or list",
                         fix="give e.g. --lag 1, --lag 1-3 or --lag 1,2") from None
