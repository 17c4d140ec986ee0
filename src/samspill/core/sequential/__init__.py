"""Sequential analysis: lag-sequential tables and time windows, per session and pooled.

See ``docs/sequential.md`` for the researcher's guide. Everything here is pure: DataFrames in,
DataFrames out.
"""

from samspill.core.sequential._input import DEFAULT_SESSION, POOLED, parse_lags
from samspill.core.sequential.lag import (
    LAG_COLUMNS,
    LAG_TEST_COLUMNS,
    code_sequences,
    lag_sequential,
    lag_table_tests,
    transition_counts,
)
from samspill.core.sequential.tables import (
    CELL_COLUMNS,
    TABLE_TEST_COLUMNS,
    cell_statistics,
    fisher_exact_p,
    odds_ratio,
    table_test,
    two_by_two,
    yules_q,
)
from samspill.core.sequential.window import HIT_COLUMNS, WINDOW_COLUMNS, time_window, window_hits
from samspill.core.sequential.withdrawal import bid_answers, caregiver_answer_after_bid

__all__ = [
    "CELL_COLUMNS", "DEFAULT_SESSION", "HIT_COLUMNS", "LAG_COLUMNS", "LAG_TEST_COLUMNS", "POOLED",
    "TABLE_TEST_COLUMNS", "WINDOW_COLUMNS", "bid_answers", "caregiver_answer_after_bid",
    "cell_statistics", "code_sequences", "fisher_exact_p", "lag_sequential", "lag_table_tests",
    "odds_ratio", "parse_lags", "table_test", "time_window", "transition_counts", "two_by_two",
    "window_hits", "yules_q",
]
