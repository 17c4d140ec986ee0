"""BORIS projects (``.boris`` JSON, ``.boris.gz``) to and from a Samspill :class:`Project`.

Import pairs state events the way BORIS does: per subject, behaviour and modifier string, the
odd occurrences start a state and the even ones stop it (``project_functions.events_start_stop``
in BORIS). A state left without a stop is closed at the observation's end (the main media's
length after the time offset, or the last event) and reported as a warning; pass
``unpaired="error"`` to refuse such files instead.

Export writes project format 7.0, which BORIS 8 and 9 open. What BORIS has no field for (code
names, required modifiers, segments, per-code subjects) travels in a ``samspill`` key that
BORIS keeps but ignores; an import uses it only when it still agrees with the ethogram.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from itertools import compress
from operator import getitem, itemgetter
from typing import Any, Literal, TypeVar

import numpy as np
from pydantic import ValidationError

from samspill.core.errors import N_, InputError, Note, NotedInputError
from samspill.core.events import Event, Segment
from samspill.core.problems import Problem, summarise
from samspill.core.scheme import Scheme
from samspill.interop import boris_ethogram as eth
from samspill.interop.boris_export import PROJECT_FORMAT, check_events, write_boris
from samspill.interop.boris_observation import read_media, read_variables
from samspill.interop.boris_rows import MAX_COMMENT, Columns, Row, plain_columns, trusted_events
from samspill.interop.model import NO_FOCAL_SUBJECT, Imported, Observation, Project
from samspill.interop.safety import (
    MAX_MS,
    as_bytes,
    gc_paused,
    gunzip_capped,
    is_gzip,
    load_json,
    ms_to_seconds,
    seconds_to_ms,
)

__all__ = ["Unpaired", "check_events", "read_boris", "write_boris"]
_ID_NAMESPACE = uuid.UUID("6f7d0a52-1f0b-4c55-9a43-6a2f39f3b0d1")
Unpaired = Literal["close", "error"]


# Event.model_validate minus its Python wrapper: the same validation, a third cheaper per event
_validate_event = Event.__pydantic_validator__.validate_python
_MS = itemgetter(0)
RunningKey = tuple[str, str, str]
# A modifier string parsed for a behaviour: the code id, the modifiers, the numeric values as
# comment text, and whether the modifiers hold lists (multiple choices) to copy per event.
_Parsed = tuple[str, dict[str, Any], str, bool]
_CODE_ID = itemgetter(0)
_VALUES = itemgetter(1)
_EXTRA = itemgetter(2)
_T = TypeVar("_T")


def read_boris(data: bytes | str, *, source: str = "project.boris", scheme: Scheme | None = None,
               unpaired: Unpaired = "close") -> Imported:
    """A BORIS project (JSON, or gzip-compressed JSON) as a Samspill project with warnings.

    With ``scheme`` the events are checked against that scheme (the study's), which becomes the
    project's; without it the scheme is the one embedded by Samspill's export if it still
    matches the ethogram, else one derived from the ethogram. Raises :class:`InputError` or
    :class:`EventError` listing every problem; nothing is returned partially.
    """
    with gc_paused():
        return _read(as_bytes(data, source), source, scheme, unpaired)


def _read(raw: bytes, source: str, scheme: Scheme | None, unpaired: Unpaired) -> Imported:
    if is_gzip(raw):
        raw = gunzip_capped(raw, source)
    pj = load_json(raw, source)
    if not isinstance(pj, dict) or not isinstance(pj.get("behaviors_conf"), dict) or not (
            isinstance(pj.get("observations"), dict)):
        raise InputError(
            N_("not a BORIS project (no 'behaviors_conf' and 'observations')"),
            fix=N_("choose the .boris file saved by BORIS"),
            where=source,
        )
    check_format_version(pj.get("project_format_version"), source)
    try:
        return _Reader(source, unpaired).read(pj, scheme)
    except ValidationError as exc:
        first = exc.errors()[0]
        place = ".".join(str(p) for p in first["loc"])
        raise InputError(
            N_("the project holds a value Samspill cannot accept ({place}: {reason})"),
            fix=N_("correct that value in BORIS"),
            where=source,
            params={"place": str(place), "reason": str(first['msg'])},
        ) from exc


NEWER_FORMAT = ("the project has BORIS project format {version}; this Samspill reads formats up "
                "to {supported} (BORIS 8 and 9)")
NEWER_FORMAT_FIX = ("upgrade Samspill to import it, or save the project from a BORIS version "
                    "that writes format {supported}")


def check_format_version(value: object, source: str) -> None:
    """Refuse a project format newer than the one Samspill knows, as the study archive does:
    read half-way, a newer file could lose what its new fields hold without a word."""
    try:
        claimed = tuple(int(part) for part in str(value).strip().split("."))
    except ValueError:
        return  # no or an odd version: BORIS itself treats the file as an old format
    if claimed > tuple(int(p) for p in PROJECT_FORMAT.split(".")):
        raise NotedInputError(Note(NEWER_FORMAT, fix=NEWER_FORMAT_FIX, where=source, params={
            "version": str(value).strip(), "supported": PROJECT_FORMAT}))


class _Reader:
    def __init__(self, source: str, unpaired: Unpaired) -> None:
        self.source = source
        self.unpaired = unpaired
        self.warnings: list[Problem] = []
        self.problems: list[Problem] = []
        self.behaviours: dict[str, eth.Behaviour] = {}
        self.subjects: list[str] = []
        self.used_subjects: set[str] = set()  # of the events: cheaper per row than per event
        self._hex: list[str] = []  # the 48-bit row index of each event id, as hex digits
        self._modifier_cache: dict[str, dict[str, _Parsed]] = {}  # behaviour -> string -> parsed
        self._extras = False  # any parsed string with numeric values (comment text)
        self._lists = False  # any parsed string with multiple choices (lists)
        self._prefixes: dict[str, str] = {}
        self.project_name = ""

    def read(self, pj: dict[str, Any], scheme: Scheme | None) -> Imported:
        self.project_name = _text(pj.get("project_name"))
        self.behaviours = eth.read_ethogram(pj["behaviors_conf"], self.source)
        self.subjects = _subject_names(pj.get("subjects_conf"), self.source)
        variables = read_variables(pj.get("independent_variables"), self.source)
        observations = [self._observation(str(name), obs)
                        for name, obs in pj["observations"].items()]
        if self.problems:
            raise InputError(
                N_("{count} problem(s):\n{value}"),
                fix=N_("correct these in BORIS and export again"),
                where=self.source,
                params={"count": len(self.problems), "value": str(summarise(self.problems))},
            )
        chosen = scheme or self._scheme(pj, observations)
        if scheme is not None:
            check_events(observations, scheme, self.source)
        project = Project(name=self.project_name, description=_text(pj.get("project_description")),
                          date=_text(pj.get("project_date")), scheme=chosen, variables=variables,
                          observations=observations)
        return Imported(project=project, warnings=self.warnings)

    def _scheme(self, pj: dict[str, Any], observations: list[Observation]) -> Scheme:
        subjects = self.subjects + sorted(self.used_subjects - set(self.subjects))
        derived = eth.derived_scheme(
            self.behaviours, subjects, warnings=self.warnings,
            scheme_id=eth.to_identifier(self.project_name or "boris", "boris"),
            name=self.project_name or "Imported BORIS ethogram")
        embedded = _embedded_scheme(pj)
        if embedded is not None and _agrees(embedded, derived):
            return embedded
        if embedded is not None:
            self.warnings.append(Problem("the ethogram was changed after Samspill exported it; "
                                         "the scheme is derived from the ethogram", "", (),
                                         self.source))
        return derived

    def _observation(self, name: str, obs: object) -> Observation:
        here = f"{self.source}: observation '{name}'"
        if not isinstance(obs, dict) or not isinstance(obs.get("events", []), list):
            self.problems.append(Problem("the observation is malformed", "repair it in BORIS", (),
                                         here))
            return Observation(name=name or "?")
        try:
            kind = _kind(obs, here, self.warnings)
            offset = seconds_to_ms(obs.get("time offset") or 0, here, allow_negative=True)
            media = read_media(obs, here)
        except InputError as exc:
            self.problems.append(Problem(exc.message, exc.fix, (), exc.where))
            return Observation(name=name or "?")
        columns = self._columns(obs.get("events", []), here)
        self.used_subjects.update(columns.subjects)
        observation = Observation(
            name=name or "?", date=_text(obs.get("date")),
            description=_text(obs.get("description")), kind=kind, time_offset_ms=offset,
            media=media,
            variables=_values(obs.get("independent_variables")),
            segments=self._segments(obs, here), **self._session_facts(obs, here))
        end = columns.ms[-1] if columns.ms else 0  # the rows are in time order
        duration = observation.media_duration_ms()
        if duration is not None:
            end = max(end, duration + offset)
        observation.events = self._pair(columns, name, here, end)
        return observation

    def _columns(self, events: list[Any], here: str) -> Columns:
        """The rows in time order: checked a column at a time when all are plain (the usual
        case, see boris_rows), else one by one, naming each row at fault."""
        # Formatting each index costs more than the rest of an event id: made once per index.
        self._hex += [f"{i:012x}" for i in range(len(self._hex), len(events))]
        plain = plain_columns(events, self.behaviours)
        if plain is not None:
            return plain
        rows: list[Row] = []
        for i, raw in enumerate(events):
            try:
                rows.append(self._row(raw, i))
            except InputError as exc:
                self.problems.append(Problem(exc.message, exc.fix, (), f"{here}, event {i + 1}"))
        rows.sort(key=_MS)
        return Columns.of_rows(rows)

    def _row(self, raw: object, index: int) -> Row:
        if not isinstance(raw, list) or len(raw) < 5:
            raise InputError(
                N_("an event is not a list of time, subject, code, modifiers, comment"),
                fix=N_("repair the event in BORIS"),
            )
        time, subject, code, modifiers, comment = raw[:5]
        if not (type(subject) is str and type(code) is str and type(modifiers) is str
                and type(comment) is str):
            raise InputError(
                N_("subject, code, modifiers and comment must be text"),
                fix=N_("repair the event in BORIS"),
            )
        if code not in self.behaviours:
            raise InputError(
                N_("behaviour '{code}' is not in the ethogram"),
                fix=N_("add it to the ethogram in BORIS or delete the event"),
                params={"code": str(code)},
            )
        frame = raw[5] if len(raw) > 5 else None
        if isinstance(frame, bool) or not isinstance(frame, int) or not 0 <= frame < 2**31:
            frame = None
        if len(comment) > MAX_COMMENT:
            self.warnings.append(Problem(f"a comment longer than {MAX_COMMENT} characters was "
                                         "shortened", "", (), f"event {index + 1}"))
            comment = comment[:MAX_COMMENT]
        return (seconds_to_ms(time, ""), subject or NO_FOCAL_SUBJECT, code, modifiers, comment,
                frame, index)

    def _pair(self, columns: Columns, obs_name: str, here: str, end_ms: int) -> list[Event]:
        """Rows (in time order) to events: per subject, behaviour and modifier string the odd
        occurrences of a state start it and the even ones stop it; points stand alone.

        The events come in the order they complete (a point at its row, a state at its stop
        row), then the states left without a stop in the order they started.
        """
        points = {c for c, b in self.behaviours.items() if b.kind == "point"}
        states = self.behaviours.keys() - points
        rows = range(len(columns.codes))
        point_rows = list(compress(rows, map(points.__contains__, columns.codes)))
        pairs, running = _run_states(columns, compress(rows, map(states.__contains__,
                                                                 columns.codes)))
        prefix = self._id_prefix(obs_name)
        events = self._events(columns, point_rows, pairs, prefix, here)
        events += [self._unpaired(columns, start, end_ms, prefix, here)
                   for start in running.values()]
        return events

    def _events(self, columns: Columns, point_rows: list[int], pairs: list[tuple[int, int]],
                prefix: str, here: str) -> list[Event]:
        """The points and the paired states, in the order they complete, built a column at a
        time: each column is gathered in one sweep (itemgetter), and the rows were checked
        (plain_columns or _row), so trusted_events may build them without validating each."""
        starts = point_rows + [i for i, _ in pairs]
        if not starts:
            return []
        stops = [j for _, j in pairs]
        # Each row completes at most one event, so the completing rows order them fully.
        in_order = _take(np.argsort(np.array(point_rows + stops), kind="stable").tolist())
        at = _take(list(in_order(starts)))
        stop_at = _take(stops) if stops else lambda _: ()
        offsets = in_order([None] * len(point_rows) + list(stop_at(columns.ms)))
        stop_comments = in_order([""] * len(point_rows) + list(stop_at(columns.comments)))
        parsed = self._parsed(at(columns.codes), at(columns.modifiers), here)
        comments = at(columns.comments)
        # Most projects have no numeric modifiers, no multiple choices and few stop comments:
        # then the comments and the modifiers' copies need no loop of their own.
        if self._extras or any(stop_comments):
            comments = [c if not (s or x) else _joined(c, s, x) for c, s, x in
                        zip(comments, stop_comments, map(_EXTRA, parsed), strict=True)]
        if self._lists:
            modifiers = [_copy(v) if lists else v.copy() for _, v, _, lists in parsed]
        else:
            modifiers = list(map(dict.copy, map(_VALUES, parsed)))
        ids = map(prefix.__add__, _take(list(at(columns.positions)))(self._hex))
        # Every field of Event, in its order, so nothing is filled in afterwards.
        fields = [{"id": a, "subject": b, "code": c, "onset_ms": d, "offset_ms": e,
                   "modifiers": f, "comment": g, "frame": h, "provenance": None}
                  for a, b, c, d, e, f, g, h in zip(
                      ids, at(columns.subjects), map(_CODE_ID, parsed), at(columns.ms),
                      offsets, modifiers, comments, at(columns.frames), strict=True)]
        return trusted_events(fields)

    def _parsed(self, codes: Sequence[str], texts: Sequence[str], here: str) -> list[_Parsed]:
        """Each event's parsed modifiers, looked up behaviour first (their str hashes are kept,
        a (behaviour, string) pair's would be computed per event). New strings are parsed in
        the order their first event completes, since parsing may add options and warn."""
        by_code = self._modifier_cache
        try:
            return list(map(getitem, map(by_code.__getitem__, codes), texts))
        except KeyError:
            for code, text in dict.fromkeys(zip(codes, texts, strict=True)):
                if text not in by_code.get(code, {}):
                    self._modifiers(code, text, here)
            return list(map(getitem, map(by_code.__getitem__, codes), texts))

    def _unpaired(self, columns: Columns, start: int, end_ms: int, prefix: str,
                  here: str) -> Event:
        ms, subject, code = columns.ms[start], columns.subjects[start], columns.codes[start]
        message = f"state '{code}' of '{subject}' started at {ms_to_seconds(ms)} s has no stop"
        if self.unpaired == "error":
            self.problems.append(Problem(message, "add the stop event in BORIS", (), here))
        else:
            self.warnings.append(Problem(f"{message}; closed at the observation's end "
                                         f"({ms_to_seconds(end_ms)} s)", "", (), here))
        text = columns.modifiers[start]
        code_id, values, extra, _ = (self._modifier_cache.get(code, {}).get(text)
                                     or self._modifiers(code, text, here))
        comment = columns.comments[start]
        # The observation's end comes from the media's length and offset, which may lie outside
        # 0..ten days: validated, so such a file is refused as before.
        event: Event = _validate_event({
            "id": prefix + self._hex[columns.positions[start]], "subject": subject,
            "code": code_id, "onset_ms": ms, "offset_ms": max(end_ms, ms), "modifiers": values,
            "comment": _joined(comment, extra) if extra else comment,
            "frame": columns.frames[start], "provenance": None})
        return event

    def _id_prefix(self, obs_name: str) -> str:
        """Event ids are a per-observation UUIDv5 whose last 48 bits are the row's index, so a
        re-import of the same file gives the same ids."""
        if obs_name not in self._prefixes:
            base = uuid.uuid5(_ID_NAMESPACE, f"{self.project_name}\x00{obs_name}")
            self._prefixes[obs_name] = str(base)[:24]
        return self._prefixes[obs_name]

    def _modifiers(self, code: str, text: str, here: str) -> _Parsed:
        """Parsed once per (behaviour, modifier string): a project repeats a few strings."""
        known = self._modifier_cache.setdefault(code, {})
        if text not in known:
            behaviour = self.behaviours[code]
            values, extra = eth.parse_modifiers(text, behaviour, here, self.warnings)
            known[text] = (behaviour.id, values, extra,
                           any(type(v) is list for v in values.values()))
            self._extras = self._extras or bool(extra)
            self._lists = self._lists or known[text][3]
        return known[text]

    def _session_facts(self, obs: dict[str, Any], here: str) -> dict[str, Any]:
        """The session's length and the coding's ratings, from the ``samspill`` key of
        Samspill's own export; a value BORIS or a person spoiled is skipped with a warning."""
        block = obs.get("samspill")
        if not isinstance(block, dict):
            return {}
        facts: dict[str, Any] = {}
        length, ratings = block.get("duration_ms"), block.get("ratings")
        if type(length) is int and 0 < length <= MAX_MS:
            facts["duration_ms"] = length
        elif length is not None:
            self.warnings.append(Problem(f"the session length {length!r} is not whole ms; "
                                         "ignored", "", (), here))
        if isinstance(ratings, dict) and all(isinstance(k, str) and isinstance(v, str | int)
                                             for k, v in ratings.items()):
            facts["ratings"] = {k: str(v) for k, v in ratings.items()}
        elif ratings not in (None, {}):
            self.warnings.append(Problem("the ratings are unreadable and were skipped", "",
                                         (), here))
        return facts

    def _segments(self, obs: dict[str, Any], here: str) -> list[Segment]:
        block = obs.get("samspill")
        if not isinstance(block, dict) or not block.get("segments"):
            return []
        try:
            return [Segment.model_validate(s) for s in block["segments"]]
        except (ValidationError, TypeError) as exc:
            self.warnings.append(Problem(f"Samspill segments are unreadable and were skipped "
                                         f"({str(exc).splitlines()[0]})", "", (), here))
            return []


def _run_states(columns: Columns, state_rows: Iterable[int]
                ) -> tuple[list[tuple[int, int]], dict[RunningKey, int]]:
    """Pair the state rows in time order. Returns the (start, stop) rows of each state in the
    order they stop, and the states still running, in the order they started."""
    subjects, codes, modifiers = columns.subjects, columns.codes, columns.modifiers
    running: dict[RunningKey, int] = {}
    pairs: list[tuple[int, int]] = []
    with_modifiers = 0  # running states started with modifiers: only they take bare stops
    for j in state_rows:
        key = (subjects[j], codes[j], modifiers[j])
        start = running.pop(key, None)
        if start is None and with_modifiers and not key[2]:
            start = _bare_stop(running, key, columns.ms)
        if start is None:
            running[key] = j
            with_modifiers += bool(key[2])
            continue
        with_modifiers -= bool(modifiers[start])
        pairs.append((start, j))
    return pairs, running


def _bare_stop(running: dict[RunningKey, int], key: RunningKey, ms: Sequence[int]) -> int | None:
    """The running state a STOP row without modifiers ends: BORIS-App writes the modifiers on
    the START row only. Of several such states of the subject and behaviour, the earliest."""
    keys = [k for k in running if k[0] == key[0] and k[1] == key[1] and k[2]]
    if not keys:
        return None
    first = min(keys, key=lambda k: ms[running[k]])
    return running.pop(first)


def _take(indexes: list[int]) -> Callable[[Sequence[_T]], Sequence[_T]]:
    """A column's items at ``indexes`` (one or more), gathered in one sweep."""
    if len(indexes) == 1:
        only = indexes[0]
        return lambda column: (column[only],)
    return itemgetter(*indexes)


def _joined(*comments: str) -> str:
    """A start's comment, its stop's and the numeric modifiers, as one comment."""
    return " / ".join(c for c in comments if c)[:MAX_COMMENT]


def _copy(values: dict[str, Any]) -> dict[str, Any]:
    """Each event's own modifiers dict and lists, as validation would have made them."""
    return {k: list(v) if type(v) is list else v for k, v in values.items()}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _values(raw: object) -> dict[str, str]:
    if not isinstance(raw, dict):
        return {}
    return {str(k): "" if v is None else str(v) for k, v in raw.items()}


def _kind(obs: dict[str, Any], here: str, warnings: list[Problem]) -> Literal["media", "live"]:
    kind = obs.get("type", "MEDIA")
    if kind in ("MEDIA", "VIDEO", "AUDIO"):
        return "media"
    if kind == "IMAGES":
        warnings.append(Problem("an observation from images is imported by event time; image "
                                "indexes and paths are dropped", "", (), here))
        return "live"
    if kind == "LIVE":
        return "live"
    raise InputError(
        N_("unknown observation type {kind}"),
        fix=N_("use MEDIA or LIVE"),
        where=here,
        params={"kind": repr(kind)},
    )


def _subject_names(conf: object, source: str) -> list[str]:
    if conf is None:
        return []
    if not isinstance(conf, dict):
        raise InputError(
            N_("'subjects_conf' is not a mapping"),
            fix=N_("repair the subjects in BORIS"),
            where=source,
        )
    names = []
    for entry in conf.values():
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise InputError(
                N_("a subject has no name"),
                fix=N_("name every subject in BORIS"),
                where=source,
            )
        names.append(name)
    return list(dict.fromkeys(names))


def _embedded_scheme(pj: dict[str, Any]) -> Scheme | None:
    block = pj.get("samspill")
    if not isinstance(block, dict) or "scheme" not in block:
        return None
    try:
        return Scheme.model_validate(block["scheme"])
    except (ValidationError, TypeError):
        return None


def _agrees(embedded: Scheme, derived: Scheme) -> bool:
    """The embedded scheme still describes the ethogram: same codes, kinds and modifier options."""
    def shape(scheme: Scheme) -> dict[str, Any]:
        options = {m.id: tuple(m.options) for m in scheme.modifier_sets}
        return {c.id: (c.kind, tuple(c.modifiers), tuple(options.get(m) for m in c.modifiers))
                for c in scheme.codes}
    return shape(embedded) == shape(derived)
