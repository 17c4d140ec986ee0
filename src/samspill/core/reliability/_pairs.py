"""Shared shape of event-to-event pairings (matching and alignment) and what follows from it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd

from samspill.core.reliability._input import NIL, EventArrays, event_arrays
from samspill.core.reliability.kappa import kappa, matrix_from_pairs

PAIR_COLUMNS = ["subject", "kind", "a_row", "b_row", "code_a", "code_b", "onset_a_ms",
                "onset_b_ms", "onset_diff_ms", "agree"]
Group = tuple[str, str, np.ndarray, np.ndarray]
Pairer = Callable[[EventArrays, np.ndarray, EventArrays, np.ndarray], list[tuple[int, int]]]
PairRecord = tuple[str, str, int | None, int | None, str, str, int | None, int | None,
                   int | None, bool]
"""A row of :data:`PAIR_COLUMNS`."""


def groups(ea: EventArrays, eb: EventArrays) -> Iterator[Group]:
    """(subject, kind, A rows, B rows) for each subject and kind, rows sorted by onset."""
    keys = set()
    for ev in (ea, eb):
        kinds = np.where(ev.is_point, "point", "state")
        keys |= set(zip(ev.subject, kinds, strict=True))
    for subject, kind in sorted(keys):
        rows = []
        for ev in (ea, eb):
            idx = np.flatnonzero((ev.subject == subject) & (ev.is_point == (kind == "point")))
            rows.append(idx[np.argsort(ev.onset[idx], kind="stable")])
        yield subject, kind, rows[0], rows[1]


def pair_frame(frames: tuple[pd.DataFrame, pd.DataFrame], columns: dict[str, str],
               pairer: Pairer) -> pd.DataFrame:
    """Run ``pairer`` on each subject and kind and tabulate pairs and unpaired events."""
    ea = event_arrays(frames[0], **columns, name="coding A")
    eb = event_arrays(frames[1], **columns, name="coding B")
    records: list[PairRecord] = []
    for subject, kind, rows_a, rows_b in groups(ea, eb):
        pairs = pairer(ea, rows_a, eb, rows_b)
        paired_a = {i for i, _ in pairs}
        paired_b = {j for _, j in pairs}
        items = [(i, j) for i, j in pairs]
        items += [(i, -1) for i in rows_a if i not in paired_a]
        items += [(-1, j) for j in rows_b if j not in paired_b]
        records += [_record(subject, kind, ea, i, eb, j) for i, j in items]
    out = pd.DataFrame(records, columns=PAIR_COLUMNS)
    out = out.astype({c: "Int64" for c in ("a_row", "b_row", "onset_a_ms", "onset_b_ms",
                                            "onset_diff_ms")})
    order = out[["onset_a_ms", "onset_b_ms"]].min(axis=1)
    return out.assign(_o=order).sort_values(["subject", "kind", "_o"], kind="stable") \
        .drop(columns="_o").reset_index(drop=True)


def _record(subject: str, kind: str, ea: EventArrays, i: int, eb: EventArrays,
            j: int) -> PairRecord:
    on_a = int(ea.onset[i]) if i >= 0 else None
    on_b = int(eb.onset[j]) if j >= 0 else None
    diff = on_b - on_a if on_a is not None and on_b is not None else None
    code_a, code_b = (ea.code[i] if i >= 0 else NIL), (eb.code[j] if j >= 0 else NIL)
    return (subject, kind, i if i >= 0 else None, j if j >= 0 else None, code_a, code_b,
            on_a, on_b, diff, bool(diff is not None and code_a == code_b))


def pairs_matrix(pairs: pd.DataFrame) -> pd.DataFrame:
    """Agreement matrix of paired events: A's code in rows, B's in columns, ``nil`` first.

    A ``nil`` row holds B's events that A lacks; a ``nil`` column A's events that B lacks;
    the nil–nil cell is 0 by construction.
    """
    labels = [NIL, *sorted((set(pairs["code_a"]) | set(pairs["code_b"])) - {NIL})]
    return matrix_from_pairs(pairs["code_a"].to_numpy(), pairs["code_b"].to_numpy(), labels)


def pairs_kappa(pairs: pd.DataFrame) -> pd.DataFrame:
    """Cohen's κ of :func:`pairs_matrix` (columns as :func:`~.kappa.kappa`)."""
    return kappa(pairs_matrix(pairs))


def point_summary(pairs: pd.DataFrame) -> pd.DataFrame:
    """For point events: how many were matched, and how far apart their onsets were.

    Returns
    -------
    DataFrame
        One row per subject and a row ``all``: ``points_a``, ``points_b``, ``matched`` (pairs,
        whatever their codes), ``matched_share`` = 2·matched / (points_a + points_b),
        ``median_onset_diff_ms`` (median of B − A onset over matched pairs; > 0 means B
        logs later) and ``median_abs_onset_diff_ms``.
    """
    points = pairs[pairs["kind"] == "point"]
    parts = [(s, g) for s, g in points.groupby("subject", sort=True)] + [("all", points)]
    rows = []
    for subject, part in parts:
        n_a, n_b = int(part["a_row"].notna().sum()), int(part["b_row"].notna().sum())
        diffs = part["onset_diff_ms"].dropna().to_numpy(dtype=float)
        share = 2 * len(diffs) / (n_a + n_b) if n_a + n_b else float("nan")
        median = float(np.median(diffs)) if len(diffs) else float("nan")
        med_abs = float(np.median(np.abs(diffs))) if len(diffs) else float("nan")
        rows.append((subject, n_a, n_b, len(diffs), share, median, med_abs))
    return pd.DataFrame(rows, columns=["subject", "points_a", "points_b", "matched",
                                       "matched_share", "median_onset_diff_ms",
                                       "median_abs_onset_diff_ms"])
