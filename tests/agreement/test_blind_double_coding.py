"""Blind double coding is enforced by the server: no assigned coder reads another's coding or
scores until the owner opens reconciliation; afterwards only the assigned coders do."""

from __future__ import annotations

import numpy as np

from samspill.services import studies
from samspill.services.accounts import get_user
from tests.agreement.conftest import Lab
from tests.agreement.tapes import add_coding, noisy

SESSION = "/api/studies/s1/sessions/t0"


def _code(lab: Lab, rng: np.random.Generator, names: list[str]) -> dict[str, int]:
    """Each named coder's coding of t0, in progress."""
    ids = {}
    with lab.database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name="t0")
        for i, name in enumerate(names):
            events = lab.events if i == 0 else noisy(lab.events, rng, jitter_ms=2500, drop=0.2)
            coding = add_coding(db, session, get_user(db, name), events, level=3 + i,
                                status="in_progress")
            ids[name] = coding.id
    return ids


def _submit(lab: Lab, name: str, coding: int) -> None:
    answer = lab.send("PUT", name, f"/api/codings/{coding}/status", {"status": "submitted"})
    assert answer.status_code == 200, answer.text


def _reads(lab: Lab, name: str, coding: int) -> list[int]:
    return [lab.get(name, f"/api/codings/{coding}{tail}").status_code
            for tail in ("", "/events", "/ratings", "/scores")]


def test_the_owner_assigns_a_session_to_two_or_more_coders(lab: Lab) -> None:
    one = lab.send("POST", "own", SESSION + "/assignments", {"coders": ["ann"]})
    assert one.status_code == 400
    both = lab.send("POST", "own", SESSION + "/assignments", {"coders": ["ann", "bob"]})
    assert both.status_code == 200
    assert both.json()["coders"] == ["ann", "bob"]
    viewer = lab.send("POST", "own", SESSION + "/assignments", {"coders": ["vie"]})
    assert viewer.status_code == 400  # a viewer does not code


def test_coders_cannot_assign_or_open_reconciliation(lab: Lab) -> None:
    assert lab.send("POST", "ann", SESSION + "/assignments",
                    {"coders": ["ann", "bob"]}).status_code == 403
    assert lab.send("POST", "ann", SESSION + "/reconciliation", {}).status_code == 403
    assert lab.get("ann", SESSION + "/reconciliation").status_code == 403


def test_no_coder_reads_another_coding_or_its_scores_until_reconciliation_opens(
    lab: Lab, rng: np.random.Generator
) -> None:
    lab.send("POST", "own", SESSION + "/assignments", {"coders": ["ann", "bob"]})
    ids = _code(lab, rng, ["ann", "bob"])
    assert _reads(lab, "ann", ids["bob"]) == [404] * 4
    _submit(lab, "ann", ids["ann"])
    _submit(lab, "bob", ids["bob"])
    assert _reads(lab, "ann", ids["bob"]) == [404] * 4  # submitted is not enough
    listed = lab.get("ann", SESSION + "/codings").json()
    assert [c["coder"] for c in listed] == ["ann"]
    assert lab.send("POST", "own", SESSION + "/reconciliation", {}).status_code == 200
    assert _reads(lab, "ann", ids["bob"]) == [200] * 4
    assert _reads(lab, "bob", ids["ann"]) == [200] * 4
    listed = lab.get("ann", SESSION + "/codings").json()
    assert sorted(c["coder"] for c in listed) == ["ann", "bob"]


def test_after_reconciliation_opens_only_assigned_coders_read_and_nobody_writes_another(
    lab: Lab, rng: np.random.Generator
) -> None:
    lab.send("POST", "own", SESSION + "/assignments", {"coders": ["ann", "bob"]})
    ids = _code(lab, rng, ["ann", "bob", "cat"])
    for name in ("ann", "bob", "cat"):
        _submit(lab, name, ids[name])
    lab.send("POST", "own", SESSION + "/reconciliation", {})
    assert _reads(lab, "cat", ids["ann"]) == [404] * 4  # not assigned: still blind
    assert _reads(lab, "ann", ids["cat"]) == [404] * 4  # an unassigned coder's coding
    assert _reads(lab, "tra", ids["ann"]) == [404] * 4
    wrote = lab.send("PUT", "ann", f"/api/codings/{ids['bob']}/ratings", {"ratings": {"level": 1}})
    assert wrote.status_code == 404


def test_reconciliation_waits_for_two_submitted_codings(lab: Lab, rng: np.random.Generator) -> None:
    assert lab.send("POST", "own", SESSION + "/reconciliation", {}).status_code == 409
    lab.send("POST", "own", SESSION + "/assignments", {"coders": ["ann", "bob"]})
    ids = _code(lab, rng, ["ann", "bob"])
    _submit(lab, "ann", ids["ann"])
    refused = lab.send("POST", "own", SESSION + "/reconciliation", {})
    assert refused.status_code == 409
    assert "submitted" in refused.json()["error"]["message"]
    assert _reads(lab, "bob", ids["ann"]) == [404] * 4


def test_assignments_close_when_reconciliation_opens(lab: Lab, rng: np.random.Generator) -> None:
    lab.send("POST", "own", SESSION + "/assignments", {"coders": ["ann", "bob"]})
    ids = _code(lab, rng, ["ann", "bob"])
    for name in ("ann", "bob"):
        _submit(lab, name, ids[name])
    opened = lab.send("POST", "own", SESSION + "/reconciliation", {}).json()
    assert opened["reconciliation_open"] is True
    again = lab.send("POST", "own", SESSION + "/reconciliation", {"tolerance_ms": 10})
    assert again.status_code == 200  # opening twice changes nothing
    late = lab.send("POST", "own", SESSION + "/assignments", {"coders": ["cat"]})
    assert late.status_code == 409
    assert _reads(lab, "cat", ids["ann"]) == [404] * 4
