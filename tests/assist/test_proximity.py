"""Proximity and holding from keypoints (core.assist.proximity), on people built by hand whose
gap, size and contact are known frame by frame."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from samspill.core.assist.proximity import (
    FAR,
    NEAR,
    UNKNOWN,
    ProximitySettings,
    absorb_short,
    box_gap,
    dyads,
    proximity_proposals,
)

FRAME_MS = 200.0
CAREGIVER_H, CHILD_H = 0.6, 0.35
RULES = ProximitySettings()


def person(x0: float, height: float, *, width: float = 0.2, foot: float = 0.9,
           score: float = 0.6, wrist: tuple[float, float] | None = None) -> np.ndarray:
    """56 values: 17 keypoints spread down the box (all sure), the box, the person's score."""
    top = foot - height
    out = np.zeros(56)
    for k in range(17):
        out[3 * k:3 * k + 3] = (top + height * (k + 1) / 18, x0 + width / 2, 0.8)
    if wrist is not None:
        out[3 * 9:3 * 9 + 2] = wrist
    out[51:55] = (top, x0, foot, x0 + width)
    out[55] = score
    return out


def frame(*people: np.ndarray) -> np.ndarray:
    out = np.zeros((6, 56))
    for i, p in enumerate(people):
        out[i] = p
    return out


def dyad_at(gap: float, *, child_first: bool = False, contact: bool = False) -> np.ndarray:
    """A caregiver at x 0.1 and a child whose box starts ``gap`` caregiver heights further."""
    caregiver = person(0.1, CAREGIVER_H)
    child_x = 0.3 + gap * CAREGIVER_H
    if contact:
        child_x = 0.25
        caregiver = person(0.1, CAREGIVER_H, wrist=(0.7, 0.3))
    child = person(child_x, CHILD_H, width=0.12, score=0.5)
    return frame(child, caregiver) if child_first else frame(caregiver, child)


def sequence(gaps: list[float | None], contact: set[int] | frozenset[int] = frozenset()
             ) -> np.ndarray:
    """Frames from gaps (None: nobody seen); frames in ``contact`` are held."""
    return np.stack([np.zeros((6, 56)) if g is None else dyad_at(g, contact=i in contact)
                     for i, g in enumerate(gaps)])


def proposed(people: np.ndarray, rules: ProximitySettings = RULES) -> list[tuple[str, int, int]]:
    duration = round(len(people) * FRAME_MS)
    return [(p.code, p.onset_ms, p.offset_ms or 0)
            for p in proximity_proposals(people, FRAME_MS, duration, "t", rules)]


def test_far_then_near_then_far_at_the_frames_where_the_gap_crosses() -> None:
    gaps: list[float | None] = [0.8] * 20 + [0.1] * 30 + [0.8] * 25
    assert proposed(sequence(gaps)) == [("far", 0, 4000), ("near", 4000, 10_000),
                                        ("far", 10_000, 15_000)]


def test_the_taller_person_is_the_caregiver_wherever_the_model_lists_her() -> None:
    ordered = dyads(np.stack([dyad_at(0.3)] * 3))
    swapped = dyads(np.stack([dyad_at(0.3, child_first=True)] * 3))
    np.testing.assert_allclose(ordered.gap, swapped.gap)
    np.testing.assert_allclose(ordered.gap, 0.3)  # the gap is in caregiver heights


def test_inside_the_band_the_state_stays_as_it_was() -> None:
    # 0.4 lies between near (0.25) and far (0.5): after near it stays near, after far, far
    gaps: list[float | None] = [0.1] * 15 + [0.4] * 15 + [0.8] * 15 + [0.4] * 15
    assert proposed(sequence(gaps)) == [("near", 0, 6000), ("far", 6000, 12_000)]


def test_a_short_approach_joins_its_neighbours_and_a_long_one_does_not() -> None:
    short: list[float | None] = [0.8] * 20 + [0.1] * 5 + [0.8] * 20  # 1 s near
    assert proposed(sequence(short)) == [("far", 0, 9000)]
    long: list[float | None] = [0.8] * 20 + [0.1] * 10 + [0.8] * 20  # 2 s near
    assert [c for c, _, _ in proposed(sequence(long))] == ["far", "near", "far"]


def test_a_brief_gap_in_the_picture_keeps_the_state_a_long_one_proposes_nothing() -> None:
    brief: list[float | None] = [0.1] * 20 + [None] * 5 + [0.1] * 20
    assert proposed(sequence(brief)) == [("near", 0, 9000)]
    long: list[float | None] = [0.1] * 20 + [None] * 30 + [0.1] * 20
    found = proposed(sequence(long))
    assert [c for c, _, _ in found] == ["near", "near"]
    assert found[0][2] <= 20 * 200 + 1000 and found[1][1] == 50 * 200  # bridged 1 s at most


def test_one_person_or_unsure_people_are_not_a_dyad() -> None:
    alone = np.stack([frame(person(0.1, CAREGIVER_H))] * 20)
    unsure = np.stack([frame(person(0.1, CAREGIVER_H, score=0.1), person(0.5, CHILD_H))] * 20)
    assert proposed(alone) == [] and proposed(unsure) == []


def test_an_arm_in_the_others_box_for_long_enough_is_a_hold_candidate() -> None:
    gaps: list[float | None] = [0.1] * 40
    held = proposed(sequence(gaps, contact=set(range(10, 25))))  # 3 s of contact
    assert ("hold", 2000, 5000) in held
    brief = proposed(sequence(gaps, contact=set(range(10, 13))))  # 0.6 s
    assert [c for c, _, _ in brief] == ["near"]


def test_an_arm_far_from_the_other_is_no_contact() -> None:
    # wrist placed where the child would be, but the child stands far away
    caregiver = person(0.1, CAREGIVER_H, wrist=(0.7, 0.3))
    people = np.stack([frame(caregiver, person(0.7, CHILD_H, width=0.12))] * 20)
    assert not dyads(people).contact.any()


def test_boxes_gap_is_zero_when_they_touch_and_euclidean_when_apart() -> None:
    a = np.array([0.0, 0.0, 1.0, 1.0])
    assert box_gap(a, np.array([0.5, 0.5, 2.0, 2.0])) == 0
    assert box_gap(a, np.array([4.0, 5.0, 6.0, 6.0])) == 5.0


@settings(max_examples=60)
@given(st.lists(st.one_of(st.none(), st.floats(0, 1.2)), min_size=1, max_size=80),
       st.floats(0.3, 3.0))
def test_states_do_not_overlap_stay_in_the_video_and_do_not_depend_on_zoom(
        gaps: list[float | None], zoom: float) -> None:
    people = sequence(gaps)
    found = proposed(people)
    states = sorted((a, b) for c, a, b in found if c != "hold")
    duration = round(len(gaps) * FRAME_MS)
    assert all(0 <= a < b <= duration for a, b in states)
    assert all(b <= c for (_, b), (c, _) in itertools.pairwise(states))
    # the camera closer or further (every coordinate scaled about the frame's centre, scores
    # kept): the gap is in caregiver heights, so nothing changes
    scaled = people.copy()
    coords = np.r_[np.arange(0, 51, 3), np.arange(1, 51, 3), np.arange(51, 55)]
    scaled[:, :, coords] = 0.5 + (scaled[:, :, coords] - 0.5) * zoom
    assert proposed(scaled) == found


@given(st.lists(st.sampled_from([UNKNOWN, NEAR, FAR]), min_size=1, max_size=60),
       st.integers(1, 12))
def test_absorbing_short_runs_leaves_only_long_runs_or_one(labels: list[int],
                                                           min_frames: int) -> None:
    out = absorb_short(np.array(labels, dtype=np.int8), min_frames)
    assert len(out) == len(labels)
    edges = np.flatnonzero(np.diff(out)) + 1
    lengths = np.diff(np.concatenate(([0], edges, [len(out)])))
    assert len(lengths) == 1 or lengths.min() >= min_frames
    assert set(out.tolist()) <= set(labels)
