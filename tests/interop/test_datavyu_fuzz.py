"""Broken and hostile Datavyu files: every one ends in a result or a clear SamspillError, never
another exception or a hang (random bytes, random db text, random edits of a valid file)."""

from __future__ import annotations

import contextlib
import io
import os
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.interop.interop_factories import open_scheme, vignette_project

from samspill.core.errors import InputError, SamspillError
from samspill.interop.datavyu import read_datavyu
from samspill.interop.datavyu_derive import derive_scheme
from samspill.interop.datavyu_opf import read_opf
from samspill.interop.datavyu_write import write_datavyu

FUZZ = settings(max_examples=int(os.environ.get("SAMSPILL_FUZZ_EXAMPLES", "150")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
_VALID = write_datavyu(vignette_project().observations[0], open_scheme())
_DB = zipfile.ZipFile(io.BytesIO(_VALID)).read("db").decode()
_PIECES = st.sampled_from(["#4", "\n", ",", "(", ")", "\\", "-", "|", "00:00:01:000", "MATRIX",
                           " (MATRIX,true,)-code|NOMINAL", "(TEXT,false,)", "near", "bid",
                           "99:59:59:999", "<code>", "caregiver", "child", "samspill"])


def _read_all_ways(data: bytes) -> None:
    with contextlib.suppress(SamspillError):
        read_datavyu(data, scheme=open_scheme(), source="f.opf")
    with contextlib.suppress(SamspillError):
        derived = derive_scheme([read_opf(data, "f.opf")], scheme_id="fuzz", name="fuzz")
        read_datavyu(data, scheme=derived.scheme, source="f.opf", plans=derived.plans)


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_end_in_a_result_or_a_clear_error(data: bytes) -> None:
    _read_all_ways(data)
    _read_all_ways(b"PK\x03\x04" + data)


@FUZZ
@given(st.lists(_PIECES, max_size=40))
def test_random_db_text_ends_in_a_result_or_a_clear_error(pieces: list[str]) -> None:
    _read_all_ways(("#4\n" + "".join(pieces)).encode())


@FUZZ
@given(st.integers(0, len(_DB) - 1), st.integers(0, 40), st.text(max_size=5))
def test_edited_valid_files_end_in_a_result_or_a_clear_error(at: int, cut: int,
                                                            put: str) -> None:
    _read_all_ways((_DB[:at] + put + _DB[at + cut:]).encode())


def test_a_db_that_unpacks_past_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from samspill.interop import datavyu_opf
    monkeypatch.setattr(datavyu_opf, "MAX_INPUT_BYTES", 1000)
    with pytest.raises(InputError, match=r"bomb\.opf: the \.opf's 'db' is larger than"):
        read_opf(_VALID, "bomb.opf")
