"""The behaviour generator and the coder model: valid codings, reproducible, behaving as described.

The behavioural checks read the true event stream directly (bids and what follows them, the
lengths of distress and holds, time near); they do not use the indicators.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest

from samspill.core.errors import InputError
from samspill.core.events import event_problems
from samspill.core.scheme_check import load_builtin_scheme
from samspill.core.simulate import SimulatedSession
from samspill.core.simulate.behaviour import (
    BEHAVIOUR_CENTRES,
    BEHAVIOUR_STYLES,
    CAREGIVER_TRAITS,
    CHILD_TRAITS,
    BehaviourTraits,
    behaviour_cohort,
    simulate_behaviour,
)
from samspill.core.simulate.coder import CoderConventions, code_session

SCHEME = load_builtin_scheme("withdrawal-open")
SSP_MS = 1_290_000
PROCEDURES = ("free-play", "ssp")
PROXIMITY = ("near", "far", "absent")
ANSWERS = ("respond", "initiate")


def problems(session: SimulatedSession) -> list[str]:
    """Scheme problems, plus what the scheme check lets pass: empty states."""
    out = [str(p) for p in event_problems(session.events, SCHEME, duration_ms=session.duration_ms,
                                          complete=True)]
    states = session.table[session.table.kind == "state"]
    empty = states[~(states.offset_ms > states.onset_ms)]
    out += [f"empty or inverted state {c} at {t}" for c, t in zip(empty.code, empty.onset_ms,
                                                                 strict=True)]
    early = session.table[session.table.onset_ms < 0]
    out += [f"{c} at {t} lies before the session" for c, t in zip(early.code, early.onset_ms,
                                                                  strict=True)]
    return out


COHORT_SIZE = {"free-play": 24, "ssp": 10}


@cache
def cohort(style: str, procedure: str = "free-play") -> tuple[SimulatedSession, ...]:
    """One cohort per style and procedure, shared by the tests (seed 17)."""
    sessions = behaviour_cohort(style, COHORT_SIZE[procedure], 17, procedure)  # type: ignore[arg-type]
    return tuple(sessions)


_BY_CODE: dict[int, tuple[SimulatedSession, dict[str, pd.DataFrame]]] = {}


def of(session: SimulatedSession, code: str) -> pd.DataFrame:
    """The session's events of one code (split once per session; the entry keeps the session
    alive, so its id cannot be reused by another)."""
    entry = _BY_CODE.get(id(session))
    if entry is None or entry[0] is not session:
        entry = _BY_CODE[id(session)] = (session, dict(tuple(session.table.groupby("code"))))
    return entry[1].get(code, session.table.iloc[:0])


def lengths(session: SimulatedSession, code: str) -> np.ndarray:
    states = of(session, code)
    return (states.offset_ms - states.onset_ms).to_numpy(dtype=float)


def signal_bids(session: SimulatedSession) -> pd.DataFrame:
    bids = of(session, "bid")
    return bids[bids.modifiers.map(lambda m: m["kind"] != "protest-put-down")]


def protests(session: SimulatedSession) -> int:
    return int(of(session, "bid").modifiers.map(lambda m: m["kind"] == "protest-put-down").sum())


def answered_share(sessions: tuple[SimulatedSession, ...], within_ms: int = 10_000) -> float:
    """Share of the child's bids followed by an answer, initiative or pick-up within the window."""
    answered = total = 0
    for s in sessions:
        t = s.table
        answers = np.sort(np.concatenate([t[t.code.isin(ANSWERS)].onset_ms.to_numpy(),
                                          of(s, "hold").onset_ms.to_numpy()]))
        for onset in signal_bids(s).onset_ms:
            i = np.searchsorted(answers, onset)
            answered += bool(i < len(answers) and answers[i] - onset <= within_ms)
            total += 1
    return answered / total


def near_share(sessions: tuple[SimulatedSession, ...]) -> float:
    near = sum(lengths(s, "near").sum() for s in sessions)
    present = sum(s.duration_ms - lengths(s, "absent").sum() for s in sessions)
    return near / present


def distress_share(sessions: tuple[SimulatedSession, ...]) -> float:
    return sum(lengths(s, "distress").sum() for s in sessions) / sum(s.duration_ms
                                                                     for s in sessions)


# -- validity ---------------------------------------------------------------------------------


@pytest.mark.parametrize("procedure", PROCEDURES)
@pytest.mark.parametrize("style", BEHAVIOUR_STYLES)
def test_every_style_and_procedure_gives_a_valid_complete_coding(style: str,
                                                                 procedure: str) -> None:
    for seed in range(4):
        sim = simulate_behaviour(style, seed=seed, procedure=procedure,  # type: ignore[arg-type]
                                 tail_ms=15_000 * seed)
        assert problems(sim) == []
        assert {"bid", "respond", "near", "far"} <= set(sim.table.code)
        assert len(sim.table) > 40


@pytest.mark.parametrize("procedure", PROCEDURES)
def test_true_proximity_tiles_the_session(procedure: str) -> None:
    for style in BEHAVIOUR_STYLES:
        sim = simulate_behaviour(style, seed=3, procedure=procedure)  # type: ignore[arg-type]
        prox = sim.table[sim.table.code.isin(PROXIMITY)].sort_values("onset_ms")
        assert prox.onset_ms.iloc[0] == 0 and prox.offset_ms.iloc[-1] == sim.duration_ms
        assert (prox.offset_ms.to_numpy()[:-1] == prox.onset_ms.to_numpy()[1:]).all()
        assert (prox.code.to_numpy()[:-1] != prox.code.to_numpy()[1:]).all()


def test_holds_keep_the_caregiver_near() -> None:
    for s in cohort("withdrawn-classic") + cohort("sensitive"):
        near = of(s, "near")
        for hold in of(s, "hold").itertuples():
            inside = near[(near.onset_ms <= hold.onset_ms) & (near.offset_ms >= hold.offset_ms)]
            assert len(inside) == 1, (s.name, hold.onset_ms)


def test_the_strange_situation_has_its_episodes_separations_and_reunions() -> None:
    for sim in cohort("withdrawn-near", "ssp"):
        starts = {seg.spec_id: seg.start_ms for seg in sim.segments}
        assert [seg.spec_id for seg in sim.segments] == [f"ep{i}" for i in range(1, 9)]
        assert sim.segments[-1].end_ms == sim.duration_ms == SSP_MS
        absent = of(sim, "absent")
        assert list(zip(absent.onset_ms, absent.offset_ms, strict=True)) == [
            (starts["ep4"], starts["ep5"]), (starts["ep6"], starts["ep8"])]
        assert list(of(sim, "leave").onset_ms) == [starts["ep4"], starts["ep6"]]
        assert all(m["prepared"] in ("yes", "no") for m in of(sim, "leave").modifiers)
        assert list(of(sim, "return").onset_ms) == [starts["ep5"], starts["ep8"]]
        t = sim.table
        for a, b in zip(absent.onset_ms, absent.offset_ms, strict=True):
            during = t[(t.onset_ms > a) & (t.onset_ms < b)]
            assert set(during.code) <= {"distress"}, set(during.code)  # no acts, no bids
            holds = of(sim, "hold")
            assert not ((holds.onset_ms < b) & (holds.offset_ms > a)).any()


def test_the_recording_can_run_on_after_the_last_episode() -> None:
    sim = simulate_behaviour("sensitive", seed=2, procedure="ssp", tail_ms=45_000)
    assert sim.duration_ms == SSP_MS + 45_000
    assert sim.segments[-1].end_ms == SSP_MS
    assert sim.table.onset_ms.max() > SSP_MS  # behaviour goes on in the tail
    assert problems(sim) == []


def test_free_play_is_one_plain_segment_of_the_given_length() -> None:
    sim = simulate_behaviour("withdrawn-muted", seed=1, duration_ms=300_000)
    assert sim.duration_ms == 300_000
    assert [(s.spec_id, s.role, s.start_ms, s.end_ms) for s in sim.segments] == [
        ("play", "plain", 0, 300_000)]
    assert simulate_behaviour("sensitive", seed=1).duration_ms == 20 * 60_000


def test_bad_arguments_are_input_errors() -> None:
    with pytest.raises(InputError):
        simulate_behaviour("neglectful", seed=1)
    with pytest.raises(InputError):
        simulate_behaviour("sensitive", seed=1, procedure="ssp", duration_ms=600_000)
    with pytest.raises(InputError):
        simulate_behaviour("sensitive", seed=1, duration_ms=10_000)
    with pytest.raises(InputError):
        simulate_behaviour("sensitive", seed=1, overrides={"kindness": 0.5})
    with pytest.raises(InputError):
        simulate_behaviour("sensitive", seed=1, overrides={"warmth": 1.5})
    with pytest.raises(InputError):
        behaviour_cohort("sensitive", -1, 1)


# -- reproducibility and ground truth ---------------------------------------------------------


def test_the_same_seed_gives_the_same_session_and_another_seed_another() -> None:
    a, b = (simulate_behaviour("withdrawn-classic", seed=8, procedure="ssp") for _ in range(2))
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.ground_truth == b.ground_truth and a.segments == b.segments and a.name == b.name
    c = simulate_behaviour("withdrawn-classic", seed=9, procedure="ssp")
    assert c.ground_truth != a.ground_truth
    assert not c.table[["code", "onset_ms"]].equals(a.table[["code", "onset_ms"]])


def test_a_cohort_session_depends_only_on_seed_style_and_index() -> None:
    three = behaviour_cohort("hostile-intrusive", 3, 5, duration_ms=120_000)
    five = behaviour_cohort("hostile-intrusive", 5, 5, duration_ms=120_000)
    for x, y in zip(three, five[:3], strict=True):
        pd.testing.assert_frame_equal(x.table, y.table)
        assert x.name == y.name
    assert len({s.name for s in five}) == 5
    other = behaviour_cohort("sensitive", 3, 5, duration_ms=120_000)
    assert three[0].ground_truth["sensitivity"] != other[0].ground_truth["sensitivity"]


def test_the_ground_truth_records_style_procedure_and_every_trait() -> None:
    sim = simulate_behaviour("withdrawn-near", seed=4, procedure="ssp", spread=0.0)
    truth = sim.ground_truth
    assert truth["style"] == "withdrawn-near" and truth["procedure"] == "ssp"
    assert set(CAREGIVER_TRAITS) | set(CHILD_TRAITS) == set(BehaviourTraits.model_fields)
    assert {k: truth[k] for k in BehaviourTraits.model_fields} == pytest.approx(
        BEHAVIOUR_CENTRES["withdrawn-near"].model_dump())
    spread = [simulate_behaviour("withdrawn-near", seed=i).ground_truth for i in range(2)]
    assert spread[0]["availability"] != spread[1]["availability"]


def test_overrides_set_a_trait_centre() -> None:
    sim = simulate_behaviour("sensitive", seed=3, spread=0.0, overrides={"availability": 0.1})
    assert sim.ground_truth["availability"] == 0.1
    assert sim.ground_truth["warmth"] == BEHAVIOUR_CENTRES["sensitive"].warmth


# -- behaviour --------------------------------------------------------------------------------


def test_withdrawn_caregivers_leave_more_bids_unanswered_than_sensitive_ones() -> None:
    sensitive, classic = answered_share(cohort("sensitive")), answered_share(
        cohort("withdrawn-classic"))
    near = answered_share(cohort("withdrawn-near"))
    assert sensitive > 0.8
    assert classic < 0.5 and near < 0.6
    assert sensitive - classic > 0.35


def test_muted_caregivers_answer_most_bids_but_faintly() -> None:
    def muted_share(sessions: tuple[SimulatedSession, ...]) -> float:
        intensities = [m["intensity"] for s in sessions for m in of(s, "respond").modifiers]
        return intensities.count("muted") / len(intensities)

    assert answered_share(cohort("withdrawn-muted")) > 0.7
    assert muted_share(cohort("withdrawn-muted")) > 0.65
    assert muted_share(cohort("sensitive")) < 0.25


def test_comfort_shortens_distress_and_unanswered_distress_lasts_longer() -> None:
    """Landmark comparison: distress still running 10 s after onset, by what those 10 s held."""
    window = 10_000
    comforted: list[int] = []
    unanswered: list[int] = []
    for style in ("sensitive", "sensitive-high-distress", "withdrawn-classic", "withdrawn-near"):
        for s in cohort(style):
            holds, t = of(s, "hold"), s.table
            care = t[t.code.isin((*ANSWERS, "redirect"))]
            care_at = care.onset_ms.to_numpy()
            comforting = (care.code.isin(ANSWERS) & care.modifiers.map(
                lambda m: m.get("intensity") != "muted")).to_numpy()
            hold_on, hold_off = holds.onset_ms.to_numpy(), holds.offset_ms.to_numpy(dtype=float)
            for lo, hi in zip(of(s, "distress").onset_ms, of(s, "distress").offset_ms,
                              strict=True):
                if hi - lo < window:
                    continue
                held = ((hold_on < lo + window) & (hold_off > lo)).any()
                acted = (care_at >= lo) & (care_at < lo + window)
                if held or (acted & comforting).any():
                    comforted.append(hi - lo)
                elif not acted.any():
                    unanswered.append(hi - lo)
    assert len(comforted) > 30 and len(unanswered) > 30
    assert np.median(unanswered) > 1.8 * np.median(comforted)


def test_a_caregiver_who_never_answers_leaves_the_same_child_distressed_longer() -> None:
    ordinary = cohort("sensitive")
    unanswered = tuple(behaviour_cohort("sensitive", 24, 17, overrides={
        "sensitivity": 0.0, "initiative": 0.0, "intrusion_per_10min": 0.0}))
    mean = [np.mean(np.concatenate([lengths(s, "distress") for s in c]))
            for c in (ordinary, unanswered)]
    assert mean[1] > 2 * mean[0]
    assert all(of(s, "hold").empty and of(s, "respond").empty for s in unanswered)


def test_near_but_unresponsive_caregivers_stay_near() -> None:
    near, classic = near_share(cohort("withdrawn-near")), near_share(cohort("withdrawn-classic"))
    assert near > 0.75 and classic < 0.4
    assert near_share(cohort("withdrawn-near", "ssp")) > near_share(
        cohort("withdrawn-classic", "ssp")) + 0.3


def test_a_fussy_child_shows_more_distress_bids_and_protests() -> None:
    calm, fussy = cohort("sensitive"), cohort("sensitive-high-distress")
    assert distress_share(fussy) > 2.5 * distress_share(calm)
    assert sum(len(signal_bids(s)) for s in fussy) > 1.1 * sum(len(signal_bids(s)) for s in calm)
    assert sum(map(protests, fussy)) > 2 * sum(map(protests, calm))


def test_withdrawn_holds_are_brief_and_end_despite_protest() -> None:
    classic, sensitive = cohort("withdrawn-classic"), cohort("sensitive")
    median = [np.median(np.concatenate([lengths(s, "hold") for s in c]))
              for c in (classic, sensitive)]
    assert median[0] < 0.5 * median[1]
    protest_rate = [sum(map(protests, c)) / sum(len(of(s, "hold")) for s in c)
                    for c in (classic, sensitive)]
    assert protest_rate[0] > 2 * protest_rate[1] and protest_rate[0] > 0.15
    assert sum(len(of(s, "redirect")) for s in classic) > 3 * sum(
        len(of(s, "redirect")) for s in sensitive) + 10


def test_children_of_withdrawn_caregivers_still_seek_the_caregiver() -> None:
    def bids_per_min(sessions: tuple[SimulatedSession, ...]) -> float:
        return sum(len(signal_bids(s)) for s in sessions) / sum(s.duration_ms for s in sessions
                                                                 ) * 60_000

    for style in ("withdrawn-classic", "withdrawn-muted", "withdrawn-near"):
        assert bids_per_min(cohort(style)) >= bids_per_min(cohort("sensitive"))
        sought = []
        for s in cohort(style, "ssp"):
            bids = signal_bids(s)
            sought += [((bids.onset_ms >= r) & (bids.onset_ms < r + 15_000)).any()
                       for r in of(s, "return").onset_ms]
        assert np.mean(sought) > 0.7, style


def test_children_are_often_still_distressed_when_the_caregiver_returns() -> None:
    upset = []
    for s in cohort("sensitive", "ssp"):
        distress = of(s, "distress")
        upset += [((distress.onset_ms <= r) & (distress.offset_ms > r)).any()
                  for r in of(s, "return").onset_ms]
    assert 0.25 < np.mean(upset) < 0.9
    alone = distress_share(tuple(cohort("sensitive", "ssp")))
    assert alone > 3 * distress_share(cohort("sensitive"))


def test_hostile_intrusive_caregivers_answer_but_act_hostile() -> None:
    def acts_per_10min(sessions: tuple[SimulatedSession, ...], codes: tuple[str, ...]) -> float:
        n = sum(int(s.table.code.isin(codes).sum()) for s in sessions)
        return n / sum(s.duration_ms for s in sessions) * 600_000

    hostile = cohort("hostile-intrusive")
    assert answered_share(hostile) > 0.75
    assert acts_per_10min(hostile, ("ni",)) > 5
    assert acts_per_10min(hostile, ("fd",)) > 0.3
    for style in BEHAVIOUR_STYLES[:-1]:
        assert acts_per_10min(cohort(style), ("ni", "fd")) < 1, style


# -- the coder model --------------------------------------------------------------------------

NOISY = {"jitter_ms": 2000, "miss_share": 0.15, "conventions": CoderConventions.typical()}


@pytest.mark.parametrize("jitter", ["uniform", "normal"])
def test_noisy_codings_stay_valid(jitter: str) -> None:
    for style in BEHAVIOUR_STYLES:
        for procedure in PROCEDURES:
            for seed in range(6):
                truth = cohort(style, procedure)[seed]
                coded = code_session(truth, seed=seed, jitter=jitter, **NOISY)  # type: ignore[arg-type]
                assert problems(coded) == [], (style, procedure, seed)


def test_jitter_beyond_the_length_of_states_still_gives_valid_codings() -> None:
    kept = total = 0
    for seed in range(10):
        truth = simulate_behaviour("sensitive-high-distress", seed=seed, duration_ms=300_000)
        coded = code_session(truth, seed=seed, jitter_ms=20_000, jitter="normal", miss_share=0.2)
        assert problems(coded) == []
        kept += int((coded.table.kind == "state").sum())
        total += int((truth.table.kind == "state").sum())
    assert total > 100
    assert kept > 0.7 * total  # squeezed into order, not dropped (only the misses go)


def test_the_clean_coder_returns_the_true_events_unchanged() -> None:
    for truth in (cohort("withdrawn-classic", "ssp")[0], cohort("hostile-intrusive")[0]):
        coded = code_session(truth, seed=1)
        pd.testing.assert_frame_equal(coded.table, truth.table)
        assert coded.segments == truth.segments and coded.duration_ms == truth.duration_ms


def test_coding_is_reproducible_and_leaves_the_truth_alone() -> None:
    truth = cohort("withdrawn-muted")[0]
    before = truth.table.copy(deep=True)
    a, b = (code_session(truth, seed=3, **NOISY) for _ in range(2))  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(a.table, b.table)
    c = code_session(truth, seed=4, **NOISY)  # type: ignore[arg-type]
    assert not a.table[["event_id", "onset_ms"]].equals(c.table[["event_id", "onset_ms"]])
    pd.testing.assert_frame_equal(truth.table, before)
    assert a.ground_truth["coder"]["jitter_ms"] == 2000
    assert a.ground_truth["style"] == "withdrawn-muted"


def point_shifts(jitter: str, jitter_ms: int, lag_ms: int = 0) -> np.ndarray:
    """Coded minus true time of every point far enough from the edges not to be clipped."""
    shifts = []
    for i, truth in enumerate(cohort("sensitive") + cohort("withdrawn-classic")):
        coded = code_session(truth, seed=i, jitter_ms=jitter_ms, jitter=jitter,  # type: ignore[arg-type]
                             conventions=CoderConventions(reaction_lag_ms=lag_ms))
        true_points = truth.table[truth.table.kind == "point"].set_index("event_id").onset_ms
        coded_points = coded.table[coded.table.kind == "point"].set_index("event_id").onset_ms
        edge = 5 * jitter_ms + lag_ms
        inner = true_points[(true_points > edge) & (true_points < truth.duration_ms - edge)]
        shifts.append((coded_points[inner.index] - inner).to_numpy())
    return np.concatenate(shifts)


def test_uniform_jitter_has_the_requested_spread() -> None:
    shifts = point_shifts("uniform", 1000)
    assert len(shifts) > 2000
    assert np.abs(shifts).max() <= 1000
    assert np.std(shifts) == pytest.approx(1000 / np.sqrt(3), rel=0.05)
    assert abs(np.mean(shifts)) < 3 * 1000 / np.sqrt(3) / np.sqrt(len(shifts))


def test_normal_jitter_and_reaction_lag_have_the_requested_spread_and_shift() -> None:
    shifts = point_shifts("normal", 600, lag_ms=300)
    assert np.std(shifts) == pytest.approx(600, rel=0.05)
    assert np.mean(shifts) == pytest.approx(300, abs=3 * 600 / np.sqrt(len(shifts)))
    assert (np.abs(shifts - 300) > 1000).any()  # a normal tail, unlike the uniform's bound


def test_the_miss_share_is_honoured() -> None:
    kept = total = 0
    for i, truth in enumerate(cohort("sensitive") + cohort("withdrawn-near")):
        coded = code_session(truth, seed=i, miss_share=0.2)
        assert set(coded.table.event_id) <= set(truth.table.event_id)
        kept += len(coded.table)
        total += len(truth.table)
    missed = 1 - kept / total
    assert total > 2000
    assert missed == pytest.approx(0.2, abs=3 * np.sqrt(0.2 * 0.8 / total))


def test_shared_proximity_boundaries_move_together() -> None:
    for i, truth in enumerate(cohort("withdrawn-near", "ssp")[:6]):
        coded = code_session(truth, seed=i, jitter_ms=2000, jitter="normal")
        true_prox = truth.table[truth.table.code.isin(PROXIMITY)].sort_values("onset_ms")
        coded_prox = coded.table.set_index("event_id")
        moved = 0
        for a, b in zip(true_prox.event_id.iloc[:-1], true_prox.event_id.iloc[1:], strict=True):
            assert coded_prox.offset_ms[a] == coded_prox.onset_ms[b]
            moved += coded_prox.onset_ms[b] != true_prox.set_index("event_id").onset_ms[b]
        assert moved > 0


def test_conventions_change_what_is_coded_as_described() -> None:
    truths = cohort("withdrawn-classic", "ssp")
    quick = brief = 0
    for i, truth in enumerate(truths):
        coded = code_session(truth, seed=i, conventions=CoderConventions(
            min_hold_ms=5000, merge_bids_within_ms=1000, absent_uncoded=1.0, intensity_error=1.0))
        holds = lengths(coded, "hold")
        assert (holds >= 5000).all()
        assert len(holds) == int((lengths(truth, "hold") >= 5000).sum())
        brief += int((lengths(truth, "hold") < 5000).sum())
        for kind, bids in of(coded, "bid").groupby(of(coded, "bid").modifiers.map(
                lambda m: m["kind"])):
            assert (np.diff(np.sort(bids.onset_ms.to_numpy())) > 1000).all(), kind
        quick += len(of(truth, "bid")) - len(of(coded, "bid"))
        assert of(coded, "absent").empty
        assert len(of(coded, "leave")) == len(of(coded, "return")) == 2
        true_intensity = dict(zip(of(truth, "respond").event_id, of(truth, "respond").modifiers.map(
            lambda m: m["intensity"]), strict=True))
        for event_id, mods in zip(of(coded, "respond").event_id, of(coded, "respond").modifiers,
                                  strict=True):
            assert mods["intensity"] != true_intensity[event_id]
    assert quick > 0 and brief > 0  # the conventions had something to act on
    kept = code_session(truths[0], seed=0, conventions=CoderConventions(absent_uncoded=0.0))
    assert len(of(kept, "absent")) == 2


def test_bad_coder_arguments_are_input_errors() -> None:
    truth = cohort("sensitive")[0]
    with pytest.raises(InputError):
        code_session(truth, seed=1, jitter_ms=-5)
    with pytest.raises(InputError):
        code_session(truth, seed=1, jitter="triangular")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        code_session(truth, seed=1, miss_share=1.0)
