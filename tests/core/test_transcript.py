"""The transcript's text: times in the formats coders write, bad lines named, the plain-text
form read back as written, and ``[code]`` tags linked to the nearest event."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samspill.core.errors import InputError
from samspill.core.transcript import (
    Entry,
    EventRef,
    format_time,
    link_entry,
    parse_time,
    parse_transcript,
    render_text,
)


@pytest.mark.parametrize("line,ms", [
    ("00:55 Maria holds up a toy", 55_000),
    ("0:55 Maria", 55_000),
    ("75:10 late", 75 * 60_000 + 10_000),
    ("1:02:03 after an hour", 3_723_000),
    ("01:02:03.250 with ms", 3_723_250),
    ("00:55.5 half", 55_500),
    ("00:55,25 comma", 55_250),
    ("[00:55] bracketed", 55_000),
    ("(00:55) in parentheses", 55_000),
    ("00:55 - a dash", 55_000),
    ("00:55 – an en dash", 55_000),
    ("00:55: a colon", 55_000),
    ("00:55\ta tab", 55_000),
    ("  00:55 indented", 55_000),
    ("\ufeff00:55 after a byte order mark", 55_000),
])
def test_an_entry_starts_with_a_time_in_any_common_form(line: str, ms: int) -> None:
    [entry] = parse_transcript(line)
    assert entry.time_ms == ms
    assert entry.text and entry.text[0] not in "-–:\t "


def test_lines_without_a_time_continue_the_entry_and_notes_and_blanks_are_skipped() -> None:
    text = "# a note\n\n00:55 Maria holds up a toy\n   towards her mother\n\n01:02 mother nods\n"
    assert parse_transcript(text) == [
        Entry(55_000, "Maria holds up a toy\ntowards her mother", 3),
        Entry(62_000, "mother nods", 6),
    ]


@pytest.mark.parametrize("text,line,says", [
    ("Maria plays\n00:55 toy", 1, "must start with a time"),
    ("00:55 fine\n00:75 seconds past 59", 2, "'00:75' is not a time"),
    ("00:55 fine\n\n1:75:00 minutes past 59 after hours", 3, "is not a time"),
    ("00:01:02:12 a timecode with frames", 1, "timecode with frames"),
    ("00:55 fine\n01:02x glued", 2, "is not a time"),
])
def test_a_bad_line_is_named_with_the_fix(text: str, line: int, says: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_transcript(text)
    assert caught.value.where == f"line {line}"
    assert says in str(caught.value)
    assert "mm:ss" in caught.value.fix or "time" in caught.value.fix


def test_times_are_written_short_and_read_back() -> None:
    assert [format_time(ms) for ms in (0, 55_000, 62_500, 3_723_250)] == [
        "00:00", "00:55", "01:02.500", "1:02:03.250"]
    assert parse_time("1:02:03.250") == 3_723_250
    with pytest.raises(InputError, match="not a time"):
        parse_time("soon")


def test_the_plain_text_is_by_time_and_indents_continued_lines() -> None:
    entries = [Entry(62_000, "mother nods"), Entry(55_000, "Maria holds up a toy\ntowards her")]
    assert render_text(entries) == (
        "00:55 Maria holds up a toy\n      towards her\n01:02 mother nods\n")


# One line of an entry; its first letter keeps it from reading as a time or a note (# …).
texts = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=30).map(
    lambda text: ("x" + text).strip())


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)  # 2 shared cores
@given(st.lists(st.tuples(st.integers(0, 4 * 3600 * 1000), st.lists(texts, min_size=1,
                                                                     max_size=3)), max_size=8))
def test_written_text_reads_back_as_the_same_entries(raw: list[tuple[int, list[str]]]) -> None:
    entries = [Entry(ms, "\n".join(lines)) for ms, lines in raw]
    again = parse_transcript(render_text(entries))
    assert [(e.time_ms, e.text) for e in again] == sorted(
        ((e.time_ms, e.text) for e in entries), key=lambda pair: pair[0])


EVENTS = [EventRef("a", "bid", 54_000), EventRef("b", "bid", 57_500),
          EventRef("c", "respond", 61_800), EventRef("d", "far", 40_000, 90_000)]
CODES = ["bid", "respond", "far", "ignore"]


def test_a_tag_links_to_the_nearest_event_of_its_code_within_the_tolerance() -> None:
    entry = Entry(55_000, "Maria holds up a toy [bid]; mother nods [Respond 01:02] [inaudible]")
    links = link_entry(entry, EVENTS, codes=CODES)
    assert [(link.code, link.event_id) for link in links] == [("bid", "a"), ("respond", "c")]
    assert entry.text[links[0].start:links[0].end] == "[bid]"
    assert links[1].at_ms == 62_000


def test_a_tag_without_an_event_near_it_is_unlinked_and_a_running_state_is_near() -> None:
    links = link_entry(Entry(70_000, "[bid] [ignore] [far]"), EVENTS, codes=CODES)
    assert [(link.code, link.event_id) for link in links] == [
        ("bid", None), ("ignore", None), ("far", "d")]
    assert link_entry(Entry(60_000, "[bid]"), EVENTS, codes=CODES,
                      tolerance_ms=1000)[0].event_id is None


def test_the_demo_vignettes_transcript_links_every_code_it_names() -> None:
    from samspill.core.scheme_check import load_builtin_scheme
    from samspill.core.vignette import vignette_events
    from samspill.core.vignette_transcript import VIGNETTE_TRANSCRIPT

    codes = [code.id for code in load_builtin_scheme("withdrawal-open").codes]
    events = [EventRef(e.id, e.code, e.onset_ms, e.offset_ms) for e in vignette_events()]
    links = [link for entry in parse_transcript(VIGNETTE_TRANSCRIPT)
             for link in link_entry(entry, events, codes=codes)]
    assert len(links) >= 15
    assert [link.code for link in links if link.event_id is None] == []
