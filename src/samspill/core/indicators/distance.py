"""Sign 5: interaction at a distance.

``far_share`` is the time the caregiver is ``far_code`` divided by the time her proximity is
coded (``proximity_codes``, with time holding the child counting as near), both counted only
while she is in the room and inside the observed period. Uncoded time is never read as near:
the share lies between ``far_share_min`` (every uncoded moment near) and ``far_share_max``
(every uncoded moment far). When both bounds fall on one side of ``far_share_flag_at`` the
sign is decided by them; otherwise by ``far_share``, unless proximity is coded for less than
``proximity_coverage_min`` of the time present: then it is not observable.
"""

from __future__ import annotations

import numpy as np

from samspill.core.categorical import select
from samspill.core.indicators.common import (
    Columns,
    Context,
    IndicatorSpec,
    evidence_rows,
    share,
)
from samspill.core.indicators.states import decide, not_observable
from samspill.core.intervals import (
    IntervalSet,
    intersect,
    measure_between,
    normalise,
    subtract,
    union,
)

SPEC = IndicatorSpec("distance", "Interaction at a distance",
                     values=("far_share", "far_share_min", "far_share_max",
                             "proximity_coverage"),
                     counts=("far_ms", "proximity_coded_ms", "present_ms"))


def _caregiver_states(ctx: Context, codes: tuple[str, ...]) -> IntervalSet:
    states = ctx.timeline.states
    chosen = states[select(states, subject=ctx.settings.caregiver, codes=codes)]
    return normalise(chosen["coding"].to_numpy(), chosen["onset_ms"].to_numpy(),
                     chosen["offset_ms"].to_numpy(), ctx.stride)


def _per_scope(ctx: Context, times: IntervalSet) -> np.ndarray:
    """How much of ``times`` (normal) lies in each scope."""
    scopes, seg = ctx.scopes, ctx.timeline.segments
    codings = np.arange(len(scopes.period_start))
    whole = measure_between(times, codings, scopes.period_start, scopes.period_end, ctx.stride)
    parts = measure_between(times, seg["coding"].to_numpy(dtype="int64"),
                            seg["start_ms"].to_numpy(dtype="int64"),
                            seg["end_ms"].to_numpy(dtype="int64"), ctx.stride)
    return scopes.from_parts(whole, parts)


def compute(ctx: Context) -> tuple[Columns, Columns]:
    """Per-scope far share and coverage, the times behind them, and state."""
    s, stride = ctx.settings, ctx.stride
    spans = ctx.timeline.sessions["duration_ms"].to_numpy(dtype="int64")
    coded_states = union(_caregiver_states(ctx, tuple(s.proximity_codes)), ctx.holds, stride)
    far_states = subtract(_caregiver_states(ctx, (s.far_code,)), ctx.holds, spans, stride)
    coded = _per_scope(ctx, intersect(coded_states, ctx.presence, stride))
    far = _per_scope(ctx, intersect(far_states, ctx.presence, stride))
    present = ctx.present_ms
    value = share(far, coded)
    coverage = share(coded, present)
    # Uncoded time is unknown: far at least far/present, at most (far + uncoded)/present.
    lowest, highest = share(far, present), share(far + present - coded, present)
    certain = (lowest >= s.far_share_flag_at) | (highest < s.far_share_flag_at)
    reason = not_observable(len(present), [
        *ctx.presence_checks(), (coded == 0, "proximity_not_coded"),
        (~certain & (coverage < s.proximity_coverage_min), "proximity_coverage_low")])
    # Decided by the coded time, unless the bounds already decide it.
    far_enough = np.where(certain, lowest >= s.far_share_flag_at, value >= s.far_share_flag_at)
    values = {
        "far_share": value, "far_share_min": lowest, "far_share_max": highest,
        "proximity_coverage": coverage, "far_ms": far.astype("int64"),
        "proximity_coded_ms": coded.astype("int64"), "present_ms": present,
        **decide(SPEC.id, reason, {"far_share": far_enough})}
    if not ctx.evidence:
        return values, {}
    tl = ctx.timeline
    bouts = tl.states[select(tl.states, subject=s.caregiver, codes=[s.far_code])]
    evidence = evidence_rows(SPEC.id, bouts["coding"].to_numpy(), bouts["segment"].to_numpy(),
                             bouts["row"].to_numpy(), bouts["onset_ms"].to_numpy(),
                             "caregiver far", bouts["duration_ms"].to_numpy(dtype="float64"))
    return values, evidence
