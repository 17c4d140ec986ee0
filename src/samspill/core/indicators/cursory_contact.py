"""Sign 3: cursory responding: contact is brief, and the child is put down while protesting.

Hold bouts are the caregiver's ``hold_code`` states (a bout belongs to the segment holding its
start and keeps its full length). A bout ends *despite protest* when a child bid of kind
``protest_kind`` lies within ``protest_window_ms`` before or after its end. Reported: the
median bout length and the number of put-downs despite protest. Flagged when the median is
below ``hold_median_flag_below_ms`` or put-downs reach ``putdowns_flag_at``. No bouts: NaN
median, 0 put-downs, not flagged.
"""

from __future__ import annotations

import numpy as np

from samspill.core.indicators.common import (
    Columns,
    Context,
    IndicatorSpec,
    evidence_rows,
    first_within,
    take,
    take_row,
)
from samspill.core.timeline import select

SPEC = IndicatorSpec("cursory_contact", "Cursory responding",
                     values=("hold_median_ms", "putdowns_despite_protest"),
                     counts=("hold_bouts",))


def compute(ctx: Context) -> tuple[Columns, Columns]:
    """Per-scope median hold length, put-downs despite protest, bout count and flag."""
    s, scopes, tl = ctx.settings, ctx.scopes, ctx.timeline
    holds = tl.states[select(tl.states, subject=s.caregiver, codes=[s.hold_code])]
    coding, segment = holds["coding"].to_numpy(), holds["segment"].to_numpy()
    end, length = holds["offset_ms"].to_numpy(), holds["duration_ms"].to_numpy()
    protests = ctx.bids.select(np.asarray(ctx.bids.kind == s.protest_kind, dtype=bool))
    w = s.protest_window_ms
    hit = first_within(coding, end - w, protests.coding, protests.time_ms, 2 * w, ctx.stride)
    protested = hit >= 0
    n = scopes.count(np.ones(len(holds), dtype=bool), coding, segment)
    putdowns = scopes.count(protested, coding, segment)
    median = scopes.median(length, coding, segment)
    values = {
        "hold_median_ms": median, "putdowns_despite_protest": putdowns, "hold_bouts": n,
        "cursory_contact_flag": (n > 0) & ((median < s.hold_median_flag_below_ms)
                                           | (putdowns >= s.putdowns_flag_at))}
    note = np.where(protested, "hold bout: put down despite protest", "hold bout")
    evidence = evidence_rows(SPEC.id, coding, segment, holds["row"].to_numpy(),
                              holds["onset_ms"].to_numpy(), note, length.astype("float64"),
                              take_row(protests.row, hit),
                              take(protests.time_ms, hit, np.nan))
    return values, evidence
