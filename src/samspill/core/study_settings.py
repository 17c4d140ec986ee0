"""A study's own settings: the disrupted cut-off, indicator overrides, who sees scores, the
agreement units, the certification rule and the assist's detectors.

Stored as JSON on the study; validated here so a typo in a setting is an error, not a silent
default. See ``docs/settings.md``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from samspill.core.assist.settings import AssistSettings
from samspill.core.errors import N_, InputError
from samspill.core.indicators import IndicatorSettings
from samspill.core.reliability.certification import CertificationRule


class StudySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    disrupted_cutoff: float | None = Field(
        None,
        ge=1,
        le=7,
        description="Level at and above which a coding is classed disrupted. "
        "Empty: the scheme's default (5).",
    )
    indicators: dict[str, Any] = Field(
        default_factory=dict,
        description="Overrides of the indicator settings (windows, "
        "thresholds, codes), by name; see docs/indicators.md.",
    )
    hide_scores_from_coders: bool = Field(
        False, description="Coders do not see the six signs while coding (blind mode)."
    )
    hide_scores_from_trainees: bool = Field(
        True, description="Trainees do not see the six signs while coding a tape."
    )
    # Issue 5: agreement and training.
    agreement_unit_ms: int = Field(
        1000, ge=1, description="Time unit Δ (ms) of the time-unit κ on the agreement pages."
    )
    agreement_tolerance_ms: int = Field(
        2000, ge=0, description="Tolerance τ (ms): events whose onsets lie this close count as "
        "the same event when matching; also the time-unit κ's tolerance (a multiple of Δ)."
    )
    certification: CertificationRule = Field(
        default_factory=CertificationRule,
        description="The pass rule for trainees against the master codings; see "
        "docs/training.md.",
    )
    assist: AssistSettings = Field(
        default_factory=AssistSettings,
        description="Which assist detectors run by default, and their thresholds; see "
        "docs/assist.md.",
    )

    def indicator_settings(self) -> IndicatorSettings:
        try:
            return IndicatorSettings(**self.indicators)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise InputError(
                N_("indicator setting {value}: {reason}"),
                fix=N_("see docs/indicators.md for the names and ranges"),
                params={"value": str(first['loc'][0]), "reason": str(first['msg'])},
            ) from exc


def study_settings(raw: dict[str, Any] | None) -> StudySettings:
    try:
        return StudySettings.model_validate(raw or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(
            N_("study setting {listed}: {reason}"),
            fix=N_("see docs/settings.md for the study settings"),
            params={"listed": '.'.join(map(str, first['loc'])), "reason": str(first['msg'])},
        ) from exc
