"""The latent traits of a simulated dyad and each caregiving style's centre.

Probabilities spread on the logit scale, times and rates on the log scale, around a style's
centre (see :mod:`samspill.core.simulate.behaviour` for the model these traits drive).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import BaseModel, ConfigDict

from samspill.core.errors import InputError

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
