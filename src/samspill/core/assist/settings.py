"""A study's assist settings: which detectors run by default, and their thresholds.

Kept with the study (``StudySettings.assist``) and edited like every other study setting
(``core.setting_fields``). The defaults are the detectors' own (silero's documented values,
the published cry acoustics in ``cry.py``); a lab tunes them against its own coders with
``samspill assist evaluate``. See ``docs/assist.md``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from samspill.core.assist.cry import CrySettings
from samspill.core.assist.proximity import ProximitySettings
from samspill.core.assist.silence import GRACE_MS
from samspill.core.assist.speech import SpeechSettings

Detector = Literal["speech", "cry", "pose"]
# Hysteresis below the speech threshold (silero's default); never more than half the
# threshold, so that a low threshold still lets speech end.
SPEECH_HYSTERESIS = 0.15


class AssistSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    detectors: tuple[Detector, ...] = Field(
        default=("speech", "cry", "pose"), min_length=1,
        description="Detectors a pass runs when none are chosen: speech, cry, pose "
        "(silences after bids come from the speech; pose sees proximity and holding).")
    speech_threshold: float = Field(
        default=0.5, ge=0, le=1,
        description="Voice probability at which speech starts.")
    speech_min_speech_ms: int = Field(
        default=250, ge=0, le=10_000,
        description="Shorter speech is dropped (clicks, a cough).")
    speech_min_silence_ms: int = Field(
        default=300, ge=0, le=10_000,
        description="Quiet this long ends a speech segment.")
    speech_pad_ms: int = Field(
        default=30, ge=0, le=1000,
        description="Each speech segment is widened by this on both sides.")
    cry_min_rise_db: float = Field(
        default=15.0, ge=0, le=80,
        description="A cry-like sound is at least this many dB above the "
        "recording's background.")
    cry_min_periodicity: float = Field(
        default=0.6, ge=0, le=1,
        description="Least voicing (periodicity) of a cry-like sound.")
    cry_min_burst_ms: int = Field(
        default=500, ge=0, le=10_000,
        description="Shortest cry burst (a syllable of talk is shorter).")
    cry_max_gap_ms: int = Field(
        default=1500, ge=0, le=60_000,
        description="Cry bursts closer than this (inhalations) join "
        "into one episode.")
    cry_f0_min_hz: float = Field(
        default=250.0, ge=50, le=2000,
        description="Lowest pitch (f0) of a cry, in Hz.")
    cry_f0_max_hz: float = Field(
        default=600.0, ge=50, le=2000,
        description="Highest pitch (f0) of a cry, in Hz.")
    cry_code: str = Field(
        default="distress", min_length=1, max_length=64,
        description="Scheme code proposed for crying (a state of the child).")
    silence_grace_ms: int = Field(
        default=GRACE_MS, ge=0, le=10_000,
        description="Speech this soon after a bid is taken to be "
        "the bid itself, not an answer.")

    pose_fps: float = Field(
        default=5.0, ge=1, le=15,
        description="Frames a second the pose model looks at.")
    pose_near_gap: float = Field(
        default=0.25, ge=0, le=5,
        description="Gap between caregiver and child, in caregiver heights, at "
        "or below which she is near.")
    pose_far_gap: float = Field(
        default=0.5, ge=0, le=5,
        description="Gap at or above which she is far; in between, the state "
        "stays as it was.")
    pose_min_person_score: float = Field(
        default=0.2, ge=0, le=1,
        description="Least score of the pose model for a person to count.")
    pose_min_state_ms: int = Field(
        default=2000, ge=0, le=60_000,
        description="Shorter near or far stretches join their neighbours.")
    pose_min_hold_ms: int = Field(
        default=1000, ge=0, le=60_000,
        description="Shortest contact proposed as a hold.")

    @model_validator(mode="after")
    def _gap_range(self) -> AssistSettings:
        if self.pose_near_gap >= self.pose_far_gap:
            raise PydanticCustomError(
                "gap_range", "the near gap must be below the far gap",
                {"fields": "pose_near_gap,pose_far_gap"})
        return self

    @model_validator(mode="after")
    def _pitch_range(self) -> AssistSettings:
        if self.cry_f0_min_hz >= self.cry_f0_max_hz:
            # ``fields`` lets the settings page put the problem beside the fields concerned
            raise PydanticCustomError(
                "pitch_range", "the lowest pitch must be below the highest",
                {"fields": "cry_f0_min_hz,cry_f0_max_hz"})
        return self

    def speech_settings(self) -> SpeechSettings:
        return SpeechSettings(
            threshold=self.speech_threshold,
            hysteresis=min(SPEECH_HYSTERESIS, self.speech_threshold / 2),
            min_speech_ms=self.speech_min_speech_ms,
            min_silence_ms=self.speech_min_silence_ms, pad_ms=self.speech_pad_ms)

    def cry_settings(self) -> CrySettings:
        return CrySettings(
            f0_min_hz=self.cry_f0_min_hz, f0_max_hz=self.cry_f0_max_hz,
            min_periodicity=self.cry_min_periodicity, min_rise_db=self.cry_min_rise_db,
            min_burst_ms=self.cry_min_burst_ms, max_gap_ms=self.cry_max_gap_ms)

    def proximity_settings(self) -> ProximitySettings:
        return ProximitySettings(
            near_gap=self.pose_near_gap, far_gap=self.pose_far_gap,
            min_person_score=self.pose_min_person_score,
            min_state_ms=self.pose_min_state_ms, min_hold_ms=self.pose_min_hold_ms)
