"""DP alignment of event sequences (Quera, Bakeman & Gnisci 2007), against a recursive
edit distance and the classic Levenshtein examples."""

from __future__ import annotations

import itertools
from functools import cache

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samspill.core.errors import InputError
from samspill.core.reliability import align_costs, align_events, event_kappa, event_matrix


def _costs(x, y, substitution=1.0):
    return np.array([[0.0 if p == q else substitution for q in y] for p in x]).reshape(
        len(x), len(y))


@pytest.mark.parametrize(("x", "y", "distance"), [
    ("kitten", "sitting", 3),  # Levenshtein (1966) / Wagner & Fischer (1974) classic example
    ("flaw", "lawn", 2),
    ("", "abc", 3),
    ("abc", "abc", 0),
])
def test_alignment_cost_is_the_levenshtein_distance(x, y, distance):
    cost, pairs = align_costs(_costs(x, y), gap=1.0)
    assert cost == distance
    assert all(0 <= i < len(x) and 0 <= j < len(y) for i, j in pairs)


def _recursive(x, y, sub, gap):
    @cache
    def best(i, j):
        if i == 0 or j == 0:
            return gap * (i + j)
        return min(best(i - 1, j - 1) + (0 if x[i - 1] == y[j - 1] else sub),
                   best(i - 1, j) + gap, best(i, j - 1) + gap)
    return best(len(x), len(y))


seqs = st.lists(st.sampled_from("abcd"), max_size=12)


@settings(max_examples=80, deadline=None)
@given(seqs, seqs, st.sampled_from([(1.0, 1.0), (2.0, 1.0), (1.0, 0.6)]))
def test_vectorised_dp_equals_recursive_edit_distance(x, y, weights):
    sub, gap = weights
    cost, pairs = align_costs(_costs(x, y, sub), gap=gap)
    assert cost == pytest.approx(_recursive(tuple(x), tuple(y), sub, gap), abs=1e-9)
    # the traced alignment really has that cost, and keeps both orders
    traced = sum(0 if x[i] == y[j] else sub for i, j in pairs)
    traced += gap * (len(x) + len(y) - 2 * len(pairs))
    assert traced == pytest.approx(cost, abs=1e-9)
    assert all(p[0] < q[0] and p[1] < q[1] for p, q in itertools.pairwise(pairs))


def _coding(codes, subject="c", start=0, step=1000):
    rows = [(subject, c, start + i * step, None) for i, c in enumerate(codes)]
    frame = pd.DataFrame(rows, columns=["subject", "code", "onset_ms", "offset_ms"])
    return frame.astype({"onset_ms": "int64", "offset_ms": "Int64"})


def test_aligned_sequences_give_an_agreement_matrix_with_nil():
    # A = a b c d, B = a c d: B omitted b; the rest agree.
    pairs = align_events(_coding("abcd"), _coding("acd"))
    matrix = event_matrix(pairs)
    assert matrix.loc["b", "nil"] == 1
    assert np.trace(matrix.to_numpy()) == 3
    assert event_kappa(pairs).iloc[0]["agreement"] == pytest.approx(3 / 4)


def test_tolerance_forbids_aligning_events_far_apart_in_time():
    a = _coding("ab")
    b = _coding("ab", start=10_000)
    free = event_matrix(align_events(a, b))
    assert np.trace(free.to_numpy()) == 2
    held = event_matrix(align_events(a, b, tolerance_ms=2000))
    assert np.trace(held.to_numpy()) == 0 and held.loc["nil"].sum() == 2


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from("abc"), min_size=1, max_size=15).filter(lambda s: len(set(s)) > 1))
def test_identical_sequences_align_perfectly(codes):
    pairs = align_events(_coding(codes), _coding(codes))
    assert event_kappa(pairs).iloc[0]["kappa"] == pytest.approx(1.0)


def test_costs_must_be_positive():
    with pytest.raises(InputError, match="above 0"):
        align_events(_coding("a"), _coding("a"), gap=0)
