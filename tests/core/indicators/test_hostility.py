"""The hostility qualifier: hostile/intrusive and frightening events per 10 minutes present."""

from __future__ import annotations

import math

from tests.core.indicators.helpers import cg, evidence, score, seg, segment_row, session


def test_no_hostility_is_low() -> None:
    row = session(score([cg("wd", 10), cg("ae", 20)]))
    assert row["hostile_rate_per_10min"] == 0 and row["hostility_qualifier"] == "low"
    assert row["low_hostility_flag"]


def test_an_empty_coding_has_no_qualifier_and_no_sign() -> None:
    row = session(score([]))
    assert (row["hostility_qualifier"], row["hostility_reason"]) == (
        "not_observable", "nothing_coded")
    assert not row["low_hostility_flag"]
    assert (row["signs_present"], row["signs_not_observable"]) == (0, 5)


def test_hostile_and_frightening_events_are_counted_per_ten_minutes() -> None:
    row = session(score([cg("ni", 10), cg("fd", 20)], duration_s=1200))
    assert row["hostile_events"] == 2 and row["hostile_rate_per_10min"] == 1.0
    assert (row["hostility_qualifier"], row["hostility_reason"]) == ("hostile", "hostile_rate")


def test_the_dimensions_counted_are_a_setting() -> None:
    row = session(score([cg("ni", 10), cg("fd", 20)], duration_s=1200,
                        hostile_dimensions=("NI",)))
    assert row["hostile_rate_per_10min"] == 0.5 and row["hostility_qualifier"] == "low"


def test_extra_codes_can_be_counted() -> None:
    row = session(score([cg("redirect", 10)], hostile_dimensions=(),
                        hostile_codes=("redirect",)))
    assert row["hostile_events"] == 1


def test_no_time_present_is_not_observable() -> None:
    events = [cg("absent", 0, 60), cg("near", 60, 120)]
    scores = score(events, duration_s=120, segments=[seg("a", 0, 60), seg("b", 60, 120)])
    a = segment_row(scores, "a")
    assert math.isnan(a["hostile_rate_per_10min"])
    assert a["hostility_qualifier"] == "not_observable" and not a["low_hostility_flag"]
    assert segment_row(scores, "b")["hostility_qualifier"] == "low"


def test_the_qualifier_is_never_counted_as_a_sign() -> None:
    row = session(score([cg("ni", 10), cg("near", 0, 600)]))
    assert row["hostility_qualifier"] == "hostile" and row["signs_present"] == 0


def test_evidence_names_each_hostile_event() -> None:
    table = evidence(score([cg("ni", 10)]), "hostility")
    assert table["time_ms"].tolist() == [10_000] and "ni" in table["note"].iloc[0]
