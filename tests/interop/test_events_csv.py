"""Samspill's events CSV: round trips, column mappings, seconds, and rows that are refused."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from interop_factories import coded_events, comparable, open_scheme, vignette_project

from samspill.core.errors import EventError, InputError, SamspillError
from samspill.core.events import Event
from samspill.core.scheme import ModifierSet
from samspill.interop.events_csv import (
    format_modifiers,
    parse_modifiers,
    read_events_csv,
    write_events_csv,
)

HEADER = "subject,code,onset_ms,offset_ms,modifiers,comment\n"


def _no_frames(events: list[Event]) -> list[Event]:
    return [e.model_copy(update={"frame": None}) for e in events]


def test_vignette_round_trip_gives_identical_events():
    events = vignette_project().observations[0].events
    back = read_events_csv(write_events_csv(events), scheme=open_scheme())
    assert comparable(back) == comparable(events)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(coded_events())
def test_any_valid_coding_round_trips_through_csv(events: list[Event]):
    back = read_events_csv(write_events_csv(events).encode(), scheme=open_scheme())
    assert comparable(back) == comparable(_no_frames(events))


@settings(deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=6).filter(str.strip),
                       st.text(min_size=1, max_size=6).filter(lambda s: s == s.strip()),
                       max_size=4))
def test_modifier_values_with_separators_round_trip(modifiers: dict[str, str]):
    modifiers = {k.strip(): v for k, v in modifiers.items()}
    assert parse_modifiers(format_modifiers(modifiers), open_scheme(), "x") == modifiers


def test_multiple_choice_modifiers_read_as_lists():
    scheme = open_scheme().model_copy(update={"modifier_sets": [
        ModifierSet(id="kind", label="k", options=["look", "show"], choice="multiple")]})
    assert parse_modifiers("kind=look,show", scheme, "x") == {"kind": ["look", "show"]}
    assert format_modifiers({"kind": ["look", "show"]}) == "kind=look,show"


def test_mapping_and_seconds_read_a_foreign_table():
    text = ("Who;Behaviour;Start (s);End (s);Notes;Extra\n"
            "child;bid;20,5;;first look;x\n"
            "caregiver;hold;240.0005;248;;y\n")
    mapping = {"subject": "Who", "code": "Behaviour", "onset_ms": "Start (s)",
               "offset_ms": "End (s)", "comment": "Notes"}
    events = read_events_csv(text, scheme=open_scheme(), mapping=mapping, time_unit="s")
    assert [(e.subject, e.code, e.onset_ms, e.offset_ms, e.comment) for e in events] == [
        ("child", "bid", 20500, None, "first look"), ("caregiver", "hold", 240001, 248000, "")]


def test_reimport_gives_the_same_ids():
    text = write_events_csv(vignette_project().observations[0].events)
    first = [e.id for e in read_events_csv(text, scheme=open_scheme())]
    assert first == [e.id for e in read_events_csv(text, scheme=open_scheme())]


def test_every_bad_row_is_named_and_nothing_is_returned():
    text = HEADER + "child,bid,abc,,,\ncaregiver,hold,5,,,\nchild,bid,1.5,,,\n"
    with pytest.raises(InputError, match=r"2 unreadable row\(s\)") as caught:
        read_events_csv(text, scheme=open_scheme())
    message = str(caught.value)
    assert "row 2: onset 'abc' is not a number" in message
    assert "row 4: onset '1.5' is not whole milliseconds" in message


def test_events_outside_the_scheme_are_refused_by_row():
    text = HEADER + "child,dance,10,,,\ncaregiver,hold,5,,,\nchild,bid,7,,kind=wave,\n"
    with pytest.raises(EventError) as caught:
        read_events_csv(text, scheme=open_scheme())
    message = str(caught.value)
    assert "row 2: unknown code 'dance'" in message
    assert "row 3: state 'hold' at 5 ms has no offset" in message
    assert "row 4: 'wave' is not an option of modifier 'kind'" in message


@pytest.mark.parametrize(("text", "mapping", "message"), [
    ("", None, "no header row"),
    ("who,what\nchild,bid\n", None, "missing column"),
    (HEADER, {"onset": "x"}, "unknown field"),
    (HEADER, {"comment": "Notes"}, "missing column"),
    (b"\xff\xfe", None, "not UTF-8"),
    ("subject,code,onset_ms\nchild,bid,1e999\n", None, "out of range"),
    ("subject,code,onset_ms\nchild,bid,NaN\n", None, "not a number"),
    ("subject,code,onset_ms\nchild,bid,-5\n", None, "out of range"),
    ("subject,code,onset_ms\nchild,,5\n", None, "must not be empty"),
    ("subject,code,onset_ms,modifiers\nchild,bid,5,kind\n", None, "not set=value"),
    ('subject,code,onset_ms\nchild,bid,"5\n', None, "unreadable CSV"),
    ("subject,code,onset_ms\0\n", None, "NUL bytes"),
])
def test_broken_files_are_refused_with_the_fix(text: str | bytes, mapping: dict | None,
                                               message: str):
    with pytest.raises(InputError, match=message):
        read_events_csv(text, scheme=open_scheme(), mapping=mapping)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_random_text_never_crashes_the_reader(text: str):
    with contextlib.suppress(SamspillError):
        read_events_csv(HEADER + text, scheme=open_scheme())


def test_tab_separated_files_are_read_too():
    text = "subject\tcode\tonset_ms\tmodifiers\nchild\tbid\t5\tkind=look;\n"
    events = read_events_csv(text, scheme=open_scheme())
    assert [(e.code, e.onset_ms, e.modifiers) for e in events] == [("bid", 5, {"kind": "look"})]


def test_a_modifier_set_given_twice_is_refused_rather_than_half_kept() -> None:
    import pytest

    from samspill.core.errors import InputError
    from samspill.core.scheme_check import load_builtin_scheme
    from samspill.interop.events_csv import read_events_csv

    text = ("subject,code,onset_ms,offset_ms,modifiers,comment\n"
            "caregiver,respond,100,,channel=verbal;channel=physical,\n")
    with pytest.raises(InputError, match="appears twice"):
        read_events_csv(text, scheme=load_builtin_scheme("withdrawal-open"))


def test_an_astronomically_large_time_is_out_of_range_not_a_crash() -> None:
    import pytest

    from samspill.core.errors import InputError
    from samspill.core.scheme_check import load_builtin_scheme
    from samspill.interop.events_csv import read_events_csv

    text = ("subject,code,onset_ms,offset_ms,modifiers,comment\n"
            "child,bid,9e999999,,kind=look,\n")
    for unit in ("ms", "s"):
        with pytest.raises(InputError, match="out of range"):
            read_events_csv(text, scheme=load_builtin_scheme("withdrawal-open"), time_unit=unit)
