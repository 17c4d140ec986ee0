"""Every window, threshold and code choice behind the six withdrawal indicators, in one place.

The defaults follow ``shared/spec/withdrawal.md``. They are this product's starting settings,
**not clinical norms**: a study overrides them, and every output says so
(:data:`DISCLAIMER`). ``IndicatorSettings.model_fields`` carries each field's documentation,
and ``docs/indicators.md`` lists them all (a test checks that none is missing).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from samspill.core.errors import N_, InputError

DISCLAIMER = (
    "The thresholds are this study's settings, not clinical norms. The indicators support a "
    "trained coder's judgement; they are no diagnosis."
)
Share = float
PROXIMITY_KINDS = ("approach", "reach", "climb-or-lift-arms")


class IndicatorSettings(BaseModel):
    """Windows (ms), thresholds and code choices of the six indicators; all overridable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Codes shared by several indicators.
    child: str = Field(
        default='child',
        description="Subject whose signals are scored.")
    caregiver: str = Field(
        default='caregiver',
        description="Subject whose answers are scored.")
    bid_code: str = Field(
        default='bid',
        description="Point code of a child's signal to the caregiver.")
    bid_kind_modifier: str = Field(
        default='kind',
        description="Modifier set holding a bid's kind.")
    distress_codes: tuple[str, ...] = Field(
        default=('distress',),
        description="State codes of child distress (each one is an episode of need).")
    absent_code: str = Field(
        default='absent',
        description="Caregiver state meaning out of the room; not time present.")
    leave_code: str = Field(
        default='leave',
        description="Caregiver point code of leaving the room: absent until the next return.")
    return_code: str = Field(
        default='return',
        description="Caregiver point code of coming back into the room.")
    hold_code: str = Field(
        default='hold',
        description="Caregiver state of holding the child (contact; bids while held are not "
        "waiting for an answer).")
    intensity_modifier: str = Field(
        default='intensity',
        description="Modifier set of an answer's intensity.")
    muted_option: str = Field(
        default='muted',
        description="Intensity option that marks a muted answer.")
    channel_modifier: str = Field(
        default='channel',
        description="Modifier set of an answer's channel.")
    physical_option: str = Field(
        default='physical',
        description="Channel option of an answer by touch (contact).")
    min_present_ms: int = Field(
        default=30_000, ge=0,
        description="A scope with less time than this with the caregiver in the room is too "
        "short: no sign is observable in it.")
    timing_tolerance_ms: int = Field(
        default=3_000, ge=0,
        description="An answer, initiative or reaction coded up to this long before the "
        "child's signal still counts for it: with each time coded within about 2 s, the gap "
        "between a bid and its answer is off by up to 3 s in 94 % of cases. A hold ending "
        "this close to the end of the observation counts as cut by it.")
    # 1 Initiative.
    initiative_window_ms: int = Field(
        default=10_000, ge=0,
        description="W1: an initiative counts when it starts within this time after the "
        "onset of an episode of attachment need (or after the caregiver's return, for an "
        "episode still going on then).")
    initiative_codes: tuple[str, ...] = Field(
        default=('initiate', 'hold', 'respond'),
        description="Caregiver codes that count as taking the initiative to contact or "
        "comfort (for a state such as hold, its start).")
    initiative_counts_muted: bool = Field(
        default=False,
        description="Whether a muted answer counts as initiative (by default a faint nod "
        "to a child in need is no comfort).")
    bid_run_gap_ms: int = Field(
        default=20_000, ge=0,
        description="Bids less than this far apart form one run of bids.")
    bid_run_min_bids: int = Field(
        default=2, ge=1,
        description="A run needs at least this many bids to be an episode of need.")
    initiative_flag_below: Share = Field(
        default=0.5, ge=0, le=1,
        description="Present when the share of episodes met with initiative is below this.")
    initiative_min_episodes: int = Field(
        default=1, ge=1,
        description="Fewer scored episodes of need than this: not observable.")
    # 2 Responsiveness.
    response_window_ms: int = Field(
        default=10_000, ge=0,
        description="W2: an answer counts when it starts within this time after a bid.")
    answer_codes: tuple[str, ...] = Field(
        default=('respond', 'initiate', 'hold'),
        description="Caregiver codes that answer a bid (for a state such as hold, its start).")
    latency_flag_above_ms: float = Field(
        default=4000, ge=0,
        description="Present when the median latency of answered bids is above this. 4 s "
        "lies within the 3-5 s windows of contingent answers in the literature; coders' "
        "timing error of about 2 s made 3 s show the sign on sensitive caregivers.")
    unanswered_flag_at: Share = Field(
        default=0.4, ge=0, le=1,
        description="Present when the share of unanswered bids is at least this.")
    muted_flag_at: Share = Field(
        default=0.5, ge=0, le=1,
        description="Present when the share of muted answers is at least this.")
    responsiveness_min_bids: int = Field(
        default=3, ge=1,
        description="Fewer scored bids than this: not observable.")
    # 3 Cursory contact.
    protest_kind: str = Field(
        default='protest-put-down',
        description="Bid kind of a child protesting being put down.")
    protest_window_ms: int = Field(
        default=5000, ge=0,
        description="A protest within this time before or after a hold's end makes that end a "
        "put-down despite protest.")
    repickup_window_ms: int = Field(
        default=10_000, ge=0,
        description="A put-down followed within this time by new contact or comfort (a hold, "
        "an initiative, a full answer) is not counted: the caregiver answered the child.")
    separation_margin_ms: int = Field(
        default=10_000, ge=0,
        description="A hold ending this close before the caregiver leaves the room was ended "
        "by the separation: it is left out, like a hold cut by the end of the recording.")
    hold_median_flag_below_ms: float | None = Field(
        default=None, ge=0,
        description="Off by default. When set (e.g. 15000), also present when the holds put "
        "down while the child still needed contact last less than this (median, over at "
        "least hold_median_min_bouts of them). The codes do not say who ended a hold, so "
        "brevity alone showed the sign on sensitive parents of fussy children.")
    hold_median_min_bouts: int = Field(
        default=2, ge=1,
        description="That median needs at least this many put-downs despite need.")
    putdown_share_flag_at: Share = Field(
        default=0.5, ge=0, le=1,
        description="Present when at least this share of the completed holds were put-downs "
        "despite need (protest, distress, or a bid for contact right after).")
    putdowns_flag_at: int = Field(
        default=2, ge=1,
        description="...and put-downs despite need number at least this; one is enough when "
        "it was against the child's coded protest.")
    no_contact_min_bids: int = Field(
        default=4, ge=1,
        description="Present when the child made at least this many bids for proximity and "
        "got no contact at all (no hold, no answer by touch, no initiative).")
    # 4 Redirection.
    redirect_code: str = Field(
        default='redirect',
        description="Caregiver code of steering the child away.")
    proximity_kinds: tuple[str, ...] = Field(
        default=PROXIMITY_KINDS,
        description="Bid kinds that seek proximity.")
    contact_codes: tuple[str, ...] = Field(
        default=('respond', 'initiate', 'hold'),
        description="Caregiver codes that count as contact when they come before any redirect.")
    redirect_window_ms: int = Field(
        default=10_000, ge=0,
        description="The caregiver's first reaction to a bid for proximity or to distress must "
        "start within this time.")
    redirect_share_flag_at: Share = Field(
        default=0.3, ge=0, le=1,
        description="Present when at least this share of the reactions to bids for proximity "
        "and to distress were redirects...")
    redirect_min_count: int = Field(
        default=2, ge=1,
        description="...and at least this many were redirected; fewer reactions than this: "
        "not observable.")
    # 5 Distance.
    far_code: str = Field(
        default='far',
        description="Caregiver state of being out of reach.")
    proximity_codes: tuple[str, ...] = Field(
        default=('near', 'far'),
        description="Caregiver states that code proximity while present (a hold counts as "
        "near).")
    far_share_flag_at: Share = Field(
        default=0.6, ge=0, le=1,
        description="Present when the caregiver is far for at least this share of the time "
        "with proximity coded.")
    proximity_coverage_min: Share = Field(
        default=0.75, ge=0, le=1,
        description="Proximity coded for less than this share of the time present: not "
        "observable.")
    # Hostility: the profile's qualifier, not a sign.
    hostile_dimensions: tuple[str, ...] = Field(
        default=('NI', 'FD'),
        description="Scheme dimensions whose codes count as hostile/intrusive or frightening.")
    hostile_codes: tuple[str, ...] = Field(
        default=(),
        description="Further codes counted as hostile, whatever their dimension.")
    low_hostility_below_per_10min: float = Field(
        default=1.0, ge=0,
        description="'Little or no hostility' when the hostile rate per 10 minutes present is "
        "below this; otherwise hostile or intrusive behaviour is present.")
    # How sure each sign is.
    stability_jitter_ms: int = Field(
        default=1_000, ge=0,
        description="Stability: every time is moved by a random amount up to this, in each "
        "replicate.")
    stability_replicates: int = Field(
        default=40, ge=1, le=1000,
        description="Stability: how many jittered replicates are scored.")
    stability_max_dropouts: int = Field(
        default=400, ge=0,
        description="Stability: each event is left out in turn; above this many events a "
        "seeded sample of this size is left out instead.")
    stable_at: Share = Field(
        default=0.9, ge=0, le=1,
        description="A sign is 'stable' when at least this share of the jittered replicates "
        "keep its state and no single event left out changes it.")
    stability_seed: int = Field(
        default=2023, ge=0,
        description="Seed of the stability replicates (the same coding gives the same figure).")


def settings_from(overrides: dict[str, object] | IndicatorSettings | None) -> IndicatorSettings:
    """Settings from a study's overrides; an unknown or invalid key raises :class:`InputError`."""
    if overrides is None:
        return IndicatorSettings()
    if isinstance(overrides, IndicatorSettings):
        return overrides
    unknown = sorted(set(overrides) - set(IndicatorSettings.model_fields))
    if unknown:
        raise InputError(
            N_("unknown indicator setting(s): {unknown}"),
            fix=N_("use one of: {known}"),
            params={"unknown": ", ".join(unknown),
                    "known": ", ".join(IndicatorSettings.model_fields)},
        )
    try:
        return IndicatorSettings.model_validate(overrides)
    except ValueError as exc:
        raise InputError(
            N_("invalid indicator settings: {reason}"),
            fix=N_("correct the values named above"),
            params={"reason": str(exc)},
        ) from exc
