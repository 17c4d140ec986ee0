"""The effort model (core.assist.effort) on constructed cases whose presses are counted by hand
from the coding screen's keys, and the whole comparison on the demo vignette with the assist's
suggestions saved from a real pass (bench/assist.py --save-suggestions)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from samspill.core.assist.effort import (
    GUARD_MS,
    STEP_MS,
    EffortSettings,
    from_scratch,
    hand_keys,
    with_assist,
)
from samspill.core.assist.proposals import Proposal
from samspill.core.events import Event
from samspill.core.scheme_check import load_builtin_scheme, parse_scheme
from samspill.detectors.registry import SILERO_VAD
from samspill.services import assist, assist_effort

SCHEME = load_builtin_scheme("withdrawal-open")
STATIC = Path(__file__).resolve().parents[2] / "src" / "samspill" / "web" / "static"
CACHED = Path(__file__).with_name("vignette_suggestions.json")
MODELS = Path(__file__).resolve().parents[2] / ".models"
LIST_KEYS = 1 + 3 + 1  # Alt + S, then / 0 Enter, then Space


def event(code: str, onset_s: float, offset_s: float | None = None, subject: str = "caregiver",
          **modifiers: str) -> Event:
    return Event(id=f"{code}-{onset_s}", subject=subject, code=code, onset_ms=round(onset_s * 1000),
                 offset_ms=None if offset_s is None else round(offset_s * 1000),
                 modifiers=modifiers)


def suggestion(code: str, onset_s: float, offset_s: float | None = None,
               subject: str = "caregiver", detector: str = "pose") -> Proposal:
    return Proposal(detector, "1", subject, code, round(onset_s * 1000),
                    None if offset_s is None else round(offset_s * 1000), 0.9)


def test_the_model_uses_the_coding_screens_own_step_and_guard() -> None:
    screen = (STATIC / "suggestions.js").read_text(encoding="utf-8")
    keys = (STATIC / "keys.js").read_text(encoding="utf-8")
    assert re.search(rf"const STEP_MS = {STEP_MS};", screen)
    assert re.search(rf"export const GUARD_MS = {GUARD_MS};", keys)
    # the suggestion list's keys the model counts: ↓ next, A accept, X reject, Shift/Alt + ← →
    for key in ('"ArrowDown"', 'key === "a"', 'key === "x"', "e.shiftKey || e.altKey"):
        assert key in screen


def test_a_suggestion_that_matches_exactly_is_one_press() -> None:
    master = [event("hold", 10, 20)]
    found = with_assist(master, [suggestion("hold", 10, 20)], SCHEME, 60_000)
    [decision] = found.decisions
    assert (decision.action, decision.keys, decision.moves) == ("accept", 1, 0)
    assert found.hand_coded == [] and found.keys["events keyed by hand"] == 0
    assert found.total_keys == LIST_KEYS + 1
    assert found.events[0].provenance == "assist:pose@1"


def test_an_edge_off_by_three_seconds_takes_three_one_second_steps_and_the_accept() -> None:
    master = [event("hold", 10, 20)]
    settings = EffortSettings(step_ms=1000, cheapest=False)
    found = with_assist(master, [suggestion("hold", 13, 20)], SCHEME, 60_000, settings)
    [decision] = found.decisions
    assert (decision.action, decision.moves, decision.keys) == ("accept", 3, 4)
    assert (found.events[0].onset_ms, found.events[0].offset_ms) == (10_000, 20_000)


def test_within_the_tolerance_an_edge_is_left_where_the_suggestion_put_it() -> None:
    master = [event("hold", 10, 20)]
    found = with_assist(master, [suggestion("hold", 10.4, 19.3)], SCHEME, 60_000)
    assert found.decisions[0].moves == 0
    assert (found.events[0].onset_ms, found.events[0].offset_ms) == (10_400, 19_300)


def test_rejecting_and_keying_is_chosen_when_it_takes_fewer_presses() -> None:
    master = [event("hold", 10, 20)]  # by hand: h, h
    found = with_assist(master, [suggestion("hold", 13, 20)], SCHEME, 60_000)  # 30 steps of 100
    [decision] = found.decisions
    assert decision.action == "reject"
    assert decision.why == "accepting takes 31 presses, rejecting and keying it 3"
    assert found.hand_coded == master and found.keys["reject (X)"] == 1


def test_a_missed_event_costs_its_keys_by_hand() -> None:
    bid = event("bid", 5, subject="child", kind="show")  # b, then 2 for "show"
    found = with_assist([bid], [], SCHEME, 60_000)
    assert found.keys["events keyed by hand"] == 2 == hand_keys([bid], SCHEME)
    assert found.total_keys == 1 + 2  # Space and the bid: no list to step through
    assert found.watched_ms == 60_000


def test_keys_by_hand_follow_the_scheme() -> None:
    prox = [event("far", 0, 10), event("absent", 10, 20), event("near", 25, 30)]
    assert hand_keys(prox, SCHEME) == 1 + 1 + 1 + 1 + 1  # f, a (stops far), a, n, n
    answer = event("respond", 3, intensity="muted")  # r, Escape past channel, 2 for muted
    assert hand_keys([answer], SCHEME) == 3
    assert hand_keys([event("respond", 3, channel="verbal")], SCHEME) == 2  # intensity: none
    assert hand_keys([event("hold", 3, 3.4)], SCHEME) == 3  # the stop within 600 ms only warns


def test_a_code_of_two_subjects_needs_the_subject_key() -> None:
    scheme = parse_scheme("\n".join([
        "id: two", "version: 1", "name: Two", "subjects: [caregiver, child]", "codes:",
        "  - {id: look, name: Look, kind: point, subjects: [caregiver, child], key: k}"]))
    looks = [event("look", 1), event("look", 2, subject="child"), event("look", 3)]
    assert hand_keys(looks, scheme) == 1 + 2 + 2  # k; `, k; `, k


def test_an_edge_within_the_tolerance_is_moved_off_a_neighbour_of_its_lane() -> None:
    master = [event("far", 0, 120), event("absent", 120, 180)]
    settings = EffortSettings(cheapest=False)
    found = with_assist(master, [suggestion("far", 0, 120.95)], SCHEME, 180_000, settings)
    assert found.decisions[0].moves == 10  # 950 ms back in whole 100 ms steps
    far = next(e for e in found.events if e.code == "far")
    assert far.offset_ms == 120_000 - 50  # never past the absent's start


def test_speech_is_accepted_through_the_chooser_only_as_an_event_without_modifiers() -> None:
    speech = suggestion("speech", 7, 8, subject="any", detector="speech")
    plain = with_assist([event("redirect", 7.5)], [speech], SCHEME, 60_000,
                        EffortSettings(cheapest=False))
    codes = [c.id for c in SCHEME.codes]
    assert plain.decisions[0].chooser == codes.index("redirect") + 1
    answered = with_assist([event("respond", 7.5, channel="verbal")], [speech], SCHEME, 60_000)
    assert answered.decisions[0].action == "reject" and "modifiers" in answered.decisions[0].why


def test_the_assisted_coder_watches_the_review_windows_and_the_whole_video() -> None:
    found = with_assist([event("hold", 10, 20)], [suggestion("hold", 10, 20)], SCHEME, 60_000)
    assert found.watched_ms == 8000 + 60_000  # 2 s either side of both edges, then all of it
    assert from_scratch([event("hold", 10, 20)], SCHEME, 60_000).watched_ms == 60_000


def test_the_saved_suggestions_come_from_the_current_detectors() -> None:
    saved = assist_effort.load_suggestions(CACHED)
    current = {"speech": SILERO_VAD.version, "cry": assist.CRY_VERSION,
               "pose": assist.POSE_VERSION}
    assert {s.detector for s in saved} == set(current)
    assert all(s.version == current[s.detector] for s in saved), (
        "the detectors changed: run bench/assist.py --effort-only --save-suggestions "
        f"{CACHED.relative_to(Path.cwd()) if CACHED.is_relative_to(Path.cwd()) else CACHED}")


@pytest.fixture(scope="module")
def demo() -> assist_effort.Comparison:
    return assist_effort.compare(assist_effort.load_suggestions(CACHED))


def test_both_ways_of_coding_the_demo_reach_the_masters_six_flags(
        demo: assist_effort.Comparison) -> None:
    assert len(demo.master) == 6 and all(flag for _, flag in demo.master.values())
    assert demo.scratch_flags == demo.master and demo.assisted_flags == demo.master
    assert demo.same_flags()


def test_the_demo_comparison_counts_every_press_and_suggestion(
        demo: assist_effort.Comparison) -> None:
    assisted, scratch = demo.assisted, demo.scratch
    saved = assist_effort.load_suggestions(CACHED)
    assert len(assisted.decisions) == len(saved)
    assert assisted.keys["next suggestion (↓)"] == len(saved) - 1
    decided = assisted.keys["accept (A)"] + assisted.keys["reject (X)"]
    assert decided == len(saved)
    accepted = [e for e in assisted.events if e.provenance]
    assert len(accepted) == assisted.keys["accept (A)"] > 0
    assert len(assisted.events) == len(scratch.events)  # one event per master event
    assert scratch.keys["events keyed by hand"] == hand_keys(scratch.events, SCHEME)
    # bids are not proposed: the whole video is still watched, after the review
    assert assisted.watched_ms > scratch.watched_ms == demo.duration_ms


def test_the_demo_lists_the_silences_the_coding_screen_would_add_after_the_bids(
        demo: assist_effort.Comparison) -> None:
    # the bid at 0:20 is answered by the babble at 0:27; the other six hear no voice within W2
    assert [p.onset_ms for p in demo.silences] == [55_000, 95_000, 205_000, 215_000, 228_000,
                                                   246_000]


@pytest.mark.slow
def test_a_fresh_pass_over_the_demo_video_proposes_the_saved_suggestions(
        tmp_path: Path) -> None:
    fresh = assist_effort.demo_suggestions(MODELS, tmp_path)
    saved = assist_effort.load_suggestions(CACHED)
    assert [(s.detector, s.subject, s.code) for s in fresh] == [
        (s.detector, s.subject, s.code) for s in saved]
    for now, then in zip(fresh, saved, strict=True):  # a frame of the pose model is 200 ms
        assert abs(now.onset_ms - then.onset_ms) <= 200
        assert abs((now.offset_ms or 0) - (then.offset_ms or 0)) <= 200
