"""Sign 1: lack of caregiver initiative when the child has attachment needs.

An *episode of attachment need* is a child distress state, or a run of bids: at least
``bid_run_min_bids`` bids, each less than ``bid_run_gap_ms`` after the one before. Episodes
that overlap (a run inside a distress state) merge into one, with the earliest onset.
Episodes starting while the caregiver is absent are left out: no one is there to initiate.

The episode counts as *initiated* when a caregiver event of ``initiative_codes`` starts within
``initiative_window_ms`` (W1) of its onset. ``initiative_share`` = initiated / episodes;
flagged when below ``initiative_flag_below``. No episodes: NaN, not flagged.
"""

from __future__ import annotations

import numpy as np

from samspill.core.indicators.common import (
    Columns,
    Context,
    IndicatorSpec,
    evidence_rows,
    first_within,
    group_max,
    onsets,
    share,
    take,
    take_row,
)
from samspill.core.timeline import select

SPEC = IndicatorSpec("initiative", "Lack of initiative when the child has attachment needs",
                     values=("initiative_share",),
                     counts=("need_episodes", "episodes_initiated"))


def need_episodes(ctx: Context) -> Columns:
    """Episodes of attachment need: ``coding, row, time_ms, end_ms, segment``."""
    s, states = ctx.settings, ctx.timeline.states
    d = select(states, subject=s.child, codes=s.distress_codes)
    runs = _bid_runs(ctx)
    distress = {"coding": states["coding"].to_numpy(),
                "row": states["row"].to_numpy(),
                "time_ms": states["onset_ms"].to_numpy(), "end_ms": states["offset_ms"].to_numpy(),
                "segment": states["segment"].to_numpy()}
    ep = {k: np.concatenate([v[d], runs[k]]) for k, v in distress.items()}
    order = np.lexsort((ep["time_ms"], ep["coding"]))
    ep = {k: v[order] for k, v in ep.items()}
    stride = ctx.stride
    start = ep["coding"] * stride + ep["time_ms"]
    end = ep["coding"] * stride + ep["end_ms"]
    new = np.ones(len(start), dtype=bool)
    new[1:] = start[1:] > np.maximum.accumulate(end)[:-1]  # merge overlapping episodes
    merged = {k: v[new] for k, v in ep.items()}
    merged["end_ms"] = group_max(end, np.flatnonzero(new)) - merged["coding"] * stride
    present = ctx.present_at(merged["coding"], merged["time_ms"])
    return {k: v[present] for k, v in merged.items()}


def _bid_runs(ctx: Context) -> Columns:
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
            "time_ms": firsts.time_ms[keep], "end_ms": last[keep],
            "segment": firsts.segment[keep]}


def compute(ctx: Context) -> tuple[Columns, Columns]:
    """Per-scope ``initiative_share``, counts and flag; one evidence row per episode."""
    s, scopes = ctx.settings, ctx.scopes
    episodes = need_episodes(ctx)
    acts = onsets(ctx.timeline, s.caregiver, s.initiative_codes)
    coding, time, segment = episodes["coding"], episodes["time_ms"], episodes["segment"]
    hit = first_within(coding, time, acts.coding, acts.time_ms, s.initiative_window_ms,
                       ctx.stride)
    initiated = hit >= 0
    n = scopes.count(np.ones(len(time), dtype=bool), coding, segment)
    k = scopes.count(initiated, coding, segment)
    value = share(k, n)
    values = {"initiative_share": value, "need_episodes": n,
                           "episodes_initiated": k,
                           "initiative_flag": (n > 0) & (value < s.initiative_flag_below)}
    act_time = take(acts.time_ms, hit, np.nan)
    note = np.where(initiated, "episode of need: caregiver initiated",
                    f"episode of need: no initiative within {s.initiative_window_ms / 1000:g} s")
    evidence = evidence_rows(SPEC.id, coding, segment, episodes["row"], time,
                              note, act_time - time, take_row(acts.row, hit),
                              act_time)
    return values, evidence
