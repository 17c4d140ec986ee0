"""Subjects and codes as integer categories, and the rows of a subject's codes found by them.

The timeline's tables share one set of categories for ``subject`` and one for ``code``, so
that finding a subject's codes is an integer compare over the table, not a string match.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from samspill.core.arrays import BoolArray, Int64Array


@dataclass(frozen=True)
class Coded:
    """Subjects and codes as integers (``-1``: missing), factorised once for speed."""

    subject: np.ndarray
    subject_names: pd.Index
    code: np.ndarray
    code_names: pd.Index

    @classmethod
    def of(cls, events: pd.DataFrame) -> Coded:
        subject, subject_names = pd.factorize(events["subject"])
        code, code_names = pd.factorize(events["code"])
        # Plain labels: a categorical input gives a CategoricalIndex, whose own category
        # order would silently re-map the codes in Categorical.from_codes.
        return cls(subject.astype("int64"), pd.Index(np.asarray(subject_names, dtype=object)),
                   code.astype("int64"), pd.Index(np.asarray(code_names, dtype=object)))


def select(table: pd.DataFrame, *, subject: str, codes: Iterable[str]) -> BoolArray:
    """Rows of a timeline table with this subject and one of these codes (integer compares)."""
    subjects, names = table["subject"].array, table["code"].array
    if not (isinstance(subjects, pd.Categorical) and isinstance(names, pd.Categorical)):
        return (table["subject"].eq(subject) & table["code"].isin(list(codes))).to_numpy()
    # Lists on purpose: pandas matches a list against object categories without string
    # inference; pandas-stubs only admit an Index here.
    who = positions(subjects.categories, [subject])[0]
    wanted = positions(names.categories, codes)
    if who < 0 or not (wanted >= 0).any():
        return np.zeros(len(table), dtype=bool)
    is_who: BoolArray = subjects.codes == who  # numpy types ``==`` as Any
    return is_who & code_mask(names.codes, wanted, len(names.categories))


def positions(categories: pd.Index, names: Iterable[Hashable]) -> Int64Array:
    """Each name's position among the (unique) categories, ``-1`` when absent: the
    ``get_indexer`` of a few names by a dictionary, without pandas' per-call inference."""
    at = {name: i for i, name in enumerate(categories)}
    return np.array([at.get(name, -1) for name in names], dtype="int64")


def code_mask(codes: np.ndarray, wanted: np.ndarray, n_categories: int) -> BoolArray:
    """``codes`` (categorical codes, ``-1``: missing) that are among ``wanted`` (``-1``s
    ignored): a look-up table indexed by code, not a search per event."""
    table = np.zeros(n_categories + 1, dtype=bool)  # the last slot: code -1, never wanted
    table[wanted[wanted >= 0]] = True
    found: BoolArray = table[codes]
    return found
