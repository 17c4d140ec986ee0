"""The certification rule: a configurable pass / fail across tapes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from samspill.core.errors import InputError
from samspill.core.reliability import CertificationRule, certify, icc


def _tapes(n=20, noise=0, seed=3, flip=0):
    rng = np.random.default_rng(seed)
    master = rng.integers(1, 8, n)
    trainee = np.clip(master + rng.integers(-noise, noise + 1, n), 1, 7)
    trainee_disrupted = trainee >= 5
    trainee_disrupted[:flip] = ~trainee_disrupted[:flip]
    return pd.DataFrame({"tape": [f"t{i}" for i in range(n)], "trainee_level": trainee,
                         "master_level": master, "trainee_disrupted": trainee_disrupted,
                         "master_disrupted": master >= 5, "tu_kappa": np.full(n, 0.7)})


def test_close_agreement_over_enough_tapes_passes():
    result = certify(_tapes(noise=1))
    assert result.passed and result.reasons == []
    report = result.report.set_index("criterion")
    assert report.loc["tapes", "value"] == 20
    tapes = _tapes(noise=1)
    long = pd.concat([tapes[["tape", "trainee_level"]].set_axis(["t", "v"], axis=1).assign(r=1),
                      tapes[["tape", "master_level"]].set_axis(["t", "v"], axis=1).assign(r=2)])
    expected = icc(long, target="t", rater="r", rating="v").set_index("type").loc["ICC2", "icc"]
    assert report.loc["level ICC2", "value"] == pytest.approx(expected)


def test_too_few_tapes_fails_with_the_reason():
    result = certify(_tapes(n=10))
    assert not result.passed
    assert result.reasons == ["tapes 10 is below 18"]


def test_disagreement_on_disrupted_fails_the_percent_criterion():
    result = certify(_tapes(flip=6))
    assert not result.passed
    assert any("disrupted percent 70" in reason for reason in result.reasons)


def test_optional_criteria_count_only_when_set():
    tapes = _tapes()
    relaxed = certify(tapes, time_unit_kappa="tu_kappa")
    assert relaxed.passed
    assert not relaxed.report.set_index("criterion").loc["time-unit kappa (mean)", "required"]
    strict = certify(tapes, time_unit_kappa="tu_kappa",
                     rule=CertificationRule(min_time_unit_kappa=0.75, level_icc_type="ICC3"))
    assert not strict.passed and strict.reasons == ["time-unit kappa (mean) 0.7 is below 0.75"]
    assert "level ICC3" in set(strict.report["criterion"])


def test_rule_rejects_impossible_thresholds():
    with pytest.raises(ValidationError):
        CertificationRule(min_level_icc=1.5)
    with pytest.raises(ValidationError):
        CertificationRule(level_icc_type="ICC4")


def test_a_tape_twice_is_refused():
    tapes = _tapes()
    with pytest.raises(InputError, match="one row per tape"):
        certify(pd.concat([tapes, tapes.iloc[:1]]))


def test_agreement_per_dimension_is_reported_and_can_be_required():
    tapes = _tapes()
    rng = np.random.default_rng(5)
    rows = []
    for dimension, noise in (("WD", 0.2), ("NI", 3.0)):
        master = rng.integers(0, 10, len(tapes))
        trainee = master + rng.normal(0, noise, len(tapes))
        rows += [(t, dimension, x, m) for t, x, m in zip(tapes["tape"], trainee, master,
                                                         strict=True)]
    dims = pd.DataFrame(rows, columns=["tape", "dimension", "trainee", "master"])
    reported = certify(tapes, dimensions=dims)
    report = reported.report.set_index("criterion")
    assert reported.passed
    assert report.loc["dimension WD ICC2", "value"] > report.loc["dimension NI ICC2", "value"]
    strict = certify(tapes, dimensions=dims, rule=CertificationRule(min_dimension_icc=0.9))
    assert not strict.passed
    assert [r.split(" ICC2")[0] for r in strict.reasons] == ["dimension NI"]


def test_tape_verdicts_judge_each_tape_on_the_classification_and_the_kappa():
    from samspill.core.reliability import tape_verdicts

    tapes = pd.DataFrame({"tape": ["a", "b", "c", "d"], "trainee_level": [4, 6, None, 2],
                          "master_level": [5, 6, 3, 2],
                          "trainee_disrupted": [False, True, None, False],
                          "master_disrupted": [False, False, False, False],
                          "kappa": [0.4, 0.9, 0.8, 0.8]})
    plain = tape_verdicts(tapes, time_unit_kappa="kappa").set_index("tape")
    assert plain["level_difference"].tolist()[:2] == [-1, 0]
    assert pd.isna(plain.loc["c", "level_difference"]) and pd.isna(plain.loc["c", "passed"])
    assert plain["passed"].tolist()[:2] == [True, False] and plain.loc["d", "passed"]
    assert plain["time_unit_kappa_ok"].isna().all(), "no minimum: κ is reported only"
    strict = tape_verdicts(tapes, rule=CertificationRule(min_time_unit_kappa=0.6),
                           time_unit_kappa="kappa").set_index("tape")
    assert strict.loc["a", "passed"] is False or not strict.loc["a", "passed"]
    assert bool(strict.loc["d", "passed"]) and not bool(strict.loc["a", "time_unit_kappa_ok"])
