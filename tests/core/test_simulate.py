"""The simulator: reproducible, valid under the open scheme, structured, with ground truth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from samspill.core.errors import InputError
from samspill.core.events import event_problems
from samspill.core.simulate import (
    CENTRES,
    STYLES,
    StyleParameters,
    cohort_frames,
    draw_parameters,
    simulate_cohort,
    simulate_session,
)
from tests.core.indicators.helpers import SCHEME


@pytest.mark.parametrize("procedure", ["free-play", "ssp"])
@pytest.mark.parametrize("style", STYLES)
def test_sessions_are_valid_complete_codings_of_the_open_scheme(style: str, procedure: str) -> None:
    sim = simulate_session(style, seed=11, procedure=procedure)  # type: ignore[arg-type]
    assert event_problems(sim.events, SCHEME, duration_ms=sim.duration_ms, complete=True) == []
    assert len(sim.events) == len(sim.table) > 20


def test_the_same_seed_gives_the_same_session_and_another_seed_another() -> None:
    a, b = (simulate_session("withdrawn", seed=4) for _ in range(2))
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.ground_truth == b.ground_truth and a.segments == b.segments
    c = simulate_session("withdrawn", seed=5)
    assert c.ground_truth != a.ground_truth


def test_a_session_does_not_depend_on_the_cohort_size() -> None:
    three = simulate_cohort("hostile", 3, seed=8)
    two = simulate_cohort("hostile", 2, seed=8)
    for x, y in zip(two, three, strict=False):
        pd.testing.assert_frame_equal(x.table, y.table)
    assert len({s.name for s in three}) == 3


def test_the_strange_situation_has_eight_episodes_and_three_without_the_caregiver() -> None:
    sim = simulate_session("sensitive", seed=2, procedure="ssp")
    assert [s.spec_id for s in sim.segments] == [f"ep{i}" for i in range(1, 9)]
    assert sim.duration_ms == 1_290_000  # 30 s + 7 × 3 min
    by_id = {s.spec_id: s for s in sim.segments}
    absent = sim.table[sim.table["code"] == "absent"][["onset_ms", "offset_ms"]]
    assert absent.values.tolist() == [[by_id["ep4"].start_ms, by_id["ep4"].end_ms],
                                      [by_id["ep6"].start_ms, by_id["ep7"].end_ms]]
    codes = sim.table["code"].tolist()
    assert codes.count("leave") == 2 and codes.count("return") == 2
    assert [s.role for s in sim.segments if s.spec_id in ("ep5", "ep8")] == ["reunion"] * 2


def test_no_caregiver_event_but_leaving_happens_while_absent() -> None:
    sim = simulate_session("withdrawn", seed=3, procedure="ssp")
    table = sim.table
    absent = table[table["code"] == "absent"]
    care = table[(table["subject"] == "caregiver") & ~table["code"].isin(
        ["absent", "leave", "return"])]
    for a, b in absent[["onset_ms", "offset_ms"]].itertuples(index=False):
        assert not ((care["onset_ms"] >= a) & (care["onset_ms"] < b)).any()


def test_free_play_has_one_segment_of_the_asked_length() -> None:
    sim = simulate_session("frightened", seed=1, duration_ms=300_000)
    assert [(s.start_ms, s.end_ms) for s in sim.segments] == [(0, 300_000)]
    assert sim.table["onset_ms"].max() <= 300_000


def test_ground_truth_records_style_and_every_parameter() -> None:
    sim = simulate_session("withdrawn", seed=9)
    assert sim.ground_truth["style"] == "withdrawn"
    assert set(CENTRES["withdrawn"].model_dump()) <= set(sim.ground_truth)


def test_spread_zero_gives_the_centre_and_dyads_vary_around_it() -> None:
    rng = np.random.default_rng(0)
    assert draw_parameters("sensitive", rng, spread=0) == CENTRES["sensitive"]
    drawn = [draw_parameters("sensitive", rng).response_prob for _ in range(200)]
    assert 0 < min(drawn) < CENTRES["sensitive"].response_prob < max(drawn) < 1
    assert abs(np.median(drawn) - CENTRES["sensitive"].response_prob) < 0.03


def test_styles_differ_where_they_should() -> None:
    s, w = CENTRES["sensitive"], CENTRES["withdrawn"]
    h, f = CENTRES["hostile"], CENTRES["frightened"]
    assert w.response_prob < s.response_prob and w.latency_median_ms > s.latency_median_ms
    assert w.far_share > s.far_share and w.redirect_prob > s.redirect_prob
    assert h.hostile_rate_per_10min > w.hostile_rate_per_10min
    assert f.frightening_rate_per_10min > w.frightening_rate_per_10min


@pytest.mark.parametrize(("call", "message"), [
    (lambda: simulate_session("cold", seed=1), "unknown caregiving style"),
    (lambda: simulate_session("sensitive", seed=1, procedure="home"), "unknown procedure"),
    (lambda: simulate_session("sensitive", seed=1, duration_ms=1000), "too short"),
    (lambda: simulate_cohort("sensitive", -1, seed=1), "cannot simulate"),
    (lambda: draw_parameters("sensitive", np.random.default_rng(), spread=-1), "negative"),
])
def test_bad_requests_are_input_errors(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=message):
        call()


def test_cohort_frames_stack_sessions_for_batch_scoring() -> None:
    sessions = simulate_cohort("sensitive", 2, seed=1, duration_ms=120_000)
    events, segments, durations = cohort_frames(sessions)
    assert set(events["coding"]) == set(durations.index) == {s.name for s in sessions}
    assert len(events) == sum(len(s.table) for s in sessions) and len(segments) == 2


def test_every_style_parameter_is_documented() -> None:
    text = (Path(__file__).parents[2] / "docs" / "simulator.md").read_text(encoding="utf-8")
    missing = [name for name in StyleParameters.model_fields if f"`{name}`" not in text]
    assert not missing
