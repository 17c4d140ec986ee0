"""Analyses on stored codings give what the core gives on the exported files, and find a known
effect in a simulated cohort."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from samspill.core.errors import InputError
from samspill.core.outcomes import outcome_analysis
from samspill.core.selection import EVERY_CODING
from samspill.core.sequential import caregiver_answer_after_bid, lag_sequential
from samspill.services import analysis, exports, studies
from samspill.services.schemes import register_builtin_schemes
from samspill.services.simulation import add_simulated_sessions
from samspill.settings import Settings
from samspill.store.db import Database
from tests.exchange.conftest import Lab
from tests.factories import make_user


def test_the_withdrawal_query_equals_the_core_on_the_exported_events(lab: Lab) -> None:
    with lab.database.session() as db:
        study = studies.get_study(db, "lab")
        chosen = exports.choose_codings(db, study, session="v1")
        stored = analysis.withdrawal_query(db, chosen, window_ms=5000, pooled=EVERY_CODING)
        csv = exports.table_export(db, study, "events", "csv", chosen).body
    events = pd.read_csv(io.BytesIO(csv))
    events["session"] = events["session"] + "." + events["coder"]
    from_file = caregiver_answer_after_bid(events, window_ms=5000, session_col="session",
                                           duration_ms=dict.fromkeys(events["session"], 360_000))
    pd.testing.assert_frame_equal(stored.sort_values("session", ignore_index=True),
                                  from_file.sort_values("session", ignore_index=True))
    assert set(stored["session"]) == {"v1.own", "v1.cod", "v1.cod2", "(pooled)"}


def test_pooled_sequential_analysis_counts_a_double_coded_session_once(lab: Lab) -> None:
    """v1 is coded by own (master), cod and cod2: by default only its master enters the pooled
    row, and the lag tables count its transitions once."""
    with lab.database.session() as db:
        study = studies.get_study(db, "lab")
        chosen = exports.choose_codings(db, study)
        pooled = analysis.withdrawal_query(db, chosen, window_ms=5000)
        every = analysis.withdrawal_query(db, chosen, window_ms=5000, pooled=EVERY_CODING)
        masters = [c for c in chosen if c.status == "master"]
        only_masters = analysis.withdrawal_query(db, masters, window_ms=5000,
                                                 pooled=EVERY_CODING)
        lag_one = analysis.lag_analysis(db, chosen)
        lag_every = analysis.lag_analysis(db, chosen, pooled=EVERY_CODING)
        lag_masters = analysis.lag_analysis(db, masters, pooled=EVERY_CODING)
    assert set(pooled["session"]) == {"v1", "v2", "(pooled)"}
    assert set(every["session"]) == {"v1.own", "v1.cod", "v1.cod2", "v2", "(pooled)"}
    pd.testing.assert_frame_equal(pooled, only_masters)
    pd.testing.assert_frame_equal(lag_one, lag_masters)
    assert not lag_one.equals(lag_every)


def test_lag_tables_and_per_bid_lists_come_from_the_core(lab: Lab) -> None:
    with lab.database.session() as db:
        chosen = exports.choose_codings(db, studies.get_study(db, "lab"), session="v2")
        events, _ = analysis.sequence_frame(db, chosen)
        lag = analysis.lag_analysis(db, chosen, lags=[1, 2])
        bids = analysis.withdrawal_query(db, chosen, per_event=True)
    pd.testing.assert_frame_equal(lag, lag_sequential(events, lags=[1, 2], session_col="session"))
    assert len(bids) == (events["code"] == "bid").sum() and set(bids["session"]) == {"v2"}


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """Twelve sensitive and twelve withdrawn simulated dyads (master codings)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("cohort") / "data",
                        min_password_length=12)
    database = Database(settings)
    database.migrate()
    with database.session() as db:
        register_builtin_schemes(db)
        study = studies.create_study(db, name="sim", owner=make_user(db, "own"))
        for style in ("sensitive", "withdrawn"):
            add_simulated_sessions(db, study=study, style=style, sessions=12, seed=7)
    yield database
    database.dispose()


def _outcomes(predictors: pd.DataFrame) -> pd.DataFrame:
    """A later outcome caused by unanswered bids beyond an abuse covariate, plus noise."""
    rng = np.random.default_rng(11)
    abuse = rng.normal(size=len(predictors))
    bpd = 3.0 * predictors["unanswered_share"].to_numpy() + 0.5 * abuse
    bpd += rng.normal(scale=0.2, size=len(predictors))
    return pd.DataFrame({"dyad": predictors["dyad"], "abuse": abuse, "bpd": bpd})


def test_withdrawal_predicts_a_simulated_outcome_beyond_the_covariate(cohort: Database,
                                                                      tmp_path: Path) -> None:
    with cohort.session() as db:
        study = studies.get_study(db, "sim")
        chosen = exports.choose_codings(db, study)
        predictors = exports.predictors_frame(db, study, chosen)
        outcomes = _outcomes(predictors)
        result = analysis.outcome_model(db, study, chosen, outcomes, outcome="bpd",
                                        steps=[["abuse"], ["unanswered_share"]])
        exported = exports.table_export(db, study, "predictors", "csv", chosen).body
    step2 = result.steps.iloc[1]
    assert result.n == 24 and result.excluded.empty
    assert step2["r2_change"] > 0.3 and step2["p_change"] < 0.001
    beta = result.coefficients.query("step == 2 and term == 'unanswered_share'").iloc[0]
    assert beta["beta_ci_low"] > 0
    # The file route (export predictors, then 'samspill outcomes') gives the same model.
    from_file = outcome_analysis(outcomes, pd.read_csv(io.BytesIO(exported)), outcome="bpd",
                                 steps=[["abuse"], ["unanswered_share"]])
    pd.testing.assert_frame_equal(result.steps, from_file.steps)


def test_outcome_rows_for_unknown_dyads_are_listed_as_excluded(cohort: Database) -> None:
    with cohort.session() as db:
        study = studies.get_study(db, "sim")
        chosen = exports.choose_codings(db, study)
        outcomes = _outcomes(exports.predictors_frame(db, study, chosen))
        outcomes.loc[len(outcomes)] = {"dyad": "NOPE", "abuse": 0.0, "bpd": 1.0}
        result = analysis.outcome_model(db, study, chosen, outcomes, outcome="bpd",
                                        steps=[["abuse"], ["unanswered_share"]])
    assert result.excluded.to_dict("records") == [{"dyad": "NOPE", "reason": "unknown dyad"}]


@pytest.mark.parametrize(("data", "message"), [
    (b"\xff\xfe\x00bad", "cannot read"),
    (b"", "cannot read"),
])
def test_an_unreadable_outcome_file_is_named(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        analysis.read_outcomes(data, source="out.csv")


def test_steps_are_read_one_per_line() -> None:
    assert analysis.parse_steps(["abuse", " unanswered_share, far_share ", ""]) == [
        ["abuse"], ["unanswered_share", "far_share"]]
    with pytest.raises(InputError, match="no predictor step"):
        analysis.parse_steps(["", " "])
