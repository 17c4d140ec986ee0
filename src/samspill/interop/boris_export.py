"""Export of a Samspill :class:`Project` as a BORIS project (format 7.0; see :mod:`boris`)."""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, datetime
from typing import Any

from samspill.core.errors import N_, EventError, InputError
from samspill.core.events import Event, event_problems, events_fit
from samspill.core.problems import Problem, summarise
from samspill.core.scheme import Scheme
from samspill.interop import boris_ethogram as eth
from samspill.interop.boris_observation import media_conf, variables_conf
from samspill.interop.model import NO_FOCAL_SUBJECT, Observation, Project
from samspill.interop.safety import gc_paused, ms_to_seconds

PROJECT_FORMAT = "7.0"
N_PLAYERS = 8


def check_events(observations: list[Observation], scheme: Scheme, source: str) -> None:
    """Raise one :class:`EventError` listing every event that is incomplete or does not fit."""
    problems: list[Problem] = []
    for obs in observations:
        if events_fit(obs.events, scheme, complete=True):
            continue  # the common case; the problems and their labels are made only when needed
        labels = [f"observation '{obs.name}', {e.code} at {ms_to_seconds(e.onset_ms)} s"
                  for e in obs.events]
        problems += [_in_seconds(p) for p in
                     event_problems(obs.events, scheme, complete=True, labels=labels)]
    if problems:
        raise EventError(
            N_("{count} event(s) do not fit scheme '{id}':\n{value}"),
            fix=N_("choose the scheme the project was coded with, or correct the events"),
            where=source,
            params={
                "count": len(problems),
                "id": str(scheme.id),
                "value": str(summarise(problems)),
            },
        )


_MS = re.compile(r"\b(\d+) ms\b")


def _in_seconds(problem: Problem) -> Problem:
    """A problem's times in seconds, as a BORIS file has them (the core says ms)."""
    def seconds(match: re.Match[str]) -> str:
        return f"{ms_to_seconds(int(match.group(1)))} s"
    return Problem(_MS.sub(seconds, problem.message), problem.fix, problem.path,
                   _MS.sub(seconds, problem.where))


def write_boris(project: Project, *, compress: bool = False) -> bytes:
    """The project as a BORIS project file (gzip-compressed for ``.boris.gz`` if asked).

    Raises :class:`SchemeError` for modifier options BORIS cannot hold and :class:`EventError`
    listing events that are not complete and valid under the project's scheme.
    """
    with gc_paused():
        return _write(project, compress)


def _write(project: Project, compress: bool) -> bytes:
    scheme = project.scheme
    eth.check_exportable(scheme)
    names = [o.name for o in project.observations]
    if len(set(names)) != len(names):
        raise InputError(
            N_("two observations share a name"),
            fix=N_("give each observation its own name"),
        )
    check_events(project.observations, scheme, project.name or "project")
    categories = sorted({c.category for c in scheme.codes if c.category})
    pj = {
        "time_format": "hh:mm:ss", "project_name": project.name,
        "project_date": project.date or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "project_description": project.description, "project_format_version": PROJECT_FORMAT,
        "subjects_conf": _subjects_conf(scheme),
        "behaviors_conf": eth.ethogram(scheme),
        "observations": {o.name: _observation_conf(o, scheme) for o in project.observations},
        "behavioral_categories": categories,
        "behavioral_categories_config": {str(i): {"name": c, "color": ""}
                                         for i, c in enumerate(categories)},
        "independent_variables": variables_conf(project.variables),
        "coding_map": {}, "behaviors_coding_map": [], "converters": {},
        "samspill": {"format": 1, "scheme": _embedded_scheme(scheme)},
    }
    body = json.dumps(pj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return gzip.compress(body, mtime=0) if compress else body


def _embedded_scheme(scheme: Scheme) -> dict[str, Any]:
    """The scheme for the ``samspill`` key. A licensed scheme's rating anchors and item
    descriptions (the manual's wording) stay home: BORIS files get shared."""
    body = scheme.model_dump(mode="json")
    if scheme.licensed:
        for item in body["rating_items"]:
            item["anchors"], item["description"] = {}, ""
    return body


def _subjects_conf(scheme: Scheme) -> dict[str, Any]:
    named = [s for s in scheme.subjects if s != NO_FOCAL_SUBJECT]
    return {str(i): {"key": "", "name": s, "description": ""} for i, s in enumerate(named)}


def _observation_conf(obs: Observation, scheme: Scheme) -> dict[str, Any]:
    media = obs.kind == "media"
    conf: dict[str, Any] = {
        "file": {str(p): [m.path for m in obs.media if m.player == p]
                 for p in range(1, N_PLAYERS + 1)} if media else {},
        "type": "MEDIA" if media else "LIVE", "date": obs.date, "description": obs.description,
        "time offset": ms_to_seconds(obs.time_offset_ms),
        "events": _event_rows(obs.events, scheme, with_frame=media),
        "observation time interval": [0, 0],
        "independent_variables": dict(obs.variables),
        "visualize_spectrogram": False, "visualize_waveform": False,
        "close_behaviors_between_videos": False,
        "samspill": {"segments": [s.model_dump(mode="json") for s in obs.segments],
                     "duration_ms": obs.duration_ms, "ratings": dict(obs.ratings)},
    }
    if media:
        conf["media_info"] = media_conf(obs.media)
    else:
        conf.update({"scan_sampling_time": 0, "start_from_current_time": False})
    return conf


def _event_rows(events: list[Event], scheme: Scheme, *, with_frame: bool) -> list[list[Any]]:
    """Start, point and stop rows in time order. At one instant: stops of running states first,
    then each zero-length state's start and stop side by side, then new starts, so BORIS's
    parity pairing restores the same intervals.
    Times are ``ms / 1000`` (what :func:`ms_to_seconds` does, inlined for speed)."""
    keyed: list[tuple[int, int, int, int, list[Any]]] = []
    codes = {c.id: c for c in scheme.codes}
    for n, event in enumerate(sorted(events, key=lambda e: (e.onset_ms, e.subject, e.code))):
        code = codes.get(event.code)
        if code is None:  # unreachable after check_events; keeps the type checker honest
            continue
        subject = "" if event.subject == NO_FOCAL_SUBJECT else event.subject
        mods = eth.modifier_string(event, code) if code.modifiers else ""
        start = [event.onset_ms / 1000, subject, code.id, mods, event.comment]
        if with_frame:
            start.append(event.frame if event.frame is not None else "NA")
        instant = code.kind == "state" and event.offset_ms == event.onset_ms
        keyed.append((event.onset_ms, 1 if instant else 2, n, 0, start))
        if code.kind == "state" and event.offset_ms is not None:
            stop = [event.offset_ms / 1000, subject, code.id, mods, ""]
            if with_frame:
                stop.append("NA")
            keyed.append((event.offset_ms, 1 if instant else 0, n, 1, stop))
    keyed.sort(key=lambda k: k[:4])
    return [k[4] for k in keyed]
