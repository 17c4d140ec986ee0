"""Hostile input to every importer: each case is accepted or refused with a clear SamspillError
(a message and a fix), never another exception. bench/fuzz.py runs 10,000 cases per importer."""

from __future__ import annotations

import pytest
from bench.fuzz import IMPORTERS, fuzz, outcome, seeds

CASES = {
    "scheme": 100,
    "events_csv": 150,
    "archive": 150,
    "boris": 100,
    "elan": 25,
}
# Crashes this fuzzing found once (now refused cleanly); each keeps a regression test below.
KNOWN: dict[str, tuple[str, ...]] = {}


@pytest.mark.parametrize("name", sorted(IMPORTERS))
def test_an_importer_never_crashes_on_hostile_input(name: str) -> None:
    counts = fuzz(name, CASES[name], raise_on_crash=True, known=KNOWN.get(name, ()))
    assert counts["refused"] > 0  # the mutations did reach the importer's checks


@pytest.mark.parametrize("name", sorted(IMPORTERS))
def test_the_valid_seed_is_accepted(name: str) -> None:
    assert outcome(IMPORTERS[name], seeds()[name]) == "accepted"


def test_a_bare_carriage_return_in_an_events_csv_is_refused_clearly() -> None:
    assert outcome(IMPORTERS["events_csv"], b"a\rb,c\n") == "refused"


def test_a_study_archive_with_a_damaged_member_is_refused_clearly() -> None:
    damaged = bytearray(seeds()["archive"])
    damaged[0:4] = b"XXXX"  # the central directory is intact, the member header is not
    assert outcome(IMPORTERS["archive"], bytes(damaged)) == "refused"


def test_an_elan_file_declaring_an_unknown_encoding_is_refused_clearly() -> None:
    declared = seeds()["elan"].replace(b"UTF-8", b"UTF-9", 1)
    assert outcome(IMPORTERS["elan"], declared) == "refused"


def test_a_crash_is_told_apart_from_a_clear_refusal() -> None:
    def crashes(_: bytes) -> None:
        raise KeyError("x")

    def refuses(_: bytes) -> None:
        from samspill.core.errors import InputError

        raise InputError("bad", fix="good")

    assert outcome(crashes, b"").startswith("crash: KeyError")
    assert outcome(refuses, b"") == "refused"


def test_a_study_archive_with_an_encrypted_member_is_refused_clearly() -> None:
    encrypted = bytearray(seeds()["archive"])
    central = bytes(encrypted).index(b"PK\x01\x02")  # the member's central-directory entry
    encrypted[central + 8] |= 0x01  # its general-purpose flag: "encrypted"
    assert outcome(IMPORTERS["archive"], bytes(encrypted)) == "refused"
