"""A family's course on constructed sessions: order, intake, each change judged, what is
not observable or not scorable, and a study without agreement data (issue 23)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from samspill.core.change import judge
from samspill.core.errors import InputError
from samspill.core.events import events_frame, segments_frame
from samspill.core.indicators import INDICATORS
from samspill.core.reliability import icc
from samspill.core.scoring import score_coding
from samspill.core.trajectory import (
    MEASURES,
    SessionPoint,
    build_trajectory,
    check_phase,
    measure_reliability,
    measure_spread,
    scope_values,
)
from samspill.core.vignette import (
    VIGNETTE_DURATION_MS,
    vignette_events,
    vignette_followup_events,
    vignette_guidance_events,
    vignette_segments,
)
from tests.core.indicators.helpers import SCHEME


def _row(far: float, state: str = "present", **more: object) -> dict[str, object]:
    """An indicator row with every sign at ``state``; distance's far share is ``far``."""
    row: dict[str, object] = {}
    for name, spec in INDICATORS.items():
        row[spec.state] = "low" if spec.kind == "qualifier" else state
        row[MEASURES[name]] = 0.0
        row[f"{name}_reason"] = ""
        row[f"{name}_stability"] = 1.0
        row[f"{name}_stable"] = True
    row["far_share"] = far
    row.update(more)
    return row


def _point(name: str, day: int, phase: str | None, far: float, **kw: object) -> SessionPoint:
    return SessionPoint(name, dt.date(2024, 1, day), phase, "scored",
                        rows={"session": _row(far, **kw)})  # type: ignore[arg-type]


AGREED = pd.DataFrame({"indicator": ["distance"], "scope": ["session"], "r_xx": [0.9],
                       "agreement_sessions": [12]})
SPREAD = pd.DataFrame({"indicator": ["distance"], "scope": ["session"], "s1": [0.2],
                       "s1_sessions": [30], "s1_source": ["study"]})


def _distance(t, position: int) -> dict:  # type: ignore[no-untyped-def]
    cell = t.cell(position, "session", "distance")
    assert cell is not None
    return cell


def test_sessions_come_in_date_order_and_changes_are_judged_from_previous_and_intake() -> None:
    points = [_point("c", 20, "follow-up", 0.10, distance_state="absent"),
              _point("a", 1, "intake", 0.90), _point("b", 10, "guidance", 0.80)]
    t = build_trajectory(points, AGREED, SPREAD)
    assert [p.name for p in t.points] == ["a", "b", "c"] and t.intake == 0
    first, second, third = (_distance(t, i) for i in range(3))
    assert first["prev_verdict"] is None and first["intake_verdict"] is None
    # b: -0.10 with S_diff = sqrt(2) * 0.2 * sqrt(0.1) = 0.0894: RC -1.12, within
    assert second["prev_verdict"] == "within"
    assert second["prev_rc"] == pytest.approx(judge(0.9, 0.8, 0.2, 0.9).rc)
    assert third["prev_verdict"] == "reliable" and third["intake_verdict"] == "reliable"
    assert third["intake_diff"] == pytest.approx(-0.8)
    assert third["state"] == "absent" and third["value"] == pytest.approx(0.10)
    # Signs without agreement data in this study are not judged, whatever their values.
    assert t.cell(2, "session", "initiative")["prev_verdict"] == "no_agreement"  # type: ignore[index]


def test_intake_is_the_first_session_marked_intake_else_the_first_scored() -> None:
    marked = build_trajectory([_point("a", 1, "guidance", 0.9), _point("b", 2, "intake", 0.8),
                               _point("c", 3, None, 0.1)], AGREED, SPREAD)
    assert marked.intake == 1 and _distance(marked, 2)["intake_diff"] == pytest.approx(-0.7)
    assert _distance(marked, 1)["intake_verdict"] is None  # the reference itself
    unscored = SessionPoint("x", dt.date(2024, 1, 1), None, "unscorable", reason="no length")
    plain = build_trajectory([unscored, _point("b", 2, None, 0.8)], AGREED, SPREAD)
    assert plain.intake == 1


def test_unscorable_and_unreadable_sessions_keep_their_place_and_say_why() -> None:
    points = [_point("a", 1, "intake", 0.9),
              SessionPoint("b", dt.date(2024, 1, 5), "guidance", "unscorable",
                           reason="a state has no end"),
              SessionPoint("c", dt.date(2024, 1, 6), "guidance", "no_coding"),
              _point("d", 9, "follow-up", 0.2)]
    t = build_trajectory(points, AGREED, SPREAD)
    gap = _distance(t, 1)
    assert gap["state"] is None and gap["reason"] == "a state has no end"
    assert math.isnan(gap["value"]) and gap["prev_verdict"] is None
    # The change is taken from the last session with scores (a), not from the gaps.
    assert _distance(t, 3)["prev_diff"] == pytest.approx(-0.7)


def test_a_sign_not_observable_is_shown_but_never_compared() -> None:
    points = [_point("a", 1, "intake", 0.9),
              _point("b", 2, None, 0.2, distance_state="not_observable"),
              _point("c", 3, None, 0.1)]
    t = build_trajectory(points, AGREED, SPREAD)
    assert _distance(t, 1)["prev_verdict"] == "not_comparable"
    assert _distance(t, 1)["value"] == pytest.approx(0.2)
    assert _distance(t, 2)["prev_verdict"] == "not_comparable"
    assert _distance(t, 2)["intake_verdict"] == "reliable"


def test_a_study_without_agreement_data_judges_nothing() -> None:
    none = pd.DataFrame(columns=["indicator", "scope", "r_xx", "agreement_sessions"])
    t = build_trajectory([_point("a", 1, "intake", 0.9), _point("b", 2, None, 0.1)],
                         none, SPREAD)
    verdicts = set(t.table.loc[t.table["position"] == 1, "prev_verdict"])
    assert verdicts == {"no_agreement"}
    assert (t.measures["agreement_sessions"] == 0).all() and t.measures["r_xx"].isna().all()


def test_the_study_agreement_is_icc2s_lower_bound_and_needs_ten_sessions() -> None:
    rng = np.random.default_rng(5)
    truth = rng.uniform(0, 1, 12)
    rows = [(f"s{i}", coder, "session", "distance", v + rng.normal(0, 0.05))
            for i, v in enumerate(truth) for coder in ("ann", "bo")]
    values = pd.DataFrame(rows, columns=["session", "coder", "scope", "indicator", "value"])
    found = measure_reliability(values).iloc[0]
    direct = icc(values, target="session", rater="coder", rating="value")
    icc2 = direct.loc[direct["type"] == "ICC2"].iloc[0]
    assert found["r_xx"] == pytest.approx(float(icc2["ci95_low"]), abs=1e-9)
    assert found["r_xx"] < float(icc2["icc"])
    assert found["agreement_sessions"] == 12
    few = measure_reliability(values[values["session"].isin([f"s{i}" for i in range(9)])]).iloc[0]
    assert math.isnan(few["r_xx"]) and few["agreement_sessions"] == 9


def test_perfect_agreement_from_enough_sessions_keeps_icc_one() -> None:
    rows = [(f"s{i}", coder, "session", "distance", i / 10) for i in range(10)
            for coder in ("ann", "bo")]
    values = pd.DataFrame(rows, columns=["session", "coder", "scope", "indicator", "value"])
    assert measure_reliability(values).iloc[0]["r_xx"] == pytest.approx(1.0)


def test_the_spread_comes_from_intake_sessions_when_there_are_enough() -> None:
    study = pd.DataFrame({"session": [f"s{i}" for i in range(12)], "scope": "session",
                          "indicator": "distance", "value": np.arange(12) / 12,
                          "phase": [None] * 12})
    assert measure_spread(study).iloc[0]["s1_source"] == "study"
    intake = study.assign(phase="intake")
    found = measure_spread(intake).iloc[0]
    assert found["s1_source"] == "intake" and found["s1_sessions"] == 12
    assert found["s1"] == pytest.approx(float(np.std(np.arange(12) / 12, ddof=1)))


def test_phases_are_checked() -> None:
    assert check_phase("follow-up") == "follow-up" and check_phase("") is None
    with pytest.raises(InputError):
        check_phase("later")


def test_the_vignettes_later_sessions_show_fewer_signs_from_the_scoring() -> None:
    """The demo's three sessions: all five signs, then some, then none, as scored."""
    present = []
    for events in (vignette_events(), vignette_guidance_events(), vignette_followup_events()):
        scores = score_coding(events_frame(events, SCHEME), segments_frame(vignette_segments()),
                              scheme=SCHEME, duration_ms=VIGNETTE_DURATION_MS)
        session = scores.indicators[scores.indicators["scope"] == "session"].iloc[0]
        present.append(int(session["signs_present"]))
        long = scope_values(scores.indicators)
        assert set(long["scope"]) == {"session", "reunions"}
    assert present[0] == 5 and 0 < present[1] < 5 and present[2] == 0
