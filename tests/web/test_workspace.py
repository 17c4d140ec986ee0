"""The workspace page's start data: events, rights, the cut-off, scores hiding, strings."""

from __future__ import annotations

from fastapi.testclient import TestClient

from samspill.services import codings, studies, workspace
from samspill.store.db import Database
from samspill.web.routes.workspace import JS_STRINGS
from tests.factories import Built, make_user
from tests.web.conftest import bearer


def test_event_rows_are_the_stored_events_as_json(database: Database, built: Built) -> None:
    with database.session() as db:
        coding = codings.get_coding(db, built.coding.id)
        expected = [
            {**e.model_dump(mode="json"), "version": 1} for e in codings.coding_events(db, coding)
        ]
        assert workspace.event_rows(db, coding) == expected
        assert len(expected) > 10


def test_the_page_carries_the_coding_and_its_rights(
    client: TestClient, database: Database, built: Built
) -> None:
    owner = bearer(database, built.owner.username)
    boot = client.get(f"/api/codings/{built.coding.id}/workspace", headers=owner).json()
    assert boot["can_write"] is True and boot["role"] == "owner"
    assert boot["cutoff"] == 5.0  # the scheme's, as the study sets none
    assert boot["scheme"]["id"] == "withdrawal-open"
    assert [e["id"] for e in boot["events"]] == [
        e["id"]
        for e in client.get(f"/api/codings/{built.coding.id}/events", headers=owner).json()[
            "events"
        ]
    ]
    page = client.get(f"/codings/{built.coding.id}", headers=owner)
    assert page.status_code == 200
    assert '<script type="application/json" id="boot">' in page.text
    assert 'name="csrf-token"' in page.text


def test_a_viewer_reads_without_writing_and_a_trainee_sees_no_scores(
    client: TestClient, database: Database, built: Built
) -> None:
    with database.session() as db:
        study = studies.get_study(db, "s1")
        study.settings = {"disrupted_cutoff": 4}
        studies.set_role(db, study=study, user=make_user(db, "vera"), role="viewer")
        studies.set_role(db, study=study, user=make_user(db, "tim"), role="trainee")
        codings.set_status(db, coding=codings.get_coding(db, built.coding.id), status="submitted")
    viewer = client.get(
        f"/api/codings/{built.coding.id}/workspace", headers=bearer(database, "vera")
    ).json()
    assert viewer["can_write"] is False and viewer["cutoff"] == 4.0
    trainee = bearer(database, "tim")
    created = client.post("/api/studies/s1/sessions/v1/codings", headers=trainee, json={}).json()
    boot = client.get(f"/api/codings/{created['id']}/workspace", headers=trainee).json()
    assert boot["show_scores"] is False and boot["can_write"] is True


def test_the_scripts_strings_come_translated(
    client: TestClient, database: Database, built: Built
) -> None:
    headers = {**bearer(database, built.owner.username), "Accept-Language": "nb-NO"}
    boot = client.get(f"/api/codings/{built.coding.id}/workspace", headers=headers).json()
    assert set(JS_STRINGS) <= set(boot["strings"])
    untranslated = [s for s in JS_STRINGS if boot["strings"][s] == s]
    assert untranslated == []
    assert boot["strings"]["Saved"] == "Lagret"


def test_the_coders_guide_lists_every_key_of_the_open_scheme() -> None:
    from pathlib import Path

    from samspill.core.scheme_check import load_builtin_scheme

    guide = (Path(__file__).parents[2] / "docs" / "coding.md").read_text(encoding="utf-8")
    scheme = load_builtin_scheme("withdrawal-open")
    for code in scheme.codes:
        # The name exactly as the scheme, the pad and the help show it (nothing added).
        assert f"| `{code.key}` | {code.name} | {code.kind} |" in guide, code.id


def test_the_bokmaal_screen_shows_the_schemes_labels_in_bokmaal(
    client: TestClient, database: Database, built: Built
) -> None:
    headers = {**bearer(database, built.owner.username), "Accept-Language": "nb-NO"}
    boot = client.get(f"/api/codings/{built.coding.id}/workspace", headers=headers).json()
    codes = {c["id"]: c for c in boot["scheme"]["codes"]}
    assert codes["bid"]["name"] == "Signal" and codes["bid"]["modifiers"] == ["kind"]
    kind = next(m for m in boot["scheme"]["modifier_sets"] if m["id"] == "kind")
    assert kind["label"] == "Type signal" and kind["options"][0] == "look"  # stored value
    assert boot["labels"]["modifiers"]["kind"]["look"] == "blikk"
    assert boot["labels"]["subjects"] == {"caregiver": "omsorgsperson", "child": "barn"}
    assert boot["strings"]["Choose {label} for {code}"] == "Velg {label} for {code}"
    page = client.get(f"/codings/{built.coding.id}", headers=headers)
    assert "Høyt normalt" in page.text and "Nivå av forstyrret kommunikasjon" in page.text
    assert "omsorgsperson" in page.text and "Kind of bid" not in page.text


def test_the_english_screen_shows_the_scheme_as_written(
    client: TestClient, database: Database, built: Built
) -> None:
    headers = {**bearer(database, built.owner.username), "Accept-Language": "en"}
    boot = client.get(f"/api/codings/{built.coding.id}/workspace", headers=headers).json()
    kind = next(m for m in boot["scheme"]["modifier_sets"] if m["id"] == "kind")
    assert kind["label"] == "Kind of bid"
    assert boot["labels"]["modifiers"]["kind"]["look"] == "look"


def test_the_header_says_every_status_in_words_of_the_pages_language(
    client: TestClient, database: Database, built: Built
) -> None:
    import re

    words = {
        "en": {"in_progress": "in progress", "submitted": "submitted", "master": "master coding"},
        "nb": {"in_progress": "under arbeid", "submitted": "levert", "master": "fasitkoding"},
    }
    assert set(words["en"]) == set(codings.STATUSES)
    shown = re.compile(r'<span id="coding-status" data-status="(\w+)">([^<]*)</span>')
    for status in codings.STATUSES:
        with database.session() as db:
            coding = codings.get_coding(db, built.coding.id)
            coding.status = status
        for language, accept in (("en", "en-GB"), ("nb", "nb-NO")):
            headers = {**bearer(database, built.owner.username), "Accept-Language": accept}
            page = client.get(f"/codings/{built.coding.id}", headers=headers).text
            assert shown.findall(page) == [(status, words[language][status])]


def test_the_help_says_each_codes_kind_in_bokmaal(
    client: TestClient, database: Database, built: Built
) -> None:
    import re

    headers = {**bearer(database, built.owner.username), "Accept-Language": "nb-NO"}
    page = client.get(f"/codings/{built.coding.id}", headers=headers).text
    help_dialog = page[page.index('<dialog id="help"'):]
    kinds = set(re.findall(r"</kbd></td><td>[^<]*</td><td>([^<]*)</td>", help_dialog))
    assert kinds == {"punkthendelse", "tilstand"}


def test_every_action_the_outbox_can_hold_has_words_for_the_coder() -> None:
    """The actions set aside are listed in words (outbox.js actionWords), never as a type."""
    import re
    from pathlib import Path
    from typing import get_args

    from samspill.services.actions import Action

    script = (Path(__file__).parents[2] / "src/samspill/web/static/outbox.js").read_text()
    body = script[script.index("export function actionWords"):]
    body = body[: body.index("};")]
    worded = dict(re.findall(r'^\s*"?([\w-]+)"?: t\("([^"]+)"\),$', body, re.MULTILINE))
    assert set(worded) == set(get_args(Action.model_fields["type"].annotation))
    assert set(worded.values()) <= set(JS_STRINGS)
