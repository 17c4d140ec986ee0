"""The assist's evaluation against a coder, on sessions whose answer is worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from samspill.core.assist.evaluate import SessionPair, evaluate


def frame(rows: list[tuple[str, str, int, int | None]], detector: str | None = None,
          ) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=["subject", "code", "onset_ms", "offset_ms"])
    out["offset_ms"] = out["offset_ms"].astype("Int64")
    if detector is not None:
        out["detector"] = detector
    return out


def by_hand_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's κ of two 0/1 unit sequences, written out."""
    n = len(a)
    p_o = float((a == b).mean())
    p_e = (a.sum() * b.sum() + (n - a.sum()) * (n - b.sum())) / n**2
    return (p_o - p_e) / (1 - p_e)


def test_cry_precision_recall_onset_error_and_kappa_worked_by_hand() -> None:
    events = frame([("child", "distress", 10_000, 20_000), ("child", "distress", 40_000, 45_000),
                    ("child", "bid", 5000, None)])
    machine = frame([("child", "distress", 10_500, 19_000),
                     ("child", "distress", 60_000, 62_000)], "cry")
    pair = SessionPair("s1", events, machine, 90_000)
    row = evaluate([pair], unit_ms=1000, tolerance_ms=0, window_ms=10_000).set_index("type")
    cry = row.loc["cry"]
    assert (cry["human"], cry["suggested"]) == (2, 2)
    assert cry["precision"] == 0.5 and cry["recall"] == 0.5 and cry["onset_error_ms"] == 500
    units = np.arange(0, 90_000, 1000)
    coded = ((units >= 10_000) & (units < 20_000)) | ((units >= 40_000) & (units < 45_000))
    proposed = ((units >= 10_500) & (units < 19_000)) | ((units >= 60_000) & (units < 62_000))
    # a unit holds a state when onset <= unit start < offset: 10.5 s covers units from 11 s
    assert math.isclose(cry["kappa"], by_hand_kappa(coded.astype(int), proposed.astype(int)),
                        abs_tol=1e-9)


def test_sessions_are_pooled_end_to_end() -> None:
    one = SessionPair("a", frame([("child", "distress", 0, 5000)]),
                      frame([("child", "distress", 0, 5000)], "cry"), 10_000)
    two = SessionPair("b", frame([("child", "distress", 1000, 3000)]),
                      frame([], "cry"), 10_000)
    cry = evaluate([one, two], unit_ms=1000, tolerance_ms=0, window_ms=10_000).iloc[0]
    assert (cry["sessions"], cry["human"], cry["suggested"]) == (2, 2, 1)
    assert cry["precision"] == 1.0 and cry["recall"] == 0.5
    coded = np.zeros(20, dtype=int)
    coded[0:5] = 1
    coded[11:13] = 1
    proposed = np.zeros(20, dtype=int)
    proposed[0:5] = 1
    assert math.isclose(cry["kappa"], by_hand_kappa(coded, proposed), abs_tol=1e-9)


def test_silence_against_the_coders_unanswered_bids() -> None:
    events = frame([("child", "bid", 1000, None), ("caregiver", "respond", 3000, None),
                    ("child", "bid", 20_000, None), ("child", "bid", 40_000, None)])
    pair = SessionPair("s", events, frame([], "speech"), 60_000,
                       silent_bids=frozenset({1000, 20_000}))
    silence = evaluate([pair], unit_ms=1000, tolerance_ms=0, window_ms=10_000) \
        .set_index("type").loc["silence"]
    assert (silence["human"], silence["suggested"]) == (2, 2)
    assert silence["precision"] == 0.5 and silence["recall"] == 0.5
    # counts [[answered & silent 1, answered & not 0], ...]: p_o 1/3, p_e 5/9
    assert math.isclose(silence["kappa"], -0.5, abs_tol=1e-12)
    assert math.isnan(silence["onset_error_ms"])


def test_nothing_to_compare_gives_nan_not_a_made_up_number() -> None:
    pair = SessionPair("s", frame([]), frame([], "cry"), 10_000)
    table = evaluate([pair], unit_ms=1000, tolerance_ms=0, window_ms=10_000).set_index("type")
    assert math.isnan(table.loc["cry", "precision"]) and math.isnan(table.loc["cry", "recall"])
    assert math.isnan(table.loc["silence", "kappa"])
    assert table.loc["speech", "suggested"] == 0
