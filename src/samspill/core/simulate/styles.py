"""Caregiving styles: each a documented centre for every simulator parameter, and a spread.

A simulated dyad draws its own parameters around its style's centre (see
:func:`draw_parameters`), so a cohort varies as real ones do and the ground truth is continuous:
probabilities and shares on the logit scale, rates, medians and durations on the log scale,
each with a normal deviation of sd ``LOGIT_SD × spread`` or ``LOG_SD × spread``.

The centres are illustrative settings chosen to make the four styles recognisable, following
the profiles described by Lyons-Ruth et al. (1999) and Lyons-Ruth & Spielman (2004); they are
not estimates from data.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from samspill.core.errors import InputError

Style = Literal["sensitive", "withdrawn", "hostile", "frightened"]
STYLES: tuple[str, ...] = ("sensitive", "withdrawn", "hostile", "frightened")
LOGIT_SD = 0.45
LOG_SD = 0.3


class StyleParameters(BaseModel):
    """One dyad's parameters. Probabilities and shares lie in (0, 1); times are in ms."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bid_rate_per_min: float = Field(gt=0, description="Child bids (single or runs) per minute "
                                    "present, over and above a quiet gap of 20 s between signals.")
    distress_rate_per_min: float = Field(gt=0, description="Child distress episodes per minute "
                                         "present (same renewal process as bids).")
    bid_run_share: float = Field(gt=0, lt=1, description="Share of bid signals that are a run of "
                                 "2–4 bids, 3–8 s apart, rather than a single bid.")
    proximity_bid_share: float = Field(gt=0, lt=1, description="Share of bids that seek "
                                       "proximity (approach, reach, climb-or-lift-arms).")
    distress_median_ms: float = Field(gt=0, description="Median length of a distress state.")
    response_prob: float = Field(gt=0, lt=1, description="Probability that the caregiver "
                                 "answers a bid (that is not redirected).")
    latency_median_ms: float = Field(gt=0, description="Median of the lognormal answer latency.")
    latency_sigma: float = Field(gt=0, description="Log-scale sd of the answer latency.")
    muted_share: float = Field(gt=0, lt=1, description="Share of verbal/nonverbal answers that "
                               "are muted.")
    initiative_prob: float = Field(gt=0, lt=1, description="Probability that the caregiver "
                                   "initiates contact in an episode of need.")
    initiative_latency_median_ms: float = Field(gt=0, description="Median delay of an "
                                                "initiative after the episode's onset.")
    hold_prob: float = Field(gt=0, lt=1, description="Probability that contact (an answer to a "
                             "proximity bid, or an initiative) is a hold.")
    hold_median_ms: float = Field(gt=0, description="Median length of a hold bout.")
    putdown_protest_prob: float = Field(gt=0, lt=1, description="Probability that the child "
                                        "protests as a hold ends (a put-down despite protest).")
    redirect_prob: float = Field(gt=0, lt=1, description="Probability that a proximity bid is "
                                 "redirected instead of answered.")
    far_share: float = Field(gt=0, lt=1, description="Share of time present spent far (out of "
                             "reach), before holds bring the caregiver near.")
    hostile_rate_per_10min: float = Field(gt=0, description="Negative/intrusive (NI) events per "
                                          "10 minutes present.")
    frightening_rate_per_10min: float = Field(gt=0, description="Frightened/disoriented (FD) "
                                              "events per 10 minutes present.")
    affective_error_rate_per_10min: float = Field(gt=0, description="AE events per 10 min.")
    role_confusion_rate_per_10min: float = Field(gt=0, description="RB events per 10 min.")
    withdrawal_rate_per_10min: float = Field(gt=0, description="WD events per 10 min.")
    prepared_prob: float = Field(gt=0, lt=1, description="Probability that a separation is "
                                 "prepared (leave with prepared = yes).")


_COMMON = {"bid_run_share": 0.4, "proximity_bid_share": 0.4, "distress_median_ms": 20_000,
           "latency_sigma": 0.5}
CENTRES: dict[str, StyleParameters] = {
    "sensitive": StyleParameters(
        **_COMMON, bid_rate_per_min=1.5, distress_rate_per_min=0.3, response_prob=0.9,
        latency_median_ms=1_500, muted_share=0.1, initiative_prob=0.85,
        initiative_latency_median_ms=2_500, hold_prob=0.5, hold_median_ms=40_000,
        putdown_protest_prob=0.05, redirect_prob=0.05, far_share=0.2,
        hostile_rate_per_10min=0.1, frightening_rate_per_10min=0.05,
        affective_error_rate_per_10min=0.3, role_confusion_rate_per_10min=0.2,
        withdrawal_rate_per_10min=0.2, prepared_prob=0.9),
    "withdrawn": StyleParameters(
        **_COMMON, bid_rate_per_min=1.5, distress_rate_per_min=0.3, response_prob=0.45,
        latency_median_ms=4_500, muted_share=0.6, initiative_prob=0.2,
        initiative_latency_median_ms=6_000, hold_prob=0.2, hold_median_ms=9_000,
        putdown_protest_prob=0.5, redirect_prob=0.5, far_share=0.75,
        hostile_rate_per_10min=0.15, frightening_rate_per_10min=0.1,
        affective_error_rate_per_10min=0.5, role_confusion_rate_per_10min=0.3,
        withdrawal_rate_per_10min=3.0, prepared_prob=0.2),
    "hostile": StyleParameters(
        **_COMMON, bid_rate_per_min=1.2, distress_rate_per_min=0.5, response_prob=0.7,
        latency_median_ms=2_000, muted_share=0.15, initiative_prob=0.6,
        initiative_latency_median_ms=3_000, hold_prob=0.35, hold_median_ms=18_000,
        putdown_protest_prob=0.3, redirect_prob=0.2, far_share=0.3,
        hostile_rate_per_10min=4.0, frightening_rate_per_10min=0.5,
        affective_error_rate_per_10min=1.5, role_confusion_rate_per_10min=0.5,
        withdrawal_rate_per_10min=0.3, prepared_prob=0.4),
    "frightened": StyleParameters(
        **_COMMON, bid_rate_per_min=1.0, distress_rate_per_min=0.5, response_prob=0.55,
        latency_median_ms=3_500, muted_share=0.4, initiative_prob=0.35,
        initiative_latency_median_ms=5_000, hold_prob=0.25, hold_median_ms=12_000,
        putdown_protest_prob=0.3, redirect_prob=0.3, far_share=0.5,
        hostile_rate_per_10min=0.5, frightening_rate_per_10min=3.0,
        affective_error_rate_per_10min=1.5, role_confusion_rate_per_10min=1.0,
        withdrawal_rate_per_10min=1.0, prepared_prob=0.3),
}
FIXED = ("latency_sigma",)


def style_centre(style: str) -> StyleParameters:
    """The centre of a named style; unknown names raise :class:`InputError`."""
    if style not in CENTRES:
        raise InputError(f"unknown caregiving style '{style}'",
                         fix=f"use one of: {', '.join(STYLES)}")
    return CENTRES[style]


def draw_parameters(style: str, rng: np.random.Generator, spread: float = 1.0) -> StyleParameters:
    """One dyad's parameters around the style's centre (``spread=0`` gives the centre)."""
    if spread < 0:
        raise InputError(f"spread {spread} is negative", fix="use a spread of 0 or more")
    centre = style_centre(style).model_dump()
    drawn: dict[str, float] = {}
    for name, value in centre.items():
        field = StyleParameters.model_fields[name]
        is_unit = any(getattr(m, "lt", None) == 1 for m in field.metadata)
        z = rng.standard_normal() * spread
        if name in FIXED or spread == 0:
            drawn[name] = value
        elif is_unit:
            logit = np.log(value / (1 - value)) + z * LOGIT_SD
            drawn[name] = float(np.clip(1 / (1 + np.exp(-logit)), 1e-4, 1 - 1e-4))
        else:
            drawn[name] = float(value * np.exp(z * LOG_SD))
    return StyleParameters(**drawn)
