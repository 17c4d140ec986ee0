"""Sign 2: delayed or muted ("silent") responding to the child's signals.

Every child bid made while the caregiver is in the room, inside the observed period, and not
while the child is held (a held child is in contact; its bids wait for no answer) is *scored*:
its answer is the first caregiver event of ``answer_codes`` (for a state such as hold, its
start) from ``timing_tolerance_ms`` before the bid to ``response_window_ms`` (W2) after it.
One answer may answer several bids. A bid with no answer before its window is cut (by the end
of the observation, or the caregiver leaving) is *censored*: reported apart, not counted.

Reported: the median latency of answered bids (an answer coded just before its bid counts as
0 s), the share of scored bids left unanswered, and the share of answers (distinct answering
events) that were muted. Present when the median latency is above ``latency_flag_above_ms``,
or the unanswered share is at least ``unanswered_flag_at``, or the muted share is at least
``muted_flag_at``. Not observable with fewer than ``responsiveness_min_bids`` scored bids.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from samspill.core.arrays import BoolArray, Int64Array
from samspill.core.indicators.common import (
    Columns,
    Context,
    IndicatorSpec,
    Onsets,
    evidence_rows,
    modifier_values,
    share,
    take,
    take_row,
)
from samspill.core.indicators.lookups import first_answers
from samspill.core.indicators.states import decide, not_observable

SPEC = IndicatorSpec("responsiveness", "Delayed or muted responding",
                     values=("response_latency_median_ms", "unanswered_share", "muted_share"),
                     counts=("bids", "bids_answered", "bids_unanswered", "bids_censored",
                             "bids_in_contact", "answers", "answers_muted"))


@dataclass(frozen=True)
class BidAnswers:
    """The child's bids while the caregiver is present, and what became of each."""

    bids: Onsets
    answer: Int64Array       # index into ``answers`` of each bid's answer, or -1
    in_contact: BoolArray    # the child was held: not scored
    censored: BoolArray      # window cut before any answer
    outside: BoolArray       # outside the observed period: not counted
    answers: Onsets

    @property
    def scored(self) -> BoolArray:
        return ~self.in_contact & ~self.censored & ~self.outside


def bid_answers(ctx: Context) -> BidAnswers:
    """Match each bid made while the caregiver is present to its answer (bids outside the
    observed period are kept, to be reported as not counted); once per context."""
    def make() -> BidAnswers:
        outside = ~ctx.scopes.in_period(ctx.bids.coding, ctx.bids.time_ms)
        return _answers(ctx, ctx.bids.select(ctx.bids.present | outside))

    return ctx.memo("bid answers", make)


def proximity_answers(ctx: Context) -> BidAnswers:
    """:func:`bid_answers` of the bids for proximity made while the caregiver is present
    (what cursory contact and redirection score), once per context."""
    def make() -> BidAnswers:
        kinds = list(ctx.settings.proximity_kinds)
        return _answers(ctx, ctx.bids.select(ctx.bids.present
                                             & np.isin(ctx.bids.kind, kinds)))

    return ctx.memo("proximity answers", make)


def _answers(ctx: Context, bids: Onsets) -> BidAnswers:
    s = ctx.settings
    outside = ~ctx.scopes.in_period(bids.coding, bids.time_ms)
    answers = ctx.acts(s.answer_codes)
    coding, time = bids.coding, bids.time_ms
    limit = ctx.window_end(coding, time, s.response_window_ms)
    hit = first_answers(coding, time, limit, answers.coding, answers.time_ms,
                        s.timing_tolerance_ms, ctx.stride)
    in_contact = ctx.in_contact(coding, time) & ~outside
    censored = ~in_contact & ~outside & (hit < 0) & (limit < time + s.response_window_ms)
    hit = np.where(in_contact | outside, -1, hit)
    return BidAnswers(bids, hit, in_contact, censored, outside, answers)


def compute(ctx: Context) -> tuple[Columns, Columns]:
    """Per-scope latency median, unanswered and muted shares, counts and state."""
    s, scopes = ctx.settings, ctx.scopes
    found = bid_answers(ctx)
    bids, hit, answers = found.bids, found.answer, found.answers
    coding, time, segment = bids.coding, bids.time_ms, bids.segment
    answered = hit >= 0
    answer_time = take(answers.time_ms, hit, np.nan)
    latency = np.maximum(answer_time - time, 0)
    scored = found.scored
    n = scopes.count(scored, coding, segment, time)
    k = scopes.count(answered, coding, segment, time)
    median = scopes.median(latency[answered], coding[answered], segment[answered], time[answered])
    # Muted share per answering event, not per bid: one faint nod to three bids is one answer.
    used = np.unique(hit[answered])
    muted = modifier_values(answers.modifiers[used], s.intensity_modifier) == s.muted_option
    a = answers.select(np.isin(np.arange(len(answers)), used))
    m_answers = scopes.count(np.ones(len(used), dtype=bool), a.coding, a.segment, a.time_ms)
    m_muted = scopes.count(np.asarray(muted, dtype=bool), a.coding, a.segment, a.time_ms)
    unanswered, muted_share = share(n - k, n), share(m_muted, m_answers)
    reason = not_observable(len(n), [
        *ctx.presence_checks(),
        (n < s.responsiveness_min_bids, "too_few_bids")])
    values = {
        "response_latency_median_ms": median, "unanswered_share": unanswered,
        "muted_share": muted_share, "bids": n, "bids_answered": k, "bids_unanswered": n - k,
        "bids_censored": scopes.count(found.censored, coding, segment, time),
        "bids_in_contact": scopes.count(found.in_contact, coding, segment, time),
        "answers": m_answers, "answers_muted": m_muted,
        **decide(SPEC.id, reason, {"median_latency": median > s.latency_flag_above_ms,
                                   "unanswered_share": unanswered >= s.unanswered_flag_at,
                                   "muted_share": muted_share >= s.muted_flag_at})}
    if not ctx.evidence:
        return values, {}
    muted_answer = modifier_values(answers.modifiers, s.intensity_modifier) == s.muted_option
    is_muted = take(muted_answer, hit, False).astype(bool)
    window = f"{s.response_window_ms / 1000:g} s"
    note = np.select(
        [found.outside, found.in_contact, found.censored, ~answered, is_muted],
        ["bid: outside the observed period (not counted)", "bid: child held (not scored)",
         "bid: window cut (not counted)",
         f"bid: unanswered within {window}", "bid: answered, muted"], "bid: answered")
    evidence = evidence_rows(SPEC.id, coding, segment, bids.row, time, note,
                             np.where(answered, latency, np.nan), take_row(answers.row, hit),
                             answer_time)
    return values, evidence
