"""ELAN .eaf files: round trips, layout (tiers, vocabulary, frames, child tiers), foreign files."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from interop_factories import (
    coded_events,
    comparable,
    open_scheme,
    rich_project,
    vignette_project,
)

from samspill.core.errors import EventError, InputError
from samspill.core.events import Event
from samspill.interop.elan import read_elan, write_elan
from samspill.interop.model import MediaFile, Observation


def _tree(data: bytes) -> ET.Element:
    return ET.fromstring(data)


def _annotations(root: ET.Element) -> dict[str, list[tuple[int, int, str]]]:
    slots = {s.get("TIME_SLOT_ID"): int(s.get("TIME_VALUE")) for s in root.iter("TIME_SLOT")}
    out: dict[str, list[tuple[int, int, str]]] = {}
    for tier in root.iter("TIER"):
        out[tier.get("TIER_ID")] = [
            (slots[a.get("TIME_SLOT_REF1")], slots[a.get("TIME_SLOT_REF2")],
             a.findtext("ANNOTATION_VALUE")) for a in tier.iter("ALIGNABLE_ANNOTATION")]
    return out


@pytest.mark.parametrize("layout", ["subject", "subject-dimension"])
def test_vignette_round_trip_gives_identical_events_and_media_offsets(layout: str):
    project = vignette_project()
    obs = project.observations[0]
    back = read_elan(write_elan(obs, project.scheme, tiers=layout), scheme=project.scheme)
    got = back.project.observations[0]
    assert back.warnings == []
    assert comparable(got.events) == comparable(obs.events)
    # Windows paths come back with forward slashes, as ELAN's file URLs hold them
    assert [(m.path, m.player, m.offset_ms) for m in got.media] == [
        (m.path.replace("\\", "/"), m.player, m.offset_ms) for m in obs.media]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(coded_events(limit=10**7))
def test_any_valid_coding_with_positive_lengths_survives_the_round_trip(events: list[Event]):
    events = [e.model_copy(update={"frame": None}) for e in events
              if e.offset_ms is None or e.offset_ms > e.onset_ms]
    obs = Observation(name="s", events=events)
    back = read_elan(write_elan(obs, open_scheme()), scheme=open_scheme())
    assert comparable(back.project.observations[0].events) == comparable(events)


def test_zero_length_state_is_written_one_millisecond_long():
    obs = Observation(name="s", events=[Event(subject="caregiver", code="hold", onset_ms=500,
                                              offset_ms=500)])
    back = read_elan(write_elan(obs, open_scheme()), scheme=open_scheme())
    assert [(e.onset_ms, e.offset_ms) for e in back.project.observations[0].events] == [(500, 501)]


@pytest.mark.parametrize(("fps", "length"), [(None, 40), (30.0, 33), (50.0, 20)])
def test_point_events_are_one_frame_long(fps: float | None, length: int):
    obs = Observation(name="s", events=[Event(subject="child", code="bid", onset_ms=1000,
                                              modifiers={"kind": "look"})])
    annotations = _annotations(_tree(write_elan(obs, open_scheme(), fps=fps)))
    assert annotations["child"] == [(1000, 1000 + length, "bid")]


def test_frame_length_follows_the_main_media_frame_rate():
    obs = Observation(name="s", media=[MediaFile(path="a.mp4", fps=50.0)],
                      events=[Event(subject="caregiver", code="wd", onset_ms=0)])
    assert _annotations(_tree(write_elan(obs, open_scheme())))["caregiver"] == [(0, 20, "wd")]


def test_codes_form_a_controlled_vocabulary_used_by_the_coding_tiers():
    root = _tree(write_elan(vignette_project().observations[0], open_scheme()))
    cv = next(c for c in root.iter("CONTROLLED_VOCABULARY") if c.get("CV_ID") == "samspill-codes")
    assert [v.text for v in cv.iter("CVE_VALUE")] == [c.id for c in open_scheme().codes]
    types = {t.get("LINGUISTIC_TYPE_ID"): t for t in root.iter("LINGUISTIC_TYPE")}
    assert types["samspill-code"].get("CONTROLLED_VOCABULARY_REF") == "samspill-codes"
    coding = [t for t in root.iter("TIER") if not t.get("PARENT_REF")]
    assert {t.get("LINGUISTIC_TYPE_REF") for t in coding} == {"samspill-code"}
    assert {t.get("PARTICIPANT") for t in coding} == {"caregiver", "child"}


def test_modifiers_and_comments_sit_on_child_tiers():
    root = _tree(write_elan(vignette_project().observations[0], open_scheme()))
    children = {t.get("TIER_ID"): t for t in root.iter("TIER") if t.get("PARENT_REF")}
    kinds = children["child/kind"]
    assert kinds.get("PARENT_REF") == "child"
    assert "show" in [a.findtext("ANNOTATION_VALUE") for a in kinds.iter("REF_ANNOTATION")]
    comments = [a.findtext("ANNOTATION_VALUE") for t in children.values()
                if t.get("TIER_ID").endswith("/comment") for a in t.iter("REF_ANNOTATION")]
    assert "a late nod" in comments


def test_no_tier_holds_overlapping_annotations():
    annotations = _annotations(_tree(write_elan(vignette_project().observations[0],
                                                open_scheme())))
    assert "caregiver (2)" in annotations
    for spans in annotations.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def test_media_offset_becomes_time_origin():
    root = _tree(write_elan(vignette_project().observations[0], open_scheme()))
    origins = [m.get("TIME_ORIGIN") for m in root.iter("MEDIA_DESCRIPTOR")]
    assert origins == [None, "1250"]


FOREIGN = """<?xml version="1.0" encoding="UTF-8"?>
<ANNOTATION_DOCUMENT AUTHOR="someone" DATE="2020-01-01T00:00:00+00:00" FORMAT="3.0" VERSION="3.0"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xsi:noNamespaceSchemaLocation="http://www.mpi.nl/tools/elan/EAFv3.0.xsd">
 <HEADER MEDIA_FILE="" TIME_UNITS="milliseconds">
  <MEDIA_DESCRIPTOR MEDIA_URL="file:///D:/lab/clip%201.mp4" MIME_TYPE="video/mp4"
   TIME_ORIGIN="500"/>
 </HEADER>
 <TIME_ORDER>
  <TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="1000"/><TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="1200"/>
  <TIME_SLOT TIME_SLOT_ID="ts3" TIME_VALUE="3000"/><TIME_SLOT TIME_SLOT_ID="ts4" TIME_VALUE="9000"/>
 </TIME_ORDER>
 <TIER LINGUISTIC_TYPE_REF="default" PARTICIPANT="caregiver" TIER_ID="Mum">
  <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2">
   <ANNOTATION_VALUE>Redirect</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
  <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a2" TIME_SLOT_REF1="ts3" TIME_SLOT_REF2="ts4">
   <ANNOTATION_VALUE>hold</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
 </TIER>
 <TIER LINGUISTIC_TYPE_REF="default" TIER_ID="Transcript">
  <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a3" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts4">
   <ANNOTATION_VALUE>look at this</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
 </TIER>
 <LINGUISTIC_TYPE GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="default" TIME_ALIGNABLE="true"/>
</ANNOTATION_DOCUMENT>
"""


def test_foreign_file_reads_chosen_tiers_by_code_name_and_participant():
    imported = read_elan(FOREIGN.encode(), scheme=open_scheme(), tiers=["Mum"], source="f.eaf")
    obs = imported.project.observations[0]
    assert [(e.subject, e.code, e.onset_ms, e.offset_ms) for e in comparable_events(obs)] == [
        ("caregiver", "redirect", 1000, None), ("caregiver", "hold", 3000, 9000)]
    assert [(m.path, m.offset_ms) for m in obs.media] == [("D:/lab/clip 1.mp4", -500)]


def comparable_events(obs: Observation) -> list[Event]:
    return sorted(obs.events, key=lambda e: e.onset_ms)


def test_values_outside_the_scheme_are_refused_naming_tier_and_annotation():
    with pytest.raises(EventError, match=r"tier 'Transcript', annotation a3.*look at this"):
        read_elan(FOREIGN.encode(), scheme=open_scheme(), source="f.eaf")


def test_unknown_tier_name_is_refused_with_the_choices():
    with pytest.raises(InputError, match="choose among: Mum, Transcript"):
        read_elan(FOREIGN.encode(), scheme=open_scheme(), tiers=["Dad"])


def test_export_refuses_incomplete_states():
    obs = Observation(name="s", events=[Event(subject="caregiver", code="hold", onset_ms=5)])
    with pytest.raises(EventError, match="no offset"):
        write_elan(obs, open_scheme())


def test_well_formed_xml_that_is_not_elan_is_refused_clearly():
    with pytest.raises(InputError, match="not a readable ELAN document"):
        read_elan(b"<notes><note>hi</note></notes>", scheme=open_scheme(), source="n.eaf")


def test_a_time_origin_that_is_not_whole_ms_is_ignored_with_a_warning():
    data = FOREIGN.replace('TIME_ORIGIN="500"', 'TIME_ORIGIN="half"').encode()
    imported = read_elan(data, scheme=open_scheme(), tiers=["Mum"])
    assert imported.project.observations[0].media[0].offset_ms == 0
    assert any("TIME_ORIGIN" in w.message for w in imported.warnings)


def test_multiple_choices_and_restarted_states_round_trip():
    project = rich_project()
    live = project.observations[1]
    events = [e for e in live.events if e.offset_ms != e.onset_ms]
    obs = live.model_copy(update={"events": events})
    back = read_elan(write_elan(obs, project.scheme), scheme=project.scheme)
    assert comparable(back.project.observations[0].events) == comparable(events)
    assert back.project.observations[0].events[0].modifiers["with"] == ["toy", "cup"]
