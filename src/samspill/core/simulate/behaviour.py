"""Caregiver–child behaviour in continuous time, generated from latent traits.

This is a model of *behaviour*, the true stream a perfect observer would log, written from the
description of withdrawal (emotional neglect) and of ordinary caregiving. It is separate from the
coder model (:mod:`samspill.core.simulate.coder`), which turns the true stream into what a
human coder would log. Neither was written from the indicators, so they can be used to check the
indicators on data the indicators were not built from. See ``docs/validity.md``.

The model
=========

Each dyad draws latent traits around its caregiving style's centre (probabilities on the
logit scale, times and rates on the log scale, spread scaled by ``spread``). Time runs in
integer milliseconds; a discrete-event loop moves from one scheduled happening to the next.

Caregiver
    *Proximity* alternates between near and far bouts (mean bout lengths set so that
    ``availability`` is the share of time near when nothing else happens). Being far stands
    for being out of reach or absorbed: bids are noticed less often and answered later. Any
    physical answer, comfort or hold brings the caregiver near first, and a hold keeps them
    near. Proximity follows the caregiver's own position: a child who walks over is making a
    bid (``approach``), not changing the caregiver's proximity (as in the reference vignette).

    *Answers*: each bid the caregiver is not already about to answer is answered with
    probability ``sensitivity`` (lower when far; a repeated signal is harder to ignore), after a
    log-normal latency with median ``answer_latency_s`` (longer when far). A bid for contact
    (approach, reach, climb or lift arms), or any bid from a distressed child, is first met
    with a redirect with probability ``redirection`` (the child goes on seeking). Otherwise a
    distressed or climbing child is lifted with probability ``(1 + warmth) / 2``, a child who
    approached or reached gets a touch with probability ``warmth``, and the rest get a plain
    answer: full with probability ``warmth``, otherwise muted (after a muted answer the child
    often keeps bidding). A noticed bid left unanswered sometimes shows as a visible turning
    away (``wd``, probability ``turns_away``).

    *Initiative*: at each onset of distress, and at a reunion, the caregiver starts comfort on
    their own with probability ``initiative`` (an ``initiate``, then a pick-up with probability
    ``warmth``, otherwise comfort from where they are). In calm play they also start contact
    unprompted at ``initiative`` times a base rate.

    *Holding*: the caregiver's own hold length is log-normal with median ``hold_patience_s``;
    the child's wish to get down comes some time after it has calmed (mean ``hold_need_s``).
    The earlier of the two ends the hold: the child asking to get down ends it without protest;
    the caregiver putting it down may draw a protest.

    *Other acts*, as Poisson processes while present: hostile/intrusive acts (``ni``),
    intrusive unasked contact (an initiate, often with ``ni``, sometimes a pick-up the child
    soon leaves), frightening acts (``fd``: the child freezes and stops bidding for a while),
    affective communication errors (``ae``) and role confusion (``rb``).

Child
    *Bids* come at ``bid_rate_per_min`` while calm and free to bid, more often when distressed;
    a held child does not bid. The kind depends on the situation: looks and shows in calm play,
    contact seeking (approach when the caregiver is far; reach, climb or lift arms when near)
    when distressed, at a reunion or after a protest. An unanswered bid is repeated after a
    few seconds with probability ``persistence``, often as a more insistent kind, and each
    repeat tips the child into distress with probability ``escalation``. Sometimes a bid is
    echoed within a second (calling twice).

    *Distress* starts spontaneously (``distress_per_10min`` with the caregiver, hazard
    ``separation_distress_per_min`` while alone), after unanswered repeats, hostile or
    frightening acts, or a protested put-down. Left alone it lasts a log-normal time with
    median ``distress_duration_s`` (longer while the caregiver is out of the room). Comfort
    shortens it markedly: in a hold the child calms within seconds; a full answer cuts the
    remaining time; a muted answer does nothing. A distressed child seeks proximity.

    *Put-downs*: a caregiver-led put-down draws a ``protest-put-down`` bid (just before or at
    the put-down) with probability ``protest``, much more often if the child is still upset;
    an upset child put down stays upset longer, and seeks contact again.

Children of withdrawn caregivers keep seeking the caregiver: the child's traits do not depend
on the caregiver's style (except for the fussy child of ``sensitive-high-distress``); what
differs is what their signals meet.

Procedures
    ``free-play``: one segment (spec ``play``, role plain). ``ssp``: the eight episodes of the
    ``ssp`` template at their nominal lengths; the caregiver leaves at the start of episodes 4
    and 6 and returns at the start of 5 and 8 (absent in 4, 6 and 7; the stranger is not
    modelled). ``tail_ms`` lets the recording run on after the last segment.

Output
    Events of the ``withdrawal-open`` scheme with exact integer times: a valid, complete coding
    (states closed, inside the session, proximity tiling the session, no overlapping holds or
    distress states, no caregiver acts while absent). The ground truth holds the style, the
    procedure and every trait drawn.

The profiles are illustrative settings chosen to express the written descriptions, not
estimates from data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from samspill.core.errors import InputError
from samspill.core.events import Segment
from samspill.core.simulate import SimulatedSession
from samspill.core.simulate.clock import _Record
from samspill.core.simulate.dyad import _Dyad
from samspill.core.simulate.procedure import (
    STATE_CODES,
    Procedure,
    event_table,
    id_maker,
    procedure_spans,
    proximity_states,
    separations,
)
from samspill.core.simulate.traits import (
    BEHAVIOUR_CENTRES,
    BEHAVIOUR_STYLES,
    CAREGIVER_TRAITS,
    CHILD_TRAITS,
    BehaviourTraits,
    behaviour_centre,
    centre_with,
    draw_behaviour_traits,
)

__all__ = [
    "BEHAVIOUR_CENTRES",
    "BEHAVIOUR_STYLES",
    "CAREGIVER_TRAITS",
    "CHILD_TRAITS",
    "BehaviourTraits",
    "Procedure",
    "behaviour_centre",
    "behaviour_cohort",
    "centre_with",
    "draw_behaviour_traits",
    "event_table",
    "simulate_behaviour",
]


def _events_table(record: _Record, duration_ms: int,
                  make_id: Callable[[str, int], str]) -> pd.DataFrame:
    rows: list[tuple[str, str, int, int | None, dict[str, Any]]] = [
        (subject, code, t, None, mods) for t, subject, code, mods in record.points]
    rows += [(subject, code, a, b, {}) for a, b, subject, code in record.states]
    rows += [("caregiver", state, a, b, {})
             for a, b, state in proximity_states(record.proximity, duration_ms)]
    rows.sort(key=lambda r: (r[2], r[0], r[1]))  # ids follow the table's order
    return event_table([(make_id("8", i), subject, code,
                         "state" if code in STATE_CODES else "point", onset, offset, mods)
                        for i, (subject, code, onset, offset, mods) in enumerate(rows)])


def simulate_behaviour(style: str, *, seed: int | np.random.SeedSequence,
                       procedure: Procedure = "free-play", duration_ms: int | None = None,
                       spread: float = 1.0, tail_ms: int = 0,
                       overrides: Mapping[str, float] | None = None,
                       name: str | None = None) -> SimulatedSession:
    """One dyad of ``style``: traits drawn around the style's centre, then its true behaviour.

    ``duration_ms`` is the free play's length (default 20 minutes); the Strange Situation takes
    its episodes' nominal lengths. ``tail_ms`` lets the recording run on after the last
    segment, as real recordings do. ``spread=0`` simulates the style's centre exactly.
    ``overrides`` sets some traits' centres by hand (names of :class:`BehaviourTraits`).
    """
    if tail_ms < 0:
        raise InputError(f"tail_ms {tail_ms} is negative", fix="use 0 or more")
    spans = procedure_spans(procedure, duration_ms)
    total = spans[-1][4] + int(tail_ms)
    rng = np.random.default_rng(seed)
    traits = draw_behaviour_traits(style, rng, spread, overrides)
    record = _Dyad(traits, rng, total, separations(spans)).simulate()
    make_id = id_maker(rng)
    segments = [Segment(id=make_id("9", i), spec_id=spec, name=nm, role=role, start_ms=a,
                        end_ms=b) for i, (spec, nm, role, a, b) in enumerate(spans)]
    truth = {"generator": "behaviour", "style": style, "procedure": procedure,
             "spread": spread, "tail_ms": int(tail_ms), "overrides": dict(overrides or {}),
             **traits.model_dump()}
    return SimulatedSession(name or f"behaviour-{style}-{make_id('8', 0)[:8]}",
                            _events_table(record, total, make_id), segments, total, truth)


def behaviour_cohort(style: str, n: int, seed: int, procedure: Procedure = "free-play", *,
                     duration_ms: int | None = None, spread: float = 1.0, tail_ms: int = 0,
                     overrides: Mapping[str, float] | None = None) -> list[SimulatedSession]:
    """``n`` dyads of one style; session ``i`` depends only on (seed, style, i)."""
    if n < 0:
        raise InputError(f"cannot simulate {n} sessions", fix="ask for 0 or more sessions")
    behaviour_centre(style)
    # the salt keeps these streams apart from the older simulator's for the same seed
    children = np.random.SeedSequence([seed, BEHAVIOUR_STYLES.index(style), _COHORT_SALT]).spawn(n)
    return [simulate_behaviour(style, seed=child, procedure=procedure, duration_ms=duration_ms,
                               spread=spread, tail_ms=tail_ms, overrides=overrides,
                               name=f"behaviour-{style}-{i:04d}")
            for i, child in enumerate(children)]


_COHORT_SALT = 0xB3A7
