"""How sure each sign is: the share of small perturbations of a coding that keep its state.

Two perturbations, reported apart, for every sign (and the hostility qualifier) and scope:

* **jitter**: every time in the coding is moved by a random amount up to
  ``stability_jitter_ms`` (uniform), in ``stability_replicates`` replicates. Boundaries that
  touch in the same lane (a ``near`` ending as a ``far`` begins) move together, and states keep
  their order, so every replicate is a valid coding. Segments stay where they are: they mark
  the procedure, not behaviour.
* **dropout**: each event the measures read is left out in turn (above
  ``stability_max_dropouts`` such events, a seeded sample of that many). Events of other codes
  cannot change any state and are not tried.

``<id>_stability_jitter`` and ``<id>_stability_dropout`` are the shares of replicates that
keep the state; ``<id>_stability`` is the smaller of the two; ``<id>_pivotal_events`` counts
the single events whose removal changes the state, and ``<id>_stable`` is True when the jitter
share is at least ``stable_at`` and no single event is pivotal. The replicates are drawn from
``stability_seed``, so a coding always gets the same figures.

Replicates are scored in batches through the same vectorised path as a cohort.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from pandas.api.typing import DataFrameGroupBy

from samspill.core.arrays import FloatArray
from samspill.core.indicators import INDICATORS, compute_indicators, hostile_codes
from samspill.core.indicators.settings import IndicatorSettings
from samspill.core.scheme import Scheme
from samspill.core.timeline import build_timelines

MAX_ROWS_PER_BATCH = 1_500_000


def stability_columns(spec_id: str) -> list[str]:
    """The stability columns of one sign or qualifier, in output order."""
    return [f"{spec_id}_{c}" for c in ("stability", "stability_jitter", "stability_dropout",
                                        "pivotal_events", "stable")]


STABILITY_COLUMNS = [c for spec in INDICATORS.values() for c in stability_columns(spec.id)]
PIVOTAL_COLUMNS = ["coding", "indicator", "scope", "segment_id", "event_id", "time_ms",
                   "state_without"]


@dataclass(frozen=True)
class Stability:
    """``table``: one row per scope of the base indicator table (same order), with
    :data:`STABILITY_COLUMNS`; ``pivotal``: one row per sign, scope and event whose removal
    alone changes that sign's state (:data:`PIVOTAL_COLUMNS`)."""

    table: pd.DataFrame
    pivotal: pd.DataFrame


def sign_stability(
    events: pd.DataFrame, segments: pd.DataFrame, *, scheme: Scheme,
    durations: Mapping[Hashable, int] | pd.Series, base: pd.DataFrame,
    settings: IndicatorSettings, coding_col: str = "coding",
) -> Stability:
    """Stability of every state in ``base`` (the indicator table scored from these tables)."""
    labels = list(pd.Series(durations).index)
    duration = pd.Series(durations).to_numpy(dtype="int64")
    ev_by = events.groupby(coding_col, sort=False, observed=True)
    seg_by = segments.groupby(coding_col, sort=False, observed=True)
    tables, pivots = [], []
    for i, label in enumerate(labels):
        mine = _group(ev_by, label, events)
        segs = _group(seg_by, label, segments)
        rows = base[base["coding"] == i]
        table, pivotal = _one_coding(mine, segs, int(duration[i]), rows, scheme, settings)
        tables.append(table.assign(_row=rows.index.to_numpy()))
        pivots.append(pivotal.assign(coding=i))
    table = pd.concat(tables, ignore_index=True).set_index("_row").reindex(base.index)
    pivotal = (pd.concat(pivots, ignore_index=True) if pivots
               else pd.DataFrame(columns=PIVOTAL_COLUMNS))
    return Stability(table[STABILITY_COLUMNS], pivotal.reindex(columns=PIVOTAL_COLUMNS))


def _group(groups: DataFrameGroupBy[Any, Literal[True]], label: Hashable,
           frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of group ``label`` (of any key type), or none of ``frame``'s."""
    try:
        return groups.get_group(label).reset_index(drop=True)
    except KeyError:
        return frame.iloc[0:0].reset_index(drop=True)


def _one_coding(events: pd.DataFrame, segments: pd.DataFrame, duration: int,
                base: pd.DataFrame, scheme: Scheme, settings: IndicatorSettings
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(settings.stability_seed)
    lean = _lean(events)
    jittered = _jitter(lean, scheme, duration, settings, rng)
    candidates = _dropout_candidates(lean, scheme, settings, rng)
    states = [spec.state for spec in INDICATORS.values()]
    jit = _replicate_states(jittered, settings.stability_replicates, segments, duration, scheme,
                            settings, states)
    drop = _replicate_states(_without_each(lean, candidates), len(candidates), segments,
                             duration, scheme, settings, states)
    out: dict[str, np.ndarray] = {}
    pivotal = []
    ids, times = events["event_id"].to_numpy(), events["onset_ms"].to_numpy()
    for spec in INDICATORS.values():
        now = base[spec.state].to_numpy()
        same_j = _share_same(jit[spec.state], now)
        same_d = _share_same(drop[spec.state], now)
        rep, scope = np.nonzero(drop[spec.state] != now[None, :])
        count = np.bincount(scope, minlength=len(now))
        out[f"{spec.id}_stability_jitter"] = same_j
        out[f"{spec.id}_stability_dropout"] = same_d
        out[f"{spec.id}_stability"] = np.fmin(same_j, same_d)
        out[f"{spec.id}_pivotal_events"] = count.astype("int64")
        out[f"{spec.id}_stable"] = (same_j >= settings.stable_at) & (count == 0)
        pivotal.append(pd.DataFrame({
            "indicator": spec.id, "scope": base["scope"].to_numpy()[scope],
            "segment_id": base["segment_id"].to_numpy()[scope],
            "event_id": ids[candidates[rep]], "time_ms": times[candidates[rep]],
            "state_without": drop[spec.state][rep, scope]}))
    return pd.DataFrame(out)[STABILITY_COLUMNS], pd.concat(pivotal, ignore_index=True)


def _lean(events: pd.DataFrame) -> pd.DataFrame:
    """Only what scoring reads, in cheap types: replicates copy these columns many times."""
    return pd.DataFrame({
        "event_id": np.arange(len(events), dtype="int64"),
        "subject": pd.Categorical(events["subject"].astype(object)),
        "code": pd.Categorical(events["code"].astype(object)),
        "onset_ms": events["onset_ms"].to_numpy(dtype="int64"),
        "offset_ms": events["offset_ms"].astype("Int64").array,
        "modifiers": events["modifiers"].to_numpy(dtype=object)})


def _share_same(replicates: np.ndarray, now: np.ndarray) -> FloatArray:
    """Per scope, the share of replicates whose state equals ``now`` (NaN: no replicate)."""
    if not len(replicates):
        return np.full(len(now), np.nan)
    share: FloatArray = (replicates == now[None, :]).mean(axis=0)  # numpy stubs: Any
    return share


def _replicate_states(events: pd.DataFrame, n_rep: int, segments: pd.DataFrame, duration: int,
                      scheme: Scheme, settings: IndicatorSettings,
                      states: list[str]) -> dict[str, np.ndarray]:
    """Per state column, a (replicate, scope) array of the replicates' states, scored in
    batches; scopes in the order of one coding's rows of the indicator table."""
    n_seg = len(segments)
    has_reunion = bool((segments["role"] == "reunion").any()) if n_seg else False
    n_scopes = 1 + n_seg + int(has_reunion)
    out = {c: np.empty((n_rep, n_scopes), dtype=object) for c in states}
    if not n_rep:
        return out
    per = max(1, len(events) // n_rep)
    size = max(1, MAX_ROWS_PER_BATCH // per)
    replicate = events["replicate"].to_numpy() if len(events) else np.zeros(0, "int64")
    for first in range(0, n_rep, size):
        reps = np.arange(first, min(n_rep, first + size))
        chunk = events[(replicate >= first) & (replicate < reps[-1] + 1)]
        segs = (pd.concat([segments.assign(replicate=r) for r in reps], ignore_index=True)
                if n_seg else segments.assign(replicate=pd.Series(dtype="int64")))
        timeline = build_timelines(
            chunk, segs, scheme=scheme, durations=pd.Series(duration, index=reps),
            coding_col="replicate", caregiver=settings.caregiver,
            absent_code=settings.absent_code, leave_code=settings.leave_code,
            return_code=settings.return_code)
        table, _ = compute_indicators(timeline, scheme=scheme, settings=settings,
                                      evidence=False)
        # Rows: every replicate's session, then their segments (replicate-major), then reunions.
        k = len(reps)
        rows = np.concatenate([np.arange(k)[:, None],
                               k + np.arange(k)[:, None] * n_seg + np.arange(n_seg)[None, :],
                               (k + k * n_seg + np.arange(k))[:, None][:, :int(has_reunion)]],
                              axis=1)
        for column in states:
            out[column][reps] = table[column].to_numpy()[rows]
    return out


def _dropout_candidates(events: pd.DataFrame, scheme: Scheme, settings: IndicatorSettings,
                        rng: np.random.Generator) -> np.ndarray:
    """Rows of the events the measures read (a seeded sample when there are many)."""
    read = set(_codes_read(settings)) | set(hostile_codes(scheme, settings))
    rows = np.flatnonzero(events["code"].isin(read).to_numpy())
    if len(rows) > settings.stability_max_dropouts:
        rows = np.sort(rng.choice(rows, settings.stability_max_dropouts, replace=False))
    return rows


def _codes_read(s: IndicatorSettings) -> tuple[str, ...]:
    return (s.bid_code, *s.distress_codes, s.absent_code, s.leave_code, s.return_code,
            s.hold_code, *s.initiative_codes, *s.answer_codes, *s.contact_codes,
            s.redirect_code, s.far_code, *s.proximity_codes)


def _without_each(events: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """One replicate per row in ``rows``: the events without that row."""
    n = len(events)
    if not len(rows) or not n:
        return events.iloc[0:0]
    keep = np.ones((len(rows), n), dtype=bool)
    keep[np.arange(len(rows)), rows] = False
    rep, idx = np.nonzero(keep)
    return events.iloc[idx].assign(replicate=rep).reset_index(drop=True)


def _jitter(events: pd.DataFrame, scheme: Scheme, duration: int, settings: IndicatorSettings,
            rng: np.random.Generator) -> pd.DataFrame:
    """``stability_replicates`` copies of the events with every time moved (``replicate``)."""
    n_rep, width = settings.stability_replicates, settings.stability_jitter_ms
    n = len(events)
    if not n:
        return events.iloc[0:0]
    onset = events["onset_ms"].to_numpy(dtype="int64")
    offset = events["offset_ms"].to_numpy(dtype="float64", na_value=np.nan)
    is_state = ~np.isnan(offset)
    lane = _lanes(events, scheme)
    # One random shift per distinct (lane, time): touching boundaries move together.
    times = np.concatenate([onset, np.where(is_state, offset, -1).astype("int64")])
    keys = pd.factorize(pd.MultiIndex.from_arrays([np.concatenate([lane, lane]), times]))[0]
    shift = rng.integers(-width, width + 1, size=(n_rep, int(keys.max()) + 1))
    new_on = onset + shift[:, keys[:n]]
    new_off = np.where(is_state, offset, 0).astype("int64") + shift[:, keys[n:]]
    new_on, new_off, keep = _keep_order(new_on, new_off, is_state, lane, onset, duration)
    rep, idx = np.nonzero(keep)
    out = events.iloc[idx].reset_index(drop=True)
    out["onset_ms"] = new_on[rep, idx]
    off = pd.array(np.where(is_state[idx], new_off[rep, idx], 0), dtype="Int64")
    off[~is_state[idx]] = pd.NA
    out["offset_ms"] = off
    out["replicate"] = rep
    return out


def _lanes(events: pd.DataFrame, scheme: Scheme) -> np.ndarray:
    """A lane per (subject, exclusive group or code): states of a lane never overlap."""
    group = {code: g.id for g in scheme.exclusive_groups for code in g.codes}
    names = events["subject"].astype(str) + "\x00" + events["code"].map(
        lambda c: group.get(c, c)).astype(str)
    return pd.factorize(names)[0].astype("int64")


def _keep_order(on: np.ndarray, off: np.ndarray, is_state: np.ndarray, lane: np.ndarray,
                original: np.ndarray, duration: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Clip to the recording and keep each lane's states in order without overlap.

    Along a lane, a state's end becomes ``max(its end, its onset + 1, the previous end + 1)``
    and its onset ``max(its onset, the previous end)``. The first is a running maximum:
    ``end'[k] = k + max over j <= k of (max(end[j], onset[j] + 1) - j)``, taken for all lanes
    at once by lifting each lane above the ones before it. Returns the new onsets and offsets
    and which (replicate, event) cells to keep: a state pushed past the end is dropped.
    """
    on = np.clip(on, 0, duration)
    off = np.clip(off, 0, duration)
    keep = np.ones(on.shape, dtype=bool)
    states = np.flatnonzero(is_state)
    if not len(states):
        return on, off, keep
    order = states[np.lexsort((original[states], lane[states]))]
    first = np.ones(len(order), dtype=bool)
    first[1:] = lane[order][1:] != lane[order][:-1]
    lane_rank = np.cumsum(first) - 1
    start_of_lane = np.flatnonzero(first)
    k = np.arange(len(order)) - np.repeat(start_of_lane, np.diff(np.append(start_of_lane,
                                                                            len(order))))
    lift = lane_rank * 4 * (duration + len(order) + 2)
    reach = np.maximum(off[:, order], on[:, order] + 1) - k + lift
    new_off = np.maximum.accumulate(reach, axis=1) - lift + k
    prev = np.concatenate([np.full((on.shape[0], 1), -1), new_off[:, :-1]], axis=1)
    prev[:, first] = -1
    new_on = np.maximum(on[:, order], prev)
    keep[:, order] = new_off <= duration
    on[:, order], off[:, order] = new_on, np.minimum(new_off, duration)
    return on, off, keep
