"""Every window, threshold and code choice behind the six withdrawal indicators, in one place.

The defaults follow ``shared/spec/withdrawal.md``. They are this product's starting settings,
**not clinical norms**: a study overrides them, and every output says so
(:data:`DISCLAIMER`). ``IndicatorSettings.model_fields`` carries each field's documentation,
and ``docs/indicators.md`` lists them all (a test checks that none is missing).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from samspill.core.errors import InputError

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
        description="State codes of child distress (each one is a need episode).")
    absent_code: str = Field(
        default='absent',
        description="Caregiver state meaning out of the room; not 'present' time.")
    # 1 Initiative.
    initiative_window_ms: int = Field(
        default=10_000, ge=0,
        description="W1: an initiative counts when it starts within this time after the "
        "onset of an episode of attachment need.")
    initiative_codes: tuple[str, ...] = Field(
        default=('initiate',),
        description="Caregiver codes that count as initiating contact or comfort.")
    bid_run_gap_ms: int = Field(
        default=20_000, ge=0,
        description="Bids less than this far apart form one run of bids.")
    bid_run_min_bids: int = Field(
        default=2, ge=1,
        description="A run needs at least this many bids to be an episode of need.")
    initiative_flag_below: Share = Field(
        default=0.5, ge=0, le=1,
        description="Flag when the initiative share is below this.")
    # 2 Responsiveness.
    response_window_ms: int = Field(
        default=10_000, ge=0,
        description="W2: an answer counts when it starts within this time after a bid.")
    answer_codes: tuple[str, ...] = Field(
        default=('respond', 'initiate', 'hold'),
        description="Caregiver codes that answer a bid (for a state such as hold, its start).")
    intensity_modifier: str = Field(
        default='intensity',
        description="Modifier set of an answer's intensity.")
    muted_option: str = Field(
        default='muted',
        description="Intensity option that marks a muted answer.")
    latency_flag_above_ms: float = Field(
        default=3000, ge=0,
        description="Flag when the median latency of answered bids is above this.")
    unanswered_flag_at: Share = Field(
        default=0.4, ge=0, le=1,
        description="Flag when the share of unanswered bids is at least this.")
    # 3 Cursory contact.
    hold_code: str = Field(
        default='hold',
        description="Caregiver state of holding the child.")
    protest_kind: str = Field(
        default='protest-put-down',
        description="Bid kind of a child protesting being put down.")
    protest_window_ms: int = Field(
        default=2000, ge=0,
        description="A protest within this time before or after a hold's end makes that end a put- "
        "down despite protest.")
    hold_median_flag_below_ms: float = Field(
        default=15_000, ge=0,
        description="Flag when the median hold bout is shorter than this.")
    putdowns_flag_at: int = Field(
        default=1, ge=1,
        description="Flag when put-downs despite protest number at least this.")
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
        description="The caregiver's first reaction to a proximity bid must start within "
        "this time.")
    redirect_share_flag_at: Share = Field(
        default=0.3, ge=0, le=1,
        description="Flag when the share of proximity bids redirected is at least this.")
    # 5 Distance.
    far_code: str = Field(
        default='far',
        description="Caregiver state of being out of reach.")
    proximity_codes: tuple[str, ...] = Field(
        default=('near', 'far'),
        description="Caregiver states that code proximity while present.")
    far_share_flag_at: Share = Field(
        default=0.6, ge=0, le=1,
        description="Flag when the caregiver is far for at least this share of the time present.")
    # 6 Low hostility.
    hostile_dimensions: tuple[str, ...] = Field(
        default=('NI', 'FD'),
        description="Scheme dimensions whose codes count as hostile/intrusive or frightening.")
    hostile_codes: tuple[str, ...] = Field(
        default=(),
        description="Further codes counted as hostile, whatever their dimension.")
    low_hostility_below_per_10min: float = Field(
        default=1.0, ge=0,
        description="'Consistent with a withdrawn profile' when the hostile rate per 10 minutes "
        "present is below this.")


def settings_from(overrides: dict[str, object] | IndicatorSettings | None) -> IndicatorSettings:
    """Settings from a study's overrides; an unknown or invalid key raises :class:`InputError`."""
    if overrides is None:
        return IndicatorSettings()
    if isinstance(overrides, IndicatorSettings):
        return overrides
    unknown = sorted(set(overrides) - set(IndicatorSettings.model_fields))
    if unknown:
        raise InputError(f"unknown indicator setting(s): {', '.join(unknown)}",
                         fix=f"use one of: {', '.join(IndicatorSettings.model_fields)}")
    try:
        return IndicatorSettings.model_validate(overrides)
    except ValueError as exc:
        raise InputError(f"invalid indicator settings: {exc}",
                         fix="correct the values named above") from exc
