"""The built-in withdrawal query: does a caregiver answer follow a child's bid within W?

Withdrawn caregiving shows as absence: bids that nothing answers (``withdrawal.md``, signs 1
and 2). This query puts the time-window analysis of :mod:`.window` to that question: given =
the child's ``bid`` onsets, target = the onsets of the caregiver's answers (``respond``,
``initiate`` and the start of ``hold`` by default), window W = 10 s, time unit 1 s.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import pandas as pd

from samspill.core.sequential.window import time_window, window_hits


def caregiver_answer_after_bid(
    events: pd.DataFrame, *, window_ms: int = 10_000,
    answer_codes: Collection[str] = ("respond", "initiate", "hold"), unit_ms: int = 1000,
    bid_codes: Collection[str] = ("bid",), session_col: str | None = None,
    child: str = "child", caregiver: str = "caregiver", subject_col: str = "subject",
    code_col: str = "code", onset_col: str = "onset_ms", offset_col: str | None = "offset_ms",
    duration_ms: int | Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Whether caregiver answers start within ``window_ms`` after child bids more than chance.

    Parameters
    ----------
    events : DataFrame
        The event table (as :func:`samspill.core.events.events_frame` makes it, or a CSV with
        ``subject``, ``code``, ``onset_ms``, ``offset_ms`` and optionally a session column).
    window_ms, unit_ms : int
        W (default 10 000 ms, the spec's W2) and the tally's time unit Δ (default 1000 ms).
    answer_codes : collection of str
        Caregiver codes that count as an answer; for a state its onset counts.
    bid_codes : collection of str
        Child codes that count as a bid.
    child, caregiver, subject_col : str
        Subject labels and the column holding them.
    session_col, code_col, onset_col, offset_col, duration_ms
        As in :func:`samspill.core.sequential.window.time_window`.

    Returns
    -------
    DataFrame
        The columns of :data:`samspill.core.sequential.window.WINDOW_COLUMNS`, one row per
        session and a ``"(pooled)"`` row. ``n_given`` counts bids, ``n_given_followed`` bids
        answered within W (exact ms), ``share_followed`` their share; ``observed`` and
        ``expected`` are the 1-s units inside bid windows that hold an answer onset, seen and
        expected by chance; ``yules_q``, ``odds_ratio``, ``adjusted_residual`` (z), ``p_z`` and
        ``p_fisher`` test the contingency. A high ``share_followed`` with a positive z reads as
        contingent answering; a withdrawn profile shows a low share, whether or not the few
        answers that come are contingent. This is a research measure, not a diagnosis.
    """
    return time_window(
        events, given=bid_codes, target=answer_codes, window_ms=window_ms, unit_ms=unit_ms,
        session_col=session_col, code_col=code_col, onset_col=onset_col,
        offset_col=offset_col, subject_col=subject_col, given_subject=child,
        target_subject=caregiver, duration_ms=duration_ms,
    )


def bid_answers(
    events: pd.DataFrame, *, window_ms: int = 10_000,
    answer_codes: Collection[str] = ("respond", "initiate", "hold"),
    bid_codes: Collection[str] = ("bid",), session_col: str | None = None,
    child: str = "child", caregiver: str = "caregiver", subject_col: str = "subject",
    code_col: str = "code", onset_col: str = "onset_ms",
) -> pd.DataFrame:
    """Each child bid, and the first caregiver answer within ``window_ms`` if any.

    The evidence list behind :func:`caregiver_answer_after_bid`: columns of
    :data:`samspill.core.sequential.window.HIT_COLUMNS` (``onset_ms`` of the bid,
    ``followed``, ``target_onset_ms`` of the answer, ``latency_ms``), one row per bid.
    """
    return window_hits(
        events, given=bid_codes, target=answer_codes, window_ms=window_ms,
        session_col=session_col, code_col=code_col, onset_col=onset_col,
        subject_col=subject_col, given_subject=child, target_subject=caregiver,
    )
