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

import heapq
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from samspill.core.errors import InputError, SchemeError
from samspill.core.events import EVENT_COLUMNS, Segment
from samspill.core.scheme_check import load_builtin_scheme
from samspill.core.simulate import SimulatedSession

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

Procedure = Literal["free-play", "ssp"]
FREE_PLAY_MS = 20 * 60_000
ABSENT_EPISODES = ("ep4", "ep6", "ep7")
STATE_CODES = frozenset({"distress", "hold", "near", "far", "absent"})

BEHAVIOUR_STYLES: tuple[str, ...] = (
    "sensitive",
    "sensitive-high-distress",
    "withdrawn-classic",
    "withdrawn-muted",
    "withdrawn-near",
    "hostile-intrusive",
)


class BehaviourTraits(BaseModel):
    """The latent traits of one dyad (caregiver first, then child)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # caregiver
    sensitivity: float  # P(a bid is noticed and answered) when near and attentive
    answer_latency_s: float  # median latency of an answer when near
    availability: float  # share of time near, when nothing pulls the caregiver over
    warmth: float  # P(contact rather than words for a contact bid); P(an answer is full)
    initiative: float  # P(starting comfort unasked when the child is in need)
    hold_patience_s: float  # median length the caregiver holds before putting down
    redirection: float  # P(steering a contact-seeking child to toys instead)
    turns_away: float  # P(a noticed, unanswered bid shows as visible turning away)
    prepares_separation: float  # P(the child is prepared before the caregiver leaves)
    hostility_per_10min: float  # hostile/intrusive acts (ni)
    intrusion_per_10min: float  # unasked intrusive contact
    frightening_per_10min: float  # frightening acts (fd)
    affective_error_per_10min: float  # affective communication errors (ae)
    role_confusion_per_10min: float  # role/boundary confusion (rb)
    # child
    bid_rate_per_min: float  # spontaneous bids while calm and free to bid
    distress_per_10min: float  # spontaneous distress onsets with the caregiver present
    distress_duration_s: float  # median length of distress nobody answers
    separation_distress_per_min: float  # hazard of distress while the caregiver is away
    persistence: float  # P(repeating an unanswered bid)
    escalation: float  # P(an unanswered repeat tips into distress)
    protest: float  # P(protesting a put-down when calm; higher when upset)
    hold_need_s: float  # mean time a calm, held child stays before asking to get down
    reunion_seek: float  # P(seeking proximity at a reunion when calm)


CAREGIVER_TRAITS: tuple[str, ...] = tuple(list(BehaviourTraits.model_fields)[:14])
CHILD_TRAITS: tuple[str, ...] = tuple(list(BehaviourTraits.model_fields)[14:])
_PROBABILITY_TRAITS = frozenset({
    "sensitivity", "availability", "warmth", "initiative", "redirection", "turns_away",
    "prepares_separation", "persistence", "escalation", "protest", "reunion_seek",
})
_LOGIT_SD = 0.5  # per-dyad spread of probabilities (logit scale) at spread=1
_LOG_SD = 0.3  # per-dyad spread of times and rates (log scale) at spread=1

_ORDINARY_CHILD: dict[str, float] = {
    "bid_rate_per_min": 2.0, "distress_per_10min": 1.0, "distress_duration_s": 40.0,
    "separation_distress_per_min": 0.5, "persistence": 0.6, "escalation": 0.1,
    "protest": 0.3, "hold_need_s": 25.0, "reunion_seek": 0.8,
}
_FUSSY_CHILD: dict[str, float] = {
    **_ORDINARY_CHILD, "bid_rate_per_min": 3.5, "distress_per_10min": 5.0,
    "distress_duration_s": 90.0, "separation_distress_per_min": 1.2, "persistence": 0.75,
    "escalation": 0.25, "protest": 0.5, "hold_need_s": 30.0, "reunion_seek": 0.9,
}
_FEW_ACTS: dict[str, float] = {
    "hostility_per_10min": 0.2, "intrusion_per_10min": 0.2, "frightening_per_10min": 0.05,
    "affective_error_per_10min": 0.3, "role_confusion_per_10min": 0.1,
}
_SENSITIVE_CAREGIVER: dict[str, float] = {
    "sensitivity": 0.9, "answer_latency_s": 1.2, "availability": 0.65, "warmth": 0.85,
    "initiative": 0.8, "hold_patience_s": 90.0, "redirection": 0.05, "turns_away": 0.05,
    "prepares_separation": 0.9, **_FEW_ACTS,
}
_CENTRE_VALUES: dict[str, dict[str, float]] = {
    "sensitive": {**_SENSITIVE_CAREGIVER, **_ORDINARY_CHILD},
    "sensitive-high-distress": {**_SENSITIVE_CAREGIVER, **_FUSSY_CHILD},
    "withdrawn-classic": {
        "sensitivity": 0.35, "answer_latency_s": 5.0, "availability": 0.2, "warmth": 0.3,
        "initiative": 0.1, "hold_patience_s": 7.0, "redirection": 0.5, "turns_away": 0.3,
        "prepares_separation": 0.15, **_FEW_ACTS, "affective_error_per_10min": 0.5,
        "role_confusion_per_10min": 0.3, **_ORDINARY_CHILD,
    },
    "withdrawn-muted": {
        "sensitivity": 0.85, "answer_latency_s": 1.5, "availability": 0.5, "warmth": 0.15,
        "initiative": 0.15, "hold_patience_s": 20.0, "redirection": 0.2, "turns_away": 0.3,
        "prepares_separation": 0.3, **_FEW_ACTS, "affective_error_per_10min": 1.0,
        "role_confusion_per_10min": 0.3, **_ORDINARY_CHILD,
    },
    "withdrawn-near": {
        "sensitivity": 0.35, "answer_latency_s": 4.5, "availability": 0.85, "warmth": 0.3,
        "initiative": 0.2, "hold_patience_s": 15.0, "redirection": 0.3, "turns_away": 0.4,
        "prepares_separation": 0.2, **_FEW_ACTS, "affective_error_per_10min": 0.5,
        "role_confusion_per_10min": 0.3, **_ORDINARY_CHILD,
    },
    "hostile-intrusive": {
        "sensitivity": 0.8, "answer_latency_s": 1.2, "availability": 0.7, "warmth": 0.5,
        "initiative": 0.6, "hold_patience_s": 30.0, "redirection": 0.1, "turns_away": 0.05,
        "prepares_separation": 0.4, "hostility_per_10min": 6.0, "intrusion_per_10min": 5.0,
        "frightening_per_10min": 1.0, "affective_error_per_10min": 1.5,
        "role_confusion_per_10min": 0.5, **_ORDINARY_CHILD, "bid_rate_per_min": 1.6,
    },
}
BEHAVIOUR_CENTRES: Mapping[str, BehaviourTraits] = {
    style: BehaviourTraits(**values) for style, values in _CENTRE_VALUES.items()
}

# Constants of the world, the same for every dyad.
_FAR_NOTICE = 0.7  # a far (or absorbed) caregiver notices bids this much less often
_FAR_LATENCY = 1.6  # ... and answers this much later
_INSISTENCE = 0.3  # each repeat of a signal makes it harder to ignore
_LATENCY_SIGMA = 0.6  # log-scale spread of one answer's latency
_PROXIMITY_CYCLE_S = 90.0  # mean length of a near bout plus a far bout
_MIN_BOUT_S = 2.0
_DISTRESS_BID_FACTOR = 2.5  # a distressed child bids this much more often
_REPEAT_GAP_S = 4.0  # median gap before an unanswered bid is repeated
_MAX_REPEATS = 10
_ECHO = 0.1  # P(a bid is echoed within a second, e.g. calling twice)
_MUTED_KEEPS_SEEKING = 0.5  # P(the child keeps bidding after a muted answer)
_SEEK_WHEN_DISTRESSED = 0.7  # P(a newly distressed child starts seeking contact)
_DISTRESS_SIGMA = 0.6
_ALONE_DISTRESS_FACTOR = 2.5  # distress lasts longer with nobody in the room to answer it
_SOOTHE_S = 8.0  # median time a distressed child takes to calm in a hold
_FULL_ANSWER_REMAINS = 0.4  # share of the remaining distress left after a full answer
_PARTIAL_COMFORT_REMAINS = 0.7  # ... after comfort without a hold
_REBOUND_S = 10.0  # median extra distress after being put down while upset
_HOLD_SIGMA = 0.6
_PROTEST_TO_DISTRESS = 0.25
_LIFT_WHEN_CLIMBING = 0.5  # a child climbing up or in distress is lifted more readily
_BASE_INITIATIONS_PER_MIN = 1.0  # unprompted contact in calm play at initiative 1
_INTRUSIVE_HOLD_NEED_S = 4.0  # a child picked up unasked soon wants down
_STARTLE_NI, _STARTLE_FD = 0.15, 0.3  # P(distress after a hostile / frightening act)
_FREEZE_S = (5.0, 15.0)  # the child stops bidding after a frightening act

_CONTACT_KINDS = frozenset({"approach", "reach", "climb-or-lift-arms"})
_CALM_KINDS = {
    "near": {"look": 0.3, "show": 0.35, "call": 0.1, "reach": 0.2, "climb-or-lift-arms": 0.05},
    "far": {"look": 0.3, "show": 0.25, "call": 0.25, "approach": 0.2},
}
_SEEKING_KINDS = {
    "near": {"reach": 0.4, "climb-or-lift-arms": 0.45, "call": 0.15},
    "far": {"approach": 0.6, "call": 0.3, "reach": 0.1},
}
# A repeat may move one step up the ladder, to a more insistent signal.
_LADDERS = {
    "near": ("look", "show", "call", "reach", "climb-or-lift-arms"),
    "far": ("look", "show", "call", "approach", "climb-or-lift-arms"),
}
_CHANNELS = {"near": {"verbal": 0.4, "nonverbal": 0.35, "physical": 0.25},
             "far": {"verbal": 0.6, "nonverbal": 0.4}}


# ---------------------------------------------------------------------------------------------
# Traits


def behaviour_centre(style: str) -> BehaviourTraits:
    """The centre of a style's traits; an unknown style is an :class:`InputError`."""
    if style not in BEHAVIOUR_CENTRES:
        raise InputError(f"unknown behaviour style '{style}'",
                         fix=f"use one of: {', '.join(BEHAVIOUR_STYLES)}")
    return BEHAVIOUR_CENTRES[style]


def centre_with(style: str, overrides: Mapping[str, float] | None = None) -> BehaviourTraits:
    """The style's centre with some traits set by hand (e.g. to vary one trait at a time)."""
    centre = behaviour_centre(style)
    if not overrides:
        return centre
    unknown = sorted(set(overrides) - set(BehaviourTraits.model_fields))
    if unknown:
        raise InputError(f"unknown trait(s): {', '.join(unknown)}",
                         fix=f"use trait names of BehaviourTraits: {', '.join(CAREGIVER_TRAITS)}, "
                             f"{', '.join(CHILD_TRAITS)}")
    for name, value in overrides.items():
        top = 1.0 if name in _PROBABILITY_TRAITS else float("inf")
        if not 0.0 <= float(value) <= top:
            raise InputError(f"trait {name} = {value} is out of range",
                             fix="probabilities lie in [0, 1]; times and rates are 0 or more")
    return centre.model_copy(update={k: float(v) for k, v in overrides.items()})


def draw_behaviour_traits(style: str, rng: np.random.Generator, spread: float = 1.0,
                          overrides: Mapping[str, float] | None = None) -> BehaviourTraits:
    """One dyad's traits around the style's centre; ``spread=0`` gives the centre exactly.

    A probability of exactly 0 or 1, or a rate of 0, stays as it is (no spread).
    """
    if spread < 0:
        raise InputError(f"spread {spread} is negative", fix="use a spread of 0 or more")
    centre = centre_with(style, overrides).model_dump()
    drawn: dict[str, float] = {}
    for name, value in centre.items():  # fixed field order: the same draws for the same seed
        noise = rng.normal(0.0, 1.0) * spread
        if noise == 0.0:
            drawn[name] = value  # spread 0: the centre exactly, not through a round trip
        elif name in _PROBABILITY_TRAITS:
            drawn[name] = (value if value in (0.0, 1.0)
                           else _logistic(_logit(value) + _LOGIT_SD * noise))
        else:
            drawn[name] = float(value * np.exp(_LOG_SD * noise))
    return BehaviourTraits(**drawn)


def _logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def _logistic(x: float) -> float:
    return float(1.0 / (1.0 + np.exp(-x)))


# ---------------------------------------------------------------------------------------------
# The simulation


@dataclass
class _Run:
    """A run of bids: one signal and its repeats, until answered or given up."""

    kind: str
    answered: bool = False
    answer_pending: bool = False
    repeats: int = 0
    repeat_token: int = 0  # only the latest scheduled repeat counts


@dataclass
class _Record:
    """What happened: points and closed states, in the order they were logged."""

    points: list[tuple[int, str, str, dict[str, str]]] = field(default_factory=list)
    states: list[tuple[int, int, str, str]] = field(default_factory=list)
    proximity: list[tuple[int, str]] = field(default_factory=list)  # (time, new state)


class _Dyad:
    """One caregiver and child over one recording: a discrete-event simulation."""

    def __init__(self, traits: BehaviourTraits, rng: np.random.Generator, duration_ms: int,
                 separations: list[tuple[int, int]]) -> None:
        self.tr = traits
        self.rng = rng
        self.duration = duration_ms
        self.separations = separations
        self.record = _Record()
        self._queue: list[tuple[int, int, Callable[..., None], tuple[Any, ...]]] = []
        self._order = itertools.count()
        # caregiver
        self.present = True
        self.proximity = "near" if rng.random() < traits.availability else "far"
        self.proximity_token = 0
        self.hold_from: int | None = None
        self.hold_token = 0
        self.separation = 0
        # child
        self.distress_from: int | None = None
        self.distress_until = 0
        self.distress_token = 0
        self.comforted = False
        self.run: _Run | None = None
        self.frozen_until = 0

    # -- the loop ------------------------------------------------------------------------------

    def simulate(self) -> _Record:
        self.record.proximity.append((0, self.proximity))
        self._schedule_proximity_switch(0)
        self._start_bid_process(0)
        for per_min, act in self._caregiver_processes():
            self._poisson(0, per_min, act)
        self._poisson(0, self.tr.distress_per_10min / 10, self._spontaneous_distress)
        for leave_ms, return_ms in self.separations:
            self._at(leave_ms, self._leave)
            self._at(return_ms, self._return)
        while self._queue:
            t, _, handler, args = heapq.heappop(self._queue)
            handler(t, *args)
        self._close_open_states()
        return self.record

    def _caregiver_processes(self) -> list[tuple[float, Callable[[int], None]]]:
        tr = self.tr
        return [
            (tr.initiative * _BASE_INITIATIONS_PER_MIN, self._spontaneous_initiation),
            (tr.intrusion_per_10min / 10, self._intrusion),
            (tr.hostility_per_10min / 10, self._hostile_act),
            (tr.frightening_per_10min / 10, self._frightening_act),
            (tr.affective_error_per_10min / 10, self._present_point("ae")),
            (tr.role_confusion_per_10min / 10, self._present_point("rb")),
        ]

    def _at(self, t: int, handler: Callable[..., None], *args: Any) -> None:
        """Schedule ``handler(t, *args)``; nothing is scheduled at or after the end."""
        if t < self.duration:
            heapq.heappush(self._queue, (t, next(self._order), handler, args))

    def _poisson(self, t: int, per_min: float, act: Callable[[int], None]) -> None:
        """Run ``act`` at the times of a Poisson process (``act`` decides if it applies)."""
        if per_min > 0:
            self._at(t + self._exp_ms(60.0 / per_min), self._poisson_tick, per_min, act)

    def _poisson_tick(self, t: int, per_min: float, act: Callable[[int], None]) -> None:
        act(t)
        self._poisson(t, per_min, act)

    # -- random draws --------------------------------------------------------------------------

    def _exp_ms(self, mean_s: float) -> int:
        return max(1, round(self.rng.exponential(mean_s) * 1000))

    def _lognormal_ms(self, median_s: float, sigma: float) -> int:
        factor: float = np.exp(self.rng.normal(0.0, sigma))  # float64; stubs: ufuncs give Any
        return max(1, round(median_s * factor * 1000))

    def _uniform_ms(self, low_s: float, high_s: float) -> int:
        return round(self.rng.uniform(low_s, high_s) * 1000)

    def _chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def _pick(self, weights: Mapping[str, float]) -> str:
        """One name, with probability proportional to its weight (one uniform draw)."""
        u = self.rng.random() * sum(weights.values())
        for name, weight in weights.items():
            u -= weight
            if u < 0:
                return name
        return name  # rounding at the top end

    # -- logging -------------------------------------------------------------------------------

    def _point(self, t: int, subject: str, code: str, **modifiers: str) -> None:
        if 0 <= t < self.duration:
            self.record.points.append((t, subject, code, dict(modifiers)))

    def _present_point(self, code: str) -> Callable[[int], None]:
        def act(t: int) -> None:
            if self.present:
                self._point(t, "caregiver", code)
        return act

    # -- proximity -----------------------------------------------------------------------------

    def _set_proximity(self, t: int, state: str) -> None:
        self.proximity = state
        self.record.proximity.append((t, state))

    def _schedule_proximity_switch(self, t: int) -> None:
        """A fresh bout of the current state; an older scheduled switch becomes stale."""
        self.proximity_token += 1
        share = self.tr.availability if self.proximity == "near" else 1 - self.tr.availability
        mean_s = max(share * _PROXIMITY_CYCLE_S, _MIN_BOUT_S)
        bout_s = max(self.rng.gamma(2.0, mean_s / 2.0), _MIN_BOUT_S)  # fewer tiny bouts
        self._at(t + round(bout_s * 1000), self._proximity_switch, self.proximity_token)

    def _proximity_switch(self, t: int, token: int) -> None:
        if token != self.proximity_token or not self.present or self.hold_from is not None:
            return  # a hold keeps the caregiver near; the next bout starts at the put-down
        self._set_proximity(t, "far" if self.proximity == "near" else "near")
        self._schedule_proximity_switch(t)

    def _come_near(self, t: int) -> None:
        """The caregiver comes within reach (the walk is part of the answer's latency)."""
        if self.proximity != "near":
            self._set_proximity(t, "near")
            self._schedule_proximity_switch(t)

    # -- the child's bids ----------------------------------------------------------------------

    def _child_free_to_bid(self, t: int) -> bool:
        return self.present and self.hold_from is None and t >= self.frozen_until

    def _start_bid_process(self, t: int) -> None:
        """Candidate bids at the highest rate, thinned to the rate of the moment."""
        self._poisson(t, self.tr.bid_rate_per_min * _DISTRESS_BID_FACTOR, self._bid_candidate)

    def _bid_candidate(self, t: int) -> None:
        if not self._child_free_to_bid(t) or self.run is not None:
            return
        if self.distress_from is not None:
            self._start_run(t, self._pick(_SEEKING_KINDS[self.proximity]))
        elif self._chance(1.0 / _DISTRESS_BID_FACTOR):
            self._start_run(t, self._pick(_CALM_KINDS[self.proximity]))

    def _seek(self, t: int) -> None:
        if self._child_free_to_bid(t) and self.run is None:
            self._start_run(t, self._pick(_SEEKING_KINDS[self.proximity]))

    def _seek_contact_again(self, t: int) -> None:
        if self._child_free_to_bid(t) and self.run is None:
            self._start_run(t, "climb-or-lift-arms")

    def _start_run(self, t: int, kind: str) -> None:
        self.run = _Run(kind)
        self._bid(t, self.run)

    def _bid(self, t: int, run: _Run) -> None:
        self._point(t, "child", "bid", kind=run.kind)
        if self._chance(_ECHO):
            self._point(t + self._uniform_ms(0.3, 0.9), "child", "bid", kind=run.kind)
        if not run.answer_pending:
            self._caregiver_notices(t, run)
        self._schedule_repeat(t, run)

    def _schedule_repeat(self, t: int, run: _Run) -> None:
        run.repeat_token += 1
        gap = self._lognormal_ms(_REPEAT_GAP_S, 0.35) + 1000
        self._at(t + gap, self._repeat, run, run.repeat_token)

    def _repeat(self, t: int, run: _Run, token: int) -> None:
        if run is not self.run or run.answered or token != run.repeat_token:
            return
        if (not self._child_free_to_bid(t) or run.repeats >= _MAX_REPEATS
                or not self._chance(self.tr.persistence)):
            self.run = None  # the child gives up (or cannot go on)
            return
        run.repeats += 1
        run.kind = self._more_insistent(run.kind)
        if self.distress_from is None and self._chance(self.tr.escalation):
            self._start_distress(t)
        self._bid(t, run)

    def _more_insistent(self, kind: str) -> str:
        ladder = _LADDERS[self.proximity]
        if kind not in ladder:  # e.g. an approach once the caregiver is near: reach instead
            kind = "reach" if self.proximity == "near" else "approach"
        step = ladder.index(kind) + (1 if self._chance(0.5) else 0)
        return ladder[min(step, len(ladder) - 1)]

    # -- the caregiver's answers ---------------------------------------------------------------

    def _caregiver_notices(self, t: int, run: _Run) -> None:
        near = self.proximity == "near"
        ignored = 1.0 - self.tr.sensitivity * (1.0 if near else _FAR_NOTICE)
        if self._chance(1.0 - ignored ** (1.0 + _INSISTENCE * run.repeats)):
            run.answer_pending = True
            median = self.tr.answer_latency_s * (1.0 if near else _FAR_LATENCY)
            self._at(t + self._lognormal_ms(median, _LATENCY_SIGMA), self._answer, run)
        elif self._chance(self.tr.turns_away):
            self._at(t + self._uniform_ms(0.5, 2.5), self._present_point("wd"))

    def _answer(self, t: int, run: _Run) -> None:
        run.answer_pending = False
        if not self.present or self.hold_from is not None or run.answered:
            return
        upset = self.distress_from is not None
        wants_contact = upset or run.kind in _CONTACT_KINDS
        if wants_contact and self._chance(self.tr.redirection):
            self._point(t, "caregiver", "redirect")  # the child goes on seeking
            return
        self._settle(run)
        if upset or run.kind == "climb-or-lift-arms":
            lift = _LIFT_WHEN_CLIMBING + (1 - _LIFT_WHEN_CLIMBING) * self.tr.warmth
            if self._chance(lift):
                self._pick_up(t)
                return
        elif wants_contact and self._chance(self.tr.warmth):
            self._come_near(t)  # a touch or a hug for a child who came over or reached
            self._point(t, "caregiver", "respond", channel="physical", intensity="full")
            return
        self._plain_answer(t, run, upset)

    def _plain_answer(self, t: int, run: _Run, upset: bool) -> None:
        channel = self._pick(_CHANNELS[self.proximity])
        full = self._chance(self.tr.warmth)
        self._point(t, "caregiver", "respond", channel=channel,
                    intensity="full" if full else "muted")
        if full and upset:
            self._comfort(t, _FULL_ANSWER_REMAINS)
        if not full and self._chance(_MUTED_KEEPS_SEEKING):
            run.answered = False  # not satisfied: the child repeats the signal
            self.run = run
            self._schedule_repeat(t, run)

    def _settle(self, run: _Run | None) -> None:
        """The child's current run of bids has met an answer."""
        if run is not None:
            run.answered = True
        if self.run is not None:
            self.run.answered = True
            self.run = None

    # -- holds ---------------------------------------------------------------------------------

    def _pick_up(self, t: int, child_need_s: float | None = None) -> None:
        if not self.present or self.hold_from is not None:
            return
        self._come_near(t)
        self.proximity_token += 1  # no switching while holding
        self._settle(None)
        self.hold_from = t
        self.hold_token += 1
        patience = self._lognormal_ms(self.tr.hold_patience_s, _HOLD_SIGMA) + 1000
        self._at(t + patience, self._hold_ends, self.hold_token, "caregiver")
        if self.distress_from is not None:
            self._comfort_in_arms(t)  # the child's wish to get down comes once it has calmed
        else:
            need = child_need_s if child_need_s is not None else self.tr.hold_need_s
            self._at(t + self._exp_ms(need) + 1000, self._hold_ends, self.hold_token, "child")

    def _hold_ends(self, t: int, token: int, led_by: str) -> None:
        if token == self.hold_token and self.hold_from is not None:
            self._put_down(t, led_by)

    def _put_down(self, t: int, led_by: str) -> None:
        start, self.hold_from = self.hold_from, None
        self.hold_token += 1
        if start is None:
            return
        if t > start:
            self.record.states.append((start, t, "caregiver", "hold"))
        self._schedule_proximity_switch(t)  # the caregiver stays near for a bout
        if led_by == "caregiver":
            self._child_reacts_to_put_down(t, start)

    def _child_reacts_to_put_down(self, t: int, hold_start: int) -> None:
        upset = self.distress_from is not None
        p = 1 - (1 - self.tr.protest) * 0.3 if upset else self.tr.protest
        protested = self._chance(p)
        if protested:  # legs pulled up, clinging: just before or at the put-down
            self._point(max(hold_start, t - self._uniform_ms(0.0, 1.5)), "child", "bid",
                        kind="protest-put-down")
        if upset:
            self._extend_distress(t + self._lognormal_ms(_REBOUND_S, 0.5))
        elif protested and self._chance(_PROTEST_TO_DISTRESS):
            self._start_distress(t)
        if (upset or protested) and self._chance(self.tr.persistence):
            self._at(t + self._uniform_ms(2.0, 5.0), self._seek_contact_again)

    # -- distress ------------------------------------------------------------------------------

    def _spontaneous_distress(self, t: int) -> None:
        if self.present:
            self._start_distress(t)

    def _start_distress(self, t: int) -> None:
        if self.distress_from is not None:
            return
        self.distress_from = t
        self.comforted = False
        median = self.tr.distress_duration_s * (1.0 if self.present else _ALONE_DISTRESS_FACTOR)
        self._set_distress_end(t + self._lognormal_ms(median, _DISTRESS_SIGMA) + 1000)
        if self.hold_from is not None:
            self._comfort_in_arms(t)
        elif self.present:
            self._caregiver_may_take_initiative(t)
            if self._chance(_SEEK_WHEN_DISTRESSED):
                self._at(t + self._uniform_ms(0.5, 3.0), self._seek)

    def _set_distress_end(self, t: int) -> None:
        self.distress_until = t
        self.distress_token += 1
        self._at(t, self._distress_ends, self.distress_token)

    def _extend_distress(self, until: int) -> None:
        if self.distress_from is not None and until > self.distress_until:
            self._set_distress_end(until)

    def _comfort(self, t: int, remaining_share: float) -> None:
        """Comfort cuts the remaining distress to a share of what it would have been."""
        if self.distress_from is None:
            return
        self.comforted = True
        target = t + max(500, round((self.distress_until - t) * remaining_share))
        if target < self.distress_until:
            self._set_distress_end(target)

    def _comfort_in_arms(self, t: int) -> None:
        self.comforted = True
        target = t + self._lognormal_ms(_SOOTHE_S, 0.5)
        if target < self.distress_until:
            self._set_distress_end(target)

    def _distress_ends(self, t: int, token: int) -> None:
        if token != self.distress_token or self.distress_from is None:
            return
        self.record.states.append((self.distress_from, t, "child", "distress"))
        self.distress_from = None
        if self.hold_from is not None:  # calm in arms: the child will want down in a while
            self._at(t + self._exp_ms(self.tr.hold_need_s) + 1000, self._hold_ends,
                     self.hold_token, "child")

    def _caregiver_may_take_initiative(self, t: int) -> None:
        if self._chance(self.tr.initiative):
            median = self.tr.answer_latency_s * (1.0 if self.proximity == "near" else _FAR_LATENCY)
            self._at(t + self._lognormal_ms(median, _LATENCY_SIGMA), self._initiate_comfort,
                     self.distress_token)

    def _initiate_comfort(self, t: int, token: int) -> None:
        if (token != self.distress_token or self.distress_from is None or not self.present
                or self.hold_from is not None or self.comforted):
            return
        self._come_near(t)
        self._point(t, "caregiver", "initiate")
        self._settle(None)
        if self._chance(self.tr.warmth):
            self._at(t + self._uniform_ms(0.3, 1.5), self._pick_up)
        else:
            self._comfort(t, _PARTIAL_COMFORT_REMAINS)

    # -- unprompted caregiver acts -------------------------------------------------------------

    def _spontaneous_initiation(self, t: int) -> None:
        if (not self.present or self.hold_from is not None or self.distress_from is not None
                or self.run is not None):
            return  # with a child in need or bidding, contact would be an answer, not initiative
        if self._chance(0.5):
            self._come_near(t)
        self._point(t, "caregiver", "initiate")

    def _intrusion(self, t: int) -> None:
        if not self.present or self.hold_from is not None:
            return
        self._come_near(t)
        self._point(t, "caregiver", "initiate")
        if self._chance(0.6):
            self._point(t, "caregiver", "ni")
        self._settle(None)
        if self._chance(0.4):
            self._pick_up(t, child_need_s=_INTRUSIVE_HOLD_NEED_S)
        if self._chance(0.2):
            self._start_distress(t)

    def _hostile_act(self, t: int) -> None:
        if self.present:
            self._point(t, "caregiver", "ni")
            if self._chance(_STARTLE_NI):
                self._start_distress(t)

    def _frightening_act(self, t: int) -> None:
        if not self.present:
            return
        self._point(t, "caregiver", "fd")
        self.frozen_until = max(self.frozen_until, t + self._uniform_ms(*_FREEZE_S))
        self.run = None  # the child stops seeking for a while
        if self._chance(_STARTLE_FD):
            self._start_distress(t)

    # -- separations ---------------------------------------------------------------------------

    def _leave(self, t: int) -> None:
        if self.hold_from is not None:
            self._put_down(t, "caregiver")
        prepared = "yes" if self._chance(self.tr.prepares_separation) else "no"
        self._point(t, "caregiver", "leave", prepared=prepared)
        self.present = False
        self.proximity_token += 1
        self._set_proximity(t, "absent")
        self.run = None  # nobody there to signal to
        self.separation += 1
        self._next_alone_hazard(t, self.separation)

    def _next_alone_hazard(self, t: int, separation: int) -> None:
        rate = self.tr.separation_distress_per_min
        if rate > 0:
            self._at(t + self._exp_ms(60.0 / rate), self._alone_hazard, separation)

    def _alone_hazard(self, t: int, separation: int) -> None:
        if self.present or separation != self.separation:
            return  # the caregiver is back: this separation's hazard has stopped
        self._start_distress(t)
        self._next_alone_hazard(t, separation)

    def _return(self, t: int) -> None:
        self.present = True
        self._point(t, "caregiver", "return")
        self._set_proximity(t, "near" if self._chance(self.tr.availability) else "far")
        self._schedule_proximity_switch(t)
        upset = self.distress_from is not None
        seek = 1 - (1 - self.tr.reunion_seek) * 0.5 if upset else self.tr.reunion_seek
        if self._chance(seek):
            self._at(t + self._lognormal_ms(2.0, 0.5), self._seek)
        if upset:
            self._caregiver_may_take_initiative(t)
        elif self._chance(self.tr.initiative):
            self._at(t + self._lognormal_ms(2.0, 0.5), self._greet)

    def _greet(self, t: int) -> None:
        if self.present and self.run is None and self.hold_from is None:
            self._come_near(t)
            self._point(t, "caregiver", "initiate")

    # -- the end -------------------------------------------------------------------------------

    def _close_open_states(self) -> None:
        if self.hold_from is not None and self.duration > self.hold_from:
            self.record.states.append((self.hold_from, self.duration, "caregiver", "hold"))
        if self.distress_from is not None and self.duration > self.distress_from:
            self.record.states.append((self.distress_from, self.duration, "child", "distress"))
        self.hold_from = self.distress_from = None


# ---------------------------------------------------------------------------------------------
# Procedures, tables and the public entry points

_Span = tuple[str, str, str, int, int]  # spec id, name, role, start, end


@lru_cache(maxsize=1)
def _ssp_episodes() -> tuple[tuple[str, str, str, int], ...]:
    template = load_builtin_scheme("ssp").segment_template("ssp")
    if template is None:  # shipped with the package: a missing one is a packaging bug
        raise SchemeError("the built-in ssp scheme has no 'ssp' template",
                          fix="reinstall Samspill")
    return tuple((s.id, s.name, s.role, s.nominal_ms) for s in template.segments)


def procedure_spans(procedure: str, duration_ms: int | None) -> list[_Span]:
    """The procedure's segments as (spec id, name, role, start, end), back to back from 0."""
    if procedure == "free-play":
        length = FREE_PLAY_MS if duration_ms is None else int(duration_ms)
        if length < 60_000:
            raise InputError(f"free play of {length} ms is too short to simulate",
                             fix="use a duration of at least 60000 ms")
        return [("play", "Free play", "plain", 0, length)]
    if procedure != "ssp":
        raise InputError(f"unknown procedure '{procedure}'", fix="use 'free-play' or 'ssp'")
    if duration_ms is not None:
        raise InputError("the Strange Situation takes its length from the ssp template",
                         fix="leave duration_ms out; use tail_ms to record on after episode 8")
    spans: list[_Span] = []
    t = 0
    for spec, name, role, nominal in _ssp_episodes():
        spans.append((spec, name, role, t, t + nominal))
        t += nominal
    return spans


def _separations(spans: list[_Span]) -> list[tuple[int, int]]:
    """(leave, return) times: each run of absent episodes, back at the next episode's start."""
    out: list[tuple[int, int]] = []
    for spec, _, _, start, end in spans:
        if spec not in ABSENT_EPISODES:
            continue
        if out and out[-1][1] == start:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _proximity_states(changes: list[tuple[int, str]],
                      duration_ms: int) -> list[tuple[int, int, str]]:
    """Proximity changes as (start, end, state) tiling [0, duration]: same-instant changes
    keep the last, a repeated state continues the one before."""
    bouts: list[tuple[int, str]] = []
    for t, state in changes:
        if bouts and bouts[-1][0] == t:
            bouts.pop()  # replaced at the same instant
        if bouts and bouts[-1][1] == state:
            continue
        bouts.append((t, state))
    ends = [b[0] for b in bouts[1:]] + [duration_ms]
    return [(start, end, state) for (start, state), end in zip(bouts, ends, strict=True)
            if end > start]


def _id_maker(rng: np.random.Generator) -> Callable[[str, int], str]:
    """UUID-shaped ids from the session's own random stream: reproducible, unique per kind."""
    prefix = "".join(f"{b:02x}" for b in rng.bytes(9))

    def make(variant: str, i: int) -> str:
        return f"{prefix[:8]}-{prefix[8:12]}-4{prefix[12:15]}-{variant}{prefix[15:18]}-{i:012x}"
    return make


EventRow = tuple[str, str, str, str, int, int | None, dict[str, Any]]
"""(event id, subject, code, kind, onset, offset or None, modifiers): a row of an event table."""


def event_table(rows: list[EventRow]) -> pd.DataFrame:
    """Rows as an ``events_frame``-shaped table, sorted by onset, subject and code (stably);
    no comments, no video frames."""
    rows = sorted(rows, key=lambda r: (r[4], r[1], r[2]))
    offsets = np.asarray([-1 if r[5] is None else r[5] for r in rows], dtype="int64")
    n = len(rows)
    return pd.DataFrame({
        "event_id": [r[0] for r in rows],
        "subject": [r[1] for r in rows],
        "code": [r[2] for r in rows],
        "kind": [r[3] for r in rows],
        "onset_ms": np.asarray([r[4] for r in rows], dtype="int64"),
        "offset_ms": pd.arrays.IntegerArray(offsets, offsets < 0),
        "modifiers": [r[6] for r in rows],
        "comment": [""] * n,
        "frame": pd.arrays.IntegerArray(np.zeros(n, dtype="int64"), np.ones(n, dtype=bool)),
    }, columns=EVENT_COLUMNS)


def _events_table(record: _Record, duration_ms: int,
                  make_id: Callable[[str, int], str]) -> pd.DataFrame:
    rows: list[tuple[str, str, int, int | None, dict[str, Any]]] = [
        (subject, code, t, None, mods) for t, subject, code, mods in record.points]
    rows += [(subject, code, a, b, {}) for a, b, subject, code in record.states]
    rows += [("caregiver", state, a, b, {})
             for a, b, state in _proximity_states(record.proximity, duration_ms)]
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
    record = _Dyad(traits, rng, total, _separations(spans)).simulate()
    make_id = _id_maker(rng)
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
