"""Low hostility: hostile/intrusive and frightening events per 10 minutes present."""

from __future__ import annotations

import math

from tests.core.indicators.helpers import cg, evidence, score, seg, segment_row, session


def test_no_hostility_is_consistent_with_withdrawal() -> None:
    row = session(score([cg("wd", 10), cg("ae", 20)]))
    assert row["hostile_rate_per_10min"] == 0 and row["low_hostility_flag"]


def test_hostile_and_frightening_events_are_counted_per_ten_minutes() -> None:
    row = session(score([cg("ni", 10), cg("fd", 20)], duration_s=1200))
    assert row["hostile_events"] == 2 and row["hostile_rate_per_10min"] == 1.0
    assert not row["low_hostility_flag"]  # 1 per 10 min is not below 1


def test_the_dimensions_counted_are_a_setting() -> None:
    row = session(score([cg("ni", 10), cg("fd", 20)], duration_s=1200,
                        hostile_dimensions=("NI",)))
    assert row["hostile_rate_per_10min"] == 0.5 and row["low_hostility_flag"]


def test_extra_codes_can_be_counted() -> None:
    row = session(score([cg("redirect", 10)], hostile_dimensions=(),
                        hostile_codes=("redirect",)))
    assert row["hostile_events"] == 1


def test_no_time_present_gives_nan_and_no_flag() -> None:
    events = [cg("absent", 0, 60), cg("near", 60, 120)]
    scores = score(events, duration_s=120, segments=[seg("a", 0, 60), seg("b", 60, 120)])
    assert math.isnan(segment_row(scores, "a")["hostile_rate_per_10min"])
    assert not segment_row(scores, "a")["low_hostility_flag"]
    assert segment_row(scores, "b")["low_hostility_flag"]


def test_evidence_names_each_hostile_event() -> None:
    table = evidence(score([cg("ni", 10)]), "low_hostility")
    assert table["time_ms"].tolist() == [10_000] and "ni" in table["note"].iloc[0]
