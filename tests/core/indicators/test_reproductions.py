"""Every case that showed a sign wrongly (issue 18), with its documented answer.

Written with the public API as a methodologist would (see docs/indicators.md for each
decision and its reason).
"""

from __future__ import annotations

import pandas as pd
import pytest

from samspill.core.events import Event, Segment, events_frame, segments_frame
from samspill.core.reliability import event_kappa, match_events
from samspill.core.scheme_check import load_builtin_scheme
from samspill.core.scoring import cohort_table, score_coding, score_codings
from samspill.core.simulate import cohort_frames, simulate_session
from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events, vignette_segments

S = load_builtin_scheme("withdrawal-open")


def ev(i: object, who: str, code: str, on: float, off: float | None = None,
       **m: str) -> Event:
    return Event(id=str(i), subject=who, code=code, onset_ms=int(on * 1000),
                 offset_ms=None if off is None else int(off * 1000), modifiers=m)


def session(evs: list[Event], dur_s: float = 600, segs: tuple[Segment, ...] = ()) -> pd.Series:
    t = score_coding(events_frame(evs, S), segments_frame(list(segs)), scheme=S,
                     duration_ms=int(dur_s * 1000)).indicators
    return t[t.scope == "session"].iloc[0]


def test_an_answered_run_of_bids_is_no_lack_of_initiative() -> None:
    row = session([ev(1, "child", "bid", 10, kind="show"),
                   ev(2, "caregiver", "respond", 10.5, channel="verbal", intensity="full"),
                   ev(3, "child", "bid", 15, kind="show"),
                   ev(4, "caregiver", "respond", 15.5, channel="verbal", intensity="full")])
    assert row["initiative_state"] == "absent" and row["episodes_initiated"] == 1


def test_comfort_by_picking_up_is_initiative() -> None:
    row = session([ev(1, "child", "distress", 10, 30), ev(2, "caregiver", "hold", 12, 60)])
    assert row["initiative_state"] == "absent"
    assert row["cursory_contact_state"] == "absent"


def test_never_holding_despite_nine_climb_up_bids_is_cursory_contact() -> None:
    row = session([ev(i, "child", "bid", 30 + 60 * i, kind="climb-or-lift-arms")
                   for i in range(9)])
    assert (row["cursory_contact_state"], row["cursory_contact_reason"]) == (
        "present", "no_contact")


def test_an_answer_coded_just_before_its_bid_answers_it() -> None:
    row = session([ev(1, "caregiver", "respond", 9.8, channel="verbal", intensity="full"),
                   ev(2, "child", "bid", 10, kind="show")])
    assert (row["bids_answered"], row["bids_unanswered"]) == (1, 0)
    # One bid is too few to judge, answered or not.
    assert row["responsiveness_reason"] == "too_few_bids"


def test_bids_while_out_of_the_room_by_leave_and_return_are_not_counted() -> None:
    row = session([ev(1, "caregiver", "leave", 100, prepared="no"),
                   ev(2, "caregiver", "return", 160)]
                  + [ev(10 + k, "child", "bid", t, kind="call")
                     for k, t in enumerate((110, 120, 130))])
    assert row["bids"] == 0 and row["present_ms"] == 540_000
    assert row["responsiveness_state"] == "not_observable"


def test_ignoring_every_proximity_bid_is_not_a_redirect_share_of_zero() -> None:
    row = session([ev(k, "child", "bid", 30 + 60 * k, kind="reach") for k in range(10)])
    assert (row["redirection_state"], row["redirection_reason"]) == (
        "not_observable", "no_reaction")
    # The ignoring shows where it belongs.
    assert row["responsiveness_state"] == "present" and row["unanswered_share"] == 1.0
    assert row["cursory_contact_reason"] == "no_contact"


def test_muted_answers_show_the_sign_counted_per_answer() -> None:
    evs = [ev(1, "child", "bid", 10, kind="show"), ev(2, "child", "bid", 12, kind="show"),
           ev(3, "caregiver", "respond", 13, intensity="muted"),
           ev(4, "child", "bid", 40, kind="show"),
           ev(5, "caregiver", "respond", 41, intensity="muted"),
           ev(6, "child", "bid", 70, kind="show"),
           ev(7, "caregiver", "respond", 71, intensity="full")]
    row = session(evs)
    assert (row["answers"], row["answers_muted"]) == (3, 2)  # per answer, not per bid
    assert (row["responsiveness_state"], row["responsiveness_reason"]) == (
        "present", "muted_share")


def test_proximity_coded_for_half_the_session_is_not_read_as_near() -> None:
    row = session([ev(1, "caregiver", "far", 0, 300)])
    assert row["proximity_coverage"] == 0.5
    assert (row["distance_state"], row["distance_reason"]) == (
        "not_observable", "proximity_coverage_low")


def test_a_bid_in_the_last_second_and_a_hold_cut_by_the_end_are_not_failures() -> None:
    row = session([ev(1, "child", "bid", 599, kind="show"),
                   ev(2, "caregiver", "hold", 590, 600)])
    assert row["bids_unanswered"] == 0 and row["holds_cut"] == 1
    assert row["cursory_contact_state"] == "not_observable"
    alone = session([ev(1, "child", "bid", 599, kind="show")])
    assert (alone["bids_censored"], alone["bids_unanswered"]) == (1, 0)


def test_bids_after_the_last_strange_situation_episode_are_not_counted() -> None:
    sim = simulate_session("sensitive", seed=3, procedure="ssp")
    extra = events_frame([ev(f"x{k}", "child", "bid", sim.duration_ms / 1000 + 5 + 3 * k,
                             kind="call") for k in range(4)], S)
    table = pd.concat([sim.table, extra], ignore_index=True)
    before = score_coding(sim.table, sim.segments_table(), scheme=S,
                          duration_ms=sim.duration_ms).indicators.iloc[0]
    after = score_coding(table, sim.segments_table(), scheme=S,
                         duration_ms=sim.duration_ms + 30_000).indicators.iloc[0]
    assert after["bids"] == before["bids"]
    assert after["unanswered_share"] == before["unanswered_share"]


def test_bids_while_the_child_is_on_the_lap_are_not_unanswered() -> None:
    row = session([ev(1, "caregiver", "hold", 10, 60)]
                  + [ev(2 + k, "child", "bid", 15 + 10 * k, kind="show") for k in range(4)])
    assert (row["bids_in_contact"], row["bids_unanswered"]) == (4, 0)


def test_an_empty_coding_shows_no_sign_and_no_qualifier() -> None:
    row = session([])
    assert row["signs_present"] == 0 and row["signs_not_observable"] == 5
    assert row["hostility_qualifier"] == "not_observable" and not row["low_hostility_flag"]


def test_a_sensitive_caregiver_is_not_called_withdrawn_by_the_qualifier() -> None:
    row = session([ev(1, "child", "bid", 10, kind="show"),
                   ev(2, "caregiver", "respond", 11, intensity="full"),
                   ev(3, "caregiver", "near", 0, 600)])
    assert row["hostility_qualifier"] == "low" and row["signs_present"] == 0


def test_one_unscorable_coding_does_not_make_the_batch_fail_when_set_apart() -> None:
    # The core refuses it with the reason and the fix; the cohort service sets it apart.
    from samspill.core.errors import EventError
    sims = [simulate_session("sensitive", seed=1, duration_ms=120_000),
            simulate_session("withdrawn", seed=2, duration_ms=120_000)]
    events, segments, durations = cohort_frames(sims)
    broken = events.copy()
    broken.loc[broken.index[broken["offset_ms"].notna()][:1], "offset_ms"] = pd.NA
    with pytest.raises(EventError, match="has no offset") as info:
        score_codings(broken, segments, scheme=S, durations=durations)
    assert "give the state an end time" in str(info.value)
    assert len(cohort_table(score_codings(events, segments, scheme=S,
                                          durations=durations))) == 2


def test_distress_alone_that_goes_on_after_the_return_keeps_the_vignette_initiative() -> None:
    events = [*vignette_events(), ev("alone", "child", "distress", 150, 180)]
    # Maria is also coded crying while alone: the distress from 150 s runs into 180-235 s.
    row = score_coding(events_frame(events, S), segments_frame(vignette_segments()), scheme=S,
                       duration_ms=VIGNETTE_DURATION_MS).indicators.iloc[0]
    assert row["initiative_state"] == "present"
    moved = [e.model_copy(update={"onset_ms": 179_700}) if e.code == "distress" else e
             for e in vignette_events()]
    row = score_coding(events_frame(moved, S), segments_frame(vignette_segments()), scheme=S,
                       duration_ms=VIGNETTE_DURATION_MS).indicators.iloc[0]
    assert row["initiative_state"] == "present"


def test_event_matching_pairs_the_most_events_first() -> None:
    def frame(rows: list[tuple[str, int]]) -> pd.DataFrame:
        return pd.DataFrame({"subject": "c", "code": [c for c, _ in rows],
                             "onset_ms": [t for _, t in rows], "offset_ms": pd.NA})
    pairs = match_events(frame([("p", 0), ("q", 1000)]), frame([("q", 500), ("r", 2500)]),
                         tolerance_ms=1500)
    assert pairs.dropna(subset=["a_row", "b_row"]).shape[0] == 2
    assert event_kappa(pairs).iloc[0]["n"] == 2
