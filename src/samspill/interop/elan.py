"""ELAN annotation files (``.eaf``, via pympi-ling) to and from one Samspill observation.

Layout of an export:

* one tier per subject (``tiers="subject"``) or per subject and dimension
  (``tiers="subject-dimension"``: a code's dimension, else its category, else ``other``); the
  tier's PARTICIPANT is the subject. Annotations on one ELAN tier must not overlap, so
  overlapping events spill into extra tiers ``caregiver (2)``, ``caregiver (3)``...;
* tier values come from the controlled vocabulary ``samspill-codes`` (the scheme's code ids,
  described by kind and name);
* a point event is a one-frame annotation: frame length 1000/fps ms, from ``fps`` or the main
  media's frame rate, 40 ms (25 fps) when neither is known. A state of length 0 cannot exist in
  ELAN and is written 1 ms long;
* modifiers live on child tiers ``<tier>/<modifier set>`` (symbolic association, with the
  set's options as a vocabulary for single-choice sets), comments on ``<tier>/comment``;
* each media file is a MEDIA_DESCRIPTOR whose TIME_ORIGIN is the media time at session time 0,
  i.e. minus the media's offset on the session timeline (BORIS's per-player offset).

The XML is checked with defusedxml (no DTD, no entities) before pympi, which uses the standard
library parser, reads it.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from typing import Any, Literal
from urllib.parse import quote, unquote

from defusedxml import ElementTree as SafeET
from pympi import Elan

from samspill.core.errors import N_, EventError, InputError, Note, NotedInputError
from samspill.core.events import Event, event_problems
from samspill.core.numbers import clock
from samspill.core.problems import Problem, summarise
from samspill.core.scheme import Code, Scheme
from samspill.interop.eaf_schema import check_eaf
from samspill.interop.elan_tiers import check_version, parse_eaf
from samspill.interop.model import Imported, MediaFile, Observation, Project
from samspill.interop.safety import as_bytes, check_ms, check_xml

TierLayout = Literal["subject", "subject-dimension"]
_Lanes = dict[tuple[str, str], list[tuple[Event, int, int]]]
_Slots = dict[tuple[tuple[str, str], int], list[str]]
CODE_CV = "samspill-codes"
CODE_TYPE = "samspill-code"
COMMENT_TYPE = "samspill-comment"
LANG = "und"
# Header properties of Samspill's export: ELAN keeps them, and an import finds the scheme, the
# session's length and the coding's ratings again.
SCHEME_PROPERTY = "samspill-scheme"
VERSION_PROPERTY = "samspill-scheme-version"
CHECKED_EXPORT_EVENTS = 500  # write_elan checks codings up to this size against the EAF schema
LENGTH_PROPERTY = "samspill-duration-ms"
PROCEDURE_PROPERTY = "samspill-procedure"
RATINGS_PROPERTY = "samspill-ratings"
_CV_SCHEME = re.compile(r"^codes of scheme (\S+) v(\d+)$")
DEFAULT_FPS = 25.0
_ID_NAMESPACE = uuid.UUID("0b5f6a10-7c77-4a8e-8f0e-2f1c2a9d4e55")
_MIME = {"mp4": "video/mp4", "mov": "video/quicktime", "avi": "video/x-msvideo",
         "mpg": "video/mpeg", "mpeg": "video/mpeg", "wav": "audio/x-wav", "mp3": "audio/mpeg",
         "webm": "video/webm", "mkv": "video/x-matroska"}


def media_url(path: str) -> str:
    """An absolute path as the file URL ELAN writes; other paths unchanged."""
    if re.match(r"^[A-Za-z]:[\\/]", path):
        return "file:///" + quote(path.replace("\\", "/"), safe="/:")
    return "file://" + quote(path, safe="/:") if path.startswith("/") else path


def media_path(url: str) -> str:
    """The path of a MEDIA_URL (``file:///C:/x.mp4`` → ``C:/x.mp4``)."""
    if not url.startswith("file://"):
        return url
    path = unquote(url.removeprefix("file://"))
    return path[1:] if re.match(r"^/[A-Za-z]:/", path) else path


def frame_ms(observation: Observation, fps: float | None) -> int:
    """The length of one frame in ms: from ``fps``, else the main media, else 25 fps."""
    rate = fps or next((m.fps for m in observation.media if m.player == 1 and m.fps), None)
    return max(1, round(1000 / (rate or DEFAULT_FPS)))


# ---------------------------------------------------------------- export

def write_elan(observation: Observation, scheme: Scheme, *, tiers: TierLayout = "subject",
               fps: float | None = None) -> bytes:
    """The observation as an ELAN ``.eaf`` document (UTF-8 bytes), valid under EAF 3.0.

    A coding of up to CHECKED_EXPORT_EVENTS events (nearly every session's) is checked against
    ELAN's EAF 3.0 schema before it is returned, and refused rather than written if it breaks
    it. Larger ones are not: the schema check (xmlschema, pure Python) costs about a second per
    thousand events; tests/interop/test_eaf_schema.py checks the writer on every scheme.
    """
    labels = [f"{e.code} at {e.onset_ms} ms" for e in observation.events]
    problems = event_problems(observation.events, scheme, complete=True, labels=labels)
    if problems:
        raise EventError(
            N_("{count} event(s) cannot be exported:\n{value}"),
            fix=N_("complete or correct the events first"),
            where=observation.name,
            params={"count": len(problems), "value": str(summarise(problems))},
        )
    eaf = Elan.Eaf(author="Samspill")
    eaf.remove_tier("default")
    eaf.add_language(LANG)
    _vocabularies(eaf, scheme)
    for media in observation.media:
        suffix = media.path.rsplit(".", 1)[-1].lower()
        eaf.add_linked_file(media_url(media.path),
                            mimetype=_MIME.get(suffix, "application/octet-stream"),
                            time_origin=-media.offset_ms if media.offset_ms else None)
    lanes = _lanes(observation.events, scheme, tiers, frame_ms(observation, fps))
    slots = _timeslots(eaf, lanes)
    for tier, events in lanes.items():
        _write_tier(eaf, tier, events, slots)
    eaf.properties = [("lastUsedAnnotation", eaf.maxaid), (SCHEME_PROPERTY, scheme.id),
                      (VERSION_PROPERTY, str(scheme.version))]
    if observation.duration_ms is not None:
        eaf.properties.append((LENGTH_PROPERTY, str(observation.duration_ms)))
    if observation.variables.get("procedure"):
        eaf.properties.append((PROCEDURE_PROPERTY, observation.variables["procedure"]))
    if observation.ratings:
        eaf.properties.append((RATINGS_PROPERTY, json.dumps(observation.ratings,
                                                            ensure_ascii=False, sort_keys=True)))
    body: str = Elan.to_string(eaf)
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n' + body.encode("utf-8")
    if len(observation.events) <= CHECKED_EXPORT_EVENTS:
        check_eaf(data, observation.name)
    return data


def _vocabularies(eaf: Elan.Eaf, scheme: Scheme) -> None:
    eaf.add_controlled_vocabulary(CODE_CV)
    eaf.add_cv_description(CODE_CV, LANG, f"codes of scheme {scheme.id} v{scheme.version}")
    for code in scheme.codes:
        eaf.add_cv_entry(CODE_CV, code.id, [(code.id, LANG, f"{code.kind}: {code.name}")])
    _add_type(eaf, CODE_TYPE, None, CODE_CV)
    _add_type(eaf, COMMENT_TYPE, "Symbolic_Association", None)
    for mset in scheme.modifier_sets:
        cv = f"samspill-modifier-{mset.id}" if mset.choice == "single" else None
        if cv:
            eaf.add_controlled_vocabulary(cv)
            for option in mset.options:
                eaf.add_cv_entry(cv, f"{mset.id}-{option}", [(option, LANG, None)])
        _add_type(eaf, f"samspill-modifier-{mset.id}", "Symbolic_Association", cv)


def _add_type(eaf: Elan.Eaf, name: str, constraint: str | None, cv: str | None) -> None:
    eaf.add_linguistic_type(name, param_dict={
        "LINGUISTIC_TYPE_ID": name, "TIME_ALIGNABLE": "false" if constraint else "true",
        "GRAPHIC_REFERENCES": "false", "CONSTRAINTS": constraint,
        "CONTROLLED_VOCABULARY_REF": cv})


def _group(code: Code, layout: TierLayout) -> str:
    return "" if layout == "subject" else (code.dimension or code.category or "other")


def _lanes(events: list[Event], scheme: Scheme, layout: TierLayout, one_frame: int) -> _Lanes:
    """Events per tier (subject, name); overlapping ones go to numbered extra tiers."""
    lanes: _Lanes = {}
    for event in sorted(events, key=lambda e: (e.onset_ms, e.offset_ms or e.onset_ms)):
        code = scheme.code(event.code)
        if code is None:
            continue
        end = event.onset_ms + one_frame if event.offset_ms is None else max(
            event.offset_ms, event.onset_ms + 1)
        base = " ".join(p for p in (event.subject, _group(code, layout)) if p)
        n = 1
        while True:
            name = base if n == 1 else f"{base} ({n})"
            lane = lanes.setdefault((event.subject, name), [])
            if not lane or lane[-1][2] <= event.onset_ms:
                lane.append((event, event.onset_ms, end))
                break
            n += 1
    return lanes


def _timeslots(eaf: Elan.Eaf, lanes: _Lanes) -> _Slots:
    """One time slot per annotation boundary, numbered in time order as ELAN writes them."""
    bounds = [(time, side, key, i) for key, items in lanes.items()
              for i, (_, start, end) in enumerate(items) for side, time in ((0, start), (1, end))]
    bounds.sort(key=lambda b: (b[0], b[1]))
    slots: _Slots = {}
    for n, (time, side, key, i) in enumerate(bounds, start=1):
        eaf.timeslots[f"ts{n}"] = time
        slots.setdefault((key, i), ["", ""])[side] = f"ts{n}"
    eaf.maxts = len(bounds)
    return slots


def _write_tier(eaf: Elan.Eaf, key: tuple[str, str], events: list[tuple[Event, int, int]],
                slots: _Slots) -> None:
    subject, tier = key
    eaf.add_tier(tier, ling=CODE_TYPE, part=subject)
    children: dict[str, str] = {}
    for i, (event, _, _) in enumerate(events):
        parent = _aligned(eaf, tier, slots[(key, i)], event.code)
        for set_id, value in event.modifiers.items():
            text = ",".join(value) if isinstance(value, list) else value
            _ref(eaf, _child(eaf, children, tier, set_id, f"samspill-modifier-{set_id}", subject),
                 parent, text)
        if event.comment:
            _ref(eaf, _child(eaf, children, tier, "comment", COMMENT_TYPE, subject), parent,
                 event.comment)


def _child(eaf: Elan.Eaf, children: dict[str, str], tier: str, name: str, ling: str,
           subject: str) -> str:
    if name not in children:
        children[name] = f"{tier}/{name}"
        eaf.add_tier(children[name], ling=ling, parent=tier, part=subject)
    return children[name]


def _aligned(eaf: Elan.Eaf, tier: str, slots: list[str], value: str) -> str:
    """Add a time-aligned annotation and return its id (pympi's add_annotation, keeping the id)."""
    aid: str = eaf.generate_annotation_id()
    eaf.annotations[aid] = tier
    eaf.tiers[tier][0][aid] = (slots[0], slots[1], value, None)
    return aid


def _ref(eaf: Elan.Eaf, tier: str, parent: str, value: str) -> None:
    aid = eaf.generate_annotation_id()
    eaf.annotations[aid] = tier
    eaf.tiers[tier][1][aid] = (parent, value, None, None)


# ---------------------------------------------------------------- import

def elan_scheme(data: bytes | str, *, source: str = "session.eaf") -> tuple[str, int] | None:
    """The scheme (id, version) a Samspill export names in its header or in its code
    vocabulary's description; None for a file Samspill did not write."""
    raw = as_bytes(data, source)
    check_xml(raw, source)
    root = SafeET.fromstring(raw)
    props = {p.get("NAME"): (p.text or "").strip() for p in root.iterfind("HEADER/PROPERTY")}
    version = props.get(VERSION_PROPERTY, "")
    if props.get(SCHEME_PROPERTY):
        return props[SCHEME_PROPERTY], int(version) if _whole(version) else 0
    for cv in root.iterfind("CONTROLLED_VOCABULARY"):
        if cv.get("CV_ID") == CODE_CV:
            for text in [cv.get("DESCRIPTION") or ""] + [
                    (d.text or "") for d in cv.iterfind("DESCRIPTION")]:
                match = _CV_SCHEME.match(text.strip())
                if match:
                    return match.group(1), int(match.group(2))
    return None


def _whole(text: str) -> bool:
    """ASCII digits only (``str.isdigit`` also takes ``²``, which ``int`` refuses)."""
    return text.isascii() and text.isdigit()


def read_elan(data: bytes | str, *, scheme: Scheme, source: str = "session.eaf",
              tiers: list[str] | None = None) -> Imported:
    """An ELAN file's coding tiers as one observation of ``scheme``'s events.

    Reads the named ``tiers``, else every top-level tier using the ``samspill-codes``
    vocabulary, else every top-level tier. Annotation values must be code ids (or code
    names) of the scheme; a state ends where its annotation ends, a point at its start.
    """
    raw = as_bytes(data, source)
    check_xml(raw, source)
    check_version(raw, source)
    eaf = parse_eaf(raw, source)
    try:
        return _Reader(eaf, scheme, source).read(tiers)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            N_("the ELAN file is inconsistent ({name}: {reason})"),
            fix=N_("open it in ELAN, check the tiers and save it again"),
            where=source,
            params={"name": str(type(exc).__name__), "reason": str(exc)},
        ) from exc


TIER_OVERLAP = ("{count} pair(s) of annotations overlap on one tier (a tier is one stream of "
                "annotations): {pairs}")
TIER_OVERLAP_FIX = "move or shorten them in ELAN, or put one of each pair on a tier of its own"


_MS = re.compile(r"\b(\d+) ms\b")


def _in_clock(problem: Problem) -> Problem:
    """A problem's times as ELAN shows them, mm:ss.mmm (the core says ms)."""
    def shown(match: re.Match[str]) -> str:
        return clock(int(match.group(1)), millis=True)
    return Problem(_MS.sub(shown, problem.message), problem.fix, problem.path, problem.where)


def _span(span: tuple[int, int]) -> str:
    return f"{clock(span[0], millis=True)}–{clock(span[1], millis=True)}"


class _Reader:
    def __init__(self, eaf: Elan.Eaf, scheme: Scheme, source: str) -> None:
        self.eaf, self.scheme, self.source = eaf, scheme, source
        self.warnings: list[Problem] = []
        self.problems: list[Problem] = []
        self.by_name = {c.name.casefold(): c for c in scheme.codes}

    def read(self, tiers: list[str] | None) -> Imported:
        chosen = self._tiers(tiers)
        self._refuse_overlaps(chosen)
        events: list[Event] = []
        labels: list[str] = []
        for tier in chosen:
            found = self._tier_events(tier)
            events += found
            labels += [f"tier '{tier}', {e.code} at {clock(e.onset_ms, millis=True)}"
                       for e in found]
        self.problems += [_in_clock(p) for p in
                          event_problems(events, self.scheme, complete=True, labels=labels)]
        if self.problems:
            raise EventError(
                N_("{count} problem(s):\n{value}"),
                fix=N_("choose the scheme they were coded with (this check used '{id}'; "
                       "--scheme, or Scheme on the import form), derive one from the file's "
                       "tiers (--derive-scheme) or map its tiers onto a scheme (--mapping, "
                       "--write-mapping)"),
                where=self.source,
                params={
                    "count": len(self.problems),
                    "value": str(summarise(self.problems)),
                    "id": str(self.scheme.id),
                },
            )
        observation = Observation(name=os.path.basename(self.source).removesuffix(".eaf") or "?",
                                  media=self._media(), events=events, **self._session_facts())
        return Imported(project=Project(scheme=self.scheme, observations=[observation]),
                        warnings=self.warnings)

    def _refuse_overlaps(self, tiers: list[str]) -> None:
        """One tier is one stream of annotations (ELAN itself never lets two overlap), so an
        overlap means a broken or hand-edited file, whatever the codes: refused, named."""
        pairs: list[str] = []
        for tier in tiers:
            spans = sorted((self.eaf.timeslots.get(ts1), self.eaf.timeslots.get(ts2))
                           for ts1, ts2, _, _ in self.eaf.tiers[tier][0].values())
            timed = [(a, b) for a, b in spans if isinstance(a, int) and isinstance(b, int)]
            longest: tuple[int, int] | None = None  # the span reaching furthest so far
            for span in timed:
                if longest is not None and span[0] < longest[1]:
                    pairs.append(f"tier '{tier}': {_span(longest)} and {_span(span)}")
                if longest is None or span[1] > longest[1]:
                    longest = span
        if pairs:
            shown = "; ".join(pairs[:20]) + (f"; … ({len(pairs) - 20} more)"
                                             if len(pairs) > 20 else "")
            raise NotedInputError(Note(TIER_OVERLAP, fix=TIER_OVERLAP_FIX, where=self.source,
                                       params={"count": len(pairs), "pairs": shown}))

    def _tiers(self, names: list[str] | None) -> list[str]:
        tiers = self.eaf.tiers
        if names is not None:
            missing = [n for n in names if n not in tiers]
            if missing:
                raise InputError(
                    N_("no tier named {m}"),
                    fix=N_("choose among: {t}"),
                    where=self.source,
                    params={"m": ', '.join(missing), "t": ', '.join(tiers)},
                )
            return names
        top = [t for t, v in tiers.items() if not v[2].get("PARENT_REF")]
        coded = [t for t in top if self._uses_code_cv(t)]
        return coded or top

    def _uses_code_cv(self, tier: str) -> bool:
        ling = self.eaf.tiers[tier][2].get("LINGUISTIC_TYPE_REF")
        cv: object = self.eaf.linguistic_types.get(ling, {}).get("CONTROLLED_VOCABULARY_REF")
        return cv == CODE_CV

    def _tier_events(self, tier: str) -> list[Event]:
        params = self.eaf.tiers[tier][2]
        subject = (params.get("PARTICIPANT") or tier).strip()
        extras = self._children(tier)
        out = []
        for aid, (ts1, ts2, value, _) in self.eaf.tiers[tier][0].items():
            start, end = self.eaf.timeslots.get(ts1), self.eaf.timeslots.get(ts2)
            where = f"{self.source}: tier '{tier}', annotation {aid}"
            code = self._code((value or "").strip(), where)
            if code is None or start is None or end is None:
                if start is None or end is None:
                    self.problems.append(Problem("the annotation has no time", "align it in ELAN",
                                                 (), where))
                continue
            modifiers, comment = self._annotation_extras(extras, aid, code)
            out.append(Event(
                id=str(uuid.uuid5(_ID_NAMESPACE, f"{tier}\x00{aid}")), subject=subject,
                code=code.id, onset_ms=check_ms(start, where),
                offset_ms=None if code.kind == "point" else check_ms(end, where),
                modifiers=modifiers, comment=comment[:2000]))
        return out

    def _code(self, value: str, where: str) -> Code | None:
        code = self.scheme.code(value) or self.by_name.get(value.casefold())
        if code is None:
            self.problems.append(Problem(f"'{value}' is not a code of scheme '{self.scheme.id}'",
                                         "use the scheme's codes or choose other tiers", (),
                                         where))
        return code

    def _children(self, tier: str) -> dict[str, dict[str, str]]:
        """Child tier name suffix → {parent annotation id: value}."""
        out: dict[str, dict[str, str]] = {}
        for name, (_, refs, params, _) in self.eaf.tiers.items():
            if params.get("PARENT_REF") != tier:
                continue
            suffix = name.rsplit("/", 1)[-1]
            out[suffix] = {ref: (value or "") for ref, value, _, _ in refs.values()}
        return out

    def _annotation_extras(self, extras: dict[str, dict[str, str]], aid: str,
                           code: Code) -> tuple[dict[str, Any], str]:
        modifiers: dict[str, Any] = {}
        for set_id in code.modifiers:
            value = extras.get(set_id, {}).get(aid, "").strip()
            mset = self.scheme.modifier_set(set_id)
            if value and mset is not None:
                parts = [v.strip() for v in value.split(",") if v.strip()]
                modifiers[set_id] = parts if mset.choice == "multiple" else value
        return modifiers, extras.get("comment", {}).get(aid, "")

    def _session_facts(self) -> dict[str, Any]:
        """The session's length and the ratings, from Samspill's header properties."""
        found = dict(self.eaf.properties)
        facts: dict[str, Any] = {}
        length = str(found.get(LENGTH_PROPERTY, "")).strip()
        if _whole(length) and int(length) > 0:
            facts["duration_ms"] = check_ms(int(length), self.source)
        if found.get(PROCEDURE_PROPERTY):
            facts["variables"] = {"procedure": str(found[PROCEDURE_PROPERTY])}
        try:
            ratings = json.loads(found.get(RATINGS_PROPERTY) or "{}")
        except ValueError:
            ratings = None
        if isinstance(ratings, dict) and all(isinstance(v, str | int) for v in ratings.values()):
            facts["ratings"] = {str(k): str(v) for k, v in ratings.items()}
        else:
            self.warnings.append(Problem("the ratings property is unreadable; ratings skipped",
                                         "", (), self.source))
        return facts

    def _media(self) -> list[MediaFile]:
        out = []
        for i, descriptor in enumerate(self.eaf.media_descriptors[:8]):
            origin = descriptor.get("TIME_ORIGIN")
            try:
                offset = -int(origin) if origin not in (None, "") else 0
                check_ms(offset, self.source, allow_negative=True)
            except ValueError:
                self.warnings.append(Problem(f"TIME_ORIGIN {origin!r} is not whole ms; ignored",
                                             "", (), self.source))
                offset = 0
            out.append(MediaFile(path=media_path(descriptor.get("MEDIA_URL") or "?"), player=i + 1,
                                 offset_ms=offset))
        return out
