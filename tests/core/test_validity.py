"""Validity on a simulated cohort: the indicators separate styles and recover parameters.

AUCs are computed independently of Samspill with scipy's Mann–Whitney U (AUC = U / (n1 n2),
Mason & Graham 2002); rank agreement with scipy's Spearman ρ. The cohort is seeded, so the
test is deterministic; it uses 40 dyads per style and 60 minutes of free play each.
"""

from __future__ import annotations

import pandas as pd
import pytest
from scipy.stats import mannwhitneyu, spearmanr

from samspill.core.indicators import IndicatorSettings
from samspill.core.scoring import cohort_table, score_codings
from samspill.core.simulate import STYLES, cohort_frames, simulate_cohort
from tests.core.indicators.helpers import SCHEME

PER_STYLE = 40
MINUTES = 60


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    sessions = [s for style in STYLES
                for s in simulate_cohort(style, PER_STYLE, seed=2023, duration_ms=MINUTES * 60_000)]
    events, segments, durations = cohort_frames(sessions)
    table = cohort_table(score_codings(events, segments, scheme=SCHEME, durations=durations))
    truth = pd.DataFrame([s.ground_truth for s in sessions]).add_prefix("sim_")
    return pd.concat([table, truth], axis=1)


def auc(higher: pd.Series, lower: pd.Series) -> float:
    """P(a random value of ``higher`` exceeds one of ``lower``), ties counted half."""
    a, b = higher.dropna().astype(float), lower.dropna().astype(float)
    return float(mannwhitneyu(a, b).statistic) / (len(a) * len(b))


def _style(cohort: pd.DataFrame, style: str) -> pd.DataFrame:
    return cohort[cohort["sim_style"] == style]


def test_auc_helper_matches_a_pairwise_count() -> None:
    a, b = pd.Series([1.0, 3.0, 3.0, 5.0]), pd.Series([0.0, 3.0, 4.0])
    pairs = sum((x > y) + 0.5 * (x == y) for x in a for y in b)
    assert abs(auc(a, b) - pairs / 12) < 1e-12


@pytest.mark.parametrize(("column", "direction"), [
    ("initiative_share", -1),             # withdrawn caregivers initiate less
    ("unanswered_share", 1),              # and leave more bids unanswered,
    ("response_latency_median_ms", 1),    # answer later,
    ("hold_median_ms", -1),               # hold more briefly,
    ("redirect_share", 1),                # redirect more,
    ("far_share", 1),                     # and stay further away.
])
def test_first_five_indicators_separate_withdrawn_from_sensitive(
        cohort: pd.DataFrame, column: str, direction: int) -> None:
    withdrawn, sensitive = _style(cohort, "withdrawn"), _style(cohort, "sensitive")
    assert withdrawn[column].isna().mean() <= 0.25  # most dyads give a value
    # A dyad with no hold bout at all ranks as having the briefest contact.
    fill = 0.0 if column == "hold_median_ms" else float("nan")
    w, s = withdrawn[column].fillna(fill), sensitive[column].fillna(fill)
    assert auc(direction * w, direction * s) >= 0.95


def test_low_hostility_separates_withdrawn_from_hostile(cohort: pd.DataFrame) -> None:
    withdrawn, hostile = _style(cohort, "withdrawn"), _style(cohort, "hostile")
    assert auc(hostile["hostile_rate_per_10min"], withdrawn["hostile_rate_per_10min"]) >= 0.95
    assert withdrawn["low_hostility_flag"].mean() >= 0.8
    assert hostile["low_hostility_flag"].mean() <= 0.2


@pytest.mark.parametrize("style", ["sensitive", "withdrawn"])
def test_median_latency_recovers_the_simulated_median_within_ten_percent(style: str) -> None:
    # The simulator times every event exactly, so the tolerance for coders' timing is set to
    # 0 here: an act just before a bid is then never taken for its answer.
    sessions = simulate_cohort(style, PER_STYLE, seed=2023, duration_ms=MINUTES * 60_000)
    events, segments, durations = cohort_frames(sessions)
    table = cohort_table(score_codings(events, segments, scheme=SCHEME, durations=durations,
                                       settings=IndicatorSettings(timing_tolerance_ms=0)))
    truth = pd.Series([s.ground_truth["latency_median_ms"] for s in sessions])
    ratio = table["response_latency_median_ms"] / truth
    assert abs(ratio.median() - 1) <= 0.10


@pytest.mark.parametrize(("column", "parameters", "sign"), [
    ("initiative_share", ["sim_initiative_prob"], 1),
    ("response_latency_median_ms", ["sim_latency_median_ms"], 1),
    ("unanswered_share", ["sim_response_prob"], -1),
    ("hold_median_ms", ["sim_hold_median_ms"], 1),
    ("redirect_share", ["sim_redirect_prob"], 1),
    ("far_share", ["sim_far_share"], 1),
    ("hostile_rate_per_10min", ["sim_hostile_rate_per_10min", "sim_frightening_rate_per_10min"], 1),
])
def test_each_indicator_ranks_dyads_by_its_generating_parameter(
        cohort: pd.DataFrame, column: str, parameters: list[str], sign: int) -> None:
    truth = cohort[parameters].sum(axis=1)
    rho = spearmanr(cohort[column], truth, nan_policy="omit").statistic
    assert sign * rho >= 0.8


def test_the_withdrawn_profile_is_flagged_more_than_the_sensitive(cohort: pd.DataFrame) -> None:
    flags = [c for c in cohort if c.endswith("_flag") and c != "low_hostility_flag"]
    withdrawn = _style(cohort, "withdrawn")[flags].mean()
    sensitive = _style(cohort, "sensitive")[flags].mean()
    assert (withdrawn > sensitive).all()


@pytest.mark.parametrize(("style", "tolerance"), [
    ("withdrawn", 0.03), ("hostile", 0.03), ("frightened", 0.03), ("sensitive", 0.08)])
def test_far_share_recovers_the_simulated_share_less_the_time_held(
        cohort: pd.DataFrame, style: str, tolerance: float) -> None:
    # The simulator brings the caregiver near while holding, so the measured share can only
    # fall below the generating one, most for sensitive caregivers who hold long and often.
    group = _style(cohort, style)
    gap = (group["far_share"] - group["sim_far_share"]).median()
    assert -tolerance <= gap <= 0.0
