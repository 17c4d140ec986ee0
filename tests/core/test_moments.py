"""The moment finder on constructed sessions: each kind found from the indicators' own
findings, ranked by clarity, and nothing invented where nothing happened."""

from __future__ import annotations

import pandas as pd
import pytest

from samspill.core.errors import InputError
from samspill.core.events import events_frame
from samspill.core.moments import MOMENT_COLUMNS, MomentSettings, find_moments
from samspill.core.scoring import Scores
from tests.core.indicators.helpers import SCHEME, bid, cg, ev, score, seg


def moments(events, **kwargs) -> pd.DataFrame:
    scores: Scores = score(events, **kwargs)
    return find_moments(scores.indicators, scores.evidence,
                        events=events_frame(events, SCHEME), duration_ms=600_000)


def only(table: pd.DataFrame, reason: str) -> pd.DataFrame:
    return table[table["reasons"].map(lambda r: reason in r)]


def test_a_bid_answered_promptly_and_fully_is_a_good_moment_with_its_evidence() -> None:
    b, answer = bid(30, "show"), cg("respond", 31, channel="verbal", intensity="full")
    table = moments([b, answer])
    row = only(table, "prompt_full_answer").iloc[0]
    assert row["kind"] == "good" and row["evidence"] == (b.id, answer.id)
    assert (row["core_start_ms"], row["core_end_ms"], row["key_ms"]) == (30_000, 31_000, 30_000)
    assert (row["start_ms"], row["end_ms"]) == (27_000, 34_000)  # 3 s of context each side


def test_a_late_or_muted_answer_is_no_good_moment() -> None:
    table = moments([bid(30), cg("respond", 36), bid(90), cg("respond", 90.5, intensity="muted")])
    assert only(table, "prompt_full_answer").empty


def test_an_unanswered_bid_is_a_missed_moment() -> None:
    b = bid(40, "reach")
    table = moments([b])
    row = only(table, "unanswered_bid").iloc[0]
    assert row["kind"] == "missed" and row["evidence"] == (b.id,)
    assert row["clarity"] == 0.65  # a bid for proximity: the plainest absence


def test_a_redirect_away_from_self_is_a_missed_moment() -> None:
    b, r = bid(50, "climb-or-lift-arms"), cg("redirect", 52)
    row = only(moments([b, r]), "redirect_away").iloc[0]
    assert row["kind"] == "missed" and set(row["evidence"]) >= {b.id, r.id}


def test_a_put_down_despite_protest_is_a_missed_moment() -> None:
    hold, protest = cg("hold", 240, 248), bid(246, "protest-put-down")
    row = only(moments([hold, protest]), "putdown_despite_protest").iloc[0]
    assert row["kind"] == "missed" and row["key_ms"] == 248_000
    assert set(row["evidence"]) == {hold.id, protest.id}


def test_an_initiative_and_comfort_taken_are_good_moments() -> None:
    distress = ev("child", "distress", 100, 115)  # calms in the arms
    hold = cg("hold", 102, 125)
    table = moments([distress, hold])
    assert not only(table, "initiative").empty
    comfort = only(table, "comfort_taken").iloc[0]
    assert comfort["kind"] == "good" and hold.id in comfort["evidence"]
    assert comfort["core_end_ms"] == 125_000  # the hold's whole length is shown


def test_a_hold_nobody_asked_for_is_no_comfort() -> None:
    assert only(moments([cg("hold", 100, 125)]), "comfort_taken").empty


def test_a_reunion_with_contact_is_named_as_such() -> None:
    events = [cg("leave", 60, prepared="yes"), cg("return", 120), bid(125, "approach"),
              cg("hold", 126, 150)]
    table = moments(events, segments=[seg("sep", 60, 120, "separation"),
                                      seg("re", 120, 180, "reunion")])
    row = only(table, "reunion_contact").iloc[0]
    assert row["kind"] == "good" and 125_000 <= row["key_ms"] <= 126_000


def test_a_session_without_such_moments_gets_no_proposal() -> None:
    # Far apart, present, no bids, no needs: nothing to show, and nothing is invented.
    table = moments([ev("caregiver", "far", 0, 600), cg("respond", 200)])
    assert table.empty and list(table.columns) == MOMENT_COLUMNS


def test_clearer_moments_rank_first_within_their_kind() -> None:
    events = [bid(20, "show"), cg("respond", 22.5),           # prompt, but late-ish
              bid(100, "show"), cg("respond", 100),           # instant: clearest
              bid(200, "look"),                               # unanswered look
              bid(300, "reach"), bid(301, "reach"), bid(302.5, "reach"),  # a run of reaches
              cg("hold", 400, 406), bid(405, "protest-put-down")]         # put down
    table = moments(events)
    good = table[table["kind"] == "good"]
    assert list(good["key_ms"])[:2] == [100_000, 20_000]
    missed = table[table["kind"] == "missed"].reset_index(drop=True)
    assert list(missed["rank"]) == list(range(1, len(missed) + 1))
    # The put-down against a seen protest (0.9), then three reaches unanswered, merged into
    # one moment (0.65 + 2 x 0.1), then the lone look (0.5).
    assert list(missed["key_ms"]) == [406_000, 300_000, 200_000]
    assert list(missed["clarity"]) == [0.9, 0.85, 0.5]
    assert len(missed.loc[1, "evidence"]) == 3
    assert table["kind"].tolist() == sorted(table["kind"].tolist())  # good, then missed


def test_a_mixed_clip_is_less_clear() -> None:
    alone = moments([bid(30, "reach")])
    mixed = moments([bid(30, "reach"), bid(41, "show"), cg("respond", 41.5)])  # in its context
    a = only(alone, "unanswered_bid").iloc[0]["clarity"]
    m = only(mixed, "unanswered_bid").iloc[0]["clarity"]
    assert m == pytest.approx(a - 0.3)


def test_context_stays_inside_the_recording() -> None:
    scores = score([bid(1)], duration_s=12)
    table = find_moments(scores.indicators, scores.evidence, duration_ms=12_000)
    assert table.iloc[0]["start_ms"] == 0 and table.iloc[0]["end_ms"] <= 12_000


def test_negative_context_is_refused_with_a_fix() -> None:
    with pytest.raises(InputError, match="cannot be negative"):
        MomentSettings(before_ms=-1)


def test_the_finder_follows_the_indicators_findings_not_its_own_reading() -> None:
    # With the study's answer window at 2 s, an answer after 2.5 s leaves the bid unanswered
    # for the signs; the finder says so too, and proposes no prompt answer there.
    events = [bid(30, "show"), cg("respond", 32.5)]
    scores = score(events, response_window_ms=2000)
    table = find_moments(scores.indicators, scores.evidence, events=events_frame(events, SCHEME),
                         settings=MomentSettings(response_window_ms=2000))
    assert only(table, "prompt_full_answer").empty
    assert not only(table, "unanswered_bid").empty
