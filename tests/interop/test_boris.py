"""BORIS projects: round trips, odd but valid files, export refusals, BORIS's own loader."""

from __future__ import annotations

import gzip
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from boris_runner import boris_loader, boris_python_fixture  # noqa: F401 (a fixture)
from hypothesis import HealthCheck, given, settings
from interop_factories import (
    coded_events,
    comparable,
    open_scheme,
    rich_project,
    vignette_project,
)

from samspill.core.errors import EventError, InputError, SchemeError
from samspill.core.events import Event
from samspill.core.scheme import ModifierSet
from samspill.interop.boris import read_boris, write_boris
from samspill.interop.model import NO_FOCAL_SUBJECT, Observation, Project
from samspill.interop.safety import MAX_MS


def _strip_samspill(data: bytes) -> bytes:
    pj = json.loads(data)
    pj.pop("samspill")
    for obs in pj["observations"].values():
        obs.pop("samspill")
    return json.dumps(pj).encode()


def _project(behaviours: dict, events: list, **obs: object) -> bytes:
    """A hand-written BORIS project with one observation."""
    observation = {"type": "MEDIA", "file": {"1": ["/gone/away.mp4"]}, "events": events,
                   "media_info": {"length": {"/gone/away.mp4": 100.0}}, **obs}
    return json.dumps({"project_name": "odd", "subjects_conf": {
        "0": {"key": "1", "name": "mother", "description": ""}},
        "behaviors_conf": behaviours, "observations": {"obs 1": observation}}).encode()


def _behaviour(code: str, kind: str = "State event", modifiers: object = None, **more: str) -> dict:
    return {"type": kind, "key": "", "code": code, "description": "", "category": "",
            "modifiers": modifiers or {}, "excluded": "", "coding map": "", **more}


def test_vignette_round_trip_gives_identical_events_scheme_segments_and_media():
    project = vignette_project()
    back = read_boris(write_boris(project))
    assert back.warnings == []
    assert back.project.scheme == project.scheme
    got, sent = back.project.observations[0], project.observations[0]
    assert comparable(got.events) == comparable(sent.events)
    assert got.segments == sent.segments
    assert got.media == sent.media
    assert got.variables == sent.variables
    assert back.project.variables == project.variables


def test_gzip_export_reads_back_the_same():
    project = vignette_project()
    data = write_boris(project, compress=True)
    assert data[:2] == b"\x1f\x8b"
    assert comparable(read_boris(data).project.observations[0].events) == comparable(
        project.observations[0].events)


def test_reimport_gives_the_same_event_ids():
    data = write_boris(vignette_project())
    first = [e.id for e in read_boris(data).project.observations[0].events]
    assert first == [e.id for e in read_boris(data).project.observations[0].events]


def test_ethogram_alone_restores_codes_modifiers_and_exclusive_groups():
    scheme = open_scheme()
    back = read_boris(_strip_samspill(write_boris(vignette_project()))).project.scheme
    for code in scheme.codes:
        got = back.code(code.id)
        assert (got.kind, got.key, got.category, got.modifiers, got.description) == (
            code.kind, code.key, code.category, code.modifiers, code.description)
    for mset in scheme.modifier_sets:
        assert back.modifier_set(mset.id).options == mset.options
    assert [g.codes for g in back.exclusive_groups] == [["near", "far", "absent"]]
    assert back.subjects == scheme.subjects


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(coded_events(limit=MAX_MS))
def test_any_valid_coding_survives_the_round_trip_to_the_millisecond(events: list[Event]):
    project = Project(scheme=open_scheme(), observations=[
        Observation(name="s", kind="media", events=events)])
    back = read_boris(write_boris(project))
    assert back.warnings == []
    assert comparable(back.project.observations[0].events) == comparable(events)


def test_unpaired_state_is_closed_at_media_end_with_a_warning():
    data = _project({"0": _behaviour("cry")}, [[1.5, "mother", "cry", "", ""],
                                              [3.0, "mother", "cry", "", ""],
                                              [7.25, "mother", "cry", "", "again"]])
    imported = read_boris(data)
    events = sorted(imported.project.observations[0].events, key=lambda e: e.onset_ms)
    assert [(e.onset_ms, e.offset_ms) for e in events] == [(1500, 3000), (7250, 100_000)]
    assert len(imported.warnings) == 1
    assert "no stop" in imported.warnings[0].message
    assert "obs 1" in imported.warnings[0].where


def test_unpaired_state_is_refused_when_asked():
    data = _project({"0": _behaviour("cry")}, [[1.5, "mother", "cry", "", ""]])
    with pytest.raises(InputError, match="no stop"):
        read_boris(data, unpaired="error")


def test_states_pair_per_modifier_string_as_boris_does():
    mods = {"0": {"name": "tone", "type": 0, "values": ["warm", "flat"]}}
    data = _project({"0": _behaviour("talk", modifiers=mods)}, [
        [1.0, "mother", "talk", "warm", ""], [2.0, "mother", "talk", "flat", ""],
        [3.0, "mother", "talk", "warm", ""], [4.0, "mother", "talk", "flat", ""]])
    events = read_boris(data).project.observations[0].events
    spans = sorted((e.modifiers["tone"], e.onset_ms, e.offset_ms) for e in events)
    assert spans == [("flat", 2000, 4000), ("warm", 1000, 3000)]


def test_modifier_strings_with_pipes_and_commas_split_into_sets_and_choices():
    mods = {"0": {"name": "with", "type": 1, "values": ["toy (t)", "book (b)", "cup"]},
            "1": {"name": "tone", "type": 0, "values": ["warm", "flat"]},
            "2": {"name": "loudness", "type": 2, "values": []}}
    data = _project({"0": _behaviour("offer", "Point event", mods)}, [
        [1.0, "mother", "offer", "toy,book|flat|72.5", "note"],
        [2.0, "mother", "offer", "None|None|None", ""]])
    imported = read_boris(data)
    first, second = sorted(imported.project.observations[0].events, key=lambda e: e.onset_ms)
    assert first.modifiers == {"with": ["toy", "book"], "tone": "flat"}
    assert first.comment == "note / loudness=72.5"
    assert second.modifiers == {}
    assert imported.project.scheme.modifier_set("with").choice == "multiple"


def test_modifier_value_missing_from_ethogram_is_added_with_a_warning():
    mods = {"0": {"name": "tone", "type": 0, "values": ["warm"]}}
    data = _project({"0": _behaviour("say", "Point event", mods)},
                    [[1.0, "mother", "say", "icy", ""]])
    imported = read_boris(data)
    assert imported.project.scheme.modifier_set("tone").options == ["warm", "icy"]
    assert any("icy" in w.message for w in imported.warnings)


def test_old_string_modifiers_codes_with_spaces_and_no_focal_subject_are_read():
    data = _project({"0": _behaviour("look away", "Point event", "a,b|c,d")},
                    [[0.5, "", "look away", "b|c", ""]], type="LIVE")
    imported = read_boris(data)
    event = imported.project.observations[0].events[0]
    code = imported.project.scheme.code(event.code)
    assert (event.code, code.name, event.subject) == ("look-away", "look away", "no-focal-subject")
    assert event.modifiers == {"look-away-m0": "b", "look-away-m1": "c"}


def test_absent_media_paths_are_kept_and_not_opened():
    data = _project({"0": _behaviour("cry")}, [], file={"1": ["/no/such/dir/a.mp4"],
                                                        "2": ["D:\\gone\\b.avi"]},
                    media_info={"offset": {"1": 0, "2": -2.5}})
    media = read_boris(data).project.observations[0].media
    assert [(m.path, m.player, m.offset_ms) for m in media] == [
        ("/no/such/dir/a.mp4", 1, 0), ("D:\\gone\\b.avi", 2, -2500)]


def test_import_with_the_studys_scheme_checks_every_event():
    data = write_boris(vignette_project())
    assert read_boris(data, scheme=open_scheme()).project.scheme == open_scheme()
    other = open_scheme().model_copy(update={"codes": open_scheme().codes[:3]})
    with pytest.raises(EventError, match="unknown code"):
        read_boris(data, scheme=other)


def test_export_refuses_modifier_options_boris_reserves():
    scheme = open_scheme()
    sets = [ModifierSet(id="kind", label="Kind", options=["look|glance", "show"])]
    project = Project(scheme=scheme.model_copy(update={"modifier_sets": sets}))
    with pytest.raises(SchemeError, match=re.escape("option 'look|glance'")):
        write_boris(project)


def test_export_refuses_a_state_still_running():
    running = Event(subject="caregiver", code="hold", onset_ms=5)
    project = Project(scheme=open_scheme(), observations=[Observation(name="a", events=[running])])
    with pytest.raises(EventError, match="no offset"):
        write_boris(project)


def test_export_refuses_two_observations_with_one_name():
    project = Project(scheme=open_scheme(), observations=[Observation(name="a"),
                                                          Observation(name="a")])
    with pytest.raises(InputError, match="share a name"):
        write_boris(project)


@pytest.mark.parametrize(("name", "make"), [("export.boris", vignette_project),
                                           ("export.boris.gz", vignette_project),
                                           ("rich.boris", rich_project)])
def test_boris_own_loader_reads_the_export_and_pairs_states_like_we_do(
        boris_python: str, tmp_path: Path, name: str, make: Callable[[], Project]):
    project = make()
    path = tmp_path / name
    path.write_bytes(write_boris(project, compress=name.endswith(".gz")))
    result = boris_loader(boris_python, path)
    assert result["error"] is None
    assert result["integrity"] == ""
    for obs in project.observations:
        boris_spans = sorted((s, c, m, round(float(a) * 1000), None if b is None else
                              round(float(b) * 1000)) for s, c, m, a, b in
                             result["intervals"][obs.name])
        ours = sorted(("" if e.subject == NO_FOCAL_SUBJECT else e.subject, e.code,
                       _boris_modifiers(e, project), e.onset_ms, e.offset_ms)
                      for e in obs.events)
        assert boris_spans == ours


def _boris_modifiers(event: Event, project: Project) -> str:
    code = project.scheme.code(event.code)
    values = [event.modifiers.get(s, "None") for s in code.modifiers]
    return "|".join(",".join(v) if isinstance(v, list) else v for v in values)


def test_gzip_file_is_detected_by_content_not_name():
    plain = write_boris(vignette_project())
    assert read_boris(gzip.compress(plain), source="renamed.boris").project.observations
    assert sys.getsizeof(plain) > 0


def test_ethogram_changed_in_boris_overrides_the_embedded_scheme_with_a_warning():
    pj = json.loads(write_boris(vignette_project()))
    pj["behaviors_conf"]["0"]["type"] = "Point event"  # distress made a point event in BORIS
    for obs in pj["observations"].values():
        obs["events"] = [e for e in obs["events"] if e[2] != "distress"]
    imported = read_boris(json.dumps(pj).encode())
    assert imported.project.scheme.code("distress").kind == "point"
    assert any("changed after Samspill exported it" in w.message for w in imported.warnings)


def test_a_stop_comment_is_kept_after_the_start_comment():
    data = _project({"0": _behaviour("cry")}, [[1.0, "mother", "cry", "", "starts softly"],
                                              [2.0, "mother", "cry", "", "calms"]])
    assert read_boris(data).project.observations[0].events[0].comment == "starts softly / calms"


def test_frame_indexes_of_media_observations_survive():
    data = _project({"0": _behaviour("look", "Point event")},
                    [[1.0, "mother", "look", "", "", 25], [2.0, "mother", "look", "", "", "NA"]])
    frames = sorted((e.onset_ms, e.frame) for e in read_boris(data).project.observations[0].events)
    assert frames == [(1000, 25), (2000, None)]


def test_a_licensed_schemes_rating_anchors_stay_out_of_the_file():
    scheme = open_scheme()
    items = [i.model_copy(update={"anchors": {3: "LICENSED WORDING"}, "description": "SECRET"})
             if i.kind == "scale" else i for i in scheme.rating_items]
    licensed = scheme.model_copy(update={"licensed": True, "rating_items": items})
    project = vignette_project().model_copy(update={"scheme": licensed})
    data = write_boris(project)
    assert b"LICENSED WORDING" not in data and b"SECRET" not in data
    assert read_boris(data).project.scheme.code("bid") == licensed.code("bid")


def test_behaviours_sharing_a_modifier_set_share_values_added_on_import():
    mods = {"0": {"name": "tone", "type": 0, "values": ["warm"]}}
    data = _project({"0": _behaviour("say", "Point event", mods),
                     "1": _behaviour("sing", "Point event", mods)},
                    [[1.0, "mother", "sing", "icy", ""]])
    scheme = read_boris(data).project.scheme
    assert scheme.code("say").modifiers == scheme.code("sing").modifiers == ["tone"]
    assert scheme.modifier_set("tone").options == ["warm", "icy"]


def test_rich_project_round_trips_with_multiple_choices_and_subjectless_states():
    project = rich_project()
    back = read_boris(write_boris(project)).project
    assert back.scheme == project.scheme
    for got, sent in zip(back.observations, project.observations, strict=True):
        assert comparable(got.events) == comparable(sent.events)
        assert got.variables == sent.variables
