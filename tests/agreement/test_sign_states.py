"""Coders compared on the signs' three states, not only on the flags: a sign one coder finds
absent and another cannot observe differs, although both flags read false.

The tape ``t0`` is coded once with proximity coded near all the time (distance absent) and
once without proximity (distance not observable). The services' tables, then what the
reconciliation, feedback and agreement report pages and their API say, in English and bokmål.
"""

from __future__ import annotations

import re

import pandas as pd

from samspill.core.events import Event
from samspill.core.indicators import INDICATORS, SIGNS
from samspill.services import agreement, codings, consensus, studies, training
from samspill.services.accounts import get_user
from samspill.web import i18n
from samspill.web.routes import agreement_pages
from tests.agreement.conftest import Lab
from tests.agreement.tapes import add_coding

SESSION = "/api/studies/s1/sessions/t0"


def _all_near(events: list[Event]) -> list[Event]:
    return [e.model_copy(update={"code": "near"}) if e.code == "far" else e for e in events]


def _no_proximity(events: list[Event]) -> list[Event]:
    return [e for e in events if e.code not in ("near", "far")]


def test_reconciliation_shows_where_the_states_differ_though_the_flags_agree(lab: Lab) -> None:
    lab.send("POST", "own", SESSION + "/assignments", {"coders": ["ann", "bob"]})
    with lab.database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name="t0")
        add_coding(db, session, get_user(db, "ann"), _all_near(lab.events), level=4)
        add_coding(db, session, get_user(db, "bob"), _no_proximity(lab.events), level=4)
    assert lab.send("POST", "own", SESSION + "/reconciliation", {"tolerance_ms": 1000}).is_success
    with lab.database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name="t0")
        found = consensus.disagreements(db, session)
    states = found.states.set_index("item")
    assert set(states.index) == {spec.state for spec in INDICATORS.values()}
    distance = states.loc["distance_state"]
    assert (distance["ann"], distance["bob"], bool(distance["agree"])) == (
        "absent", "not_observable", False)
    assert states.loc["hostility_qualifier", "ann"] in ("low", "hostile", "not_observable")
    flags = found.flags.set_index("item")
    assert (flags.loc["distance_flag", "ann"], flags.loc["distance_flag", "bob"]) == (
        "false", "false")
    assert bool(flags.loc["distance_flag", "agree"])  # the flags cannot tell them apart


def test_training_feedback_compares_the_states_with_the_master(lab: Lab) -> None:
    with lab.database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name="t0")
        master = add_coding(db, session, get_user(db, "own"), _all_near(lab.events), level=5)
        mine = add_coding(db, session, get_user(db, "tra"), _no_proximity(lab.events), level=5,
                          purpose="training")
        ids = master.id, mine.id
    assert lab.send("PUT", "own", f"/api/codings/{ids[0]}/master",
                    {"purpose": "training"}).status_code == 200
    with lab.database.session() as db:
        found = training.feedback(db, codings.get_coding(db, ids[1]))
    states = found.states.set_index("item")
    assert list(found.states.columns) == ["item", "trainee", "master", "same"]
    assert (states.loc["distance_state", "trainee"], states.loc["distance_state", "master"]) == (
        "not_observable", "absent")
    assert not states.loc["distance_state", "same"]
    assert bool(found.flags.set_index("item").loc["distance_flag", "same"])


def test_indicator_agreement_counts_not_observable_apart_from_absent() -> None:
    rows = []
    for n, session in enumerate(["s1", "s2", "s3", "s4"]):
        for coder in ("ann", "bob"):
            row = {"session": session, "coder": coder}
            for spec in INDICATORS.values():
                row[spec.values[0]] = 0.1 * n + (0.01 if coder == "bob" else 0)
                row[spec.state] = "absent" if spec.kind == "sign" else "low"
                row[spec.flag] = spec.kind != "sign"
            rows.append(row)
    cohort = pd.DataFrame(rows)
    # bob cannot observe distance in two sessions that ann finds absent: same flags.
    unseen = (cohort["coder"] == "bob") & cohort["session"].isin(["s1", "s2"])
    cohort.loc[unseen, "distance_state"] = "not_observable"
    table = agreement._indicator_table(cohort).set_index("indicator")
    assert list(table.index) == list(INDICATORS)
    assert list(table.columns) == agreement.INDICATOR_COLUMNS[1:]
    assert set(table.loc[list(SIGNS), "kind"]) == {"sign"}
    assert table.loc["hostility", "kind"] == "qualifier"
    assert table.loc["distance", "flag_percent"] == 100.0
    assert table.loc["distance", "state_percent"] == 50.0
    assert table.loc["initiative", "state_percent"] == 100.0


# --- What people see: the pages and the API say a state difference in words.

PAGE = "/studies/s1/sessions/t0"


def _text(html: str) -> str:
    """The words a reader sees: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _rows(html: str, table_class: str) -> dict[str, str]:
    """Rows of the first table of that class: data-indicator -> the row's words."""
    table = html.split(f'class="list {table_class}"', 1)[1].split("</table>", 1)[0]
    return {m.group(1): _text(m.group(2)) for m in re.finditer(
        r'<tr[^>]*data-indicator="([^"]+)"[^>]*>(.*?)</tr>', table, re.S)}


def _reconciling(lab: Lab) -> None:
    lab.send("POST", "own", SESSION + "/assignments", {"coders": ["ann", "bob"]})
    with lab.database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name="t0")
        add_coding(db, session, get_user(db, "ann"), _all_near(lab.events), level=4)
        add_coding(db, session, get_user(db, "bob"), _no_proximity(lab.events), level=4)
    assert lab.send("POST", "own", SESSION + "/reconciliation", {"tolerance_ms": 1000}).is_success


def _trainee_submitted(lab: Lab) -> int:
    with lab.database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name="t0")
        master = add_coding(db, session, get_user(db, "own"), _all_near(lab.events), level=5)
        mine = add_coding(db, session, get_user(db, "tra"), _no_proximity(lab.events), level=5,
                          purpose="training")
        ids = master.id, mine.id
    assert lab.send("PUT", "own", f"/api/codings/{ids[0]}/master",
                    {"purpose": "training"}).status_code == 200
    return ids[1]


def _no_raw_values(text: str) -> None:
    for raw in ("True", "False", "not_observable", "distance_state", "hostility_qualifier",
                "_flag"):
        assert raw not in text, raw


def test_the_reconciliation_page_says_a_state_difference_in_words(lab: Lab) -> None:
    _reconciling(lab)
    page = lab.get("own", PAGE + "/reconcile")
    assert page.status_code == 200
    signs = _rows(page.text, "states-table")
    assert list(signs) == list(SIGNS)  # five signs; the qualifier is not among them
    assert "Interaction at a distance" in signs["distance"]
    assert "differs (ann: absent · bob: not observable)" in signs["distance"]
    assert 'class="differs" data-indicator="distance"' in page.text
    qualifier = page.text.split("Qualifier of the profile (not a sign)", 1)[1]
    assert 'data-indicator="hostility"' in qualifier
    assert 'data-indicator="hostility"' not in page.text.split(
        "Qualifier of the profile (not a sign)", 1)[0]
    assert "Hostility or intrusiveness" in _text(qualifier)
    assert "they are no diagnosis" in page.text
    _no_raw_values(_text(page.text))

    lab.client.cookies.set("samspill_lang", "nb")
    page = lab.get("own", PAGE + "/reconcile")
    signs = _rows(page.text, "states-table")
    assert "Samspill på avstand" in signs["distance"]
    assert "ulik (ann: ikke til stede · bob: kan ikke vurderes)" in signs["distance"]
    assert "Kvalifikator for profilen (ikke et tegn)" in page.text
    _no_raw_values(_text(page.text))


def test_the_reconciliation_api_compares_states_and_keeps_the_qualifier_apart(lab: Lab) -> None:
    _reconciling(lab)
    found = lab.get("own", SESSION + "/reconciliation").json()
    signs = {s["id"]: s for s in found["signs"]}
    assert list(signs) == list(SIGNS)
    distance = signs["distance"]
    assert distance["states"] == {"ann": "absent", "bob": "not_observable"}
    assert distance["same"] is False
    assert distance["difference"] == "ann: absent · bob: not observable"
    assert found["qualifier"]["id"] == "hostility"
    assert found["qualifier"]["kind"] == "qualifier"
    assert set(found["qualifier"]["states"].values()) <= {"low", "hostile", "not_observable"}
    flags = {f["item"]: f for f in found["flags"]}  # kept for old readers
    assert flags["distance_flag"]["agree"] is True
    lab.client.cookies.set("samspill_lang", "nb")
    said = lab.get("own", SESSION + "/reconciliation").json()["signs"]
    assert next(s for s in said if s["id"] == "distance")["difference"] == (
        "ann: ikke til stede · bob: kan ikke vurderes")


def test_the_feedback_page_says_a_state_difference_in_words(lab: Lab) -> None:
    mine = _trainee_submitted(lab)
    page = lab.get("tra", f"/codings/{mine}/feedback")
    assert page.status_code == 200
    signs = _rows(page.text, "states-table")
    assert list(signs) == list(SIGNS)
    assert "differs (master: absent · you: not observable)" in signs["distance"]
    assert signs["initiative"].endswith(" same")
    assert "Hostility or intrusiveness" in _text(
        page.text.split("Qualifier of the profile (not a sign)", 1)[1])
    assert "they are no diagnosis" in page.text
    _no_raw_values(_text(page.text))

    lab.client.cookies.set("samspill_lang", "nb")
    page = lab.get("tra", f"/codings/{mine}/feedback")
    signs = _rows(page.text, "states-table")
    assert "ulik (fasit: ikke til stede · du: kan ikke vurderes)" in signs["distance"]
    _no_raw_values(_text(page.text))


def test_the_feedback_api_compares_the_trainees_states_with_the_masters(lab: Lab) -> None:
    mine = _trainee_submitted(lab)
    found = lab.get("tra", f"/api/codings/{mine}/feedback").json()
    distance = next(s for s in found["signs"] if s["id"] == "distance")
    assert distance["states"] == {"trainee": "not_observable", "master": "absent"}
    assert distance["words"] == {"trainee": "not observable", "master": "absent"}
    assert distance["difference"] == "master: absent · you: not observable"
    assert len(found["signs"]) == len(SIGNS)
    assert found["qualifier"]["id"] == "hostility"
    assert any(f["item"] == "distance_flag" and f["same"] for f in found["flags"])


def test_the_agreement_report_page_shows_the_state_agreement(lab: Lab) -> None:
    with lab.database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name="t0")
        add_coding(db, session, get_user(db, "ann"), _all_near(lab.events), level=4)
        add_coding(db, session, get_user(db, "bob"), _no_proximity(lab.events), level=4)
    page = lab.get("own", "/studies/s1/agreement")
    assert page.status_code == 200
    text = _text(page.text)
    assert "States: agreement in percent" in text and "States: kappa" in text
    signs = _rows(page.text, "indicators-table")
    assert list(signs) == list(SIGNS)
    # ann finds distance absent, bob cannot observe it: the states disagree...
    assert signs["distance"].startswith("Interaction at a distance 1 0 %")
    assert "0.00 (Cohen)" in signs["distance"]
    # ...where the flags (both "not present") agree: shown apart, labelled as flags.
    flags = _rows(page.text, "flags-table")
    assert "distance" in flags and "100 %" in flags["distance"]
    assert "Flags: agreement in percent" in text
    qualifier = page.text.split("Qualifier of the profile (not a sign)", 1)[1]
    assert 'data-indicator="hostility"' in qualifier.split("</table>", 1)[0]
    _no_raw_values(text)

    lab.client.cookies.set("samspill_lang", "nb")
    page = lab.get("own", "/studies/s1/agreement")
    text = _text(page.text)
    assert "Tilstander: samsvar i prosent" in text
    assert "0,00 (Cohen)" in _rows(page.text, "indicators-table")["distance"]


def test_the_report_shows_the_flags_only_where_they_add_something() -> None:
    rows = []
    for spec in INDICATORS.values():
        differs = spec.id == "distance"
        rows.append({"indicator": spec.id, "kind": spec.kind, "sessions": 4, "coders": 2,
                     "icc": 0.8123, "ci95_low": 0.5, "ci95_high": 0.95,
                     "state_percent": 87.5 if differs else 100.0,
                     "state_kappa": 0.7456 if differs else float("nan"),
                     "state_kappa_kind": "cohen", "flag_percent": 100.0,
                     "flag_kappa": float("nan"), "flag_kappa_kind": "cohen"})
    token = i18n.current_language.set("nb")
    try:
        shown = agreement_pages.indicator_rows(pd.DataFrame(rows))
    finally:
        i18n.current_language.reset(token)
    assert [r["id"] for r in shown["signs"]] == list(SIGNS)
    assert shown["qualifier"]["id"] == "hostility"
    assert shown["qualifier"]["title"] == "Fiendtlighet eller påtrengenhet"
    distance = next(r for r in shown["signs"] if r["id"] == "distance")
    assert (distance["percent"], distance["kappa"], distance["kappa_kind"]) == (
        "87,5\u00a0%", "0,75", "Cohen")
    assert (distance["icc"], distance["icc_ci"]) == ("0,81", "0,50–0,95")
    assert [r["id"] for r in shown["flags"]] == ["distance"]
    assert distance["flag_percent"] == "100\u00a0%" and distance["flag_kappa"] == "–"
