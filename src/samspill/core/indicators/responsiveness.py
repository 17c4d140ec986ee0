"""Sign 2: delayed or muted ("silent") responding to the child's signals.

For every child bid made while the caregiver is present, the latency to the first caregiver
answer (an event of ``answer_codes``; for a state such as hold, its start) that starts at or
after the bid and at most ``response_window_ms`` (W2) later. One answer may answer several
bids that precede it. Reported: the median latency of answered bids, the share of bids left
unanswered, and the share of answers that were muted (``intensity`` = ``muted``). Flagged when
the median latency is above ``latency_flag_above_ms`` or the unanswered share is at least
``unanswered_flag_at``. No bids: NaN values, not flagged.
"""

from __future__ import annotations

import numpy as np

from samspill.core.indicators.common import (
    Columns,
    Context,
    IndicatorSpec,
    Onsets,
    evidence_rows,
    first_within,
    modifier_values,
    onsets,
    share,
    take,
    take_row,
)

SPEC = IndicatorSpec("responsiveness", "Delayed or muted responding",
                     values=("response_latency_median_ms", "unanswered_share", "muted_share"),
                     counts=("bids", "bids_answered", "bids_unanswered", "answers_muted"))


def bid_latencies(ctx: Context) -> tuple[Onsets, np.ndarray, Onsets]:
    """(bids scored, index of each one's answer or -1, the answers table)."""
    s = ctx.settings
    bids = ctx.bids.select(ctx.bids.present)
    answers = onsets(ctx.timeline, s.caregiver, s.answer_codes)
    hit = first_within(bids.coding, bids.time_ms, answers.coding, answers.time_ms,
                       s.response_window_ms, ctx.stride)
    return bids, hit, answers


def compute(ctx: Context) -> tuple[Columns, Columns]:
    """Per-scope latency median, unanswered and muted shares, counts and flag."""
    s, scopes = ctx.settings, ctx.scopes
    bids, hit, answers = bid_latencies(ctx)
    coding, time, segment = bids.coding, bids.time_ms, bids.segment
    answered = hit >= 0
    answer_time = take(answers.time_ms, hit, np.nan)
    latency = answer_time - time
    muted_answer = modifier_values(answers.modifiers, s.intensity_modifier) == s.muted_option
    muted = take(muted_answer, hit, False).astype(bool)
    n = scopes.count(np.ones(len(bids), dtype=bool), coding, segment)
    k = scopes.count(answered, coding, segment)
    m = scopes.count(muted & answered, coding, segment)
    median = scopes.median(latency[answered], coding[answered], segment[answered])
    unanswered = share(n - k, n)
    values = {
        "response_latency_median_ms": median, "unanswered_share": unanswered,
        "muted_share": share(m, k), "bids": n, "bids_answered": k, "bids_unanswered": n - k,
        "answers_muted": m,
        "responsiveness_flag": (n > 0) & ((median > s.latency_flag_above_ms)
                                          | (unanswered >= s.unanswered_flag_at))}
    window = f"{s.response_window_ms / 1000:g} s"
    note = np.where(~answered, f"bid: unanswered within {window}",
                    np.where(muted, "bid: answered, muted", "bid: answered"))
    evidence = evidence_rows(SPEC.id, coding, segment, bids.row, time, note, latency,
                              take_row(answers.row, hit), answer_time)
    return values, evidence
