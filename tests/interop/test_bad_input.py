"""Broken and hostile files: every one ends in a clear SamspillError, never a crash or a hang."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import xml.etree.ElementTree as ET
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from interop_factories import open_scheme, vignette_project

from samspill.core.errors import InputError, SamspillError
from samspill.interop import safety
from samspill.interop.boris import read_boris, write_boris
from samspill.interop.elan import read_elan, write_elan

# SAMSPILL_FUZZ_EXAMPLES=5000 for a long hunt; the default keeps the suite fast
FUZZ = settings(max_examples=int(os.environ.get("SAMSPILL_FUZZ_EXAMPLES", "150")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
_VALID = write_boris(vignette_project())
_VALID_EAF = write_elan(vignette_project().observations[0], open_scheme())


def _with_event(row: object) -> bytes:
    pj = json.loads(_VALID)
    pj.pop("samspill")
    next(iter(pj["observations"].values()))["events"].append(row)
    return json.dumps(pj).replace('"RAW:', "").replace(':RAW"', "").encode()


@pytest.mark.parametrize(("data", "message"), [
    (b'{"behaviors_conf": {', "malformed JSON at line 1"),
    (b"[1, 2, 3]", "not a BORIS project"),
    (b'{"behaviors_conf": [], "observations": {}}', "not a BORIS project"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
    (b'{"x": NaN}', "unreadable JSON value"),
    (b'{"x": ' + b"1" * 5000 + b"}", "unreadable JSON value"),
    (b"[" * 100_000 + b"]" * 100_000, "unreadable JSON value"),
    (b"", "malformed JSON"),
])
def test_broken_json_is_refused_with_its_reason(data: bytes, message: str):
    with pytest.raises(InputError, match=message):
        read_boris(data)


@pytest.mark.parametrize(("row", "message"), [
    ("not a list", "not a list of time"),
    ([1.0, "caregiver"], "not a list of time"),
    ([1.0, 7, "wd", "", ""], "must be text"),
    (["abc", "caregiver", "wd", "", ""], "not a finite number"),
    (["RAW:1e400:RAW", "caregiver", "wd", "", ""], "out of range"),
    (["RAW:1" + "0" * 400 + ":RAW", "caregiver", "wd", "", ""], "out of range"),
    ([1e20, "caregiver", "wd", "", ""], "out of range"),
    ([-3.0, "caregiver", "wd", "", ""], "out of range"),
    ([None, "caregiver", "wd", "", ""], "not a number"),
    ([True, "caregiver", "wd", "", ""], "not a number"),
    ([1.0, "caregiver", "dance", "", ""], "'dance' is not in the ethogram"),
])
def test_bad_event_rows_are_named_by_observation_and_position(row: object, message: str):
    with pytest.raises(InputError, match=message) as caught:
        read_boris(_with_event(row))
    rows = len(next(iter(json.loads(_VALID)["observations"].values()))["events"])
    assert f"observation 'Dyad 07 / free play', event {rows + 1}:" in str(caught.value)


def test_every_bad_row_is_reported_at_once_and_nothing_is_returned():
    pj = json.loads(_VALID)
    events = next(iter(pj["observations"].values()))["events"]
    events[3][0] = "x"
    events[7][2] = "nope"
    with pytest.raises(InputError, match=r"2 problem\(s\)") as caught:
        read_boris(json.dumps(pj).encode())
    assert "event 4" in str(caught.value) and "event 8" in str(caught.value)


def test_gzip_bomb_is_stopped_at_the_size_cap(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(safety, "MAX_INPUT_BYTES", 1_000_000)
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = packer.compress(b"{" + b" " * 50_000_000) + packer.flush()
    assert len(bomb) < 100_000
    with pytest.raises(InputError, match="zip bomb"):
        read_boris(bomb)


@pytest.mark.parametrize("data", [gzip.compress(_VALID)[:-20], b"\x1f\x8b" + b"\x00" * 40])
def test_truncated_or_corrupt_gzip_is_refused(data: bytes):
    with pytest.raises(InputError, match="gzip"):
        read_boris(data)


def test_oversized_input_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(safety, "MAX_INPUT_BYTES", 1000)
    with pytest.raises(InputError, match="larger than"):
        read_boris(_VALID)


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash_the_boris_reader(data: bytes):
    with contextlib.suppress(SamspillError):
        read_boris(data)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=4), max_leaves=12)


def _paths(node: object, here: tuple = ()) -> list[tuple]:
    out = [here]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*here, key))
    elif isinstance(node, list):
        for i, value in enumerate(node[:6]):
            out += _paths(value, (*here, i))
    return out


_SMALL = json.loads(_VALID)
_SMALL_PATHS = [p for p in _paths(_SMALL) if p]


@FUZZ
@given(st.sampled_from(_SMALL_PATHS), _json, st.booleans())
def test_a_project_with_any_value_replaced_is_read_or_refused_cleanly(
        path: tuple, value: object, drop_embedding: bool):
    pj = json.loads(_VALID)
    node = pj
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    if drop_embedding:
        pj.pop("samspill", None)
    with contextlib.suppress(SamspillError):
        read_boris(json.dumps(pj).encode())


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<ANNOTATION_DOCUMENT>&lol3;</ANNOTATION_DOCUMENT>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<ANNOTATION_DOCUMENT><HEADER/>&x;</ANNOTATION_DOCUMENT>"""
DTD_ONLY = b"""<?xml version="1.0"?><!DOCTYPE ANNOTATION_DOCUMENT SYSTEM "http://example.org/x.dtd">
<ANNOTATION_DOCUMENT/>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, XXE, DTD_ONLY])
def test_xml_with_entities_or_a_dtd_is_refused_before_parsing(data: bytes):
    with pytest.raises(InputError, match="DTD or entities"):
        read_elan(data, scheme=open_scheme())


@pytest.mark.parametrize("data", [b"<ANNOTATION_DOCUMENT>", b"", b"not xml at all", b"<a></b>"])
def test_malformed_xml_is_refused(data: bytes):
    with pytest.raises(InputError, match="malformed XML"):
        read_elan(data, scheme=open_scheme())


@FUZZ
@given(st.binary(max_size=1000))
def test_random_bytes_never_crash_the_elan_reader(data: bytes):
    with contextlib.suppress(SamspillError):
        read_elan(data, scheme=open_scheme())


@FUZZ
@given(st.integers(0, len(_VALID_EAF) - 1), st.integers(1, 40), st.binary(max_size=12))
def test_an_elan_file_with_any_bytes_spliced_in_is_read_or_refused_cleanly(
        at: int, cut: int, insert: bytes):
    data = _VALID_EAF[:at] + insert + _VALID_EAF[at + cut:]
    with contextlib.suppress(SamspillError):
        read_elan(data, scheme=open_scheme())


_EAF_NODES = len(list(ET.fromstring(_VALID_EAF).iter()))


@FUZZ
@given(st.integers(0, _EAF_NODES - 1), st.integers(0, 5),
       st.text(alphabet=st.characters(blacklist_categories=("Cs",), max_codepoint=0x2FF),
               max_size=12))
def test_an_elan_file_with_any_attribute_or_text_changed_is_read_or_refused_cleanly(
        node: int, which: int, text: str):
    root = ET.fromstring(_VALID_EAF)
    element = list(root.iter())[node]
    names = sorted(element.attrib)
    if which < len(names):
        element.set(names[which], text)
    else:
        element.text = text
    with contextlib.suppress(SamspillError):
        read_elan(ET.tostring(root), scheme=open_scheme())
