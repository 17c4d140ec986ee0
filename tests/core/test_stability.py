"""How sure each sign is: jittered replicates stay valid codings, and the dropout figures
equal a brute-force rescoring of the coding without each event."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from samspill.core.events import event_problems, events_frame, segments_frame
from samspill.core.indicators import INDICATORS, IndicatorSettings
from samspill.core.scoring import score_coding, score_codings
from samspill.core.simulate import cohort_frames, simulate_session
from samspill.core.stability import _jitter, _lean
from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events, vignette_segments
from tests.core.indicators.helpers import SCHEME, bid, cg, ev, session


def _events_of(frame: pd.DataFrame):  # type: ignore[no-untyped-def]
    from samspill.core.events import Event
    return [Event(id=str(r.event_id), subject=str(r.subject), code=str(r.code),
                  onset_ms=int(r.onset_ms),
                  offset_ms=None if pd.isna(r.offset_ms) else int(r.offset_ms),
                  modifiers=r.modifiers) for r in frame.itertuples()]


@pytest.mark.parametrize(("style", "procedure", "seed"), [
    ("sensitive", "ssp", 1), ("withdrawn", "free-play", 2), ("frightened", "ssp", 3)])
def test_jittered_replicates_are_valid_codings(style: str, procedure: str, seed: int) -> None:
    sim = simulate_session(style, seed=seed, procedure=procedure,  # type: ignore[arg-type]
                           duration_ms=600_000)
    settings = IndicatorSettings(stability_jitter_ms=3_000, stability_replicates=5)
    reps = _jitter(_lean(sim.table), SCHEME, sim.duration_ms, settings,
                   np.random.default_rng(seed))
    assert reps["replicate"].nunique() == 5
    for _, one in reps.groupby("replicate"):
        assert event_problems(_events_of(one), SCHEME, duration_ms=sim.duration_ms,
                              complete=True) == []
        moved = one["onset_ms"].to_numpy() - sim.table["onset_ms"].to_numpy()[
            one.index.to_numpy() % len(sim.table)] if len(one) == len(sim.table) else None
        if moved is not None:
            assert np.abs(moved).max() <= 3_000 * 3  # order repairs move little further


def test_touching_proximity_states_move_together() -> None:
    events = events_frame([cg("far", 0, 30), cg("near", 30, 60)], SCHEME)
    reps = _jitter(_lean(events), SCHEME, 60_000, IndicatorSettings(stability_replicates=20),
                   np.random.default_rng(0))
    for _, one in reps.groupby("replicate"):
        far, near = one.iloc[0], one.iloc[1]
        assert far["offset_ms"] == near["onset_ms"]


def _states(events: list, duration_ms: int) -> pd.DataFrame:  # type: ignore[type-arg]
    return score_coding(events_frame(events, SCHEME), segments_frame([]), scheme=SCHEME,
                        duration_ms=duration_ms).indicators


def test_dropout_figures_equal_rescoring_without_each_event() -> None:
    # Independent check: score the coding once per event left out, and compare the states.
    events = [bid(10), cg("respond", 11), bid(40), bid(70), cg("respond", 72), bid(100),
              bid(130), cg("far", 0, 200), ev("child", "distress", 150, 170),
              cg("hold", 152, 160), bid(159, "protest-put-down"), cg("redirect", 175),
              bid(176, "reach")]
    scores = score_coding(events_frame(events, SCHEME), segments_frame([]), scheme=SCHEME,
                          duration_ms=200_000, stability=True)
    row = session(scores)
    # Each coding without one event, scored once and looked at for every indicator.
    withouts = [_states(events[:i] + events[i + 1:], 200_000).iloc[0]
                for i in range(len(events))]
    for spec in INDICATORS.values():
        flips = [left_out.id for left_out, without in zip(events, withouts, strict=True)
                 if without[spec.state] != row[spec.state]]
        got = scores.pivotal[(scores.pivotal["indicator"] == spec.id)
                             & (scores.pivotal["scope"] == "session")]["event_id"]
        assert sorted(got) == sorted(flips), spec.id
        assert row[f"{spec.id}_pivotal_events"] == len(flips)
        assert row[f"{spec.id}_stability_dropout"] == pytest.approx(1 - len(flips) / len(events))


def test_a_sign_on_its_threshold_is_fragile_and_one_far_from_it_is_stable() -> None:
    # 2 of 5 bids unanswered is exactly the 40 % threshold: leaving out either unanswered
    # bid makes it absent.
    edge = [bid(10), cg("respond", 11), bid(40), cg("respond", 41), bid(70), cg("respond", 71),
            bid(100), bid(130)]
    row = session(score_coding(events_frame(edge, SCHEME), segments_frame([]), scheme=SCHEME,
                               duration_ms=600_000, stability=True))
    assert row["responsiveness_state"] == "present"
    assert row["responsiveness_pivotal_events"] >= 2 and not row["responsiveness_stable"]
    clear = [bid(t) for t in range(10, 400, 30)]
    row = session(score_coding(events_frame(clear, SCHEME), segments_frame([]), scheme=SCHEME,
                               duration_ms=600_000, stability=True))
    assert row["responsiveness_stability"] == 1.0 and row["responsiveness_stable"]


def test_no_jitter_keeps_every_state() -> None:
    scores = score_coding(events_frame(vignette_events(), SCHEME),
                          segments_frame(vignette_segments()), scheme=SCHEME,
                          duration_ms=VIGNETTE_DURATION_MS, stability=True,
                          settings=IndicatorSettings(stability_jitter_ms=0))
    for spec in INDICATORS.values():
        assert (scores.indicators[f"{spec.id}_stability_jitter"] == 1.0).all()


def test_the_vignette_keeps_every_state_under_one_second_of_jitter() -> None:
    scores = score_coding(events_frame(vignette_events(), SCHEME),
                          segments_frame(vignette_segments()), scheme=SCHEME,
                          duration_ms=VIGNETTE_DURATION_MS, stability=True)
    row = session(scores)
    for spec in INDICATORS.values():
        assert row[f"{spec.id}_stability_jitter"] >= 0.9, spec.id


def test_stability_is_the_same_alone_and_in_a_batch_and_on_every_run() -> None:
    sims = [simulate_session(s, seed=9, duration_ms=300_000) for s in ("sensitive", "withdrawn")]
    events, segments, durations = cohort_frames(sims)
    batch = score_codings(events, segments, scheme=SCHEME, durations=durations, stability=True)
    columns = [c for c in batch.indicators if "stab" in c or "pivotal" in c]
    for i, sim in enumerate(sims):
        alone = score_coding(sim.table, sim.segments_table(), scheme=SCHEME,
                             duration_ms=sim.duration_ms, stability=True)
        mine = batch.indicators[batch.indicators["coding"] == i][columns].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone.indicators[columns])
    again = score_codings(events, segments, scheme=SCHEME, durations=durations, stability=True)
    pd.testing.assert_frame_equal(batch.indicators[columns], again.indicators[columns])


def test_events_of_codes_no_measure_reads_are_not_tried() -> None:
    events = [bid(10), cg("respond", 11), cg("wd", 20), cg("ae", 30)]
    scores = score_coding(events_frame(events, SCHEME), segments_frame([]), scheme=SCHEME,
                          duration_ms=600_000, stability=True)
    # Four events, two of them (wd, ae) read by no measure: the dropout share is over two.
    assert set(scores.indicators["initiative_stability_dropout"]) <= {1.0, 0.5, 0.0}
