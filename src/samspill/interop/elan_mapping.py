"""What each tier of an ELAN file becomes in a scheme: a mapping, saved as YAML and reused for
a whole folder of files coded the same way (see ``docs/interop.md``).

A tier with times of its own gives one event per annotation: every annotation one ``code``
(its text kept as the event's comment), or each value its code through ``codes`` (a value
mapped to nothing is left out). A tier without times of its own (Symbolic_Association or
_Subdivision) adds to the events of the annotations it belongs to: its text to their
``comment``, or its values as the options of a ``modifier`` set. ``skip`` leaves a tier out.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from samspill.core.errors import N_, EventError, InputError
from samspill.core.events import Event, event_problems
from samspill.core.numbers import clock
from samspill.core.problems import Problem, summarise
from samspill.core.scheme import Identifier, Scheme
from samspill.interop.elan_tiers import ElanFile, Tier

FORMAT = "samspill-elan-mapping/1"
MAX_MAPPING_BYTES = 1_000_000
_ID_NAMESPACE = uuid.UUID("0b5f6a10-7c77-4a8e-8f0e-2f1c2a9d4e55")  # as interop.elan's ids


class TierRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    skip: bool = False
    subject: str | None = None
    code: str | None = None  # checked against the scheme when applied ('?' in a starter)
    codes: dict[str, str | None] | None = None
    comment: bool = False
    modifier: Identifier | None = None


class ElanMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["samspill-elan-mapping/1"] = FORMAT
    scheme: Identifier | None = None
    tiers: dict[str, TierRule] = Field(default_factory=dict)


HEADER = """\
# What each tier of an ELAN file becomes in Samspill (samspill import elan --mapping FILE).
# A tier with times: 'subject' and either 'code' (every annotation that code, its text the
# event's comment) or 'codes' (annotation value: code id; a value mapped to null is left out).
# A tier without times of its own: 'comment: true' (its text joins the comment of the event it
# belongs to) or 'modifier: SET' (its values are options of that modifier set).
# 'skip: true' leaves a tier out; tiers not named here are left out with a warning.
"""


def mapping_yaml(mapping: ElanMapping, note: str = "") -> str:
    """The mapping as the YAML file a user edits (``note``: extra comment lines on top)."""
    body = mapping.model_dump(mode="json", exclude_defaults=True)
    body = {"format": FORMAT, **body}
    for rule in body.get("tiers", {}).values():
        rule.pop("format", None)
    text = yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=100)
    return HEADER + "".join(f"# {line}\n" for line in note.splitlines()) + text


def load_mapping(text: str | bytes, source: str = "mapping.yaml") -> ElanMapping:
    """A mapping file, checked; a malformed one is refused naming the line or field."""
    if len(text) > MAX_MAPPING_BYTES:
        raise InputError(N_("the mapping file is larger than 1 MB"),
                         fix=N_("check the file"), where=source)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(N_("malformed YAML ({reason})"),
                         fix=N_("check indentation, colons and quotes on that line"),
                         where=f"{source}:{mark.line + 1}" if mark else source,
                         params={"reason": str(getattr(exc, "problem", None) or exc)}) from None
    try:
        return ElanMapping.model_validate(data)
    except ValidationError as exc:
        said = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                         for e in exc.errors()[:10])
        raise InputError(N_("the mapping file is not valid ({reason})"),
                         fix=N_("compare it with the mapping that --write-mapping writes"),
                         where=source, params={"reason": said}) from None


def apply_mapping(file: ElanFile, mapping: ElanMapping, scheme: Scheme
                  ) -> tuple[list[Event], list[str]]:
    """The file's events under ``scheme`` as the mapping says, and warnings. Every problem
    (a tier's overlap, an unmapped value, a code the scheme lacks...) is raised at once,
    each naming the file, the tier and the time."""
    return _Applier(file, mapping, scheme).run()


class _Applier:
    def __init__(self, file: ElanFile, mapping: ElanMapping, scheme: Scheme) -> None:
        self.file, self.mapping, self.scheme = file, mapping, scheme
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.events: dict[str, Event] = {}  # by the time-aligned annotation's id
        self.labels: dict[str, str] = {}

    def run(self) -> tuple[list[Event], list[str]]:
        unnamed = [t.id for t in self.file.tiers if t.id not in self.mapping.tiers]
        if unnamed:
            self.warnings.append(f"tier(s) not in the mapping, left out: {', '.join(unnamed)}")
        missing = [t for t in self.mapping.tiers if self.file.tier(t) is None]
        if missing:
            self.warnings.append(f"tier(s) of the mapping not in the file: {', '.join(missing)}")
        chosen = [(t, self.mapping.tiers[t.id]) for t in self.file.tiers
                  if t.id in self.mapping.tiers and not self.mapping.tiers[t.id].skip]
        for tier, rule in chosen:
            if tier.timed:
                self._timed(tier, rule)
        extras: dict[str, dict[str, list[str]]] = {}
        for tier, rule in chosen:
            if not tier.timed:
                self._reference(tier, rule, extras)
        self._attach(extras)
        events = list(self.events.values())
        labels = [self.labels[aid] for aid in self.events]
        self.problems += event_problems(events, self.scheme, complete=True, labels=labels)
        if self.problems:
            raise EventError(N_("{count} problem(s):\n{value}"),
                             fix=N_("correct the mapping (or the annotations in ELAN); "
                                    "--write-mapping writes a starter mapping"),
                             where=self.file.source,
                             params={"count": len(self.problems),
                                     "value": str(summarise(self.problems))})
        if not events:
            raise InputError(N_("the mapping gives no events from this file"),
                             fix=N_("name the file's tiers in the mapping"),
                             where=self.file.source)
        return events, self.warnings

    def _where(self, tier: Tier, at: int | None = None) -> str:
        time = f" at {clock(at, millis=True)}" if at is not None else ""
        return f"{self.file.source}: tier '{tier.id}'{time}"

    def _timed(self, tier: Tier, rule: TierRule) -> None:
        if not rule.subject or (rule.code is None and rule.codes is None):
            self.problems.append(Problem(
                "a tier with times needs a subject and a code or codes in the mapping",
                "fill in subject and code (or codes), or write 'skip: true'", (),
                self._where(tier)))
            return
        if not self._rule_fits(tier, rule):
            return
        self._overlaps(tier)
        left_out = 0
        for a in tier.annotations:
            code = rule.code if rule.code is not None else self._value_code(tier, rule, a.value)
            if code is None or a.onset_ms is None:
                left_out += 1
                continue
            known = self.scheme.code(code)
            self.labels[a.id] = f"{self._where(tier, a.onset_ms)}, {code}"
            self.events[a.id] = Event(
                id=str(uuid.uuid5(_ID_NAMESPACE, f"{tier.id}\x00{a.id}")), subject=rule.subject,
                code=code, onset_ms=a.onset_ms,
                offset_ms=None if known is not None and known.kind == "point" else a.offset_ms,
                comment=(a.value if rule.code is not None and a.value != code else "")[:2000])
        if left_out:
            self.warnings.append(f"tier '{tier.id}': {left_out} annotation(s) mapped to no code, "
                                 "left out")

    def _rule_fits(self, tier: Tier, rule: TierRule) -> bool:
        """Subject and codes of a tier's rule are the scheme's: one problem each, not one
        per annotation."""
        codes = [rule.code] if rule.code is not None else list((rule.codes or {}).values())
        wrong = [c for c in codes if c and self.scheme.code(c) is None]
        for code in dict.fromkeys(wrong):
            self.problems.append(Problem(
                f"'{code}' is not a code of scheme '{self.scheme.id}'",
                f"map to one of: {', '.join(c.id for c in self.scheme.codes[:30])}", (),
                self._where(tier)))
        if rule.subject not in self.scheme.subjects:
            self.problems.append(Problem(
                f"'{rule.subject}' is not a subject of scheme '{self.scheme.id}'",
                f"use one of: {', '.join(self.scheme.subjects)}", (), self._where(tier)))
            return False
        elsewhere = [c for c in dict.fromkeys(codes) if (known := self.scheme.code(c or ""))
                     and rule.subject not in known.subjects]
        for code in elsewhere:
            self.problems.append(Problem(
                f"code '{code}' does not apply to subject '{rule.subject}'",
                "map the tier to another subject, or its values to that subject's codes", (),
                self._where(tier)))
        return not wrong and not elsewhere

    def _value_code(self, tier: Tier, rule: TierRule, value: str) -> str | None:
        codes = rule.codes or {}
        if value in codes:
            return codes[value]
        if value:
            self.problems.append(Problem(f"the value '{value}' has no code in the mapping",
                                         f"add '{value}: CODE' (or null to leave it out) "
                                         "under this tier's codes", (), self._where(tier)))
        return None

    def _overlaps(self, tier: Tier) -> None:
        """A tier is one stream of annotations (ELAN never lets two overlap): an overlap means
        a broken or hand-edited file; refused, named."""
        end: int | None = None
        for a in tier.annotations:
            if a.onset_ms is None or a.offset_ms is None:
                continue
            if end is not None and a.onset_ms < end:
                self.problems.append(Problem(
                    "two annotations overlap on one tier",
                    "move or shorten them in ELAN, or put one on a tier of its own", (),
                    self._where(tier, a.onset_ms)))
            end = a.offset_ms if end is None else max(end, a.offset_ms)

    def _reference(self, tier: Tier, rule: TierRule,
                   extras: dict[str, dict[str, list[str]]]) -> None:
        if not rule.comment and rule.modifier is None:
            self.problems.append(Problem(
                "a tier without times of its own needs 'comment: true' or 'modifier: SET'",
                "fill in one of them, or write 'skip: true'", (), self._where(tier)))
            return
        key = f"modifier:{rule.modifier}" if rule.modifier else f"comment:{tier.id}"
        for a in tier.annotations:
            if a.value:
                extras.setdefault(a.owner, {}).setdefault(key, []).append(a.value)

    def _attach(self, extras: dict[str, dict[str, list[str]]]) -> None:
        orphans = 0
        for owner, found in extras.items():
            event = self.events.get(owner)
            if event is None:
                orphans += 1
                continue
            modifiers: dict[str, Any] = dict(event.modifiers)
            comments = [event.comment] if event.comment else []
            for key, values in found.items():
                kind, name = key.split(":", 1)
                if kind == "comment":
                    comments.append(f"{name}: {' '.join(values)}")
                    continue
                mset = self.scheme.modifier_set(name)
                unique = list(dict.fromkeys(values))
                modifiers[name] = unique if mset is None or mset.choice == "multiple" else (
                    unique[0] if len(unique) == 1 else unique)
            self.events[owner] = event.model_copy(update={
                "modifiers": modifiers, "comment": "\n".join(comments)[:2000]})
        if orphans:
            self.warnings.append(f"{orphans} annotation(s) without times belong to annotations "
                                 "that give no event; left out")
