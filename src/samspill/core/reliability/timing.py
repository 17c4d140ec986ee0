"""Timing of matched events: how much later or earlier one coder logged what the other did.

Event matching (:func:`~samspill.core.reliability.match_events`) pairs events within a
tolerance and counts only what is missing, extra or coded differently. A coder who logs every
event one second late is then "in full agreement" there, while the time-unit κ, which compares
the codes unit by unit, falls (a point event one unit late misses its unit twice). Feedback
must show both: this module gives, for every matched pair, the onset difference (and for
states the offset difference), and a summary that says whether the timing is within one unit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from samspill.core.reliability._input import require_columns, require_positive_int

TIMING_COLUMNS = ["subject", "kind", "code_a", "code_b", "onset_a_ms", "onset_b_ms",
                  "onset_lag_ms", "offset_a_ms", "offset_b_ms", "offset_lag_ms"]
SUMMARY_COLUMNS = ["matched", "on_time", "late", "early", "ends_differ",
                   "median_abs_lag_ms", "max_abs_lag_ms"]


def timing_differences(pairs: pd.DataFrame, a: pd.DataFrame, b: pd.DataFrame, *,
                       offset: str = "offset_ms") -> pd.DataFrame:
    """The onset (and, for states, offset) differences of matched events.

    Parameters
    ----------
    pairs : DataFrame
        :func:`~samspill.core.reliability.match_events` of ``a`` and ``b`` (rows ``a_row`` and
        ``b_row`` are positions in them).
    a, b : DataFrame
        The two codings as given to ``match_events``; ``b`` is the reference (the master).

    Returns
    -------
    DataFrame
        One row per matched pair, in the order of B's onsets: ``subject``, ``kind``,
        ``code_a``, ``code_b``, ``onset_a_ms``, ``onset_b_ms``, ``onset_lag_ms`` = A − B
        (> 0: A logged it later than B), ``offset_a_ms``, ``offset_b_ms`` and
        ``offset_lag_ms`` = A − B (<NA> for point events). Unmatched events are not here:
        they are the missing and extra events of the pairs table.
    """
    require_columns(pairs, ["subject", "kind", "a_row", "b_row", "code_a", "code_b",
                            "onset_a_ms", "onset_b_ms"], name="pairs table")
    require_columns(a, [offset], name="coding A")
    require_columns(b, [offset], name="coding B")
    matched = pairs[pairs["a_row"].notna() & pairs["b_row"].notna()]
    rows_a = matched["a_row"].to_numpy(dtype=np.int64)
    rows_b = matched["b_row"].to_numpy(dtype=np.int64)
    off_a = pd.Series(a[offset].iloc[rows_a].to_numpy(), dtype="Int64")
    off_b = pd.Series(b[offset].iloc[rows_b].to_numpy(), dtype="Int64")
    onset_a = matched["onset_a_ms"].astype("Int64").to_numpy()
    onset_b = matched["onset_b_ms"].astype("Int64").to_numpy()
    out = pd.DataFrame({
        "subject": matched["subject"].to_numpy(), "kind": matched["kind"].to_numpy(),
        "code_a": matched["code_a"].to_numpy(), "code_b": matched["code_b"].to_numpy(),
        "onset_a_ms": pd.array(onset_a, dtype="Int64"),
        "onset_b_ms": pd.array(onset_b, dtype="Int64"),
        "onset_lag_ms": pd.array(onset_a - onset_b, dtype="Int64"),
        "offset_a_ms": off_a.array, "offset_b_ms": off_b.array,
        "offset_lag_ms": (off_a - off_b).array,
    }, columns=TIMING_COLUMNS)
    return out.sort_values(["onset_b_ms", "subject"], kind="stable").reset_index(drop=True)


def timing_summary(timing: pd.DataFrame, *, unit_ms: int) -> pd.Series:
    """How the matched events' timing reads at the time unit Δ.

    An event is *on time* when its onset, and for a state its offset, lie less than one unit
    from the reference's; otherwise its onset is ``late`` or ``early`` by a unit or more, or
    only its end differs (``ends_differ``).

    Returns
    -------
    Series
        ``matched`` (pairs), ``on_time``, ``late``, ``early``, ``ends_differ`` (counts), and
        ``median_abs_lag_ms`` and ``max_abs_lag_ms`` of the onsets (0 when nothing matched).
    """
    unit = require_positive_int(unit_ms, name="unit_ms")
    require_columns(timing, ["onset_lag_ms", "offset_lag_ms"], name="timing table")
    onset = timing["onset_lag_ms"].astype("Int64").fillna(0).to_numpy(dtype=np.int64)
    ends = timing["offset_lag_ms"].astype("Int64").fillna(0).to_numpy(dtype=np.int64)
    late, early = onset >= unit, onset <= -unit
    ends_differ = ~late & ~early & (np.abs(ends) >= unit)
    magnitude = np.abs(onset)
    return pd.Series({
        "matched": len(onset), "on_time": int((~late & ~early & ~ends_differ).sum()),
        "late": int(late.sum()), "early": int(early.sum()),
        "ends_differ": int(ends_differ.sum()),
        "median_abs_lag_ms": int(np.median(magnitude)) if len(onset) else 0,
        "max_abs_lag_ms": int(magnitude.max()) if len(onset) else 0,
    }, index=SUMMARY_COLUMNS)
