"""The agreement pages: assignment form, reconciliation side by side, consensus decisions,
the agreement report with its plot; server-rendered, CSP-safe (no inline script or style)."""

from __future__ import annotations

import re

import numpy as np

from samspill.services import studies
from samspill.services.accounts import get_user
from tests.agreement.conftest import Lab
from tests.agreement.tapes import add_coding, noisy

PAGE = "/studies/s1/sessions/t0"


def _post(lab: Lab, name: str, path: str, data: dict):
    return lab.client.post(path, headers=lab.as_(name), data=data, follow_redirects=False)


def _submitted_codings(lab: Lab, rng: np.random.Generator) -> None:
    with lab.database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name="t0")
        add_coding(db, session, get_user(db, "ann"), lab.events, level=3)
        add_coding(db, session, get_user(db, "bob"),
                   noisy(lab.events, rng, jitter_ms=4000, drop=0.3), level=5)


def _csp_safe(html: str) -> None:
    assert "<script>" not in html and " style=" not in html and "onclick" not in html


def test_the_owner_assigns_opens_and_reconciles_through_the_forms(
    lab: Lab, rng: np.random.Generator
) -> None:
    page = lab.get("own", PAGE + "/reconcile")
    assert page.status_code == 200 and 'name="coders" value="ann"' in page.text
    assigned = _post(lab, "own", PAGE + "/assign", {"coders": ["ann", "bob"]})
    assert assigned.status_code == 303
    _submitted_codings(lab, rng)
    assert _post(lab, "own", PAGE + "/reconcile", {"tolerance_ms": "1500"}).status_code == 303
    page = lab.get("own", PAGE + "/reconcile")
    assert page.status_code == 200 and "<svg" in page.text and "#e07000" in page.text
    _csp_safe(page.text)
    keys = re.findall(r'name="event:([^"]+)" value="bob"', page.text)
    assert keys, "a disagreement offers bob's version"
    made = _post(lab, "own", PAGE + "/consensus",
                 {f"event:{keys[0]}": "bob", "rating:level": "bob", "master": "on"})
    assert made.status_code == 303
    page = lab.get("own", PAGE + "/reconcile")
    assert "Where each decision came from" in page.text, page.text[-3000:]
    assert "bob's event" in page.text, page.text.split("Where each decision came from")[1]


def _reconciled_page(lab: Lab, rng: np.random.Generator) -> tuple[str, dict[str, str]]:
    """The reconcile page once the consensus is made from bob's version of one disagreement
    and bob's level; with the event bob's version holds (code, subject, onset)."""
    _post(lab, "own", PAGE + "/assign", {"coders": ["ann", "bob"]})
    _submitted_codings(lab, rng)
    _post(lab, "own", PAGE + "/reconcile", {"tolerance_ms": "1500"})
    items = lab.get("own", "/api/studies/s1/sessions/t0/reconciliation").json()["events"]
    only_bob = next(e for e in items if e["ann:code"] == "nil")
    made = _post(lab, "own", PAGE + "/consensus",
                 {f"event:{only_bob['key']}": "bob", "rating:level": "bob", "master": "on"})
    assert made.status_code == 303
    return lab.get("own", PAGE + "/reconcile").text, only_bob


def test_the_provenance_reads_as_whose_event_at_what_time_with_the_codes_name(
    lab: Lab, rng: np.random.Generator
) -> None:
    page, only_bob = _reconciled_page(lab, rng)
    provenance = page.split("Where each decision came from", 1)[1]
    uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    assert not uuid.search(provenance), "no raw event ids"
    assert "<th scope=\"col\">None</th>" not in page
    minutes, ms = divmod(int(only_bob["bob:onset_ms"]), 60_000)
    onset = f"{minutes:02d}:{ms // 1000:02d}.{ms % 1000:03d}"
    row = next(r for r in provenance.split("<tr>") if onset in r)
    assert "bob's event" in row and only_bob["subject"] in row
    with lab.database.session() as db:
        from samspill.services.schemes import latest_version, scheme_of
        names = {c.id: c.name for c in scheme_of(latest_version(db, "withdrawal-open")).codes}
    assert names[only_bob["bob:code"]] in row
    assert "Level of disrupted communication: 5" in provenance
    assert "bob's rating" in provenance
    lab.client.cookies.set("samspill_lang", "nb")
    norsk = lab.get("own", PAGE + "/reconcile").text
    assert "hendelsen til bob" in norsk and "vurderingen til bob" in norsk


def test_the_leave_out_column_is_named_for_what_it_does(lab: Lab, rng: np.random.Generator
                                                       ) -> None:
    _post(lab, "own", PAGE + "/assign", {"coders": ["ann", "bob"]})
    _submitted_codings(lab, rng)
    _post(lab, "own", PAGE + "/reconcile", {"tolerance_ms": "1500"})
    page = lab.get("own", PAGE + "/reconcile").text
    assert '<th scope="col">Leave the event out</th>' in page
    assert '<th scope="col">None</th>' not in page


def test_assigned_coders_read_not_started_in_progress_and_submitted(lab: Lab) -> None:
    """Before anyone starts, no coder reads as coding; each state follows their coding."""
    _post(lab, "own", PAGE + "/assign", {"coders": ["ann", "bob", "cat"]})
    page = lab.get("own", PAGE + "/reconcile").text
    assert page.count("<td>not started</td>") == 3 and "<td>coding</td>" not in page
    with lab.database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name="t0")
        add_coding(db, session, get_user(db, "ann"), lab.events, level=3,
                   status="in_progress")
        add_coding(db, session, get_user(db, "bob"), lab.events, level=3)
    page = lab.get("own", PAGE + "/reconcile").text
    assert "<td>ann</td><td>in progress</td>" in page
    assert "<td>bob</td><td>submitted</td>" in page
    assert "<td>cat</td><td>not started</td>" in page


def _add_sessions(lab: Lab, *names: str) -> None:
    from tests.agreement.tapes import add_tape

    with lab.database.session() as db:
        study = studies.get_study(db, "s1")
        for seed, name in enumerate(names, start=11):
            add_tape(db, study, name, seed=seed)


def test_the_owner_assigns_several_sessions_at_once_one_audit_entry_each(lab: Lab) -> None:
    from samspill.services import assignments, audit

    _add_sessions(lab, "t1", "t2")
    study_page = lab.get("own", "/studies/s1").text
    assert 'name="sessions" value="t1"' in study_page and 'name="coders" value="ann"' in study_page
    done = _post(lab, "own", "/studies/s1/assignments",
                 {"sessions": ["t0", "t1", "t2"], "coders": ["ann", "bob"]})
    assert done.status_code == 303 and done.headers["location"].startswith("/studies/s1")
    with lab.database.session() as db:
        study = studies.get_study(db, "s1")
        for name in ("t0", "t1", "t2"):
            session = studies.get_session(db, study=study, name=name)
            assert [a.coder.username for a in assignments.assignments_of(db, session)] == [
                "ann", "bob"]
        entries = [e for e in audit.entries(db, study="s1")
                   if e.action == "write.assignment"]
    assert sorted((e.target, e.detail) for e in entries) == sorted(
        (f"session {s}", f"coder {c}") for s in ("t0", "t1", "t2") for c in ("ann", "bob"))
    # Coders and viewers may not assign; one coder alone is refused, nothing stored.
    assert _post(lab, "ann", "/studies/s1/assignments",
                 {"sessions": ["t1"], "coders": ["ann", "bob"]}).status_code == 403
    _add_sessions(lab, "t3")
    alone = _post(lab, "own", "/studies/s1/assignments", {"sessions": ["t3"], "coders": ["cat"]})
    assert alone.status_code == 400 and "two or more" in alone.text


def test_a_coder_sees_my_assignments_with_purpose_status_and_a_link(lab: Lab) -> None:
    _add_sessions(lab, "t1")
    _post(lab, "own", "/studies/s1/assignments", {"sessions": ["t0", "t1"],
                                                  "coders": ["ann", "bob"]})
    with lab.database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name="t1")
        open_coding = add_coding(db, session, get_user(db, "ann"), lab.events, level=3,
                                 status="in_progress")
    page = lab.get("ann", "/studies/s1").text
    mine = page.split("My assignments", 1)[1].split("</table>", 1)[0]
    t0 = next(r for r in mine.split("<tr>") if ">t0</a>" in r)
    t1 = next(r for r in mine.split("<tr>") if ">t1</a>" in r)
    assert "<td>study</td>" in t0 and "<td>not started</td>" in t0
    assert 'action="/studies/s1/sessions/t0/codings"' in t0 and "Start coding" in t0
    assert "<td>in progress</td>" in t1 and f'href="/codings/{open_coding.id}"' in t1
    assert "Continue coding" in t1
    assert "My assignments" not in lab.get("cat", "/studies/s1").text
    started = _post(lab, "ann", "/studies/s1/sessions/t0/codings", {})
    assert started.status_code == 303
    t0 = next(r for r in lab.get("ann", "/studies/s1").text.split("My assignments", 1)[1]
              .split("<tr>") if ">t0</a>" in r)
    assert "<td>in progress</td>" in t0


def test_the_agreement_report_shows_matrix_tables_and_timeline(
    lab: Lab, rng: np.random.Generator
) -> None:
    _submitted_codings(lab, rng)
    page = lab.get("own", "/studies/s1/agreement")
    assert page.status_code == 200
    for heading in ("Pairwise time-unit kappa", "Per code", "Confusion matrix",
                    "Agreement timeline"):
        assert heading in page.text
    assert page.text.count("<svg") == 1 and "#c0392b" in page.text
    _csp_safe(page.text)
    assert lab.get("vie", "/studies/s1/agreement").status_code == 200
    assert lab.get("ann", "/studies/s1/agreement").status_code == 403


def test_pages_speak_bokmaal(lab: Lab, rng: np.random.Generator) -> None:
    _submitted_codings(lab, rng)
    lab.client.cookies.set("samspill_lang", "nb")
    page = lab.get("own", "/studies/s1/agreement")
    assert "Samsvarsrapport" in page.text and "Agreement report" not in page.text


def test_the_api_assigns_several_sessions_and_lists_a_coders_assignments(lab: Lab) -> None:
    _add_sessions(lab, "t1")
    made = lab.send("POST", "own", "/api/studies/s1/assignments",
                    {"sessions": ["t0", "t1"], "coders": ["ann", "bob"]})
    assert made.status_code == 200, made.text
    assert sorted((a["session"], a["coder"]) for a in made.json()["assigned"]) == [
        ("t0", "ann"), ("t0", "bob"), ("t1", "ann"), ("t1", "bob")]
    mine = lab.get("ann", "/api/studies/s1/assignments/mine").json()
    assert mine == [{"session": "t0", "purpose": "study", "state": "not_started", "coding": None},
                    {"session": "t1", "purpose": "study", "state": "not_started", "coding": None}]
    state = lab.get("own", "/api/studies/s1/sessions/t0/assignments").json()
    assert state["progress"] == {"ann": "not_started", "bob": "not_started"}
    assert lab.send("POST", "ann", "/api/studies/s1/assignments",
                    {"sessions": ["t0"], "coders": ["ann", "bob"]}).status_code == 403
