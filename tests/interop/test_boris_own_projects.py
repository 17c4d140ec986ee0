"""Projects as BORIS itself writes them: BORIS's loader and Samspill's import must agree.

BORIS's repository has test projects (tests/files/*.boris) under the GPL; Samspill copies none
of them. Point SAMSPILL_BORIS_TEST_PROJECTS at a folder holding them (a checkout's
``tests/files``) and each is imported and compared with BORIS's own loader. Always run: a
synthetic project built here with the same features (media on two players and in sequence,
live observations, a state left without a stop, point and state events with and without a
subject, modifier values with spaces and key shortcuts, "None" for an unset modifier, an
observation without events, every kind of independent variable, no subjects at all).
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest
from boris_runner import boris_loader, boris_python_fixture  # noqa: F401 (a fixture)

from samspill.core.events import Event
from samspill.interop.boris import read_boris
from samspill.interop.model import NO_FOCAL_SUBJECT, Imported

_STATE, _POINT = "State event", "Point event"


def _behaviour(code: str, kind: str, modifiers: dict | None = None) -> dict:
    return {"type": kind, "key": code[0], "code": code, "description": "", "category": "",
            "modifiers": modifiers or {}, "excluded": "", "coding map": ""}


def _observation(kind: str, events: list, files: object = None, **more: object) -> dict:
    obs = {"type": kind, "date": "2026-12-07T10:00:00", "description": "", "time offset": 0.0,
           "file": files if files is not None else ({} if kind == "LIVE" else []),
           "events": sorted(events, key=lambda e: e[0]),  # BORIS keeps them in time order
           "independent_variables": {}, "visualize_spectrogram": False,
           "close_behaviors_between_videos": False, **more}
    if kind == "LIVE":
        obs["scan_sampling_time"] = 0
    return obs


def feature_project(subjects: bool = True) -> dict:
    """A project with the features of BORIS's own test projects, as BORIS 8 saves it."""
    tone = {"0": {"name": "tone ", "type": 0, "values": ["soft  (s)", "loud  ", "flat"]},
            "1": {"name": "pace", "type": 0, "values": ["111", "slow (w)", "fast  "]}}
    behaviours = {"0": _behaviour("p", _POINT), "1": _behaviour("s", _STATE),
                  "2": _behaviour("q", _POINT, tone), "3": _behaviour("r", _STATE, tone),
                  "4": _behaviour("hand - left", _STATE)}
    who = ["subject1", "subject2"] if subjects else [""]
    media = {"1": ["clip_360s.mp4"], "2": ["clip_180s.mp4"]}
    info = {"length": {"clip_360s.mp4": 360.0, "clip_180s.mp4": 180.0},
            "fps": {"clip_360s.mp4": 25.0, "clip_180s.mp4": 25.0},
            "hasVideo": {"clip_360s.mp4": True, "clip_180s.mp4": True},
            "hasAudio": {"clip_360s.mp4": False, "clip_180s.mp4": True},
            "offset": {"1": 0.0, "2": 2.5}}
    observations = {
        "two players": _observation("MEDIA", [[22.425, "", "p", "", "", 560],
                                              [199.96, who[-1], "p", "", "", 4999]],
                                    media, media_info=info),
        "in sequence": _observation("MEDIA", [
            [1.8, "", "s", "", ""], [8.125, "", "s", "", ""], [3.3, who[0], "s", "", "start"],
            [7.75, who[0], "s", "", "stop"], [9.9, who[0], "hand - left", "", ""],
            [16.2, who[0], "hand - left", "", ""], [370.0, "", "s", "", ""],
            [371.5, "", "s", "", ""]],
            {"1": ["clip_180s.mp4", "clip_360s.mp4"], "2": []}, media_info=info),
        "modifiers": _observation("MEDIA", [
            [8.475, "", "q", "soft  |111", ""], [12.35, "", "q", "loud  |None", ""],
            [13.0, "", "q", "None|fast  ", "odd, spaced"], [20.0, who[-1], "r", "flat|slow", ""],
            [25.5, who[-1], "r", "flat|slow", ""]],
            {"1": ["clip_180s.mp4"], "2": []}, media_info=info),
        "live not paired": _observation("LIVE", [
            [2.048, "", "p", "", ""], [2.718, "", "s", "", ""], [5.0, who[0], "s", "", ""],
            [9.25, who[0], "s", "", ""], [10.0, "", "s", "", ""], [26.862, "", "s", "", ""],
            [27.5, "", "p", "", ""]]),
        "live": _observation("LIVE", [[1.75, "", "p", "", ""], [3.75, who[0], "p", "", ""]],
                             files=[]),
        "without events": _observation("LIVE", [], **{"observation time interval": [0, 0]}),
    }
    variables = {str(i): {"label": label, "description": "", "type": kind,
                          "default value": "", "possible values": values}
                 for i, (label, kind, values) in enumerate([
                     ("a", "numeric", ""), ("b", "text", ""), ("c", "value from set", "1,2,3"),
                     ("when", "timestamp", ""), ("how long", "duration", ""),
                     ("<Media File 1>", "filereference", "")])}
    return {"time_format": "hh:mm:ss", "project_name": "features", "project_date": "",
            "project_description": "", "project_format_version": "7.0",
            "subjects_conf": {str(i): {"key": str(i + 1), "name": n, "description": ""}
                              for i, n in enumerate(who) if n},
            "behaviors_conf": behaviours, "behavioral_categories": [], "coding_map": {},
            "behaviors_coding_map": [], "converters": {}, "independent_variables": variables,
            "observations": observations}


def _own_test_projects() -> list[Path]:
    folder = os.environ.get("SAMSPILL_BORIS_TEST_PROJECTS")
    return sorted(Path(folder).glob("*.boris")) if folder else []


def _projects() -> list:
    synthetic = [pytest.param("synthetic", id="synthetic"),
                 pytest.param("synthetic-no-subjects", id="synthetic-no-subjects")]
    return synthetic + [pytest.param(p, id=f"boris-{p.name}") for p in _own_test_projects()]


def _write(which: str | Path, tmp_path: Path) -> Path:
    if isinstance(which, Path):
        return which
    path = tmp_path / f"{which}.boris"
    path.write_text(json.dumps(feature_project(subjects=which == "synthetic")))
    return path


def _option(value: str) -> str:
    """A BORIS modifier value as Samspill keeps it: no outer spaces, no key shortcut."""
    return re.sub(r"\s*\([^()]*\)$", "", value.strip()).strip()


def _boris_side(spans: list, open_starts: set) -> Counter:
    out: Counter = Counter()
    for subject, code, modifier, start, stop in spans:
        parts = tuple(_option(m) for m in modifier.split("|")) if modifier else ()
        key = (subject or NO_FOCAL_SUBJECT, code, parts, round(float(start) * 1000))
        if stop == "open":
            open_starts.add(key)
            continue
        out[(*key, None if stop is None else round(float(stop) * 1000))] += 1
    return out


def _our_side(imported: Imported, events: list[Event], open_starts: set) -> Counter:
    scheme = imported.project.scheme
    out: Counter = Counter()
    for event in events:
        code = scheme.code(event.code)
        values = tuple(event.modifiers.get(m, "None") for m in code.modifiers)
        key = (event.subject, code.name, values if any(v != "None" for v in values) else (),
               event.onset_ms)
        if key in open_starts:  # BORIS leaves it open; Samspill closes it and warns
            continue
        out[(*key, event.offset_ms)] += 1
    return out


@pytest.mark.parametrize("which", _projects())
def test_boris_and_samspill_read_the_same_intervals(boris_python: str, tmp_path: Path,
                                                    which: str | Path):
    path = _write(which, tmp_path)
    boris = boris_loader(boris_python, path)
    assert boris["error"] is None
    imported = read_boris(path.read_bytes(), source=path.name)
    names = set(boris["intervals"])
    assert {o.name for o in imported.project.observations} == names
    for obs in imported.project.observations:
        open_starts: set = set()
        theirs = _boris_side(boris["intervals"][obs.name], open_starts)
        ours = _our_side(imported, obs.events, open_starts)
        assert ours == _unset_modifiers_dropped(theirs), obs.name
    unpaired = sum(1 for spans in boris["intervals"].values() for s in spans if s[4] == "open")
    assert sum("has no stop" in w.message for w in imported.warnings) == unpaired


def _unset_modifiers_dropped(spans: Counter) -> Counter:
    """("None", "None") and () both mean no modifier was chosen."""
    out: Counter = Counter()
    for (subject, code, parts, start, stop), n in spans.items():
        out[(subject, code, parts if any(p != "None" for p in parts) else (), start, stop)] += n
    return out


def test_the_synthetic_project_has_every_feature_it_claims():
    imported = read_boris(json.dumps(feature_project()).encode())
    project = imported.project
    by_name = {o.name: o for o in project.observations}
    assert {m.player for m in by_name["two players"].media} == {1, 2}
    assert by_name["two players"].media[1].offset_ms == 2500
    assert [m.path for m in by_name["in sequence"].media] == ["clip_180s.mp4", "clip_360s.mp4"]
    assert by_name["in sequence"].media_duration_ms() == 540_000
    assert sorted(e.frame for e in by_name["two players"].events) == [560, 4999]
    assert by_name["live"].kind == "live" and by_name["without events"].events == []
    assert {v.type for v in project.variables} == {"numeric", "text", "set", "timestamp"}
    assert project.scheme.modifier_set("tone").options == ["soft", "loud", "flat"]
    unpaired = [w.message for w in imported.warnings if "has no stop" in w.message]
    assert len(unpaired) == 1 and "26.862 s" in unpaired[0]
    assert any(e.subject == NO_FOCAL_SUBJECT for e in by_name["modifiers"].events)
