"""Issue 22, training pages: the trainer's certification overview, feedback written about the
trainee (or to them) in English and bokmål, with the unit, the tolerance and the timing of
matched events, and the trainee's tapes on their study page."""

from __future__ import annotations

import re

import numpy as np

from samspill.core.events import Event
from samspill.services import studies, training
from samspill.services.accounts import get_user
from tests.agreement.conftest import Lab
from tests.agreement.tapes import add_coding, add_tape, noisy

OWN_WORDS = re.compile(r"\b(Your|You|Din|Ditt|Du)\b")


def _late_copy(events: list[Event], late_ms: int) -> tuple[list[Event], Event]:
    """The events with one point event logged ``late_ms`` later: one whose subject has no
    other point within 4 s, so matching cannot pair it with another."""
    points = sorted((e for e in events if e.offset_ms is None), key=lambda e: e.onset_ms)
    lonely = next(e for e in points if all(
        abs(o.onset_ms - e.onset_ms) > 4_000 for o in points
        if o.id != e.id and o.subject == e.subject))
    moved = [e.model_copy(update={"onset_ms": e.onset_ms + late_ms}) if e.id == lonely.id else e
             for e in events]
    return moved, lonely


def _tape_pair(lab: Lab, trainee_events: list[Event], *, tape: str = "t0",
               who: str = "tra", level: int = 5) -> tuple[int, int]:
    with lab.database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name=tape)
        own = get_user(db, "own")
        master = training.master_of(db, session)
        if master is None:
            master = add_coding(db, session, own, lab.events if tape == "t0" else
                                trainee_events, level=5)
            training.mark_master(db, coding=master, purpose="training", by=own)
        mine = add_coding(db, session, get_user(db, who), trainee_events, level=level,
                          purpose="training")
        return master.id, mine.id


def _main(page: str) -> str:
    """The words of the page's main part (the menu has "Your account")."""
    found = re.search(r"<main\b.*?</main>", page, re.S)
    assert found
    return re.sub(r"<[^>]+>", " ", found[0])


def _text(page) -> str:
    assert page.status_code == 200, page.text[:500]
    return page.text


def test_a_respond_one_second_late_reads_late_and_never_every_event_matches(lab: Lab) -> None:
    moved, late = _late_copy(lab.events, 1_000)
    _, mine = _tape_pair(lab, moved)
    found = lab.get("tra", f"/api/codings/{mine}/feedback").json()
    assert found["differences"] == [] and found["outcome"] == "timing"
    (row,) = [t for t in found["timing"] if t["onset_lag_ms"]]
    assert (row["code_b"], row["onset_lag_ms"]) == (late.code, 1_000)
    assert (found["unit_ms"], found["tolerance_ms"]) == (1_000, 2_000)
    page = _text(lab.get("tra", f"/codings/{mine}/feedback"))
    assert "1.0\u00a0s late" in page
    assert "Every event matches the master" not in page
    assert "events one unit or more off in time: 1 (see Timing)" in page
    assert "Compared in 1-second units with a 2-second tolerance" in page
    assert "True" not in page and "False" not in page and "e-1" not in page


def test_an_exact_copy_says_every_event_matches(lab: Lab) -> None:
    _, mine = _tape_pair(lab, lab.events)
    found = lab.get("tra", f"/api/codings/{mine}/feedback").json()
    assert found["outcome"] == "match" and found["time_unit_kappa"] > 0.99
    page = _text(lab.get("tra", f"/codings/{mine}/feedback"))
    assert "Every event matches the master" in page and "on time" not in page


def test_feedback_is_about_the_trainee_for_the_trainer_and_speaks_bokmaal(
        lab: Lab, rng: np.random.Generator) -> None:
    _, mine = _tape_pair(lab, noisy(lab.events, rng, jitter_ms=1500, drop=0.2), level=4)
    for who in ("own", "vie"):
        page = _text(lab.get(who, f"/codings/{mine}/feedback"))
        assert "tra’s coding against the master" in page
        assert "Where tra differed" in page and "tra’s certification report" in page
        assert "?trainee=tra" in page
        assert not OWN_WORDS.search(_main(page)), OWN_WORDS.search(page)
    mine_page = _text(lab.get("tra", f"/codings/{mine}/feedback"))
    assert "Your coding against the master" in mine_page and "tra’s" not in mine_page
    lab.client.cookies.set("samspill_lang", "nb")
    page = _text(lab.get("own", f"/codings/{mine}/feedback"))
    assert "tras koding sammenlignet med fasiten" in page
    assert "Din koding" not in page and "Sammenlignet i enheter på 1 sekund" in page
    assert "Tid kodet med hver kode, i sekunder" in page
    own = _text(lab.get("tra", f"/codings/{mine}/feedback"))
    assert "Din koding sammenlignet med fasiten" in own
    lab.client.cookies.delete("samspill_lang")


def _two_trainees(lab: Lab, rng: np.random.Generator) -> None:
    """Three tapes with masters: ``tra`` codes all three as the master did, ``tre`` two of
    them with levels and events far off."""
    with lab.database.session() as db:
        study = studies.get_study(db, "s1")
        for i in range(3):
            add_tape(db, study, f"tape{i}", seed=40 + i)
    for i in range(3):
        with lab.database.session() as db:
            study = studies.get_study(db, "s1")
            session = studies.get_session(db, study=study, name=f"tape{i}")
            own = get_user(db, "own")
            master_events = _tape_events(db, session)
            master = add_coding(db, session, own, master_events, level=2 + i)
            training.mark_master(db, coding=master, purpose="training", by=own)
            add_coding(db, session, get_user(db, "tra"), master_events, level=2 + i,
                       purpose="training")
            if i < 2:
                add_coding(db, session, get_user(db, "tre"),
                           noisy(master_events, rng, jitter_ms=3000, drop=0.4), level=7,
                           purpose="training")


def _tape_events(db, session) -> list[Event]:
    from samspill.core.simulate import simulate_session
    from tests.agreement.tapes import STYLES, TAPE_MS

    seed = 40 + int(session.name[-1])
    return simulate_session(STYLES[seed % 2], seed=seed, duration_ms=TAPE_MS).events


def test_the_trainer_sees_every_trainee_and_tape_at_once(
        lab: Lab, rng: np.random.Generator) -> None:
    _two_trainees(lab, rng)
    for who in ("own", "vie"):
        page = _text(lab.get(who, "/studies/s1/certification"))
        assert 'id="certification-overview"' in page
        for name, tapes in (("tra", 3), ("tre", 2)):
            body = re.search(rf'<tbody data-trainee="{name}">(.*?)</tbody>', page, re.S)
            assert body, name
            assert body[1].count("<tr data-tape=") == tapes
            assert f"certification?trainee={name}" in body[1]
            assert "tape passed" in body[1]
        assert not OWN_WORDS.search(_main(page))
        assert "True" not in page and "False" not in page
    tra = re.search(r'<tbody data-trainee="tra">(.*?)</tbody>', page, re.S)[1]
    assert "tape passed: yes" in tra and "(same: yes)" in tra
    tre = re.search(r'<tbody data-trainee="tre">(.*?)</tbody>', page, re.S)[1]
    assert "tape passed: no" in tre
    lab.client.cookies.set("samspill_lang", "nb")
    page = _text(lab.get("own", "/studies/s1/certification"))
    assert "Sertifisering: alle kursdeltakere" in page
    assert "fasit" in page and "Master" not in _main(page)
    lab.client.cookies.delete("samspill_lang")


def test_a_trainee_sees_only_their_own_report(lab: Lab, rng: np.random.Generator) -> None:
    _two_trainees(lab, rng)
    page = _text(lab.get("tre", "/studies/s1/certification"))
    assert "certification-overview" not in page and "Your certification report" in page
    assert "tape2" not in page, "tra's third tape is not tre's"
    assert 'name="trainee"' not in page and "?trainee=tra" not in page
    for path in ("/studies/s1/certification?trainee=tra",
                 "/api/studies/s1/certification?trainee=tra"):
        assert lab.get("tre", path).status_code == 403
    assert lab.get("ann", "/studies/s1/certification?trainee=tra").status_code == 403
    # Nor another trainee's feedback: their coding does not exist for tre.
    with lab.database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name="tape2")
        theirs = training.submitted_coding(db, session, get_user(db, "tra"))
        assert theirs is not None
        coding = theirs.id
    for path in (f"/codings/{coding}/feedback", f"/api/codings/{coding}/feedback"):
        assert lab.get("tre", path).status_code == 404
    assert lab.get("own", f"/codings/{coding}/feedback").status_code == 200


def test_the_report_about_a_trainee_words_every_criterion(
        lab: Lab, rng: np.random.Generator) -> None:
    _tape_pair(lab, noisy(lab.events, rng, jitter_ms=1500, drop=0.2), level=4)
    page = _text(lab.get("own", "/studies/s1/certification?trainee=tra"))
    text = _main(page)
    assert "Certification report: tra" in text and "tra’s level" in text
    assert not OWN_WORDS.search(text)
    # One tape: the level ICC cannot be computed; it is not assessed, not "passed: yes".
    assert re.search(r"Level \(ICC2\)\s*</th>\s*<td>–</td>.*?not assessed", page, re.S)
    assert "True" not in page and "False" not in page and "nan" not in text
    assert "level ICC2" not in text and "disrupted percent" not in text
    lab.client.cookies.set("samspill_lang", "nb")
    page = _text(lab.get("own", "/studies/s1/certification?trainee=tra"))
    assert "ikke vurdert" in page and re.search(r"<td>(ja|nei)</td>", page)
    assert "Bestått: ja" not in page and "tras nivå" in page
    lab.client.cookies.delete("samspill_lang")


def test_a_trainees_study_page_links_their_certification_and_lists_their_tapes(
        lab: Lab, rng: np.random.Generator) -> None:
    _two_trainees(lab, rng)
    page = _text(lab.get("tre", "/studies/s1"))
    section = re.search(r'<section id="my-training">(.*?)</section>', page, re.S)
    assert section and 'href="/studies/s1/certification"' in section[1]
    rows = re.findall(r'<tr data-tape="(\w+)"><td>\w+</td><td>(\d{4}-\d\d-\d\d)</td>'
                      r'<td>(yes|no|not assessed)</td>', section[1])
    assert [r[0] for r in rows] == ["tape0", "tape1"] and {r[2] for r in rows} == {"no"}
    assert 'id="my-training"' not in _text(lab.get("own", "/studies/s1"))
    assert 'id="my-training"' not in _text(lab.get("ann", "/studies/s1"))
