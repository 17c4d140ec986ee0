"""Sign 3: cursory responding: contact the caregiver cuts short while the child still needs it.

Hold bouts are the caregiver's ``hold_code`` states that start in the observed period; holds
that touch are one bout (a hold coded in two pieces is one hold). A bout belongs to the
segment holding its start and keeps its full length. A bout is *cut* when it
ends within ``timing_tolerance_ms`` of the end of the observation, or within
``separation_margin_ms`` before the caregiver leaves the room (the procedure ended it); a cut
bout tells nothing about put-downs.

A completed bout is a *put-down despite need* when at its end the child still needs contact
and the caregiver does not answer it again within ``repickup_window_ms``: no new hold, no
initiative, no full answer (one who picks the child up again, or comforts it, has answered).
The child still needs contact when it protests (a bid of kind ``protest_kind`` within
``protest_window_ms`` of the end), is still distressed at the put-down (a distress state
running at the end), or bids for proximity within ``protest_window_ms`` after the end. A hold
the child ends itself (it calms and gets down, with no sign of need) says nothing about the
caregiver: brief holds alone are no sign.

Present when any of:

* ``putdown_share``: put-downs despite need are at least ``putdown_share_flag_at`` of the
  completed bouts, and number at least ``putdowns_flag_at`` — or one was against the child's
  coded protest (the coder saw the protest; the other signs of need are inferred);
* ``median_hold`` (off unless ``hold_median_flag_below_ms`` is set): the holds put down
  despite need last less than it (median), over at least ``hold_median_min_bouts`` of them;
* ``no_contact``: the child made at least ``no_contact_min_bids`` scored bids for proximity
  and got no contact at all in the scope: no hold, no answer by touch, no initiative. This is
  the strongest form of cursory contact, and the one a count of holds alone never sees.

Not observable when there is no completed bout to judge and too few bids for contact.
``hold_median_ms`` (all bouts, a cut bout counting when already 15 s long) is reported as a
description.
"""

from __future__ import annotations

import numpy as np

from samspill.core.arrays import BoolArray, Int64Array
from samspill.core.categorical import select
from samspill.core.indicators.common import (
    Columns,
    Context,
    IndicatorSpec,
    evidence_rows,
    modifier_values,
    share,
    take,
    take_row,
)
from samspill.core.indicators.lookups import first_in_window
from samspill.core.indicators.responsiveness import proximity_answers
from samspill.core.indicators.settings import IndicatorSettings
from samspill.core.indicators.states import decide, not_observable
from samspill.core.intervals import containing, measure_between, next_start, normalise
from samspill.core.timeline import segment_of

# A hold cut by the end of the observation already this long counts as long in the median.
LONG_HOLD_MS = 15_000
SPEC = IndicatorSpec("cursory_contact", "Cursory responding",
                     values=("putdown_share", "putdown_median_ms", "hold_median_ms"),
                     counts=("putdowns_despite_need", "putdowns_despite_protest", "hold_bouts",
                             "holds_completed", "holds_cut", "proximity_bids", "contacts"))


def compute(ctx: Context) -> tuple[Columns, Columns]:
    """Per-scope median hold, put-downs despite protest, contact, counts and state."""
    s, scopes = ctx.settings, ctx.scopes
    coding, onset, end, row, segment = _bouts(ctx)
    length = end - onset
    cut = _cut_by_observation(ctx, coding, end)
    long_enough = length >= LONG_HOLD_MS
    counted = ~cut | long_enough
    protest, answered, protest_at = _protested(ctx, coding, end)
    need = ~cut & ~answered & (protest | _still_in_need(ctx, coding, end))
    n_done = scopes.count(~cut, coding, segment, onset)
    n_bouts = scopes.count(counted, coding, segment, onset)
    n_need = scopes.count(need, coding, segment, onset)
    n_protest = scopes.count(need & protest, coding, segment, onset)
    median = scopes.median(length[counted], coding[counted], segment[counted], onset[counted])
    need_median = scopes.median(length[need], coding[need], segment[need], onset[need])
    putdown_share = share(n_need, n_done)
    bids, contacts = _contact(ctx)
    no_contact = (bids >= s.no_contact_min_bids) & (contacts == 0)
    n_cut = scopes.count(cut, coding, segment, onset)
    none = (n_done == 0) & ~no_contact
    reason = not_observable(len(n_bouts), [
        *ctx.presence_checks(), (none & (n_cut > 0), "window_cut"),
        (none, "no_hold")])
    values = {
        "putdown_share": putdown_share, "putdown_median_ms": need_median,
        "hold_median_ms": median, "putdowns_despite_need": n_need,
        "putdowns_despite_protest": n_protest,
        "hold_bouts": n_bouts, "holds_completed": n_done, "holds_cut": n_cut,
        "proximity_bids": bids, "contacts": contacts,
        **decide(SPEC.id, reason, {
            "putdown_share": (putdown_share >= s.putdown_share_flag_at)
            & ((n_need >= s.putdowns_flag_at) | (n_protest >= 1)),
            "median_hold": _brief(need_median, n_need, s),
            "no_contact": no_contact})}
    if not ctx.evidence:
        return values, {}
    note = np.select([cut, need & protest, need, protest & answered], [
        "hold bout: cut by the end of the observation or a separation",
        "hold bout: put down despite protest",
        "hold bout: put down while the child still sought contact",
        "hold bout: the child's protest was answered"], "hold bout")
    evidence = evidence_rows(SPEC.id, coding, segment, row, onset, note,
                             length.astype("float64"), protest_at[0], protest_at[1])
    return values, evidence


def _brief(median: np.ndarray, n: np.ndarray, s: IndicatorSettings) -> np.ndarray:
    """The optional brevity criterion (off when its threshold is not set)."""
    if s.hold_median_flag_below_ms is None:
        return np.zeros(len(median), dtype=bool)
    return (median < s.hold_median_flag_below_ms) & (n >= s.hold_median_min_bouts)


def _still_in_need(ctx: Context, coding: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Whether the child is still distressed at each bout's end, or bids for proximity just
    after it."""
    s, tl = ctx.settings, ctx.timeline
    d = tl.states[select(tl.states, subject=s.child, codes=s.distress_codes)]
    distress = normalise(d["coding"].to_numpy(), d["onset_ms"].to_numpy(),
                         d["offset_ms"].to_numpy(), ctx.stride)
    # Still distressed at the put-down itself: a child who calmed a moment before is not.
    upset = containing(distress, coding, end, ctx.stride) >= 0
    seeking = ctx.bids.select(np.isin(ctx.bids.kind, list(s.proximity_kinds)))
    again = first_in_window(coding, end, end + s.protest_window_ms, seeking.coding,
                            seeking.time_ms, ctx.stride)
    return upset | (again >= 0)


def _bouts(ctx: Context) -> tuple[Int64Array, Int64Array, Int64Array, Int64Array,
                                  Int64Array]:
    """Hold bouts: holds that touch or overlap are one bout (a hold coded in two pieces is
    one hold). Per bout: coding, onset, end, the input row of its first hold, its segment."""
    tl, s = ctx.timeline, ctx.settings
    raw = tl.states[select(tl.states, subject=s.caregiver, codes=[s.hold_code])]
    bouts = ctx.holds
    which = containing(bouts, raw["coding"].to_numpy(), raw["onset_ms"].to_numpy(), ctx.stride)
    first_row = np.full(len(bouts), -1, dtype="int64")
    rows = raw["row"].to_numpy(dtype="int64")
    order = np.argsort(raw["onset_ms"].to_numpy(), kind="stable")[::-1]
    first_row[which[order]] = rows[order]  # the earliest hold of each bout is written last
    segment = segment_of(bouts.coding, bouts.start, tl.segments, ctx.stride)
    return bouts.coding, bouts.start, bouts.end, first_row, segment


def _cut_by_observation(ctx: Context, coding: Int64Array, end: Int64Array) -> BoolArray:
    """Bouts that end at the end of the observed period or just before a separation."""
    s = ctx.settings
    period_end = ctx.scopes.period_end[coding]
    leaves = next_start(ctx.timeline.absences, coding, end, ctx.stride,
                        np.full(len(end), np.iinfo("int64").max))
    at_end = end >= period_end - s.timing_tolerance_ms
    return at_end | (leaves - end <= s.separation_margin_ms)


def _protested(ctx: Context, coding: np.ndarray, end: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Whether each bout's end was protested; whether the caregiver answered the child again
    (held on, picked it up again, or comforted it) within ``repickup_window_ms``; and the
    protest's row and time."""
    s = ctx.settings
    protests = ctx.bids.select(np.asarray(ctx.bids.kind == s.protest_kind, dtype=bool))
    w = s.protest_window_ms
    hit = first_in_window(coding, end - w, end + w, protests.coding, protests.time_ms,
                          ctx.stride)
    # The next bout may have merged with this one in ``ctx.holds`` (no gap): no put-down.
    still_held = measure_between(ctx.holds, coding, end, end + 1, ctx.stride) > 0
    comfort = ctx.acts(s.initiative_codes, muted=s.initiative_counts_muted)
    again = first_in_window(coding, end + 1, end + s.repickup_window_ms, comfort.coding,
                            comfort.time_ms, ctx.stride)
    return hit >= 0, still_held | (again >= 0), (take_row(protests.row, hit),
                                                 take(protests.time_ms, hit, np.nan))


def _contact(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """Per scope: scored bids for proximity, and contacts (holds, touches, initiatives)."""
    s, scopes, tl = ctx.settings, ctx.scopes, ctx.timeline
    found = proximity_answers(ctx)
    b = found.bids
    bids = scopes.count(found.scored, b.coding, b.segment, b.time_ms)
    acts = ctx.acts([c for c in s.contact_codes if c != s.hold_code])
    channel = modifier_values(acts.modifiers, s.channel_modifier)
    # An act with no channel coded (an initiative) counts as contact; so does a touch.
    touch = (channel == None) | (channel == s.physical_option)  # noqa: E711
    contacts = scopes.count(np.asarray(touch, dtype=bool), acts.coding, acts.segment,
                            acts.time_ms)
    # Held at any time in the scope, whenever the hold began.
    pieces = tl.intervals[select(tl.intervals, subject=s.caregiver, codes=[s.hold_code])]
    seg_held = np.bincount(pieces["segment"].to_numpy(dtype="int64"),
                           minlength=len(tl.segments))
    sess_held = measure_between(ctx.holds, np.arange(len(scopes.period_start)),
                                scopes.period_start, scopes.period_end, ctx.stride) > 0
    return bids, contacts + scopes.from_parts(sess_held.astype("int64"), seg_held)
