"""Course mode's pure core: the answer key comes from the indicators, marks are graded with a
tolerance, checklists and choices against the signs' states (issue 12)."""

from __future__ import annotations

import pytest

from samspill.core.course import grade_answer, lesson_scores, tally
from samspill.core.course.clip_scores import CUT, HELD, clip_scores
from samspill.core.course.grading import (
    FALSE_MARK,
    HIT,
    MISS,
    NEUTRAL,
    NOT_JUDGED,
    clean_marks,
    grade_marks,
    grade_signs,
    withdrawn_clip,
)
from samspill.core.course.model import Clip, Course, Lesson, Task, parse_course, text_in
from samspill.core.errors import InputError
from samspill.core.events import Event, events_frame, segments_frame
from samspill.core.indicators import IndicatorSettings
from samspill.core.scheme_check import load_builtin_scheme
from samspill.core.scoring import score_coding
from samspill.core.simulate import simulate_session
from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events

SCHEME = load_builtin_scheme("withdrawal-open")
SETTINGS = IndicatorSettings()
TASK = Task(kind="mark_unanswered", tolerance_before_ms=1000, tolerance_after_ms=3000)


def ev(subject: str, code: str, onset_s: float, offset_s: float | None = None,
       **modifiers: str) -> Event:
    return Event(subject=subject, code=code, onset_ms=round(onset_s * 1000),
                 offset_ms=None if offset_s is None else round(offset_s * 1000),
                 modifiers=modifiers)


def clip_of(events: list[Event], start_s: float = 0, end_s: float = 120,
            duration_s: float = 120) -> Clip:
    return Clip(study="s", session="v", start_ms=round(start_s * 1000),
                end_ms=round(end_s * 1000), duration_ms=round(duration_s * 1000), events=events)


def near_all(duration_s: float = 120) -> Event:
    return ev("caregiver", "near", 0, duration_s)


def vignette_clip(start_ms: int = 0, end_ms: int = VIGNETTE_DURATION_MS) -> Clip:
    return Clip(study="demo", session="vignette", start_ms=start_ms, end_ms=end_ms,
                duration_ms=VIGNETTE_DURATION_MS, events=vignette_events())


# --- The answer key ------------------------------------------------------------------------


def test_unanswered_bids_are_those_the_responsiveness_sign_counts_as_unanswered() -> None:
    clip = vignette_clip()
    key = clip_scores(clip, scheme=SCHEME, settings=SETTINGS)
    whole = score_coding(events_frame(clip.events, SCHEME), segments_frame([]), scheme=SCHEME,
                         duration_ms=VIGNETTE_DURATION_MS).indicators.iloc[0]
    assert len(key.unanswered) == whole["bids_unanswered"] > 0
    assert (key.bids["status"] != "outside").sum() == whole["bids"] + whole["bids_in_contact"]


def test_the_vignettes_reunion_clip_holds_only_its_own_bids_and_lights_the_signs() -> None:
    key = clip_scores(vignette_clip(180_000, 300_000), scheme=SCHEME, settings=SETTINGS)
    assert key.bids["time_ms"].between(180_000, 300_000).all()
    assert HELD in set(key.bids["status"])  # the protest while held is no unanswered bid
    assert key.withdrawn_profile


def test_a_bid_answered_within_the_window_is_no_target_and_one_left_alone_is() -> None:
    events = [near_all(), ev("child", "bid", 10, kind="show"),
              ev("caregiver", "respond", 12, channel="verbal", intensity="full"),
              ev("child", "bid", 40, kind="reach")]
    key = clip_scores(clip_of(events), scheme=SCHEME, settings=SETTINGS)
    assert list(key.unanswered["time_ms"]) == [40_000]


def test_a_bid_whose_window_the_caregiver_cuts_by_leaving_is_cut() -> None:
    events = [ev("caregiver", "near", 0, 52), ev("child", "bid", 50, kind="call"),
              ev("caregiver", "leave", 52, prepared="no"), ev("caregiver", "absent", 52, 120)]
    key = clip_scores(clip_of(events), scheme=SCHEME, settings=SETTINGS)
    assert list(key.bids["status"]) == [CUT]


# --- Marks -----------------------------------------------------------------------------------


def key_with_bids_at(*seconds: float):
    events = [near_all()] + [ev("child", "bid", s, kind="show") for s in seconds]
    return clip_scores(clip_of(events), scheme=SCHEME, settings=SETTINGS)


@pytest.mark.parametrize(("mark_ms", "outcome"), [
    (20_000, HIT), (19_000, HIT), (23_000, HIT),      # on the bid, at each edge of the window
    (18_999, FALSE_MARK), (23_001, FALSE_MARK),        # one millisecond outside
])
def test_a_mark_counts_within_the_tolerance_before_and_after_the_bid(mark_ms, outcome) -> None:
    graded = grade_marks([mark_ms], key_with_bids_at(20), TASK)
    assert graded.count(outcome) == 1
    assert graded.count(MISS) == (0 if outcome == HIT else 1)


def test_one_mark_between_two_close_bids_hits_one_and_two_marks_hit_both() -> None:
    key = key_with_bids_at(20, 22)
    assert grade_marks([21_000], key, TASK).counts == {HIT: 1, MISS: 1, FALSE_MARK: 0,
                                                       NEUTRAL: 0}
    assert grade_marks([20_500, 22_500], key, TASK).count(HIT) == 2


def test_the_matching_is_the_largest_possible_not_the_nearest_first() -> None:
    # The mark at 21.5 s is nearest to the bid at 22 s, but taking it there would leave the
    # bid at 20 s without a mark; 24.5 s can only answer the bid at 22 s.
    assert grade_marks([21_500, 24_500], key_with_bids_at(20, 22), TASK).count(HIT) == 2


def test_no_marks_miss_every_target_and_marks_without_targets_are_all_false() -> None:
    assert grade_marks([], key_with_bids_at(20, 60), TASK).count(MISS) == 2
    assert grade_marks([5_000, 80_000], key_with_bids_at(), TASK).count(FALSE_MARK) == 2


def test_a_false_mark_at_an_answered_bid_shows_the_masters_answer() -> None:
    events = [near_all(), ev("child", "bid", 10, kind="show"),
              ev("caregiver", "respond", 12, channel="verbal", intensity="muted")]
    key = clip_scores(clip_of(events), scheme=SCHEME, settings=SETTINGS)
    row = grade_marks([11_000], key, TASK).rows.iloc[0]
    assert (row["outcome"], row["status"], row["answer_ms"], row["answer_code"]) == (
        FALSE_MARK, "answered", 12_000, "respond")


def test_a_mark_at_a_cut_bid_is_neither_hit_nor_false() -> None:
    events = [ev("caregiver", "near", 0, 52), ev("child", "bid", 50, kind="call"),
              ev("caregiver", "leave", 52, prepared="no"), ev("caregiver", "absent", 52, 120)]
    key = clip_scores(clip_of(events), scheme=SCHEME, settings=SETTINGS)
    assert grade_marks([51_000], key, TASK).counts[NEUTRAL] == 1


def test_clean_marks_merges_double_presses_and_drops_marks_outside_the_clip() -> None:
    assert clean_marks([30_000, 5_000, 30_200, 31_000, 200_000],
                       start_ms=10_000, end_ms=120_000) == [30_000, 31_000]
    with pytest.raises(InputError, match="too many marks"):
        clean_marks(range(0, 600_000, 1000), start_ms=0, end_ms=600_000)


# --- Signs and choices -------------------------------------------------------------------


def test_a_sign_the_clip_cannot_show_is_not_judged_either_way() -> None:
    key = clip_scores(vignette_clip(0, 120_000), scheme=SCHEME, settings=SETTINGS)
    assert key.states["initiative"] == "not_observable"
    for ticked in ([], ["initiative"]):
        assert grade_signs(ticked, key.states).verdicts["initiative"] == NOT_JUDGED


def test_the_checklist_counts_seen_missed_and_wrongly_seen_signs() -> None:
    states = {"initiative": "present", "responsiveness": "present", "cursory_contact": "absent",
              "redirection": "not_observable", "distance": "absent", "hostility": "low"}
    graded = grade_signs(["initiative", "distance", "hostility"], states)
    assert graded.verdicts == {"initiative": "seen", "responsiveness": "missed",
                               "cursory_contact": "right_absent", "redirection": NOT_JUDGED,
                               "distance": "false", "hostility": "seen"}
    assert (graded.right, graded.judged) == (3, 5)
    with pytest.raises(InputError, match="unknown sign"):
        grade_signs(["kindness"], states)


def sim_clip(style: str) -> Clip:
    sim = simulate_session(style, seed=7, duration_ms=180_000, spread=0)
    return Clip(study="demo", session=style, start_ms=0, end_ms=sim.duration_ms,
                duration_ms=sim.duration_ms, events=sim.events)


def test_the_withdrawn_clip_is_told_apart_from_a_sensitive_one_and_a_pair_of_twins_refused(
) -> None:
    withdrawn = clip_scores(sim_clip("withdrawn"), scheme=SCHEME, settings=SETTINGS)
    sensitive = clip_scores(sim_clip("sensitive"), scheme=SCHEME, settings=SETTINGS)
    assert withdrawn_clip(sensitive, withdrawn) == 1
    assert withdrawn_clip(withdrawn, sensitive) == 0
    with pytest.raises(InputError, match="do not differ"):
        withdrawn_clip(withdrawn, withdrawn)


def test_a_whole_lesson_is_graded_and_tallied_from_its_answer() -> None:
    lesson = Lesson(title={"en": "Look"}, task=TASK, clips=[vignette_clip(180_000, 300_000)])
    scores = lesson_scores(lesson, scheme=SCHEME, settings=SETTINGS)
    targets = [int(t) for t in scores[0].unanswered["time_ms"]]
    graded = grade_answer(lesson, {"marks": [*targets[1:], 190_000]}, scores)
    counts = tally([graded]).marks
    assert counts == {HIT: len(targets) - 1, MISS: 1, FALSE_MARK: 1}
    with pytest.raises(InputError, match="whole milliseconds"):
        grade_answer(lesson, {"marks": ["soon"]}, scores)


# --- The course file ---------------------------------------------------------------------


def test_a_course_file_with_a_bad_clip_names_the_place_and_the_fix() -> None:
    lesson = Lesson(title={"en": "Look"}, task=TASK, clips=[vignette_clip()])
    course = Course(name="c", title={"en": "C"}, lessons=[lesson],
                    scheme={"id": "withdrawal-open", "version": 1, "content_hash": "0" * 64})
    data = course.model_dump(mode="json")
    assert parse_course(data) == course
    data["lessons"][0]["clips"][0]["end_ms"] = VIGNETTE_DURATION_MS + 1
    with pytest.raises(InputError, match=r"lessons\.0\.clips\.0") as raised:
        parse_course(data)
    assert "docs/teaching.md" in raised.value.fix
    data["lessons"][0]["task"]["kind"] = "which_clip"
    with pytest.raises(InputError):
        parse_course(data)


def test_texts_fall_back_to_english_then_to_any_language() -> None:
    assert text_in({"en": "Look", "nb": "Se"}, "nb") == "Se"
    assert text_in({"en": "Look"}, "nb") == "Look"
    assert text_in({"de": "Schau"}, "nb") == "Schau"
    assert text_in({}, "nb") == ""
