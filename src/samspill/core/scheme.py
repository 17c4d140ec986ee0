"""Coding schemes: what a coder can log and rate, as validated, versioned data.

A scheme is a YAML file. Built-in schemes live in ``core/schemes/``; a licensed lab loads its
own item list and anchor texts the same way (see ``docs/schemes.md``). A coding records the
scheme's id, version and content hash, so a later change never rewrites what was coded.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from samspill.core.names import ID_PATTERN

Identifier = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
SUBJECTS_BUILT_IN = ("caregiver", "child")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Dimension(_Model):
    """A dimension such as AMBIANCE's WD (withdrawal); aliases keep papers' other labels."""

    id: Identifier
    name: str
    aliases: list[str] = []
    description: str = ""


class ModifierSet(_Model):
    """A set of options attached to a code, e.g. a bid's ``kind``."""

    id: Identifier
    label: str
    options: list[str] = Field(min_length=1)
    choice: Literal["single", "multiple"] = "single"
    ask_at: Literal["start", "stop"] = "start"
    required: bool = False

    @field_validator("options")
    @classmethod
    def _options_unique(cls, options: list[str]) -> list[str]:
        if len(set(options)) != len(options):
            raise ValueError("options must be unique")
        return options


class Code(_Model):
    """One behaviour a coder logs: a point (an instant) or a state (an interval)."""

    id: Identifier
    name: str
    kind: Literal["point", "state"]
    subjects: list[str] = Field(min_length=1)
    key: str | None = Field(default=None, min_length=1, max_length=1)
    description: str = ""
    dimension: str | None = None
    category: str | None = None
    modifiers: list[str] = []

    @model_validator(mode="before")
    @classmethod
    def _subject_shorthand(cls, data: object) -> object:
        # `subject: child` is the common case; store it as a one-item list.
        if isinstance(data, dict) and "subject" in data and "subjects" not in data:
            data = dict(data)
            subject = data.pop("subject")
            data["subjects"] = [subject] if isinstance(subject, str) else subject
        return data


class ExclusiveGroup(_Model):
    """States of which at most one runs at a time per subject (e.g. proximity)."""

    id: Identifier
    label: str = ""
    codes: list[str] = Field(min_length=2)


class RatingItem(_Model):
    """A rating made once per coding: a 1–7 scale with anchors, or a choice among options."""

    id: Identifier
    label: str
    kind: Literal["scale", "choice"] = "scale"
    min: int | None = None
    max: int | None = None
    anchors: dict[int, str] = {}
    options: list[str] = []
    description: str = ""

    @model_validator(mode="after")
    def _shape(self) -> RatingItem:
        if self.kind == "scale":
            if self.min is None or self.max is None or self.min >= self.max:
                raise ValueError("a scale needs min < max")
            outside = [a for a in self.anchors if not self.min <= a <= self.max]
            if outside:
                raise ValueError(f"anchors {outside} lie outside {self.min}..{self.max}")
        elif not self.options:
            raise ValueError("a choice item needs options")
        return self


class Subscale(_Model):
    """A score made from some of a form's items: their sum or their mean."""

    id: Identifier
    name: str
    items: list[str] = Field(min_length=1)
    method: Literal["sum", "mean"] = "mean"


class FormTotal(_Model):
    """A form's total: the sum or mean of the named items (all the form's items when empty)."""

    name: str = ""
    method: Literal["sum", "mean"] = "mean"
    items: list[str] = []


class FixedSum(_Model):
    """A published constraint on a rating set: these items add up to ``sum`` (CARE-Index: 14).

    Checked as a problem of a coder's ratings (``core.forms.form_rating_problems``), never as a
    refusal: a coder may save an incomplete or inconsistent set and correct it later.
    """

    items: list[str] = Field(min_length=2)
    sum: int


class RatingForm(_Model):
    """An instrument's rating items grouped as one form (EAS, CARE-Index, Ainsworth's scales).

    ``items`` are ids of the scheme's ``rating_items`` (scale items); the form adds the
    subscales and total computed from them (:func:`samspill.core.forms.form_scores`). A
    built-in form ships structure only: the anchor texts come from the licensed manual.
    """

    id: Identifier
    name: str
    instrument: str | None = None
    description: str = ""
    items: list[str] = Field(min_length=1)
    subscales: list[Subscale] = []
    total: FormTotal | None = None
    fixed_sums: list[FixedSum] = []
    licensed: bool = False
    # Rated once per coding (the default), or once per segment of the session whose template
    # id is in ``segments`` (e.g. the Strange Situation's reunions: ep5, ep8).
    per: Literal["session", "segment"] = "session"
    segments: list[Identifier] = []


class SegmentSpec(_Model):
    """One segment of a procedure, e.g. the Strange Situation's first reunion."""

    id: Identifier
    name: str
    nominal_ms: int = Field(gt=0)
    min_ms: int | None = Field(default=None, ge=0)
    max_ms: int | None = Field(default=None, gt=0)
    role: Literal["plain", "separation", "reunion", "introduction", "stranger"] = "plain"
    scored: bool = True


class SegmentTemplate(_Model):
    id: Identifier
    name: str
    segments: list[SegmentSpec] = Field(min_length=1)


SettingValue = int | float | str | bool


class Scheme(_Model):
    """A complete coding scheme. Cross-references are checked by :func:`scheme_problems`."""

    id: Identifier
    version: int = Field(default=1, ge=1)
    name: str
    description: str = ""
    instrument: str | None = None
    licensed: bool = False
    subjects: list[str] = list(SUBJECTS_BUILT_IN)
    dimensions: list[Dimension] = []
    modifier_sets: list[ModifierSet] = []
    codes: list[Code] = []
    exclusive_groups: list[ExclusiveGroup] = []
    rating_items: list[RatingItem] = []
    rating_forms: list[RatingForm] = []
    segment_templates: list[SegmentTemplate] = []
    settings: dict[str, SettingValue] = {}
    level_item: str | None = None
    profile_item: str | None = None

    def code(self, code_id: str) -> Code | None:
        return self._codes_by_id().get(code_id)

    def _codes_by_id(self) -> dict[str, Code]:
        return {c.id: c for c in self.codes}

    def modifier_set(self, set_id: str) -> ModifierSet | None:
        return next((m for m in self.modifier_sets if m.id == set_id), None)

    def rating_item(self, item_id: str) -> RatingItem | None:
        return next((r for r in self.rating_items if r.id == item_id), None)

    def rating_form(self, form_id: str) -> RatingForm | None:
        return next((f for f in self.rating_forms if f.id == form_id), None)

    def segment_template(self, template_id: str) -> SegmentTemplate | None:
        return next((t for t in self.segment_templates if t.id == template_id), None)

    def exclusive_group_of(self, code_id: str) -> ExclusiveGroup | None:
        return next((g for g in self.exclusive_groups if code_id in g.codes), None)

    def label(self) -> str:
        """How outputs are labelled: 'AMBIANCE' only for a licensed AMBIANCE scheme."""
        if self.licensed and self.instrument:
            return self.instrument
        return (
            f"{self.name} (open scheme, not an official {self.instrument} score)"
            if (self.instrument)
            else self.name
        )

    def content_hash(self) -> str:
        """SHA-256 of the canonical content, version excluded: equal content, equal hash."""
        # A field added later is left out while empty, so that every earlier scheme keeps its
        # hash (codings record it) and is not registered again as a new version.
        exclude = {"version"} | ({"rating_forms"} if not self.rating_forms else set())
        body = self.model_dump(mode="json", exclude=exclude)
        for form in body.get("rating_forms", []):  # per segment came later too
            if form["per"] == "session" and not form["segments"]:
                del form["per"], form["segments"]
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
