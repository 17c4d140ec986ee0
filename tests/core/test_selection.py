"""The one rule for one coding per session (core/selection.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samspill.core.errors import InputError
from samspill.core.selection import (
    EVERY_CODING,
    CodingFacts,
    Pooling,
    basis,
    one_per_session,
)

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def coding(id: int, session: str, coder: str, status: str = "submitted", *,
           reconciled: bool = False, submitted: int | None = None,
           created: int = 0) -> CodingFacts:
    at = None if submitted is None else T0 + dt.timedelta(minutes=submitted)
    return CodingFacts(id, session, coder, status, reconciled, at,
                       T0 + dt.timedelta(minutes=created))


def chosen(codings: list[CodingFacts], pooling: Pooling = Pooling()) -> list[int]:
    return [c.id for c in one_per_session(codings, pooling)]


def test_the_double_coded_session_of_the_issue_counts_once_as_its_consensus() -> None:
    # r01: ann and bob coded it, the owner reconciled it; r02: only ann.
    codings = [coding(1, "r01", "ann", submitted=5), coding(2, "r01", "bob", submitted=1),
               coding(3, "r01", "owner", reconciled=True, submitted=9),
               coding(4, "r02", "ann", "in_progress")]
    assert chosen(codings) == [3, 4]
    assert chosen(codings, EVERY_CODING) == [1, 2, 3, 4]


def test_each_step_of_the_rule_in_turn() -> None:
    master = coding(1, "s", "ann", "master", submitted=9)
    consensus = coding(2, "s", "owner", reconciled=True, submitted=8)
    bobs = coding(3, "s", "bob", submitted=7)
    first = coding(4, "s", "cid", submitted=1)
    started = coding(5, "s", "dan", "in_progress", created=0)
    everyone = [master, consensus, bobs, first, started]
    assert chosen(everyone) == [1]
    assert chosen(everyone[1:]) == [2]
    assert chosen(everyone[2:], Pooling(prefer="bob")) == [3]
    assert chosen(everyone[2:]) == [4]  # no preference: the first submitted
    assert chosen([started, coding(6, "s", "eve", "in_progress", created=3)]) == [5]
    assert [basis(c, "bob") for c in everyone] == [
        "master", "reconciled", "preferred coder", "submitted first", "started first"]


def test_a_preferred_coder_who_did_not_code_the_session_changes_nothing() -> None:
    codings = [coding(1, "s", "ann", submitted=5), coding(2, "s", "bob", submitted=1)]
    assert chosen(codings, Pooling(prefer="zoe")) == [2]
    assert chosen(codings, Pooling(prefer="ann")) == [1]


@pytest.mark.parametrize(("text", "expected"), [
    ("auto", Pooling()), ("", Pooling()), (None, Pooling()), ("OFF", EVERY_CODING),
    ("coder:ann", Pooling(prefer="ann")), (" coder: ann ", Pooling(prefer="ann")),
])
def test_the_option_reads_as_written(text: str | None, expected: Pooling) -> None:
    assert Pooling.parse(text) == expected
    assert Pooling.parse(str(expected)) == expected


@pytest.mark.parametrize("text", ["one", "coder:", "all codings", "master"])
def test_an_unknown_option_is_refused_with_the_choices(text: str) -> None:
    with pytest.raises(InputError) as error:
        Pooling.parse(text)
    assert "coder:NAME" in error.value.fix


codings_strategy = st.lists(
    st.builds(
        CodingFacts,
        id=st.integers(0, 10_000),
        session=st.sampled_from(["a", "b", "c", "d"]),
        coder=st.sampled_from(["ann", "bob", "cid"]),
        status=st.sampled_from(["in_progress", "submitted", "master"]),
        reconciled=st.booleans(),
        submitted_at=st.none() | st.integers(0, 50).map(lambda m: T0 + dt.timedelta(minutes=m)),
        created_at=st.none() | st.integers(0, 50).map(lambda m: T0 + dt.timedelta(minutes=m)),
    ),
    max_size=12, unique_by=lambda c: c.id)


@given(codings_strategy, st.none() | st.sampled_from(["ann", "bob", "zoe"]), st.randoms())
def test_one_coding_per_session_by_the_rule_in_any_order(
        codings: list[CodingFacts], prefer: str | None, rnd) -> None:  # type: ignore[no-untyped-def]
    pooling = Pooling(prefer=prefer)
    out = one_per_session(codings, pooling)
    assert sorted(c.session for c in out) == sorted({c.session for c in codings})
    assert [c for c in codings if c in out] == out  # a subset, in the order given
    shuffled = list(codings)
    rnd.shuffle(shuffled)
    assert {c.id for c in one_per_session(shuffled, pooling)} == {c.id for c in out}
    assert one_per_session(out, pooling) == out
    for pick in out:
        mine = [c for c in codings if c.session == pick.session]
        if any(c.status == "master" for c in mine):
            assert pick.status == "master"
        elif any(c.reconciled for c in mine):
            assert pick.reconciled
        elif prefer is not None and any(c.coder == prefer for c in mine):
            assert pick.coder == prefer
        elif any(c.status == "submitted" for c in mine):
            assert pick.status == "submitted"


@given(codings_strategy)
def test_off_keeps_every_coding(codings: list[CodingFacts]) -> None:
    assert one_per_session(codings, EVERY_CODING) == codings
