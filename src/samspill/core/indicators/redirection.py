"""Sign 4: directing the child away from self, e.g. towards toys.

Reported: redirects per 10 minutes of time present, and the share of proximity bids (kinds
``proximity_kinds``, made while the caregiver is present) whose first caregiver reaction
within ``redirect_window_ms`` is a redirect rather than contact (``contact_codes``). A
redirect and a contact at the same instant count as contact. The share's denominator is every
proximity bid, so a bid with no reaction at all lowers it. Flagged when the share is at least
``redirect_share_flag_at``. No proximity bids: NaN share, not flagged.
"""

from __future__ import annotations

import numpy as np

from samspill.core.indicators.common import (
    Columns,
    Context,
    IndicatorSpec,
    concat_columns,
    evidence_rows,
    first_within,
    onsets,
    rate_per_10min,
    share,
    take,
    take_row,
)

SPEC = IndicatorSpec("redirection", "Directing the child away from self",
                     values=("redirect_share", "redirects_per_10min"),
                     counts=("redirects", "proximity_bids", "proximity_bids_redirected",
                             "proximity_bids_contact"))


def compute(ctx: Context) -> tuple[Columns, Columns]:
    """Per-scope redirect share and rate, counts and flag; one evidence row per proximity bid."""
    s, scopes = ctx.settings, ctx.scopes
    bids = ctx.bids.select(ctx.bids.present & np.isin(ctx.bids.kind, s.proximity_kinds))
    coding, time, segment = bids.coding, bids.time_ms, bids.segment
    redirects = onsets(ctx.timeline, s.caregiver, [s.redirect_code])
    contacts = onsets(ctx.timeline, s.caregiver, s.contact_codes)
    r = first_within(coding, time, redirects.coding, redirects.time_ms, s.redirect_window_ms,
                     ctx.stride)
    c = first_within(coding, time, contacts.coding, contacts.time_ms, s.redirect_window_ms,
                     ctx.stride)
    r_time = take(redirects.time_ms, r, np.inf)
    c_time = take(contacts.time_ms, c, np.inf)
    redirected = (r >= 0) & (r_time < c_time)
    contact = (c >= 0) & ~redirected
    n = scopes.count(np.ones(len(bids), dtype=bool), coding, segment)
    k = scopes.count(redirected, coding, segment)
    red_n = scopes.count(np.ones(len(redirects), dtype=bool), redirects.coding,
                         redirects.segment)
    value = share(k, n)
    values = {
        "redirect_share": value,
        "redirects_per_10min": rate_per_10min(red_n, scopes.table["present_ms"].to_numpy()),
        "redirects": red_n, "proximity_bids": n, "proximity_bids_redirected": k,
        "proximity_bids_contact": scopes.count(contact, coding, segment),
        "redirection_flag": (n > 0) & (value >= s.redirect_share_flag_at)}
    note = np.where(redirected, "proximity bid: redirected",
                    np.where(contact, "proximity bid: contact", "proximity bid: no reaction"))
    related_time = np.where(redirected, r_time, np.where(contact, c_time, np.nan))
    related_id = np.where(redirected, take_row(redirects.row, r), take_row(contacts.row, c))
    evidence = evidence_rows(SPEC.id, coding, segment, bids.row, time, note,
                              related_time - time, related_id, related_time)
    acts = evidence_rows(SPEC.id, redirects.coding, redirects.segment, redirects.row,
                          redirects.time_ms, "redirect")
    return values, concat_columns([evidence, acts])
