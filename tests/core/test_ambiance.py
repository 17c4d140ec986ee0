"""AMBIANCE scores: counts and rates per dimension and code, level, classification, label."""

from __future__ import annotations

import pytest

from samspill.core.ambiance import ambiance_rating, disrupted_cutoff_of
from samspill.core.errors import InputError
from samspill.core.events import Event, events_frame, segments_frame
from samspill.core.scheme_check import load_builtin_scheme
from samspill.core.scoring import score_coding
from tests.core.indicators.helpers import SCHEME, cg, seg

AMBIANCE = load_builtin_scheme("ambiance")


def _counts(events: list[Event], scheme=SCHEME, segments=(), duration_s: float = 1200):  # type: ignore[no-untyped-def]
    scores = score_coding(events_frame(events, scheme), segments_frame(list(segments)),
                          scheme=scheme, duration_ms=round(duration_s * 1000))
    return scores.ambiance


def test_counts_and_rates_per_dimension_and_code() -> None:
    table = _counts([cg("ni", 10), cg("ni", 20), cg("ni", 30), cg("fd", 40)])
    session = table[table["scope"] == "session"].set_index("item")
    assert session.loc["NI", "count"] == 3 and session.loc["NI", "rate_per_10min"] == 1.5
    assert session.loc["FD", "count"] == 1 and session.loc["WD", "count"] == 0
    assert session.loc["ni", "item_type"] == "code" and session.loc["ni", "dimension"] == "NI"
    assert set(session.index) >= {"AE", "RB", "FD", "NI", "WD", "bid", "hold"}


def test_counts_per_segment_and_rate_per_time_present() -> None:
    events = [cg("absent", 0, 300), cg("near", 300, 600), cg("wd", 400), cg("wd", 700)]
    table = _counts(events, segments=[seg("a", 0, 600), seg("b", 600, 1200)])
    wd = table[table["item"] == "WD"].set_index("scope")
    by_segment = table[(table["item"] == "WD") & (table["scope"] == "segment")]
    assert by_segment["count"].tolist() == [1, 1]
    assert by_segment["rate_per_10min"].tolist() == [2.0, 1.0]  # 300 s and 600 s present
    assert wd.loc["session", "count"] == 2


def test_the_public_ambiance_structure_scores_too() -> None:
    table = _counts([cg("ni", 10), cg("rb", 20)], scheme=AMBIANCE)
    session = table[(table["scope"] == "session") & (table["item_type"] == "dimension")]
    assert dict(zip(session["item"], session["count"], strict=True)) == {
        "AE": 0, "RB": 1, "FD": 0, "NI": 1, "WD": 0}


def test_level_profile_and_classification_from_the_ratings() -> None:
    r = ambiance_rating({"level": 5, "profile": "helpless-fearful"}, scheme=SCHEME)
    assert (r.level, r.disrupted, r.classification, r.cutoff) == (5, True, "disrupted", 5.0)
    assert r.profile == "helpless-fearful"
    assert ambiance_rating({"level": "4"}, scheme=SCHEME).classification == "not disrupted"


def test_the_studys_cutoff_overrides_the_schemes() -> None:
    assert ambiance_rating({"level": 5}, scheme=SCHEME, disrupted_cutoff=6).disrupted is False
    assert disrupted_cutoff_of(SCHEME) == 5.0
    no_setting = SCHEME.model_copy(update={"settings": {}})
    assert disrupted_cutoff_of(no_setting) == 5.0


def test_no_ratings_give_no_level_and_no_classification() -> None:
    r = ambiance_rating(None, scheme=SCHEME)
    assert (r.level, r.disrupted, r.classification, r.profile) == (None, None, None, None)


@pytest.mark.parametrize("ratings", [{"level": 8}, {"level": 0}, {"level": "high"},
                                     {"level": 4.5}, {"profile": "sad"}])
def test_an_impossible_rating_is_an_input_error_naming_the_scale(ratings: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(InputError) as info:
        ambiance_rating(ratings, scheme=SCHEME)
    assert "rate" in info.value.fix


def test_outputs_say_ambiance_only_for_a_licensed_scheme() -> None:
    open_label = ambiance_rating({}, scheme=SCHEME).label
    assert "open scheme" in open_label and "not an official AMBIANCE" in open_label
    licensed = AMBIANCE.model_copy(update={"licensed": True})
    assert ambiance_rating({}, scheme=licensed).label == "AMBIANCE"
