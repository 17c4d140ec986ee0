"""Input checks shared by the reliability functions: columns present, times sane.

Every check raises a typed error from :mod:`samspill.core.errors` whose message names the fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from samspill.core.errors import N_, EventError, InputError

NIL = "nil"


def require_columns(frame: pd.DataFrame, columns: Sequence[str], *, name: str = "table") -> None:
    """Raise :class:`InputError` unless ``frame`` is a DataFrame holding every column."""
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            N_("the {name} is a {name2}, not a DataFrame"),
            fix=N_("pass a pandas DataFrame"),
            params={"name": str(name), "name2": str(type(frame).__name__)},
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        have = ", ".join(map(str, frame.columns)) or "none"
        raise InputError(
            N_("the {name} has no column {listed}"),
            fix=N_("name the columns with the keyword arguments (it has: {have})"),
            params={"name": str(name), "listed": ', '.join(map(repr, missing)), "have": str(have)},
        )


def require_positive_int(value: object, *, name: str) -> int:
    """``value`` as an int > 0, else :class:`InputError`."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
        raise InputError(
            N_("{name} is {value}"),
            fix=N_("give {name} as a whole number above 0"),
            params={"name": str(name), "value": repr(value)},
        )
    return int(value)


@dataclass(frozen=True)
class EventArrays:
    """One coder's events as numpy arrays (times in ms, offset -1 for points)."""

    subject: np.ndarray
    code: np.ndarray
    onset: np.ndarray
    offset: np.ndarray

    @property
    def is_point(self) -> np.ndarray:
        return self.offset < 0

    def end_ms(self) -> int:
        """First ms after the last coded instant (0 when empty)."""
        if len(self.onset) == 0:
            return 0
        return int(max(self.offset.max(), (self.onset[self.is_point] + 1).max(initial=0)))


def event_arrays(
    frame: pd.DataFrame, *, subject: str, code: str, onset: str, offset: str, name: str
) -> EventArrays:
    """Check an event table and turn it into :class:`EventArrays`.

    A row whose offset is missing is a point event; otherwise a state [onset, offset).
    """
    require_columns(frame, [subject, code, onset, offset], name=name)
    on = _times(frame[onset], column=onset, name=name, allow_missing=False)
    off = _times(frame[offset], column=offset, name=name, allow_missing=True)
    bad = np.flatnonzero((off >= 0) & (off < on))
    if len(bad):
        row = int(bad[0])
        raise EventError(
            N_("row {row} of the {name} ends at {value} ms before it starts at {value2} ms"),
            fix=N_("swap or correct the onset and offset"),
            where=name,
            params={
                "row": str(row),
                "name": str(name),
                "value": str(off[row]),
                "value2": str(on[row]),
            },
        )
    codes = frame[code].astype(str).to_numpy()
    if (codes == NIL).any():
        raise EventError(
            N_("the {name} uses the reserved code '{nil}'"),
            fix=N_("rename the code; '{nil}' means 'nothing coded'"),
            where=name,
            params={"name": str(name), "nil": str(NIL)},
        )
    return EventArrays(frame[subject].astype(str).to_numpy(), codes, on, off)


def _times(values: pd.Series, *, column: str, name: str, allow_missing: bool) -> np.ndarray:
    is_numeric = values.dtype.kind in "iuf"
    numeric = values if is_numeric else pd.to_numeric(values, errors="coerce")
    times = numeric.to_numpy(dtype=float, na_value=np.nan)
    missing = np.isnan(times)
    bad = missing.copy() if not allow_missing else np.zeros_like(missing)
    if not is_numeric:  # text that is not a number
        bad |= missing & values.notna().to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(
            N_("row {row} of the {name} has {column} = {value}"),
            fix=N_("give {column} as whole milliseconds"),
            where=name,
            params={
                "row": str(row),
                "name": str(name),
                "column": str(column),
                "value": repr(values.iloc[row]),
            },
        )
    known = times[~missing]
    if (known < 0).any() or (known != np.round(known)).any():
        raise InputError(
            N_("{column} in the {name} holds negative or fractional times"),
            fix=N_("give times as whole milliseconds from 0"),
            where=name,
            params={"column": str(column), "name": str(name)},
        )
    return np.where(missing, -1, times).astype(np.int64)
