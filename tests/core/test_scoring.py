"""Scoring end to end: the vignette's six signs, the JSON, the cohort row, the batch path."""

from __future__ import annotations

import json
import math
import statistics

import pandas as pd
import pytest

from samspill.core.errors import InputError
from samspill.core.events import events_frame, segments_frame
from samspill.core.indicators import DISCLAIMER, INDICATORS, SIGNS
from samspill.core.scoring import (
    cohort_row,
    cohort_table,
    score_coding,
    score_codings,
)
from samspill.core.simulate import cohort_frames, simulate_cohort
from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events, vignette_segments
from samspill.services.scores_json import scores_to_json
from tests.core.indicators.helpers import SCHEME, score, session

COHORT_KEYS = {
    "initiative_share", "response_latency_median_ms", "unanswered_share", "muted_share",
    "hold_median_ms", "putdown_share", "putdowns_despite_protest", "redirect_share",
    "far_share", "proximity_coverage", "hostile_rate_per_10min", "initiative_flag",
    "initiative_state", "initiative_reason", "responsiveness_flag", "cursory_contact_flag",
    "redirection_flag", "distance_flag", "distance_state", "low_hostility_flag",
    "hostility_qualifier", "hostility_reason", "signs_present", "signs_absent",
    "signs_not_observable", "count_AE", "count_RB", "count_FD", "count_NI", "count_WD",
    "level", "disrupted"}


@pytest.fixture(scope="module")
def vignette():  # type: ignore[no-untyped-def]
    return score_coding(events_frame(vignette_events(), SCHEME),
                        segments_frame(vignette_segments()), scheme=SCHEME,
                        duration_ms=VIGNETTE_DURATION_MS,
                        ratings={"level": 6, "profile": "helpless-fearful"})


def test_the_vignette_shows_all_five_signs_with_little_hostility(vignette) -> None:  # type: ignore[no-untyped-def]
    row = session(vignette)
    assert all(row[spec.state] == "present" for spec in SIGNS.values())
    assert all(row[spec.flag] for spec in SIGNS.values())
    assert (row["signs_present"], row["signs_not_observable"]) == (5, 0)
    assert row["hostility_qualifier"] == "low" and row["low_hostility_flag"]


def _vignette_latencies_by_hand() -> list[float]:
    """From the spec's timeline: each bid's first respond/initiate/hold start within 10 s;
    the protest at 246 s is made on the mother's lap (held since 240 s) and waits for none."""
    events = vignette_events()
    answers = [e.onset_ms for e in events if e.code in ("respond", "initiate", "hold")]
    out = []
    for bid in (e for e in events if e.code == "bid" and e.onset_ms != 246_000):
        later = [a - bid.onset_ms for a in answers if 0 <= a - bid.onset_ms <= 10_000]
        out.append(min(later) if later else math.nan)
    return out


def test_the_vignettes_values_match_the_timeline_by_hand(vignette) -> None:  # type: ignore[no-untyped-def]
    row = session(vignette)
    latencies = _vignette_latencies_by_hand()  # 7 s, 8 s, then four bids unanswered
    answered = [x for x in latencies if not math.isnan(x)]
    assert row["response_latency_median_ms"] == statistics.median(answered) == 7_500
    assert row["unanswered_share"] == 4 / 6 and row["muted_share"] == 1.0
    assert row["bids_in_contact"] == 1
    assert (row["need_episodes"], row["initiative_share"]) == (1, 0.0)  # distress at 180 s
    assert (row["hold_median_ms"], row["putdowns_despite_protest"]) == (8_000, 1)
    assert row["putdown_share"] == 1.0
    # Seeking the caregiver: the distress at 180 s (redirect at 185 s) and the climb at 215 s
    # (redirect at 216 s) were redirected; the climbs at 205 s and 228 s got no reaction.
    assert (row["signals_redirected"], row["signals_contact"], row["redirect_share"]) == (
        2, 0, 1.0)
    assert row["redirects_per_10min"] == 6.0  # 3 redirects in 300 s present
    assert row["far_share"] == (120 + 24 + 110) / 300
    assert row["hostile_rate_per_10min"] == 0.0


def test_the_reunions_scope_holds_the_reunion_segment(vignette) -> None:  # type: ignore[no-untyped-def]
    table = vignette.indicators
    reunions = table[table["scope"] == "reunions"].iloc[0]
    assert reunions["present_ms"] == 180_000 and reunions["bids"] == 3
    assert reunions["initiative_flag"] and reunions["redirection_flag"]


def test_json_has_indicators_per_scope_with_evidence_and_the_disclaimer(vignette) -> None:  # type: ignore[no-untyped-def]
    doc = scores_to_json(vignette)
    json.dumps(doc, allow_nan=False)  # no NaN leaks into JSON
    assert doc["disclaimer"] == DISCLAIMER and "no diagnosis" in doc["disclaimer"]
    assert "not clinical norms" in doc["disclaimer"]
    assert len(doc["indicators"]) == 6 * len(doc["scopes"])
    whole = {i["id"]: i for i in doc["indicators"] if i["scope"] == "session"}
    assert set(whole) == set(INDICATORS)
    resp = whole["responsiveness"]
    assert resp["flag"] is True and resp["values"]["response_latency_median_ms"] == 7_500
    assert resp["counts"]["bids"] == 6 and resp["state"] == "present"
    assert [e["time_ms"] for e in resp["evidence"]] == [
        20_000, 55_000, 95_000, 205_000, 215_000, 228_000, 246_000]
    assert doc["settings"]["response_window_ms"] == 10_000
    assert (doc["level"], doc["classification"], doc["profile"]) == (
        6, "disrupted", "helpless-fearful")
    assert "open scheme" in doc["label"] and doc["ambiance"]["counts"]


def test_segment_evidence_is_only_that_segments(vignette) -> None:  # type: ignore[no-untyped-def]
    doc = scores_to_json(vignette)
    play = next(i for i in doc["indicators"]
                if i["scope_name"] == "Free play" and i["id"] == "responsiveness")
    assert [e["time_ms"] for e in play["evidence"]] == [20_000, 55_000, 95_000]


def test_cohort_row_has_the_columns_the_cohort_csv_needs(vignette) -> None:  # type: ignore[no-untyped-def]
    row = cohort_row(vignette)
    assert set(row) >= COHORT_KEYS
    assert row["level"] == 6 and row["disrupted"] is True and row["far_share"] == 254 / 300
    json.dumps(row, allow_nan=False)


def test_cohort_row_refuses_many_codings() -> None:
    sessions = simulate_cohort("sensitive", 2, seed=3, duration_ms=120_000)
    events, segments, durations = cohort_frames(sessions)
    with pytest.raises(InputError, match="one coding"):
        cohort_row(score_codings(events, segments, scheme=SCHEME, durations=durations))


def test_an_empty_coding_scores_without_error() -> None:
    scores = score([])
    row = cohort_row(scores)
    assert row["initiative_share"] is None and row["initiative_flag"] is False
    # Nothing coded: no sign is present, and there is no hostility qualifier either.
    assert row["signs_present"] == 0 and row["signs_not_observable"] == 5
    assert row["hostility_qualifier"] == "not_observable" and row["low_hostility_flag"] is False
    json.dumps(scores_to_json(scores), allow_nan=False)


def test_scoring_many_at_once_equals_scoring_each_alone() -> None:
    sessions = [*simulate_cohort("withdrawn", 2, seed=5, procedure="ssp"),
                *simulate_cohort("sensitive", 1, seed=5, duration_ms=300_000)]
    events, segments, durations = cohort_frames(sessions)
    batch = cohort_table(score_codings(events, segments, scheme=SCHEME, durations=durations))
    for i, sim in enumerate(sessions):
        alone = cohort_row(score_coding(sim.table, sim.segments_table(), scheme=SCHEME,
                                        duration_ms=sim.duration_ms))
        got = {k: (None if pd.isna(v) else v) for k, v in batch.iloc[i].items() if k in alone}
        assert got == pytest.approx(alone, nan_ok=True), sim.name
        assert batch["coding"].iloc[i] == sim.name


def test_many_codings_take_their_own_ratings_and_a_missing_rating_stays_missing() -> None:
    sessions = simulate_cohort("frightened", 2, seed=4, duration_ms=120_000)
    events, segments, durations = cohort_frames(sessions)
    names = list(durations.index)
    scores = score_codings(events, segments, scheme=SCHEME, durations=durations,
                           ratings={names[0]: {"level": 3, "profile": "mixed"}})
    table = cohort_table(scores)
    assert table["level"].iloc[0] == 3 and table["classification"].iloc[0] == "not disrupted"
    assert pd.isna(table["level"].iloc[1]) and pd.isna(table["disrupted"].iloc[1])
    doc = scores_to_json(scores, coding=1)
    assert doc["level"] is None and doc["disrupted"] is None
