"""Agreement on categories and flags: the disrupted classification and the withdrawal signs."""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

from samspill.core.errors import InputError
from samspill.core.reliability._input import require_columns
from samspill.core.reliability.kappa import kappa_from_counts
from samspill.core.reliability.ratings import _complete, icc, wide_ratings

CLASSIFICATION_COLUMNS = ["raters", "targets", "agreeing", "percent", "kappa", "kappa_kind"]


def classification_agreement(frame: pd.DataFrame, *, target: str, rater: str,
                             label: str) -> pd.DataFrame:
    """Percent agreement and κ on a categorical judgement, such as disrupted / not disrupted.

    Targets rated by every rater are used. With two raters κ is Cohen's; with more, Fleiss'
    (1971) κ for many raters.

    Returns
    -------
    DataFrame
        One row: ``raters``, ``targets``, ``agreeing`` (targets where all agree), ``percent``
        (0–100), ``kappa`` (NaN when undefined: all targets in one category) and
        ``kappa_kind`` ("cohen" or "fleiss").

    References
    ----------
    Cohen, J. (1960). Educational and Psychological Measurement, 20(1), 37–46.
    Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological
    Bulletin, 76(5), 378–382.
    """
    full = _complete(wide_ratings(frame, target=target, rater=rater, rating=label,
                                  numeric=False), need_targets=1)
    values = full.astype(str).to_numpy()
    agreeing = int((values == values[:, :1]).all(axis=1).sum())
    if full.shape[1] == 2:
        cats, codes = np.unique(values, return_inverse=True)
        codes = codes.reshape(values.shape)
        table = np.zeros((len(cats), len(cats)))
        np.add.at(table, (codes[:, 0], codes[:, 1]), 1)
        kappa, kind = kappa_from_counts(table)[0], "cohen"
    else:
        counts, _ = aggregate_raters(values)
        with np.errstate(invalid="ignore", divide="ignore"):
            kappa, kind = float(fleiss_kappa(counts, method="fleiss")), "fleiss"
    return pd.DataFrame([(full.shape[1], len(full), agreeing, 100.0 * agreeing / len(full),
                          kappa, kind)], columns=CLASSIFICATION_COLUMNS)


def indicator_agreement(frame: pd.DataFrame, *, coder: str, session: str, indicator: str,
                        value: str, flag: str) -> pd.DataFrame:
    """Agreement across coders on each indicator: ICC of the values, κ of the flags.

    Parameters
    ----------
    frame : DataFrame
        One row per coder, session and indicator with the indicator's numeric ``value`` and its
        ``flag`` (present / absent, as bool or 0/1).

    Returns
    -------
    DataFrame
        One row per indicator: ``indicator``, ``sessions`` (rated by every coder),
        ``coders``, ``icc`` (ICC2, absolute agreement of a single coder) with ``ci95_low`` and
        ``ci95_high``, ``flag_percent`` (sessions where all coders flag alike, 0–100),
        ``flag_kappa`` and ``flag_kappa_kind`` (Cohen for two coders, Fleiss for more).
        Values are NaN where the statistic is undefined (too few sessions, no variation).

    References
    ----------
    Shrout & Fleiss (1979), Psychological Bulletin 86(2), 420–428; Cohen (1960);
    Fleiss (1971), Psychological Bulletin 76(5), 378–382.
    """
    require_columns(frame, [coder, session, indicator, value, flag], name="indicator table")
    rows = [_one_indicator(name, part, coder, session, value, flag)
            for name, part in frame.groupby(indicator, sort=True)]
    return pd.DataFrame(rows, columns=["indicator", "sessions", "coders", "icc", "ci95_low",
                                       "ci95_high", "flag_percent", "flag_kappa",
                                       "flag_kappa_kind"])


def _one_indicator(name: object, part: pd.DataFrame, coder: str, session: str, value: str,
                   flag: str) -> tuple[object, int, int, float, float, float, float, float, str]:
    flags = classification_agreement(part.assign(**{flag: part[flag].astype(bool)}),
                                     target=session, rater=coder, label=flag).iloc[0]
    try:
        table = icc(part, target=session, rater=coder, rating=value).set_index("type")
        row = cast(pd.Series, table.loc["ICC2"])  # one row per ICC type: a row, not a frame
        stats = (float(row["icc"]), float(row["ci95_low"]), float(row["ci95_high"]))
    except InputError:
        stats = (np.nan, np.nan, np.nan)
    return (name, int(flags["targets"]), int(flags["raters"]), *stats,
            float(flags["percent"]), float(flags["kappa"]), flags["kappa_kind"])
