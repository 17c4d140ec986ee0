"""Consensus: disagreements side by side, a reconciled coding that records which coder's
version each decision came from, marked master."""

from __future__ import annotations

import numpy as np

from samspill.core.selection import EVERY_CODING, Pooling
from samspill.services import analysis, audit, coding_ratings, codings, exports, studies
from samspill.services.accounts import get_user
from samspill.services.reporting import cohort_data
from samspill.services.scoring import cohort_for_study
from tests.agreement.conftest import Lab
from tests.agreement.tapes import add_coding, noisy

SESSION = "/api/studies/s1/sessions/t0"


def _double_coded(lab: Lab, rng: np.random.Generator) -> dict[str, int]:
    lab.send("POST", "own", SESSION + "/assignments", {"coders": ["ann", "bob"]})
    with lab.database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name="t0")
        ann = add_coding(db, session, get_user(db, "ann"), lab.events, level=4)
        other = noisy(lab.events, rng, jitter_ms=4000, drop=0.25)
        bob = add_coding(db, session, get_user(db, "bob"), other, level=6)
        ids = {"ann": ann.id, "bob": bob.id}
    assert lab.send("POST", "own", SESSION + "/reconciliation", {"tolerance_ms": 1000}).is_success
    return ids


def test_disagreements_list_unmatched_events_different_ratings_and_flags(
    lab: Lab, rng: np.random.Generator
) -> None:
    _double_coded(lab, rng)
    found = lab.get("own", SESSION + "/reconciliation").json()
    assert found["coders"] == ["ann", "bob"]
    differing = [e for e in found["events"] if not e["agree"]]
    assert differing, "a noisy coding must differ somewhere"
    for item in differing:  # unmatched within 1 s: one side is nil, or the codes differ
        assert item["ann:code"] != item["bob:code"]
    for item in [e for e in found["events"] if e["agree"]]:
        assert abs(item["ann:onset_ms"] - item["bob:onset_ms"]) <= 1000
    level = next(r for r in found["ratings"] if r["item"] == "level")
    assert (level["ann"], level["bob"], level["agree"]) == ("4", "6", False)
    assert {f["item"] for f in found["flags"]} >= {"initiative_flag", "distance_flag"}


def test_the_reconciled_coding_records_whose_version_each_decision_took(
    lab: Lab, rng: np.random.Generator
) -> None:
    ids = _double_coded(lab, rng)
    items = lab.get("own", SESSION + "/reconciliation").json()["events"]
    only_bob = next(e for e in items if e["ann:code"] == "nil")
    only_ann = next(e for e in items if e["bob:code"] == "nil")
    choices = {only_bob["key"]: "bob", only_ann["key"]: ""}  # take bob's, leave ann's out
    made = lab.send("POST", "own", SESSION + "/consensus",
                    {"events": choices, "ratings": {"level": "bob"}, "master": True})
    assert made.status_code == 201, made.text
    coding, provenance = made.json()["coding"], made.json()["provenance"]
    assert coding["status"] == "master"
    by_source = {p["source_item"]: p for p in provenance if p["item_kind"] == "event"}
    assert by_source[only_bob["bob:event_id"]]["coder"] == "bob"
    assert by_source[only_bob["bob:event_id"]]["source_coding"] == ids["bob"]
    assert only_ann["ann:event_id"] not in by_source
    agreed = [e for e in items if e["agree"]]
    assert all(by_source[e["ann:event_id"]]["coder"] == "ann" for e in agreed)
    rating = next(p for p in provenance if p["item_kind"] == "rating")
    assert rating == {"item_kind": "rating", "item_id": "level", "coder": "bob",
                      "source_coding": ids["bob"], "source_item": "level", "subject": None,
                      "code": None, "onset_ms": None, "offset_ms": None, "value": "6",
                      "segment": None}
    taken = by_source[only_bob["bob:event_id"]]  # what was taken, for people to read
    assert (taken["code"], taken["subject"], taken["onset_ms"]) == (
        only_bob["bob:code"], only_bob["subject"], only_bob["bob:onset_ms"])
    onsets = [p["onset_ms"] for p in provenance if p["item_kind"] == "event"]
    assert onsets == sorted(onsets) and provenance[-1]["item_kind"] == "rating"
    _check_stored(lab, coding["id"], by_source, only_bob)


def _check_stored(lab: Lab, coding_id: int, by_source: dict, only_bob: dict) -> None:
    with lab.database.session() as db:
        coding = codings.get_coding(db, coding_id)
        stored = {e.id: e for e in codings.coding_events(db, coding)}
        assert coding_ratings.ratings_of(db, coding) == {"level": "6"}
    assert set(stored) == {p["item_id"] for p in by_source.values()}
    taken = stored[by_source[only_bob["bob:event_id"]]["item_id"]]
    assert (taken.code, taken.onset_ms) == (only_bob["bob:code"], only_bob["bob:onset_ms"])
    assert lab.get("own", f"/api/codings/{coding_id}/provenance").json()[0]["coder"] in (
        "ann", "bob")


def test_a_session_is_reconciled_once_and_the_sources_stay_as_they_were(
    lab: Lab, rng: np.random.Generator
) -> None:
    ids = _double_coded(lab, rng)
    before = lab.get("own", f"/api/codings/{ids['ann']}/events").json()
    assert lab.send("POST", "own", SESSION + "/consensus", {}).status_code == 201
    assert lab.send("POST", "own", SESSION + "/consensus", {}).status_code == 409
    with lab.database.session() as db:
        named = {e.action for e in audit.entries(db, study="s1")}
    assert {"write.assignment", "write.reconciliation", "write.consensus"} <= named
    assert lab.get("own", f"/api/codings/{ids['ann']}/events").json() == before
    status = lab.get("own", f"/api/codings/{ids['ann']}").json()["status"]
    assert status == "submitted"


def test_a_choice_must_name_a_coder_of_the_session(lab: Lab, rng: np.random.Generator) -> None:
    _double_coded(lab, rng)
    refused = lab.send("POST", "own", SESSION + "/consensus", {"ratings": {"level": "cat"}})
    assert refused.status_code == 400
    assert lab.send("POST", "ann", SESSION + "/consensus", {}).status_code == 403


def test_assigned_coders_read_the_reconciled_coding(lab: Lab, rng: np.random.Generator) -> None:
    _double_coded(lab, rng)
    made = lab.send("POST", "own", SESSION + "/consensus", {}).json()["coding"]["id"]
    assert lab.get("ann", f"/api/codings/{made}/events").status_code == 200
    assert lab.get("cat", f"/api/codings/{made}/events").status_code == 404


def test_a_reconciled_coding_need_not_be_the_master(lab: Lab, rng: np.random.Generator) -> None:
    _double_coded(lab, rng)
    made = lab.send("POST", "own", SESSION + "/consensus", {"master": False})
    assert made.json()["coding"]["status"] == "submitted"


def test_the_cohort_counts_a_reconciled_session_once_as_its_consensus(
    lab: Lab, rng: np.random.Generator
) -> None:
    """ann, bob and their consensus of t0: the cohort, the cohort report and pooled sequential
    analysis take the consensus alone (not marked master here), unless asked for every
    coding or told to prefer a coder (which comes after the consensus)."""
    ids = _double_coded(lab, rng)
    made = lab.send("POST", "own", SESSION + "/consensus",
                    {"events": {}, "ratings": {}, "master": False})
    assert made.status_code == 201, made.text
    consensus = made.json()["coding"]["id"]
    with lab.database.session() as db:
        study = studies.get_study(db, "s1")
        one = cohort_for_study(db, study, stability=False).table
        preferring = cohort_for_study(db, study, stability=False,
                                      pooled=Pooling(prefer="ann")).table
        every = cohort_for_study(db, study, stability=False, pooled=EVERY_CODING).table
        report = cohort_data(db, study="s1", stability=False).table
        chosen = exports.choose_codings(db, study)
        pooled = analysis.withdrawal_query(db, chosen)
    assert one["coding_id"].tolist() == [consensus] and one["reconciled"].tolist() == [True]
    assert preferring["coding_id"].tolist() == [consensus]
    assert sorted(every["coding_id"]) == sorted([*ids.values(), consensus])
    assert every.set_index("coding_id")["reconciled"].to_dict() == {
        ids["ann"]: False, ids["bob"]: False, consensus: True}
    assert report["coding_id"].tolist() == [consensus]
    assert set(pooled["session"]) == {"t0", "(pooled)"}
