"""load_json reads with pydantic-core's parser and falls back to the standard library: whatever
it returns, json.loads would have returned (the same values of the same types), and whatever it
refuses, it refuses with the standard library's message."""

from __future__ import annotations

import json
import math
import struct
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samspill.core.errors import InputError
from samspill.interop.safety import load_json


def _typed(value: Any) -> Any:
    """The value with every item's type spelled out, and floats by their bits (-0.0, nan)."""
    if isinstance(value, dict):
        return ("dict", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(v) for v in value])
    if isinstance(value, float):
        return ("float", struct.pack("<d", value))
    return (type(value).__name__, value)


def _reference(raw: bytes) -> tuple[str, Any]:
    """What the standard library alone made of the bytes (the reader before this change)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ("refused", "not UTF-8")

    def refuse(name: str) -> None:
        raise ValueError(name)
    try:
        return ("read", _typed(json.loads(text, parse_constant=refuse)))
    except json.JSONDecodeError as exc:
        return ("refused", f"malformed JSON at line {exc.lineno}, column {exc.colno}")
    except (ValueError, RecursionError):
        return ("refused", "unreadable JSON value")


def _ours(raw: bytes) -> tuple[str, Any]:
    try:
        return ("read", _typed(load_json(raw, "x.json")))
    except InputError as exc:
        message = exc.message.format(**exc.params) if exc.params else exc.message
        if "UTF-8" in message:
            return ("refused", "not UTF-8")
        return ("refused", message.split(" (")[0])


EDGES = [
    '1', '-0', '-0.0', '1.0', '1e2', '1E400', '-1e400', '1.7976931348623157e309', '01', '1.',
    '.5', '"\\ud800"', '"\\udc00\\ud800"', '{"\\ud800": 1}', '"a\x01b"', '"\\u0000"',
    '{"a":1,"a":2,"b":3}', '{"b":1,"a":2,"b":3}', '1' * 4300, '1' * 5000, '-' + '1' * 4301,
    '[' * 150 + ']' * 150, '[' * 300 + ']' * 300, '[' * 5000 + ']' * 5000, 'NaN',
    '[Infinity]', '-Infinity', '[1,]', '{"a":1,}', ' \n[1]\n ', '[1]\x0c', '\u00a0[1]',
    '[1] x', '', 'true', 'null', '"\\x"', '"\\/"', '"\U0001F600"', '"\\ud83d\\ude00"',
    '0.1e-400', '4.9e-324', '9007199254740993', '9007199254740993.0', '"' + 'x' * 70 + '"',
    '[1e5, 1E+5, 1e-5]', '-', '+1', '1e', '\ufeff{"a": 1}', '{"a": [1, {"b": null}]}',
]


@pytest.mark.parametrize("text", EDGES, ids=range(len(EDGES)))
def test_edge_cases_read_as_the_standard_library_reads_them(text: str) -> None:
    raw = text.encode("utf-8", "surrogatepass")
    assert _ours(raw) == _reference(raw)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=4),
    max_leaves=20)


@settings(max_examples=300)
@given(_json, st.booleans(), st.data())
def test_any_json_and_any_damage_to_it_read_as_the_standard_library_reads_it(
        value: Any, ascii_only: bool, data: st.DataObject) -> None:
    raw = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    assert _ours(raw) == _reference(raw)
    if raw:  # one byte changed, dropped or repeated: often still JSON, often not
        at = data.draw(st.integers(0, len(raw) - 1))
        byte = data.draw(st.binary(min_size=0, max_size=2))
        damaged = raw[:at] + byte + raw[at + 1:]
        assert _ours(damaged) == _reference(damaged)


def test_times_read_to_the_same_float_bits() -> None:
    times = [i / 1000 * k for i in range(0, 20_000, 7) for k in (1, 3.7, 1000.1)]
    text = json.dumps([[t, "a"] for t in times] + [[math.pi * 1e5, 1e-7, 8.64e5]])
    assert _typed(load_json(text.encode(), "x")) == _typed(json.loads(text))


def test_repeated_short_texts_come_back_as_one_object() -> None:
    """Subjects and behaviours repeat on every row: one string each is read (less memory) and
    hashed once by the column checks."""
    rows = load_json(json.dumps([[0.5, "caregiver", "near"]] * 3).encode(), "x")
    assert rows[0][1] is rows[1][1] is rows[2][1]
