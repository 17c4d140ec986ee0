"""Sign 4: directing the child away from self, e.g. towards toys.

The child *seeks the caregiver* with a scored bid for proximity (kinds ``proximity_kinds``,
made while the caregiver is in the room and the child is not held) and with each episode of
distress (from its onset, or from the caregiver's return). The caregiver's first reaction from
``timing_tolerance_ms`` before to ``redirect_window_ms`` after is either a redirect or contact
(``contact_codes``); a redirect and contact at the same instant count as contact. A signal
with no reaction is left out: ignoring the child is measured by responsiveness and by cursory
contact, not here.

``redirect_share`` = redirected / (redirected + contact). Present when it is at least
``redirect_share_flag_at`` and at least ``redirect_min_count`` signals were redirected (one
redirect is no pattern). Not observable with fewer than ``redirect_min_count`` reactions.
``redirects_per_10min`` counts every redirect per 10 minutes present.
"""

from __future__ import annotations

import numpy as np

from samspill.core.indicators.common import (
    Columns,
    Context,
    IndicatorSpec,
    concat_columns,
    evidence_rows,
    rate_per_10min,
    share,
    take,
    take_row,
)
from samspill.core.indicators.initiative import need_episodes
from samspill.core.indicators.responsiveness import proximity_answers
from samspill.core.indicators.states import decide, not_observable

SPEC = IndicatorSpec("redirection", "Directing the child away from self",
                     values=("redirect_share", "redirects_per_10min"),
                     counts=("redirects", "seeking_signals", "signals_redirected",
                             "signals_contact", "signals_censored"))


def _seeking(ctx: Context) -> dict[str, np.ndarray]:
    """Scored bids for proximity and distress episodes: coding, row, time, segment, limit."""
    found = proximity_answers(ctx)
    b = found.bids.select(found.scored | found.censored)
    ep = need_episodes(ctx)
    d = ep.distress
    return {"coding": np.concatenate([b.coding, ep.coding[d]]),
            "row": np.concatenate([b.row, ep.row[d]]),
            "time": np.concatenate([b.time_ms, ep.onset_ms[d]]),
            "segment": np.concatenate([b.segment, ep.segment[d]])}


def compute(ctx: Context) -> tuple[Columns, Columns]:
    """Per-scope redirect share and rate, counts and state; evidence per seeking signal."""
    s, scopes = ctx.settings, ctx.scopes
    u = _seeking(ctx)
    coding, time, segment = u["coding"], u["time"], u["segment"]
    redirects = ctx.acts([s.redirect_code])
    # A faint nod is no contact: a redirect after it still steers the child away.
    contacts = ctx.acts(s.contact_codes, muted=False)
    limit = ctx.window_end(coding, time, s.redirect_window_ms)
    # Reactions of both kinds in one sorted list; at the same instant contact comes first.
    r_coding = np.concatenate([contacts.coding, redirects.coding])
    r_time = np.concatenate([contacts.time_ms, redirects.time_ms])
    is_redirect = np.concatenate([np.zeros(len(contacts), bool), np.ones(len(redirects), bool)])
    r_row = np.concatenate([contacts.row, redirects.row])
    order = np.lexsort((is_redirect, r_time, r_coding))
    r_coding, r_time, is_redirect, r_row = (a[order] for a in (r_coding, r_time, is_redirect,
                                                                r_row))
    hit = ctx.first_reactions(coding, time, limit, r_coding, r_time)
    redirected = take(is_redirect, hit, False).astype(bool) & (hit >= 0)
    contact = (hit >= 0) & ~redirected
    censored = (hit < 0) & (limit < time + s.redirect_window_ms)
    k = scopes.count(redirected, coding, segment, time)
    n = k + scopes.count(contact, coding, segment, time)
    n_redirects = scopes.count(np.ones(len(redirects), dtype=bool), redirects.coding,
                               redirects.segment, redirects.time_ms)
    value = share(k, n)
    reason = not_observable(len(n), [
        *ctx.presence_checks(), (n == 0, "no_reaction"),
        (n < s.redirect_min_count, "too_few_reactions")])
    values = {
        "redirect_share": value,
        "redirects_per_10min": rate_per_10min(n_redirects, ctx.present_ms),
        "redirects": n_redirects,
        "seeking_signals": scopes.count(np.ones(len(time), dtype=bool), coding, segment, time),
        "signals_redirected": k, "signals_contact": n - k,
        "signals_censored": scopes.count(censored, coding, segment, time),
        **decide(SPEC.id, reason, {"redirect_share": (value >= s.redirect_share_flag_at)
                                   & (k >= s.redirect_min_count)})}
    if not ctx.evidence:
        return values, {}
    note = np.select([redirected, contact, censored],
                     ["seeking the caregiver: redirected", "seeking the caregiver: contact",
                      "seeking the caregiver: window cut (not counted)"],
                     "seeking the caregiver: no reaction")
    related_time = take(r_time, hit, np.nan)
    related_row = take_row(r_row, hit)
    evidence = evidence_rows(SPEC.id, coding, segment, u["row"], time, note, related_time - time,
                             related_row, related_time)
    acts = evidence_rows(SPEC.id, redirects.coding, redirects.segment, redirects.row,
                         redirects.time_ms, "redirect")
    return values, concat_columns([evidence, acts])
