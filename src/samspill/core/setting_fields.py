"""Every study setting as one flat list of fields, and changes to them checked all at once.

The study settings page, ``samspill study settings show|set`` and the API edit the same fields
through this module, so they share one validation (:func:`~samspill.core.study_settings.
study_settings`'s models). A field's key is its path: ``agreement_unit_ms``,
``certification.min_tapes``, ``assist.cry_min_rise_db``, ``indicators.response_window_ms``.
The certification rule and the assist settings are stored whole (nested models); indicator
settings are stored as overrides of the defaults: a value set back to its default is dropped
from the study's JSON.

Problems are returned per field as an English template with ``{names}`` (see
:data:`PROBLEMS`), so that a page can say each beside its field in the reader's language.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from annotated_types import Ge, Le
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from samspill.core.assist.settings import AssistSettings
from samspill.core.errors import InputError
from samspill.core.indicators import IndicatorSettings
from samspill.core.reliability.certification import CertificationRule
from samspill.core.study_settings import StudySettings, study_settings

Kind = Literal["integer", "number", "boolean", "text", "list", "choice"]
GROUPS = ("study", "agreement", "certification", "assist", "indicators")
# Groups stored as a whole nested model of the study's settings, under the group's name.
NESTED: dict[str, type[BaseModel]] = {"certification": CertificationRule,
                                      "assist": AssistSettings}
# The problems a change can meet, in English; ``web.setting_words`` marks them for translation.
PROBLEMS = {
    "unknown": "there is no setting '{key}'",
    "integer": "must be a whole number",
    "number": "must be a number",
    "boolean": "must be yes or no (true or false)",
    "choice": "must be one of {choices}",
    "at_least": "must be at least {limit}",
    "at_most": "must be at most {limit}",
    "required": "must not be empty",
    "invalid": "is not valid: {detail}",
}
TRUE_WORDS = frozenset({"true", "yes", "on", "1", "ja"})
FALSE_WORDS = frozenset({"false", "no", "off", "0", "nei", ""})


@dataclass(frozen=True)
class SettingField:
    """One editable setting: its key, group, kind, whether it may be empty, and its limits."""

    key: str
    group: str
    kind: Kind
    optional: bool
    description: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    @property
    def unit(self) -> str:
        """``ms`` for times, ``share`` for a share from 0 to 1, else empty."""
        if self.key.endswith("_ms") and self.kind in ("integer", "number"):
            return "ms"
        if self.kind == "number" and (self.minimum, self.maximum) == (0, 1):
            return "share"
        return ""


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field's new value: a :data:`PROBLEMS` key and its parameters."""

    key: str
    problem: str
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return PROBLEMS[self.problem].format(key=self.key, **self.params)


@dataclass(frozen=True)
class Change:
    key: str
    old: object
    new: object


class SettingsProblems(InputError):
    """One or more fields cannot take their new values; nothing is changed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            "; ".join(f"{p.key}: {p.message}" for p in problems),
            fix="correct the value, or see docs/settings.md for each setting",
        )
        self.problems = problems


def setting_fields() -> list[SettingField]:
    """Every setting, in the order the page and ``show`` list them."""
    own = [
        _field(name, info, "agreement" if name.startswith("agreement_") else "study")
        for name, info in StudySettings.model_fields.items()
        if name != "indicators" and name not in NESTED
    ]
    nested = [_field(f"{group}.{n}", i, group)
              for group, model in NESTED.items() for n, i in model.model_fields.items()]
    indicators = [_field(f"indicators.{n}", i, "indicators")
                  for n, i in IndicatorSettings.model_fields.items()]
    return own + nested + indicators


def current_values(settings: StudySettings) -> dict[str, object]:
    """The value each setting has now (the default where the study sets none)."""
    groups = {group: getattr(settings, group).model_dump() for group in NESTED}
    groups["indicators"] = settings.indicator_settings().model_dump()
    values: dict[str, object] = {}
    for key, spec in FIELDS.items():
        name = key.partition(".")[2]
        if spec.group in groups:
            values[key] = groups[spec.group][name]
        else:
            values[key] = getattr(settings, key)
    return values


def parse(key: str, text: str) -> object:
    """A value typed by a person (a form field, ``key=value`` on the command line)."""
    spec = FIELDS.get(key)
    if spec is None:
        raise SettingsProblems([Problem(key, "unknown")])
    return _parse(spec, text.strip())


def apply(
    settings: StudySettings, changes: Mapping[str, object]
) -> tuple[StudySettings, list[Change]]:
    """The settings with ``changes`` made (values already typed, or text to parse), and the
    changes that differ from the current values. Raises :class:`SettingsProblems` naming every
    field that cannot take its value; nothing is changed then."""
    problems, typed = _typed(changes)
    before = current_values(settings)
    changed = {k: v for k, v in typed.items() if not _same(before[k], v)}
    raw = _with_changes(settings, changed)
    problems += _checked(raw, changed)
    if problems:
        raise SettingsProblems(problems)
    return study_settings(raw), [Change(k, before[k], v) for k, v in changed.items()]


def _typed(changes: Mapping[str, object]) -> tuple[list[Problem], dict[str, object]]:
    problems, typed = [], {}
    for key, value in changes.items():
        spec = FIELDS.get(key)
        if spec is None:
            problems.append(Problem(key, "unknown"))
            continue
        try:
            typed[key] = _parse(spec, value) if isinstance(value, str) else _json(spec, value)
        except SettingsProblems as found:
            problems += found.problems
    return problems, typed


def _with_changes(settings: StudySettings, changed: Mapping[str, object]) -> dict[str, Any]:
    raw = settings.model_dump(mode="json")
    defaults = IndicatorSettings().model_dump(mode="json")
    for key, value in changed.items():
        name = key.partition(".")[2]
        plain = list(value) if isinstance(value, tuple) else value
        if FIELDS[key].group in NESTED:
            raw[FIELDS[key].group][name] = plain
        elif FIELDS[key].group == "indicators":
            raw["indicators"][name] = plain
            if defaults.get(name) == plain:
                del raw["indicators"][name]  # back to the default: no override kept
        else:
            raw[key] = plain
    return raw


def _checked(raw: dict[str, Any], changed: Mapping[str, object]) -> list[Problem]:
    """The models' own validation, each error put on the field it concerns."""
    checks: list[tuple[type[BaseModel], dict[str, Any], str]] = [
        (StudySettings, {k: v for k, v in raw.items() if k != "indicators"}, ""),
        (IndicatorSettings, raw["indicators"], "indicators."),
    ]
    problems = []
    for model, values, prefix in checks:
        try:
            model.model_validate(values)
        except ValidationError as exc:
            problems += [p for error in exc.errors() for p in _problem(prefix, error)]
    return [p for p in problems if p.key in changed or p.key not in FIELDS]


def _problem(prefix: str, error: Any) -> list[Problem]:
    """The problem on the field an error names; a check of several fields of one model (its
    context names them in ``fields``) is put on each of them."""
    key = prefix + ".".join(str(part) for part in error["loc"] if not isinstance(part, int))
    context = error.get("ctx") or {}
    if context.get("fields"):
        detail = {"detail": str(error["msg"])}
        return [Problem(f"{key}.{name}", "invalid", detail)
                for name in str(context["fields"]).split(",")]
    return [_one_problem(key, error, context)]


def _one_problem(key: str, error: Any, context: Mapping[str, Any]) -> Problem:
    if error["type"] == "greater_than_equal":
        return Problem(key, "at_least", {"limit": _limit(context.get("ge"))})
    if error["type"] == "less_than_equal":
        return Problem(key, "at_most", {"limit": _limit(context.get("le"))})
    return Problem(key, "invalid", {"detail": str(error["msg"])})


def _limit(value: object) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _parse(spec: SettingField, text: str) -> object:
    if text == "" and spec.optional:
        return None
    if spec.kind == "boolean":
        word = text.lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise SettingsProblems([Problem(spec.key, "boolean")])
        return word in TRUE_WORDS
    if spec.kind == "list":
        return tuple(part.strip() for part in text.split(",") if part.strip())
    if spec.kind == "text":
        return text
    if text == "":
        raise SettingsProblems([Problem(spec.key, "required")])
    if spec.kind == "choice":
        return _json(spec, text)
    return _number(spec, text.replace(",", ".") if text.count(",") == 1 else text)


def _number(spec: SettingField, text: str) -> int | float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise SettingsProblems([Problem(spec.key, spec.kind)])
    if spec.kind == "integer":
        if not value.is_integer():
            raise SettingsProblems([Problem(spec.key, "integer")])
        return int(value)
    return value


def _json(spec: SettingField, value: object) -> object:
    """A value sent as JSON: its type must fit the field."""
    if value is None:
        if spec.optional:
            return None
        raise SettingsProblems([Problem(spec.key, "required")])
    if spec.kind == "boolean" and not isinstance(value, bool):
        raise SettingsProblems([Problem(spec.key, "boolean")])
    if spec.kind in ("integer", "number"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SettingsProblems([Problem(spec.key, spec.kind)])
        return _number(spec, str(value))
    if spec.kind == "choice" and value not in spec.choices:
        raise SettingsProblems([Problem(spec.key, "choice", {"choices": ", ".join(spec.choices)})])
    if spec.kind == "list":
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise SettingsProblems([Problem(spec.key, "invalid", {"detail": "a list of codes"})])
        return tuple(value)
    if spec.kind == "text" and not isinstance(value, str):
        raise SettingsProblems([Problem(spec.key, "invalid", {"detail": "a text"})])
    return value


def _same(old: object, new: object) -> bool:
    if isinstance(old, list | tuple) and isinstance(new, list | tuple):
        return list(old) == list(new)
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new
    return old == new


def _field(key: str, info: FieldInfo, group: str) -> SettingField:
    kind, optional, choices = _kind(info.annotation)
    minimum = next((m.ge for m in info.metadata if isinstance(m, Ge)), None)
    maximum = next((m.le for m in info.metadata if isinstance(m, Le)), None)
    return SettingField(
        key=key, group=group, kind=kind, optional=optional, description=info.description or "",
        choices=choices,
        minimum=float(minimum) if minimum is not None else None,  # type: ignore[arg-type]
        maximum=float(maximum) if maximum is not None else None,  # type: ignore[arg-type]
    )


def _kind(annotation: object) -> tuple[Kind, bool, tuple[str, ...]]:
    """The field's kind from its type: ``int``, ``float | None``, ``tuple[str, ...]``, a
    ``Literal``."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        inner = next(a for a in args if a is not type(None))
        return _kind(inner)[0], True, _kind(inner)[2]
    if typing.get_origin(annotation) is Literal:
        return "choice", False, tuple(str(a) for a in args)
    if typing.get_origin(annotation) is tuple:
        return "list", False, ()
    simple: dict[object, Kind] = {bool: "boolean", int: "integer", float: "number", str: "text"}
    if annotation not in simple:
        raise TypeError(f"study setting of an unknown type: {annotation!r}")
    return simple[annotation], False, ()


FIELDS: dict[str, SettingField] = {f.key: f for f in setting_fields()}
