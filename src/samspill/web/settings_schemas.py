"""The study settings API's bodies (``/api/studies/S/settings``), apart from ``schemas.py``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

SettingValue = bool | int | float | str | list[str] | None


class SettingFieldOut(BaseModel):
    key: str
    group: str
    kind: str
    optional: bool
    choices: list[str]
    minimum: float | None
    maximum: float | None
    unit: str = Field(description="ms for times, share for 0 to 1, else empty.")
    description: str


class StudySettingsOut(BaseModel):
    study: str
    settings: dict[str, SettingValue] = Field(description="Each setting's value now, by key.")
    fields: list[SettingFieldOut]


class StudySettingsIn(BaseModel):
    """Settings to change, by key (``certification.min_tapes``); the rest stay as they are."""

    model_config = ConfigDict(extra="forbid")
    settings: dict[str, SettingValue] = Field(max_length=200)


class SettingChangeOut(BaseModel):
    key: str
    old: SettingValue
    new: SettingValue


class StudySettingsChangedOut(StudySettingsOut):
    changed: list[SettingChangeOut]
