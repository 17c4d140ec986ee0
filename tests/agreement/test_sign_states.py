"""Coders compared on the signs' three states, not only on the flags: a sign one coder finds
absent and another cannot observe differs, although both flags read false.

The tape ``t0`` is coded once with proximity coded near all the time (distance absent) and
once without proximity (distance not observable).
"""

from __future__ import annotations

import pandas as pd

from samspill.core.events import Event
from samspill.core.indicators import INDICATORS, SIGNS
from samspill.services import agreement, codings, consensus, studies, training
from samspill.services.accounts import get_user
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
