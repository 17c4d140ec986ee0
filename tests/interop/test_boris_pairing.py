"""The fast BORIS import (column checks, one pairing pass, events built without revalidation)
against a plain reference pairing written from BORIS's rule, on random event streams."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from samspill.core.events import Event
from samspill.interop.boris import read_boris
from samspill.interop.model import NO_FOCAL_SUBJECT

_SET = {"0": {"name": "how", "type": 0, "values": ["x", "y"]}}
_MULTI = {"0": {"name": "with", "type": 1, "values": ["u", "v"]}}
_NUMBER = {"0": {"name": "loud", "type": 2, "values": []}}  # kept as comment text: loud=3
BEHAVIOURS = {"s": ("State event", {}), "m": ("State event", _SET), "k": ("State event", _MULTI),
              "n": ("State event", _NUMBER), "p": ("Point event", {}),
              "q": ("Point event", _SET), "r": ("Point event", _NUMBER)}
MODIFIERS = {"s": [""], "m": ["", "x", "y"], "k": ["", "u", "u,v"], "n": ["", "3"], "p": [""],
             "q": ["", "x"], "r": ["", "7"]}
LENGTH_MS = 60_000


@st.composite
def streams(draw: st.DrawFn) -> list[list[Any]]:
    """Rows as BORIS writes them, in time order, many sharing a time, subject and code."""
    n = draw(st.integers(0, 40))
    rows = []
    for _ in range(n):
        code = draw(st.sampled_from(sorted(BEHAVIOURS)))
        rows.append([draw(st.integers(0, 30)) / 1000 * draw(st.sampled_from([1, 7, 1000])),
                     draw(st.sampled_from(["", "a", "b"])), code,
                     draw(st.sampled_from(MODIFIERS[code])),
                     draw(st.sampled_from(["", "c1", "c2"])), "NA"])
    rows.sort(key=lambda r: r[0])
    return rows


def _project(rows: list[list[Any]]) -> bytes:
    confs = {str(i): {"type": kind, "key": "", "code": code, "description": "", "category": "",
                      "modifiers": mods, "excluded": "", "coding map": ""}
             for i, (code, (kind, mods)) in enumerate(sorted(BEHAVIOURS.items()))}
    obs = {"type": "MEDIA", "file": {"1": ["v.mp4"]}, "events": rows,
           "media_info": {"length": {"v.mp4": LENGTH_MS / 1000}}}
    return json.dumps({"project_name": "p", "subjects_conf": {}, "behaviors_conf": confs,
                       "observations": {"o": obs}}).encode()


def reference_pairing(rows: list[list[Any]]) -> set[tuple[int, int | None, str]]:
    """BORIS's rule, spelled out: per subject, behaviour and modifier string, odd occurrences
    start a state and even ones stop it; a stop without modifiers ends the earliest running
    state of that subject and behaviour started with modifiers; a state left open ends at the
    media's end. A numeric modifier of the start row ends the comment (``loud=3``). Returns
    (row index of the start, stop ms or None, comment)."""
    timed = sorted(((math.floor(r[0] * 1000 + 0.5), i) for i, r in enumerate(rows)),
                   key=lambda t: t[0])
    running: dict[tuple[str, str, str], tuple[int, int]] = {}
    out = set()
    for ms, i in timed:
        _, subject, code, modifiers, comment = rows[i][:5]
        if BEHAVIOURS[code][0] == "Point event":
            out.add((i, None, _comment(comment, "", _number(code, modifiers))))
            continue
        key = (subject, code, modifiers)
        if key not in running and not modifiers:
            started = [k for k in running if k[:2] == key[:2] and k[2]]
            key = min(started, key=lambda k: running[k][0]) if started else key
        if key in running:
            _, j = running.pop(key)
            out.add((j, ms, _comment(rows[j][4], comment, _number(code, rows[j][3]))))
        else:
            running[key] = (ms, i)
    out |= {(j, max(LENGTH_MS, ms), _comment(rows[j][4], "", _number(rows[j][2], rows[j][3])))
            for ms, j in running.values()}
    return out


def _number(code: str, modifiers: str) -> str:
    return f"loud={modifiers}" if BEHAVIOURS[code][1] is _NUMBER and modifiers else ""


def _comment(*parts: str) -> str:
    return " / ".join(c for c in parts if c)


def _ours(events: list[Event]) -> set[tuple[int, int | None, str]]:
    return {(int(e.id[-12:], 16), e.offset_ms, e.comment) for e in events}


@settings(max_examples=300)
@given(streams(), st.booleans())
def test_fast_import_pairs_like_the_reference(rows: list[list[Any]], odd_row: bool):
    if odd_row and rows:  # one row of five items: the row-by-row path instead of the columns
        rows[0] = rows[0][:5]
    events = read_boris(_project(rows)).project.observations[0].events
    assert _ours(events) == reference_pairing(rows)
    for event in events:
        row = rows[int(event.id[-12:], 16)]
        assert event.onset_ms == math.floor(row[0] * 1000 + 0.5)
        assert event.subject == (row[1] or NO_FOCAL_SUBJECT)
        assert event.code == row[2]


@settings(max_examples=200)
@given(streams())
def test_events_built_without_revalidation_equal_validated_ones(rows: list[list[Any]]):
    for event in read_boris(_project(rows)).project.observations[0].events:
        validated = Event.model_validate(event.model_dump())
        assert validated == event
        assert validated.model_fields_set == event.model_fields_set
        assert type(event.modifiers) is dict and all(
            type(v) is str or (type(v) is list and all(type(x) is str for x in v))
            for v in event.modifiers.values())


def test_events_do_not_share_their_modifiers():
    rows = [[1.0, "a", "k", "u,v", "", "NA"], [2.0, "a", "k", "u,v", "", "NA"],
            [3.0, "a", "k", "u,v", "", "NA"], [4.0, "a", "k", "u,v", "", "NA"]]
    first, second = read_boris(_project(rows)).project.observations[0].events
    first.modifiers["with"].append("changed")
    assert second.modifiers["with"] == ["u", "v"]
    first.modifiers["other"] = "x"
    assert "other" not in second.modifiers
