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
import pandas as pd

from samspill.core.indicators.common import (
    Context,
    IndicatorSpec,
    evidence_frame,
    first_within,
    group_max,
    onsets,
    share,
    take,
)

SPEC = IndicatorSpec("initiative", "Lack of initiative when the child has attachment needs",
                     values=("initiative_share",),
                     counts=("need_episodes", "episodes_initiated"))


def need_episodes(ctx: Context) -> pd.DataFrame:
    """Episodes of attachment need: ``coding, event_id, time_ms, end_ms, segment``."""
    s, tl = ctx.settings, ctx.timeline
    states = tl.states
    distress = states[(states["subject"] == s.child) & states["code"].isin(s.distress_codes)]
    parts = [pd.DataFrame({
        "coding": distress["coding"].to_numpy(), "event_id": distress["event_id"].to_numpy(),
        "time_ms": distress["onset_ms"].to_numpy(), "end_ms": distress["offset_ms"].to_numpy(),
        "segment": distress["segment"].to_numpy()}), _bid_runs(ctx)]
    episodes = pd.concat(parts, ignore_index=True).sort_values(["coding", "time_ms"], kind="stable")
    stride = ctx.stride
    start = episodes["coding"].to_numpy() * stride + episodes["time_ms"].to_numpy()
    end = episodes["coding"].to_numpy() * stride + episodes["end_ms"].to_numpy()
    new = np.ones(len(episodes), dtype=bool)
    new[1:] = start[1:] > np.maximum.accumulate(end)[:-1]  # merge overlapping episodes
    merged = episodes[new].reset_index(drop=True)
    merged = merged.assign(end_ms=group_max(end, np.flatnonzero(new)) - merged["coding"] * stride)
    present = ctx.present_at(merged["coding"].to_numpy(), merged["time_ms"].to_numpy())
    return merged[present].reset_index(drop=True)


def _bid_runs(ctx: Context) -> pd.DataFrame:
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
    return pd.DataFrame({
        "coding": firsts.coding[keep], "event_id": firsts.event_id[keep],
        "time_ms": firsts.time_ms[keep], "end_ms": last[keep], "segment": firsts.segment[keep]})


def compute(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-scope ``initiative_share``, counts and flag; one evidence row per episode."""
    s, scopes = ctx.settings, ctx.scopes
    episodes = need_episodes(ctx)
    acts = onsets(ctx.timeline, s.caregiver, s.initiative_codes)
    coding, time, segment = (episodes[c].to_numpy() for c in ("coding", "time_ms", "segment"))
    hit = first_within(coding, time, acts.coding, acts.time_ms, s.initiative_window_ms,
                       ctx.stride)
    initiated = hit >= 0
    n = scopes.count(np.ones(len(episodes), dtype=bool), coding, segment)
    k = scopes.count(initiated, coding, segment)
    value = share(k, n)
    values = pd.DataFrame({"initiative_share": value, "need_episodes": n,
                           "episodes_initiated": k,
                           "initiative_flag": (n > 0) & (value < s.initiative_flag_below)})
    act_time = take(acts.time_ms, hit, np.nan)
    note = np.where(initiated, "episode of need: caregiver initiated",
                    f"episode of need: no initiative within {s.initiative_window_ms / 1000:g} s")
    evidence = evidence_frame(SPEC.id, coding, segment, episodes["event_id"].to_numpy(), time,
                              note, act_time - time, take(acts.event_id, hit, None),
                              act_time)
    return values, evidence
