"""SDIS Timed export for GSEQ, checked against text written by hand from the vignette."""

from __future__ import annotations

import pytest
from interop_factories import open_scheme, vignette_project

from samspill.core.errors import EventError, SchemeError
from samspill.core.events import Event
from samspill.core.scheme import Code, Scheme
from samspill.interop.model import Observation
from samspill.interop.sdis import sdis_time, write_sdis

# Written from the vignette's timeline (core/vignette.py): e.g. Maria's third bid at 95 s is
# 1:35, the caregiver is absent 120-180 s (2:00-3:00), the hold runs 240-248 s (4:00-4:08), and
# the session ends with the 6-minute media.
VIGNETTE_SDIS = """\
% SDIS Timed data written by Samspill: scheme withdrawal-open v1, 1 session(s).
% Times are min:sec.fff; a code with one time is momentary; offsets are exclusive.
Timed
  (caregiver_near caregiver_far caregiver_absent) child_distress child_bid
  caregiver_initiate caregiver_respond caregiver_hold caregiver_redirect caregiver_leave
  caregiver_return caregiver_ae caregiver_rb caregiver_fd caregiver_ni caregiver_wd ;
<Dyad_07_free_play> ,0:00.000 caregiver_far,0:00.000-2:00.000 child_bid,0:20.000
caregiver_respond,0:27.000 child_bid,0:55.000 caregiver_respond,1:03.000
child_bid,1:35.000 caregiver_leave,2:00.000 caregiver_absent,2:00.000-3:00.000
caregiver_return,3:00.000 caregiver_far,3:00.000-3:24.000 child_distress,3:00.000-3:55.000
caregiver_redirect,3:05.000 caregiver_redirect,3:20.000 caregiver_near,3:24.000-4:10.000
child_bid,3:25.000 child_bid,3:35.000 caregiver_redirect,3:36.000 child_bid,3:48.000
caregiver_hold,4:00.000-4:08.000 child_bid,4:06.000 caregiver_far,4:10.000-6:00.000
,6:00.000/
"""


def test_vignette_export_matches_the_hand_written_file():
    project = vignette_project()
    assert write_sdis(project.observations, project.scheme) == VIGNETTE_SDIS


@pytest.mark.parametrize(("ms", "decimals", "text"), [
    (0, 3, "0:00.000"), (27_040, 3, "0:27.040"), (3_599_999, 3, "59:59.999"),
    (3_600_000, 3, "60:00.000"), (27_540, 0, "0:28"), (1_249, 1, "0:01.2"), (1_250, 1, "0:01.3"),
])
def test_times_are_minutes_and_seconds_rounded_half_up(ms: int, decimals: int, text: str):
    assert sdis_time(ms, decimals) == text


def test_every_session_ends_with_a_slash_and_starts_with_its_label():
    sessions = [Observation(name="dyad 1", events=[Event(subject="child", code="bid",
                                                         onset_ms=1000)]),
                Observation(name="dyad<2>", events=[])]
    text = write_sdis(sessions, open_scheme())
    body = text.split(";", 1)[1]
    assert body.count("/") == 2
    assert "<dyad_1> ,0:00.000 child_bid,0:01.000 ,0:01.001/" in body
    assert "<dyad_2> ,0:00.000 ,0:00.000/" in body


def test_a_state_shorter_than_the_time_unit_stays_one_unit_long():
    obs = Observation(name="s", events=[Event(subject="caregiver", code="hold", onset_ms=1000,
                                              offset_ms=1200)])
    assert "caregiver_hold,0:01-0:02" in write_sdis([obs], open_scheme(), decimals=0)


def test_exclusive_sets_are_declared_per_subject():
    scheme = Scheme(id="two", name="two", subjects=["mother", "father"], codes=[
        Code(id="near", name="near", kind="state", subjects=["mother", "father"]),
        Code(id="far", name="far", kind="state", subjects=["mother", "father"])],
        exclusive_groups=[{"id": "prox", "codes": ["near", "far"]}])
    declaration = write_sdis([], scheme).split("Timed", 1)[1]
    assert "(mother_near mother_far)" in declaration
    assert "(father_near father_far)" in declaration


def test_codes_that_collide_without_the_subject_prefix_are_refused():
    with pytest.raises(SchemeError, match="both become SDIS code 'bid'"):
        write_sdis([], open_scheme().model_copy(update={"codes": [
            Code(id="bid", name="b", kind="point", subjects=["child", "caregiver"])]}),
            prefix_subject=False)


def test_incomplete_events_are_refused():
    obs = Observation(name="s", events=[Event(subject="caregiver", code="hold", onset_ms=5)])
    with pytest.raises(EventError, match="no offset"):
        write_sdis([obs], open_scheme())
