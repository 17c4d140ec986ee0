"""Sign 1: lack of caregiver initiative when the child has attachment needs.

An *episode of attachment need* is a child distress state, or a run of bids: at least
``bid_run_min_bids`` bids, each less than ``bid_run_gap_ms`` after the one before. Episodes
that overlap (a run inside a distress state) merge into one. An episode counts only while the
caregiver is in the room: one that is still going on when she comes back starts at her return
(the reunion is a new chance to comfort), unless it ends within ``timing_tolerance_ms`` of the
return; one that ends before she returns is left out.

The episode is *met* when the caregiver takes the initiative to contact or comfort: an event
of ``initiative_codes`` (initiate, the start of a hold, an answer that is not muted) from
``timing_tolerance_ms`` before its onset to ``initiative_window_ms`` (W1) after, or when the
child is already held at its onset. An episode whose window is cut by the end of the
observation or by the caregiver leaving, without initiative before the cut, is *censored*:
reported apart, never counted against the caregiver.

``initiative_share`` = met / (met + unmet). Present when below ``initiative_flag_below``; not
observable with no episode of need.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from samspill.core.categorical import select
from samspill.core.indicators.common import (
    Columns,
    Context,
    IndicatorSpec,
    evidence_rows,
    group_max,
    share,
    take,
    take_row,
)
from samspill.core.indicators.states import decide, not_observable
from samspill.core.intervals import IntervalSet, coding_order, containing, pieces_within
from samspill.core.numbers import seconds
from samspill.core.timeline import segment_of

SPEC = IndicatorSpec("initiative", "Lack of initiative when the child has attachment needs",
                     values=("initiative_share",),
                     counts=("need_episodes", "episodes_initiated", "episodes_censored"))


@dataclass(frozen=True)
class Episodes:
    """Episodes of need while the caregiver is present, as aligned arrays.

    ``onset_ms`` is where the episode starts counting (its onset, or the caregiver's return);
    ``row`` is the input row of its first event; ``distress`` tells whether a distress state
    is part of it; ``segment`` is the segment holding its midpoint.
    """

    coding: np.ndarray
    row: np.ndarray
    onset_ms: np.ndarray
    end_ms: np.ndarray
    segment: np.ndarray
    distress: np.ndarray


def need_episodes(ctx: Context) -> Episodes:
    """Distress states and runs of bids, merged, cut to the time the caregiver is present
    (once per context: initiative and redirection both read them)."""
    return ctx.memo("need episodes", lambda: _need_episodes(ctx))


def _need_episodes(ctx: Context) -> Episodes:
    s, states, stride = ctx.settings, ctx.timeline.states, ctx.stride
    d = select(states, subject=s.child, codes=s.distress_codes)
    runs = _bid_runs(ctx)
    coding = np.concatenate([states["coding"].to_numpy()[d], runs["coding"]])
    row = np.concatenate([states["row"].to_numpy()[d], runs["row"]])
    start = np.concatenate([states["onset_ms"].to_numpy()[d], runs["time_ms"]])
    end = np.concatenate([states["offset_ms"].to_numpy()[d], runs["end_ms"]])
    distress = np.concatenate([np.ones(int(d.sum()), "int8"), np.zeros(len(runs["row"]), "int8")])
    order = coding_order(coding, start, stride)
    coding, row, start, end, distress = (a[order] for a in (coding, row, start, end, distress))
    key_end = coding * stride + end
    new = np.ones(len(start), dtype=bool)
    new[1:] = coding[1:] * stride + start[1:] > np.maximum.accumulate(key_end)[:-1]
    first = np.flatnonzero(new)
    merged = IntervalSet(coding[first], start[first],
                         group_max(key_end, first) - coding[first] * stride)
    piece, on, off = pieces_within(merged, ctx.presence, stride)
    # Distress that ends within the coders' timing tolerance of the return is no need the
    # returning caregiver could meet: the return and the end are the same moment.
    ongoing = on > merged.start[piece]
    keep = ~ongoing | (off - on >= ctx.settings.timing_tolerance_ms)
    piece, on, off = piece[keep], on[keep], off[keep]
    m_coding = merged.coding[piece]
    # An episode belongs to the segment holding its midpoint: a return coded a moment before
    # the reunion's boundary must not move the reunion's episode into the separation.
    return Episodes(m_coding, row[first][piece], on, off,
                    segment_of(m_coding, (on + off) // 2, ctx.timeline.segments, stride),
                    group_max(distress, first)[piece].astype(bool))


def _bid_runs(ctx: Context) -> Columns:
    """Runs of at least ``bid_run_min_bids`` bids; a run lasts to just after its last bid."""
    s = ctx.settings
    bids = ctx.bids
    coding, time = bids.coding, bids.time_ms
    new = np.ones(len(bids), dtype=bool)
    new[1:] = (coding[1:] != coding[:-1]) | (time[1:] - time[:-1] >= s.bid_run_gap_ms)
    starts = np.flatnonzero(new)
    size = np.diff(np.append(starts, len(bids)))
    last = group_max(time, starts)
    firsts = bids.select(new)
    keep = size >= s.bid_run_min_bids
    return {"coding": firsts.coding[keep], "row": firsts.row[keep],
            "time_ms": firsts.time_ms[keep], "end_ms": last[keep] + 1}


def compute(ctx: Context) -> tuple[Columns, Columns]:
    """Per-scope ``initiative_share``, counts and state; one evidence row per episode."""
    s, scopes = ctx.settings, ctx.scopes
    ep = need_episodes(ctx)
    coding, onset, segment = ep.coding, ep.onset_ms, ep.segment
    acts = ctx.acts(s.initiative_codes, muted=s.initiative_counts_muted)
    limit = ctx.window_end(coding, onset, s.initiative_window_ms)
    hit = ctx.first_reactions(coding, onset, limit, acts.coding, acts.time_ms)
    held = containing(ctx.holds, coding, onset, ctx.stride) >= 0
    met = (hit >= 0) | held
    censored = ~met & (limit < onset + s.initiative_window_ms)
    n = scopes.count(~censored, coding, segment, onset)
    k = scopes.count(met, coding, segment, onset)
    cut = scopes.count(censored, coding, segment, onset)
    value = share(k, n)
    reason = not_observable(len(n), [
        *ctx.presence_checks(), ((n == 0) & (cut > 0), "window_cut"),
        (n == 0, "no_episode_of_need"), (n < s.initiative_min_episodes, "too_few_episodes")])
    values = {"initiative_share": value, "need_episodes": n, "episodes_initiated": k,
              "episodes_censored": cut,
              **decide(SPEC.id, reason, {"initiative_share": value < s.initiative_flag_below})}
    if not ctx.evidence:
        return values, {}
    act_time = take(acts.time_ms, hit, np.nan)
    window = seconds(s.initiative_window_ms)
    note = np.where(held & (hit < 0), "episode of need: child already held",
                    np.where(met, "episode of need: caregiver took the initiative",
                             np.where(censored, "episode of need: window cut (not counted)",
                                      f"episode of need: no initiative within {window}")))
    evidence = evidence_rows(SPEC.id, coding, segment, ep.row, onset, note, act_time - onset,
                             take_row(acts.row, hit), act_time)
    return values, evidence
