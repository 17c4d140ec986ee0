"""Norwegian letters in names and code ids (issue 20): a BORIS behaviour ``gråt`` is the code
``gråt`` in Samspill and in every export (not ``gr-t``); a session, study or dyad may be
called ``hjemmebesøk-1`` (see tests/web/test_birth_month.py for the web side)."""

from __future__ import annotations

import json
import unicodedata

import pytest

from samspill.core import names
from samspill.core.errors import InputError
from samspill.core.scheme import Code
from samspill.interop.boris import read_boris, write_boris
from samspill.interop.boris_ethogram import to_identifier
from samspill.interop.events_csv import write_events_csv
from samspill.services.imports import session_name
from samspill.services.studies import check_name


def _project(code: str) -> bytes:
    observation = {"type": "MEDIA", "file": {"1": ["/gone/away.mp4"]},
                   "events": [[0.5, "", code, "", ""]],
                   "media_info": {"length": {"/gone/away.mp4": 100.0}}}
    behaviour = {"type": "Point event", "key": "g", "code": code, "description": "",
                 "category": "", "modifiers": {}, "excluded": "", "coding map": ""}
    return json.dumps({"project_name": "lek", "subjects_conf": {},
                       "behaviors_conf": {"0": behaviour},
                       "observations": {"hjemmebesøk 1": observation}},
                      ensure_ascii=False).encode()


def test_a_norwegian_code_id_keeps_its_letters_through_import_and_export() -> None:
    imported = read_boris(_project("gråt"))
    observation = imported.project.observations[0]
    assert [e.code for e in observation.events] == ["gråt"]
    assert "gråt" in write_events_csv(observation.events)
    exported = json.loads(write_boris(imported.project))
    assert [b["code"] for b in exported["behaviors_conf"].values()] == ["gråt"]
    assert session_name(observation.name) == "hjemmebesøk-1"


def test_identifiers_and_names_take_letters_of_any_language() -> None:
    assert to_identifier("gråt", "c") == "gråt" and to_identifier("walk fast", "c") == "walk-fast"
    assert Code(id="sjåfør.ærlig", name="x", kind="point", subject="child").id == "sjåfør.ærlig"
    for bad in ("1gråt", "_gråt", "grå t"):
        with pytest.raises(ValueError):
            Code(id=bad, name="x", kind="point", subject="child")


@pytest.mark.parametrize("name", ["hjemmebesøk-1", "Ærlig_øving.2", "å"])
def test_names_with_norwegian_letters_are_accepted(name: str) -> None:
    assert check_name(name, "session") == name
    # A name typed with a combining ring is stored as the same name.
    assert check_name(unicodedata.normalize("NFD", name), "session") == name


@pytest.mark.parametrize("name", ["-x", "a b", "a/b", "x" * 65, ""])
def test_names_that_are_no_names_are_refused_with_the_rule(name: str) -> None:
    with pytest.raises(InputError) as caught:
        check_name(name, "session")
    assert caught.value.fix == f"use {names.NAME_RULE}"
