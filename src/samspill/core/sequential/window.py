"""Time-window sequential analysis: does B start within W ms after A more often than chance?

Two views of the same question, per session and pooled:

1. **Events.** For each onset of a given code A, whether some onset of a target code B falls in
   the window (onset_A, onset_A + W], in exact milliseconds (``n_given_followed``).
2. **Time units** (Bakeman & Quera, 2011, ch. 11). The session, from 0 ms to
   its end, is cut into units of Δ = ``unit_ms``: unit k covers [kΔ, (k+1)Δ). Each time is
   placed in its unit, u(t) = floor(t/Δ). A unit is a *window* unit when it lies within W/Δ
   units after the unit of some A onset, i.e. u(onset_A) < k ≤ u(onset_A) + W/Δ (the grid
   version of (onset_A, onset_A + W]); it is a *target* unit when some B onset lies in it.
   Tallying every unit of the session gives the 2×2 table

   ============== ================ ==================
   \\              target unit      no target onset
   ============== ================ ==================
   window unit    a = ``observed`` b
   outside        c                d
   ============== ================ ==================

   and chance is B's rate over all units: the expected a is e = (a+b)(a+c)/N, the
   adjusted residual z = (a − e)/sqrt(e (1 − (a+b)/N)(1 − (a+c)/N)), Yule's
   Q = (ad − bc)/(ad + bc), the odds ratio ad/bc, and Fisher's exact p (two-sided).
   Pooled rows sum the sessions' 2×2 tables.

Overlapping windows count a unit once. Windows running past the session's end are cut there.

References
----------
Bakeman, R., & Quera, V. (2011). *Sequential Analysis and Observational Methods for the
Behavioral Sciences*. Cambridge University Press. Ch. 11 (time-window sequential analysis).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd

from samspill.core.errors import N_, InputError
from samspill.core.sequential._input import (
    POOLED,
    as_code_set,
    checked_onsets,
    require_columns,
    session_groups,
)
from samspill.core.sequential.tables import two_by_two

HIT_COLUMNS = ["session", "event_index", "onset_ms", "followed", "target_onset_ms", "latency_ms"]
WINDOW_COLUMNS = [
    "session", "n_units", "n_given", "n_target", "n_given_followed", "share_followed",
    "observed", "window_other", "outside_target", "outside_other", "expected",
    "p_target_window", "p_target_outside", "p_target", "adjusted_residual", "p_z",
    "yules_q", "odds_ratio", "p_fisher",
]


def time_window(events: pd.DataFrame, *, given: str | Collection[str],
                target: str | Collection[str], window_ms: int, unit_ms: int = 1000,
                session_col: str | None = None, code_col: str = "code",
                onset_col: str = "onset_ms", offset_col: str | None = "offset_ms",
                subject_col: str = "subject", given_subject: str | None = None,
                target_subject: str | None = None,
                duration_ms: int | Mapping[str, int] | None = None) -> pd.DataFrame:
    """Whether target onsets follow given onsets within ``window_ms``, against chance.

    Parameters
    ----------
    events : DataFrame
        One row per event with ``code_col``, ``onset_col`` (whole ms ≥ 0) and, when present,
        ``offset_col`` (ms, empty for points) and ``session_col``.
    given, target : str or collection of str
        The code(s) whose onsets open windows, and the code(s) whose onsets are looked for.
    window_ms : int
        W, the window length after each given onset; a whole multiple of ``unit_ms``.
    unit_ms : int
        Δ, the time unit of the tally (default 1000 ms).
    given_subject, target_subject : str, optional
        Only count given (target) events of this subject, read from ``subject_col``.
    duration_ms : int or mapping session → int, optional
        Each session's length. Default: the latest offset, or just after the latest onset,
        whichever is later. The session runs from 0 ms to its end.

    Returns
    -------
    DataFrame
        One row per session and a last row ``session == "(pooled)"``; columns
        :data:`WINDOW_COLUMNS`: ``n_units`` N; ``n_given`` and ``n_target`` the numbers of
        given and target onsets; ``n_given_followed`` given onsets with a target onset in
        (onset, onset + W] (exact ms) and ``share_followed`` their share; the 2×2 cells
        ``observed`` (a), ``window_other`` (b), ``outside_target`` (c), ``outside_other`` (d);
        ``expected`` e; ``p_target_window`` a/(a+b), ``p_target_outside`` c/(c+d),
        ``p_target`` (a+c)/N; ``adjusted_residual`` z with two-sided normal ``p_z``;
        ``yules_q``; ``odds_ratio``; ``p_fisher`` (two-sided Fisher exact). Read a positive
        z (Q > 0, OR > 1) as B starting in the windows more often than elsewhere.
    """
    require_columns(events, [session_col, code_col, onset_col, offset_col], "time_window")
    if given_subject is not None or target_subject is not None:
        require_columns(events, [subject_col], "time_window")
    steps = _window_units(window_ms, unit_ms)
    given_set, target_set = as_code_set(given, "given"), as_code_set(target, "target")
    tallies: dict[str, dict[str, float]] = {}
    for label, group in session_groups(events, session_col):
        onsets = checked_onsets(group, onset_col)
        pick_given = _pick(group, code_col, given_set, subject_col, given_subject)
        pick_target = _pick(group, code_col, target_set, subject_col, target_subject)
        end = _session_end(group, onsets, offset_col, label, duration_ms)
        tallies[label] = _session_tally(onsets[pick_given], onsets[pick_target], end,
                                        window_ms, unit_ms, steps)
    tallies[POOLED] = _pooled(list(tallies.values()))
    rows = [{"session": label} | _with_statistics(t) for label, t in tallies.items()]
    return pd.DataFrame(rows, columns=WINDOW_COLUMNS)


def window_hits(events: pd.DataFrame, *, given: str | Collection[str],
                target: str | Collection[str], window_ms: int,
                session_col: str | None = None, code_col: str = "code",
                onset_col: str = "onset_ms", subject_col: str = "subject",
                given_subject: str | None = None, target_subject: str | None = None
                ) -> pd.DataFrame:
    """One row per given onset: did a target onset follow within (onset, onset + W]?

    The evidence behind ``n_given_followed`` of :func:`time_window`, for a clinician to jump
    to. Parameters as in :func:`time_window`.

    Returns
    -------
    DataFrame
        Columns :data:`HIT_COLUMNS`, in session and onset order: ``session``;
        ``event_index`` the given event's index label in ``events`` (to join back ids or
        comments); ``onset_ms``; ``followed`` (bool); ``target_onset_ms`` the first target
        onset after the given onset and within W (<NA> when none); ``latency_ms`` its delay.
    """
    require_columns(events, [session_col, code_col, onset_col], "window_hits")
    if given_subject is not None or target_subject is not None:
        require_columns(events, [subject_col], "window_hits")
    _window_units(window_ms, 1)
    given_set, target_set = as_code_set(given, "given"), as_code_set(target, "target")
    frames = []
    for label, group in session_groups(events, session_col):
        onsets = checked_onsets(group, onset_col)
        pick = _pick(group, code_col, given_set, subject_col, given_subject)
        targets = np.sort(onsets[_pick(group, code_col, target_set, subject_col,
                                       target_subject)])
        frames.append(_hits(label, group.index[pick], onsets[pick], targets, window_ms))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return out.reindex(columns=HIT_COLUMNS)


def _hits(label: str, index: pd.Index, given: np.ndarray, targets: np.ndarray,
          window_ms: int) -> pd.DataFrame:
    order = np.argsort(given, kind="stable")
    given, index = given[order], index[order]
    padded = np.append(targets, np.iinfo(np.int64).max)
    first = padded[np.searchsorted(padded, given, side="right")]
    followed = first <= given + window_ms
    hit = pd.array(np.where(followed, first, 0), dtype="Int64")
    hit[~followed] = pd.NA
    # pandas-stubs give the masked arrays no arithmetic operators.
    latency = hit - pd.array(given, dtype="Int64")  # type: ignore[operator]
    return pd.DataFrame({"session": label, "event_index": index, "onset_ms": given,
                         "followed": followed, "target_onset_ms": hit, "latency_ms": latency})


def _window_units(window_ms: int, unit_ms: int) -> int:
    for name, value in (("window_ms", window_ms), ("unit_ms", unit_ms)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
            raise InputError(
                N_("{name} {value} is not a whole number of ms > 0"),
                fix=N_("give {name} as a positive whole number of milliseconds"),
                params={"name": str(name), "value": repr(value)},
            )
    if window_ms % unit_ms:
        raise InputError(
            N_("window_ms {window_ms} is not a whole multiple of unit_ms {unit_ms}"),
            fix=N_("choose a window that is a whole number of time units"),
            params={"window_ms": str(window_ms), "unit_ms": str(unit_ms)},
        )
    return int(window_ms // unit_ms)


def _pick(group: pd.DataFrame, code_col: str, codes: frozenset[str], subject_col: str,
          subject: str | None) -> np.ndarray:
    mask = group[code_col].astype(str).isin(codes).to_numpy().copy()
    if subject is not None:
        mask &= (group[subject_col].astype(str) == subject).to_numpy()
    return mask


def _session_end(group: pd.DataFrame, onsets: np.ndarray, offset_col: str | None, label: str,
                 duration_ms: int | Mapping[str, int] | None) -> int:
    """The session's end in ms: its duration, or just after its latest onset or offset."""
    latest = int(onsets.max()) if len(onsets) else 0
    if offset_col is not None:
        offsets = pd.to_numeric(group[offset_col], errors="coerce").dropna()
        latest = max(latest, int(offsets.max())) if len(offsets) else latest
    if duration_ms is None:
        return max(latest, int(onsets.max()) + 1 if len(onsets) else 0)
    end = duration_ms.get(label) if isinstance(duration_ms, Mapping) else duration_ms
    if end is None:
        raise InputError(
            N_("duration_ms gives no length for session '{label}'"),
            fix=N_("give a duration for every session"),
            params={"label": str(label)},
        )
    if end < latest:
        raise InputError(
            N_("session '{label}' has events up to {latest} ms, beyond its duration {end} ms"),
            fix=N_("give the session's full duration"),
            params={"label": str(label), "latest": str(latest), "end": str(end)},
        )
    return int(end)


def _session_tally(given: np.ndarray, target: np.ndarray, end_ms: int, window_ms: int,
                   unit_ms: int, steps: int) -> dict[str, float]:
    n_units = max(-(-end_ms // unit_ms), int(given.max(initial=-1)) // unit_ms + 1,
                  int(target.max(initial=-1)) // unit_ms + 1, 1)
    in_window = np.zeros(n_units + steps + 1, dtype=np.int64)
    np.add.at(in_window, given // unit_ms + 1, 1)
    np.add.at(in_window, given // unit_ms + steps + 1, -1)
    window = np.cumsum(in_window)[:n_units] > 0
    is_target = np.zeros(n_units, dtype=bool)
    is_target[target // unit_ms] = True
    targets = np.append(np.sort(target), np.iinfo(np.int64).max)
    followed = targets[np.searchsorted(targets, given, side="right")] <= given + window_ms
    return {
        "n_units": n_units, "n_given": len(given), "n_target": len(target),
        "n_given_followed": int(followed.sum()),
        "observed": int(np.sum(window & is_target)),
        "window_other": int(np.sum(window & ~is_target)),
        "outside_target": int(np.sum(~window & is_target)),
        "outside_other": int(np.sum(~window & ~is_target)),
    }


def _pooled(rows: list[dict[str, float]]) -> dict[str, float]:
    keys = ["n_units", "n_given", "n_target", "n_given_followed", "observed", "window_other",
            "outside_target", "outside_other"]
    return {k: sum(int(r[k]) for r in rows) for k in keys}


def _with_statistics(row: dict[str, float]) -> dict[str, float]:
    a, b = row["observed"], row["window_other"]
    c, d = row["outside_target"], row["outside_other"]
    n = a + b + c + d
    nan = float("nan")
    return row | two_by_two(a, b, c, d) | {
        "share_followed": row["n_given_followed"] / row["n_given"] if row["n_given"] else nan,
        "p_target_window": a / (a + b) if a + b else nan,
        "p_target_outside": c / (c + d) if c + d else nan,
        "p_target": (a + c) / n if n else nan,
    }
