"""One simulated session: child signals, caregiver reactions, proximity, AMBIANCE events.

The generative model, per window of time with the caregiver present:

* Child signals arrive as a renewal process: a quiet gap of ``QUIET_GAP_MS`` plus an
  exponential wait with rate ``bid_rate_per_min + distress_rate_per_min``. A signal is a
  distress state (lognormal length), a run of 2–4 bids 3–8 s apart, or a single bid.
* Each bid seeking proximity is redirected with ``redirect_prob``; otherwise, and for every
  other bid, the caregiver answers with ``response_prob`` after a lognormal latency (median
  ``latency_median_ms``); an answer to a proximity bid is a hold with ``hold_prob``, else a
  physical respond; other answers are verbal or nonverbal, muted with ``muted_share``.
* In each episode of need (distress or run) the caregiver initiates with ``initiative_prob``
  after a lognormal delay, and the initiative becomes a hold with ``hold_prob``.
* Holds last a lognormal time (median ``hold_median_ms``); with ``putdown_protest_prob`` the
  child protests just before the put-down. Overlapping holds are dropped.
* Proximity alternates far/near bouts (exponential, a 60 s cycle with ``far_share`` far) on a
  100 ms grid, and is near while the child is held.
* AMBIANCE events (NI, FD, AE, RB, WD) are Poisson with their rates per 10 minutes.

Separations (caregiver absent) have leave/return events, an ``absent`` state and child distress;
reunions begin with child distress and a proximity bid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from samspill.core.arrays import FloatArray, Int64Array, ObjectArray
from samspill.core.simulate.styles import StyleParameters

QUIET_GAP_MS = 20_000
RUN_GAP_MS = (3_000, 8_000)
GRID_MS = 100
PROXIMITY_CYCLE_MS = 60_000
REUNION_DISTRESS_PROB = 0.8
SEPARATION_DISTRESS_PROB = 0.7
HOLD_SIGMA = 0.4
PROXIMITY_KINDS = ("approach", "reach", "climb-or-lift-arms")
DISTAL_KINDS = ("look", "show", "call")
AMBIANCE_RATES = {"ni": "hostile_rate_per_10min", "fd": "frightening_rate_per_10min",
                  "ae": "affective_error_rate_per_10min", "rb": "role_confusion_rate_per_10min",
                  "wd": "withdrawal_rate_per_10min"}


@dataclass
class Rows:
    """Columns of events under construction (offset -1 for points)."""

    subject: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    onset: list[int] = field(default_factory=list)
    offset: list[int] = field(default_factory=list)
    modifiers: list[dict[str, str]] = field(default_factory=list)

    def add(self, subject: str, code: str, onset: np.ndarray, offset: np.ndarray | None = None,
            modifiers: list[dict[str, str]] | None = None) -> None:
        n = len(onset)
        self.subject += [subject] * n
        self.code += [code] * n
        self.onset += np.asarray(onset, dtype="int64").tolist()
        self.offset += ([-1] * n if offset is None else np.asarray(offset, "int64").tolist())
        self.modifiers += modifiers if modifiers is not None else [{} for _ in range(n)]


def _lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> FloatArray:
    return median * np.exp(sigma * rng.standard_normal(n))


def present_window(rows: Rows, rng: np.random.Generator, p: StyleParameters, a: int, b: int,
                   reunion: bool) -> None:
    """Everything that happens in ``[a, b)`` while the caregiver is in the room."""
    holds: list[Int64Array] = []
    start = a
    if reunion and rng.random() < REUNION_DISTRESS_PROB:
        end = int(min(b, a + _lognormal(rng, p.distress_median_ms, 0.5, 1)[0]))
        rows.add("child", "distress", np.array([a]), np.array([end]))
        holds.append(_initiatives(rows, rng, p, np.array([a]), b))
        bid = np.array([a + int(rng.uniform(1_000, 4_000))])
        holds.append(_react(rows, rng, p, bid[bid < b], np.array(["approach"] * int(bid[0] < b),
                                                                 dtype=object), b))
        start = end
    onsets, kinds, episodes = _child_signals(rows, rng, p, start, b)
    holds.append(_react(rows, rng, p, onsets, kinds, b))
    holds.append(_initiatives(rows, rng, p, episodes, b))
    kept = _holds(rows, rng, p, np.concatenate(holds), b)
    _proximity(rows, rng, p, a, b, kept)
    _ambiance(rows, rng, p, a, b)


def _child_signals(rows: Rows, rng: np.random.Generator, p: StyleParameters, a: int,
                   b: int) -> tuple[Int64Array, ObjectArray, Int64Array]:
    """Distress states and bids; returns (bid times, bid kinds, episode onsets)."""
    k = (b - a) // QUIET_GAP_MS + 2
    rate = (p.bid_rate_per_min + p.distress_rate_per_min) / 60_000
    gaps = QUIET_GAP_MS + rng.exponential(1 / rate, k)
    is_distress = rng.random(k) < p.distress_rate_per_min / (rate * 60_000)
    is_run = ~is_distress & (rng.random(k) < p.bid_run_share)
    n_bids = np.where(is_run, 2 + rng.binomial(2, 0.5, k), np.where(is_distress, 0, 1))
    bid_gaps = rng.uniform(*RUN_GAP_MS, (k, 4))
    bid_gaps[:, 0] = 0
    offsets = np.cumsum(bid_gaps, axis=1)
    run_len = offsets[np.arange(k), np.maximum(n_bids - 1, 0)]
    length = np.where(is_distress, _lognormal(rng, p.distress_median_ms, 0.5, k), run_len)
    starts = a + np.cumsum(gaps) + np.concatenate([[0], np.cumsum(length)[:-1]])
    inside = starts < b
    d_on = starts[inside & is_distress].astype("int64")
    d_off = np.minimum(b, starts + length)[inside & is_distress].astype("int64")
    keep = d_off > d_on
    rows.add("child", "distress", d_on[keep], d_off[keep])
    bid_times = (starts[:, None] + offsets)[inside[:, None] & (np.arange(4) < n_bids[:, None])]
    bid_times = np.sort(bid_times[bid_times < b]).astype("int64")
    prox = rng.random(len(bid_times)) < p.proximity_bid_share
    kinds = np.where(prox, rng.choice(PROXIMITY_KINDS, len(bid_times)),
                     rng.choice(DISTAL_KINDS, len(bid_times))).astype(object)
    runs = starts[inside & is_run].astype("int64")
    return bid_times, kinds, np.sort(np.concatenate([d_on[keep], runs]))


def _react(rows: Rows, rng: np.random.Generator, p: StyleParameters, bids: Int64Array,
           kinds: ObjectArray, b: int) -> Int64Array:
    """Record the bids and the caregiver's reactions; return the start times of holds."""
    n = len(bids)
    rows.add("child", "bid", bids, modifiers=[{"kind": str(k)} for k in kinds])
    prox = np.isin(kinds, PROXIMITY_KINDS)
    when = (bids + _lognormal(rng, p.latency_median_ms, p.latency_sigma, n)).astype("int64")
    in_room = when < b
    redirected = prox & (rng.random(n) < p.redirect_prob) & in_room
    answered = ~redirected & (rng.random(n) < p.response_prob) & in_room
    hold = answered & prox & (rng.random(n) < p.hold_prob)
    respond = answered & ~hold
    rows.add("caregiver", "redirect", when[redirected])
    channel = np.where(prox, "physical", rng.choice(["verbal", "nonverbal"], n))
    muted = np.where(rng.random(n) < p.muted_share, "muted", "full")
    rows.add("caregiver", "respond", when[respond], modifiers=[
        {"channel": str(c), "intensity": str(m)} for c, m in zip(
            channel[respond], muted[respond], strict=True)])
    return when[hold]


def _initiatives(rows: Rows, rng: np.random.Generator, p: StyleParameters, episodes: Int64Array,
                 b: int) -> Int64Array:
    n = len(episodes)
    when = (episodes + _lognormal(rng, p.initiative_latency_median_ms, 0.5, n)).astype("int64")
    does = (rng.random(n) < p.initiative_prob) & (when < b)
    rows.add("caregiver", "initiate", when[does])
    to_hold = does & (rng.random(n) < p.hold_prob)
    return when[to_hold] + 500


def _holds(rows: Rows, rng: np.random.Generator, p: StyleParameters, starts: Int64Array,
           b: int) -> list[tuple[int, int]]:
    """Non-overlapping hold bouts in the window, with protests at some put-downs."""
    starts = np.sort(starts[starts < b - GRID_MS])
    ends = np.minimum(b, starts + _lognormal(rng, p.hold_median_ms, HOLD_SIGMA, len(starts)))
    kept: list[tuple[int, int]] = []
    for s, e in zip(starts.tolist(), ends.astype("int64").tolist(), strict=True):
        if (not kept or s >= kept[-1][1]) and e > s:  # a hold cannot start while one runs
            kept.append((s, e))
    if not kept:
        return kept
    on, off = np.array(kept, dtype="int64").T
    rows.add("caregiver", "hold", on, off)
    protest = (rng.random(len(kept)) < p.putdown_protest_prob) & (off < b)
    when = np.maximum(on, off - rng.uniform(0, 1_500, len(kept)).astype("int64"))[protest]
    rows.add("child", "bid", when, modifiers=[{"kind": "protest-put-down"} for _ in when])
    return kept


def _proximity(rows: Rows, rng: np.random.Generator, p: StyleParameters, a: int, b: int,
               holds: list[tuple[int, int]]) -> None:
    """Far/near bouts on a 100 ms grid, near while holding; one state per run."""
    cells = -(-(b - a) // GRID_MS)
    means = np.array([p.far_share, 1 - p.far_share]) * PROXIMITY_CYCLE_MS / GRID_MS
    n = 4 * cells // int(means.sum()) + 20
    first = int(rng.random() >= p.far_share)  # 0: start far, 1: start near
    state = (first + np.arange(n)) % 2
    lengths = np.maximum(1, np.round(rng.exponential(means[state]))).astype("int64")
    lengths[-1] += max(0, cells - int(lengths.sum()))  # never short of the window
    far = np.repeat(state == 0, lengths)[:cells]
    for s, e in holds:
        far[(s - a) // GRID_MS: -(-(e - a) // GRID_MS)] = False
    change = np.flatnonzero(np.diff(far.astype("int8"))) + 1
    bounds = np.concatenate([[0], change, [cells]])
    on = a + bounds[:-1] * GRID_MS
    off = np.minimum(b, a + bounds[1:] * GRID_MS)
    is_far = far[bounds[:-1]]
    rows.add("caregiver", "far", on[is_far], off[is_far])
    rows.add("caregiver", "near", on[~is_far], off[~is_far])


def _ambiance(rows: Rows, rng: np.random.Generator, p: StyleParameters, a: int, b: int) -> None:
    for code, rate_name in AMBIANCE_RATES.items():
        mean = getattr(p, rate_name) * (b - a) / 600_000
        times = np.sort(rng.integers(a, b, rng.poisson(mean)))
        rows.add("caregiver", code, times)


def absent_window(rows: Rows, rng: np.random.Generator, p: StyleParameters, a: int,
                  b: int) -> None:
    """A separation: leave, absent state, child distress, return at ``b``."""
    prepared = "yes" if rng.random() < p.prepared_prob else "no"
    rows.add("caregiver", "leave", np.array([a]), modifiers=[{"prepared": prepared}])
    rows.add("caregiver", "absent", np.array([a]), np.array([b]))
    rows.add("caregiver", "return", np.array([b]))
    if rng.random() < SEPARATION_DISTRESS_PROB:
        onset = a + int(rng.uniform(5_000, min(60_000, (b - a) // 2)))
        rows.add("child", "distress", np.array([onset]), np.array([b]))
