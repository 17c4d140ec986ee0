"""The signs as people read them, on the session page and in the scores API's ``display``:
three states with their reasons, labelled values, stability with pivotal events, the hostility
qualifier apart from the five signs, the scopes; in English and bokmål. A coding that cannot
be scored says why and how to fix it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from samspill.core import scoring as core_scoring
from samspill.core.events import Event, events_frame, segments_frame
from samspill.core.indicators import INDICATORS, REASONS
from samspill.core.scheme_check import load_builtin_scheme
from samspill.core.scoring import score_coding
from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events, vignette_segments
from samspill.services import coding_ratings, studies
from samspill.services.scores_json import scores_to_json
from samspill.store.db import Database
from samspill.store.models import EventRow
from samspill.web import i18n
from samspill.web.routes import workspace
from samspill.web.schemas import ScoresOut, ScoresPanelOut
from samspill.web.scores_display import (
    REASON_SENTENCES,
    VALUE_LABELS,
    format_value,
    scores_display,
)
from tests.factories import PASSWORD, Built, make_coded_session, make_user
from tests.web.conftest import bearer

SCHEME = load_builtin_scheme("withdrawal-open")
FREE_PLAY = f"segment:{vignette_segments()[0].id}"
NBSP = "\u00a0"
I18N = Path(i18n.__file__).parent / "i18n"


@contextmanager
def language(lang: str) -> Iterator[None]:
    token = i18n.current_language.set(lang)
    try:
        yield
    finally:
        i18n.current_language.reset(token)


def near_in_free_play() -> list[Event]:
    """The vignette with Monica near Maria during free play: distance is then absent."""
    return [e.model_copy(update={"code": "near"}) if e.code == "far" and e.onset_ms == 0 else e
            for e in vignette_events()]


def hostile() -> list[Event]:
    return [*vignette_events(), Event(subject="caregiver", code="ni", onset_ms=30_000),
            Event(subject="caregiver", code="ni", onset_ms=70_000)]


def display_of(events: list[Event], lang: str = "en",
               duration_ms: int = VIGNETTE_DURATION_MS, stability: bool = True) -> dict:
    scores = score_coding(events_frame(events, SCHEME), segments_frame(vignette_segments()),
                          scheme=SCHEME, duration_ms=duration_ms, stability=stability)
    with language(lang):
        return scores_display(scores_to_json(scores), SCHEME)


# The vignette's recording running on 2 min 30 s after its last segment ends at 06:00.
LONGER_MS = VIGNETTE_DURATION_MS + 150_000


def scope(display: dict, key: str) -> dict:
    return next(s for s in display["scopes"] if s["key"] == key)


def sign(view: dict, sign_id: str) -> dict:
    return next(s for s in view["signs"] if s["id"] == sign_id)


# --- The display itself -------------------------------------------------------------------


@pytest.fixture(scope="module")
def vignette_en() -> dict:
    return display_of(vignette_events())


def test_the_whole_session_comes_first_then_the_reunions_then_each_segment(vignette_en) -> None:
    keys = [s["key"] for s in vignette_en["scopes"]]
    assert keys[:2] == ["session", "reunions"] and keys[2] == FREE_PLAY and len(keys) == 5
    labels = [s["label"] for s in vignette_en["scopes"]]
    assert labels[:3] == ["Whole session", "Reunions (together)", "Free play (00:00–02:00)"]


def test_five_signs_and_the_qualifier_apart(vignette_en) -> None:
    view = scope(vignette_en, "session")
    assert [s["id"] for s in view["signs"]] == [
        "initiative", "responsiveness", "cursory_contact", "redirection", "distance"]
    assert view["qualifier"]["id"] == "hostility" and view["qualifier"]["kind"] == "qualifier"
    assert view["summary"] == ("5 of 5 signs present, 0 not observable; little or no hostility: "
                               "consistent with a withdrawn profile")
    assert view["qualifier"]["sentence"] == (
        "Little or no hostility or intrusiveness: consistent with a withdrawn profile")


def test_present_says_which_criteria_were_met_and_values_read_as_people_read_them(
        vignette_en) -> None:
    row = sign(scope(vignette_en, "session"), "responsiveness")
    assert (row["state"], row["state_text"], row["mark"]) == ("present", "present", "●")
    assert row["reason"] == ("Criteria met: slow answers (median latency); many bids unanswered; "
                             "many answers muted")
    values = {v["key"]: (v["label"], v["text"]) for v in row["values"]}
    assert values["response_latency_median_ms"] == ("median latency", f"7.5{NBSP}s")
    assert values["unanswered_share"] == ("share of bids unanswered", f"67{NBSP}%")
    assert values["muted_share"] == ("share of answers muted", f"100{NBSP}%")
    counts = {v["key"]: v["text"] for v in row["counts"]}
    assert counts["bids"] == "6" and counts["bids_in_contact"] == "1"
    distance = sign(scope(vignette_en, "session"), "distance")
    # A length of time, never to be read as a time on the video.
    assert {v["key"]: v["text"] for v in distance["counts"]}["far_ms"] == "4 min 14 s"


def test_not_observable_says_why_and_never_reads_as_absent(vignette_en) -> None:
    view = scope(vignette_en, FREE_PLAY)
    assert view["summary"].startswith("2 of 5 signs present, 3 not observable; ")
    row = sign(view, "initiative")
    assert (row["state"], row["state_text"], row["mark"]) == (
        "not_observable", "not observable", "◌")
    assert row["reason"] == "No episode of attachment need (no distress, no run of bids)"
    assert {v["text"] for v in row["values"]} == {"–"}


def test_absent_says_no_criterion_was_met() -> None:
    row = sign(scope(display_of(near_in_free_play()), FREE_PLAY), "distance")
    assert (row["state"], row["state_text"], row["mark"]) == ("absent", "absent", "○")
    assert row["reason"] == "No criterion met"


def test_stability_is_stable_or_fragile_with_the_pivotal_events_as_times(vignette_en) -> None:
    view = scope(vignette_en, "session")
    shown = [s["stability"] for s in view["signs"]]
    assert {"stable": True, "text": "stable", "pivotal": [], "pivotal_more": 0} in shown
    fragile = next(s for s in shown if not s["stable"] and s["pivotal"])
    assert fragile["text"].startswith("fragile: the state holds in ")
    assert re.search(r"it changes if (this event|one of these \d+ events) is left out:$",
                     fragile["text"])
    first = fragile["pivotal"][0]
    assert re.fullmatch(r"\d\d:\d\d\.\d{3}", first["time"])
    assert first["label"].startswith(f"{first['time']}: without this event: ")


def _one_sign(stability: dict) -> dict:
    """scores_display of a made-up answer: one present sign with these stability figures."""
    item = {"id": "distance", "kind": "sign", "title": "Interaction at a distance",
            "scope": "session", "segment_id": None, "state": "present", "reasons": ["far_share"],
            "values": {"far_share": 0.8}, "counts": {}, "stability": stability, "evidence": []}
    result = {"settings": {"stability_jitter_ms": 1000}, "reasons": REASONS, "disclaimer": "",
              "scopes": [{"scope": "session", "segment_id": None, "name": "Whole session",
                          "start_ms": 0, "end_ms": 60_000}],
              "indicators": [item]}
    return scores_display(result)["scopes"][0]["signs"][0]["stability"]


def _pivotal(*times: int) -> list[dict]:
    return [{"event_id": str(t), "time_ms": t, "state_without": "not_observable"} for t in times]


def test_stability_text_from_the_figures() -> None:
    jittery = _one_sign({"share": 0.7, "jitter": 0.7, "dropout": 1.0, "pivotal_events": 0,
                         "stable": False, "pivotal": []})
    assert jittery["text"] == (f"fragile: the state holds in 70{NBSP}% of replicates with every "
                               f"time moved by up to 1{NBSP}s")
    one = _one_sign({"share": 0.9, "jitter": 1.0, "dropout": 0.9, "pivotal_events": 1,
                     "stable": False, "pivotal": _pivotal(246_000)})
    assert one["text"].endswith("; it changes if this event is left out:")
    assert one["pivotal"] == [{"time_ms": 246_000, "time": "04:06.000",
                               "label": "04:06.000: without this event: not observable"}]
    many = _one_sign({"share": 0.5, "jitter": 0.95, "dropout": 0.5, "pivotal_events": 14,
                      "stable": False, "pivotal": _pivotal(*range(0, 14_000, 1000))})
    assert "it changes if one of these 14 events is left out:" in many["text"]
    assert len(many["pivotal"]) == 12 and many["pivotal_more"] == 2
    with language("nb"):
        nb = _one_sign({"share": 0.7, "jitter": 0.7, "dropout": 1.0, "pivotal_events": 1,
                        "stable": False, "pivotal": _pivotal(1000)})
    assert nb["text"] == (f"skjør: tilstanden holder i 70{NBSP}% av replikatene når alle tider "
                          f"flyttes med inntil 1{NBSP}s; den endres hvis denne hendelsen utelates:")
    assert nb["pivotal"][0]["label"] == "00:01.000: uten denne hendelsen: kan ikke vurderes"
    assert _one_sign(None) is None  # scored without stability: nothing shown


def test_a_hostile_caregiver_gives_a_mixed_profile_never_a_sign() -> None:
    view = scope(display_of(hostile()), "session")
    assert view["summary"] == (
        "5 of 5 signs present, 0 not observable; hostile or intrusive behaviour present: mixed "
        "or hostile profile")
    assert view["qualifier"]["state"] == "hostile"
    assert view["qualifier"]["sentence"] == (
        "Hostile or intrusive behaviour present: mixed or hostile profile")
    assert "hostility" not in {s["id"] for s in view["signs"]}


def test_the_qualifier_cannot_be_judged_when_the_caregiver_is_out_of_the_room(vignette_en) -> None:
    separation = next(s for s in vignette_en["scopes"] if s["label"].startswith("Separation"))
    assert separation["summary"] == (
        "0 of 5 signs present, 5 not observable; hostility not observable")
    assert separation["qualifier"]["sentence"] == (
        "Hostility cannot be judged: the caregiver was out of the room the whole time")


def test_bokmaal_words_numbers_and_sentences() -> None:
    display = display_of(vignette_events(), "nb")
    view = scope(display, "session")
    assert view["label"] == "Hele økten"
    assert view["summary"] == ("5 av 5 tegn til stede, 0 kan ikke vurderes; lite eller ingen "
                               "fiendtlighet: forenlig med en tilbaketrukket profil")
    row = sign(view, "responsiveness")
    assert row["state_text"] == "til stede" and row["title"] == "Forsinket eller dempet respons"
    values = {v["key"]: (v["label"], v["text"]) for v in row["values"]}
    assert values["response_latency_median_ms"] == ("median latens", f"7,5{NBSP}s")
    assert values["unanswered_share"] == ("andel signaler ubesvart", f"67{NBSP}%")
    assert sign(view, "cursory_contact")["stability"]["text"].startswith("skjør: tilstanden holder")
    assert sign(view, "initiative")["stability"]["text"] == "stabil"
    free_play = scope(display, FREE_PLAY)
    assert free_play["summary"].startswith("2 av 5 tegn til stede, 3 kan ikke vurderes; ")
    initiative = sign(free_play, "initiative")
    assert initiative["state_text"] == "kan ikke vurderes"
    assert initiative["reason"] == (
        "Ingen episode med tilknytningsbehov (ingen uro, ingen rekke av signaler)")
    assert display["disclaimer"].startswith("Tersklene")


def test_format_value_in_both_languages() -> None:
    with language("en"):
        assert format_value("far_share", 0.85) == f"85{NBSP}%"
        assert format_value("hold_median_ms", 12_000) == f"12{NBSP}s"
        assert format_value("redirects_per_10min", 6.0) == "6 per 10 min"
        assert format_value("bids", 6) == "6"
        assert format_value("present_ms", 300_000) == "5 min 0 s"
        assert format_value("far_ms", 45_400) == "45 s"
        assert format_value("far_share", None) == "–"
        # Whole percent; one decimal only near none and near all.
        assert [format_value("unanswered_share", x) for x in (2 / 3, 0, 0.004, 0.996, 1)] == [
            f"67{NBSP}%", f"0{NBSP}%", f"0.4{NBSP}%", f"99.6{NBSP}%", f"100{NBSP}%"]
    with language("nb"):
        assert format_value("far_share", 0.847) == f"85{NBSP}%"
        assert format_value("far_share", 0.004) == f"0,4{NBSP}%"
        assert format_value("redirects_per_10min", 2.5) == "2,5 per 10 min"
        assert format_value("far_ms", 254_000) == "4 min 14 s"


# --- One sign is no profile; a recording longer than its marked segments --------------------


@pytest.mark.parametrize(("lang", "summary", "sentence"), [
    ("en", "1 of 5 signs present, 3 not observable; little or no hostility or intrusiveness",
     "Little or no hostility or intrusiveness"),
    ("nb", "1 av 5 tegn til stede, 3 kan ikke vurderes; lite eller ingen fiendtlighet eller "
     "påtrengenhet", "Lite eller ingen fiendtlighet eller påtrengenhet"),
])
def test_one_sign_present_with_low_hostility_is_no_withdrawn_profile(
        lang: str, summary: str, sentence: str) -> None:
    view = scope(display_of(near_in_free_play(), lang, stability=False), FREE_PLAY)
    assert [s["state"] for s in view["signs"]].count("present") == 1
    assert view["qualifier"]["state"] == "low"
    assert (view["summary"], view["qualifier"]["sentence"]) == (summary, sentence)


def _made_up(present: int, withdrawn: bool) -> dict:
    """scores_display of a made-up answer: ``present`` signs present, low hostility, and the
    core's ``withdrawn_profile`` as given."""
    signs = [{"id": f"sign{i}", "kind": "sign", "title": f"sign {i}", "scope": "session",
              "segment_id": None, "state": "present" if i < present else "absent",
              "reasons": [], "values": {}, "counts": {}, "stability": None, "evidence": []}
             for i in range(5)]
    qualifier = {**signs[0], "id": "hostility", "kind": "qualifier", "state": "low"}
    result = {"settings": {}, "reasons": REASONS, "disclaimer": "",
              "scopes": [{"scope": "session", "segment_id": None, "name": "Whole session",
                          "start_ms": 0, "end_ms": 60_000, "outside_ms": 0,
                          "signs_present": present, "withdrawn_profile": withdrawn}],
              "indicators": [*signs, qualifier]}
    return scores_display(result)["scopes"][0]


def test_the_withdrawn_profile_is_the_cores_decision_not_the_screens() -> None:
    assert _made_up(2, True)["summary"].endswith("consistent with a withdrawn profile")
    assert _made_up(2, True)["qualifier"]["sentence"].endswith(
        "consistent with a withdrawn profile")
    for present, withdrawn in ((1, False), (2, False), (5, False)):
        view = _made_up(present, withdrawn)
        assert "withdrawn profile" not in view["summary"] + view["qualifier"]["sentence"]


@pytest.mark.parametrize(("lang", "label", "outside", "whole"), [
    ("en", "Marked segments (00:00–06:00)", "2 min 30 s of the recording lies outside the "
     "marked segments and is not scored", "Whole session"),
    ("nb", "Markerte segmenter (00:00–06:00)", "2 min 30 s av opptaket ligger utenfor de "
     "markerte segmentene og skåres ikke", "Hele økten"),
])
def test_a_recording_longer_than_its_segments_names_the_scope_and_what_is_left_out(
        lang: str, label: str, outside: str, whole: str) -> None:
    display = display_of(vignette_events(), lang, duration_ms=LONGER_MS, stability=False)
    session = scope(display, "session")
    assert (session["label"], session["outside"]) == (label, outside)
    assert all(s["outside"] == "" for s in display["scopes"] if s["key"] != "session")
    assert whole not in [s["label"] for s in display["scopes"]]
    covered = scope(display_of(vignette_events(), lang, stability=False), "session")
    assert (covered["label"], covered["outside"]) == (whole, "")


# --- Every word has its label and its translation -----------------------------------------


def _bokmaal():
    with (I18N / "nb" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale="nb")


def _translated(catalog, msgid: str) -> bool:
    message = catalog.get(msgid)
    return message is not None and bool(message.string) and not message.fuzzy


def test_every_reason_the_core_gives_is_extracted_and_translated() -> None:
    assert set(REASONS.values()) <= set(REASON_SENTENCES)
    catalog = _bokmaal()
    assert [s for s in REASONS.values() if not _translated(catalog, s)] == []


def test_every_value_and_count_has_a_translated_label() -> None:
    keys = {k for spec in INDICATORS.values() for k in (*spec.values, *spec.counts)}
    assert keys - set(VALUE_LABELS) == set()
    catalog = _bokmaal()
    assert [label for label, _ in VALUE_LABELS.values() if not _translated(catalog, label)] == []
    assert {unit for _, unit in VALUE_LABELS.values()} <= {
        "share", "seconds", "duration", "rate", "count"}


def test_the_panels_own_strings_are_in_the_js_catalogue() -> None:
    for msgid in ("Scope", "Stability", "Evidence", "How to fix it: {fix}",
                  "Qualifier of the profile (not a sign): hostility or intrusiveness"):
        assert msgid in workspace.JS_STRINGS and _translated(_bokmaal(), msgid)


# --- The session page and the API ---------------------------------------------------------


def _login(client: TestClient, username: str) -> None:
    page = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/"})
    assert page.status_code == 200


def _build(database: Database, events: list[Event]) -> Built:
    with database.session() as db:
        built = make_coded_session(db, events=events)
        for segment in vignette_segments():
            studies.put_segment(db, session=built.session, segment=segment)
        return built


@pytest.fixture
def near(database: Database) -> Built:
    return _build(database, near_in_free_play())


def _rows(html: str) -> dict[str, str]:
    """sign id -> state, for the rows of the signs table."""
    start = html.index('<table class="list scores-table">')
    table = html[start:html.index("</table>", start)]
    return dict(re.findall(r'data-indicator="(\w+)" data-state="(\w+)"', table))


def test_the_session_page_shows_the_signs_of_the_whole_session(
        client: TestClient, near: Built) -> None:
    _login(client, near.owner.username)
    html = client.get("/studies/s1/sessions/v1").text
    assert _rows(html) == {"initiative": "present", "responsiveness": "present",
                           "cursory_contact": "present", "redirection": "present",
                           "distance": "absent"}
    assert ("4 of 5 signs present, 0 not observable; little or no hostility: consistent with a "
            "withdrawn profile") in html
    assert 'data-indicator="hostility" data-state="low"' in html  # apart, below the table
    assert "Qualifier of the profile (not a sign)" in html
    assert "not clinical norms" in html
    assert f"median latency: <b>7.5{NBSP}s</b>" in html
    assert "No criterion met" in html and ">● present</span>" not in html  # mark and words
    assert '<span class="mark" aria-hidden="true">●</span> present' in html
    # Stability: stable, and fragile with the pivotal events as buttons that seek the video.
    assert '<p class="stability stable">stable' in html
    assert "it changes if one of these 2 events is left out:" in html
    assert re.search(r'class="seek small pivotal" data-seek-ms="\d+"', html)
    assert 'data-seek-ms="20000"' in html  # evidence, as before
    # The scope selector, usable without a script.
    assert '<select id="scores-scope" name="scope">' in html
    assert f'<option value="{FREE_PLAY}" >Free play (00:00–02:00)</option>' in html
    assert '<option value="reunions" >Reunions (together)</option>' in html


def test_the_page_shows_a_chosen_scope_with_all_three_states(
        client: TestClient, near: Built) -> None:
    _login(client, near.owner.username)
    html = client.get("/studies/s1/sessions/v1", params={"scope": FREE_PLAY}).text
    assert _rows(html) == {"initiative": "not_observable", "responsiveness": "present",
                           "cursory_contact": "not_observable", "redirection": "not_observable",
                           "distance": "absent"}
    assert "1 of 5 signs present, 3 not observable" in html
    assert "No episode of attachment need (no distress, no run of bids)" in html
    assert f'<option value="{FREE_PLAY}" selected>' in html
    unknown = client.get("/studies/s1/sessions/v1", params={"scope": "segment:nope"}).text
    assert "4 of 5 signs present" in unknown  # the whole session again


def test_the_session_page_in_bokmaal(client: TestClient, near: Built) -> None:
    _login(client, near.owner.username)
    nb = {"Accept-Language": "nb"}
    html = client.get("/studies/s1/sessions/v1", headers=nb).text
    assert "Tegn på tilbaketrekning" in html
    assert ("4 av 5 tegn til stede, 0 kan ikke vurderes; lite eller ingen fiendtlighet: "
            "forenlig med en tilbaketrukket profil") in html
    assert "</span> til stede</span>" in html and "</span> ikke til stede</span>" in html
    assert "Kvalifikator for profilen (ikke et tegn)" in html
    assert f"median latens: <b>7,5{NBSP}s</b>" in html
    assert "skjør: tilstanden holder i" in html and "den endres hvis" in html
    assert "Tersklene" in html
    coder = html[html.index('id="scores-title"'):]
    assert f"{near.owner.username} (under arbeid)" in coder[:coder.index("</p>")]
    html = client.get("/studies/s1/sessions/v1", params={"scope": FREE_PLAY}, headers=nb).text
    assert "</span> kan ikke vurderes</span>" in html
    assert "Ingen episode med tilknytningsbehov" in html


def test_the_api_gives_the_display_in_the_requests_language(
        client: TestClient, near: Built) -> None:
    _login(client, near.owner.username)
    body = client.get(f"/api/codings/{near.coding.id}/scores").json()
    assert body["signs"] == ["initiative", "responsiveness", "cursory_contact", "redirection",
                             "distance"]
    view = body["display"]["scopes"][0]
    assert view["key"] == "session" and view["summary"].startswith("4 of 5 signs present")
    nb = client.get(f"/api/codings/{near.coding.id}/scores",
                    headers={"Accept-Language": "nb"}).json()
    assert nb["display"]["scopes"][0]["summary"].startswith("4 av 5 tegn til stede")
    assert nb["indicators"] == body["indicators"]  # the data itself is language-neutral


def test_the_session_page_names_the_marked_segments_and_the_time_left_out(
        client: TestClient, database: Database, near: Built) -> None:
    with database.session() as db:
        db.get(type(near.session), near.session.id).duration_ms = LONGER_MS
    _login(client, near.owner.username)
    html = client.get("/studies/s1/sessions/v1").text
    assert "<strong>Marked segments (00:00–06:00):</strong> 4 of 5 signs present" in html
    assert ('<p class="scores-outside" role="note">2 min 30 s of the recording lies outside the '
            "marked segments and is not scored</p>") in html
    assert '<option value="session" selected>Marked segments (00:00–06:00)</option>' in html
    assert "Whole session" not in html.split('id="scores"')[1]
    nb = client.get("/studies/s1/sessions/v1", headers={"Accept-Language": "nb"}).text
    assert "<strong>Markerte segmenter (00:00–06:00):</strong> 4 av 5 tegn til stede" in nb
    assert "2 min 30 s av opptaket ligger utenfor de markerte segmentene og skåres ikke" in nb
    body = client.get(f"/api/codings/{near.coding.id}/scores").json()
    assert body["display"]["scopes"][0]["label"] == "Marked segments (00:00–06:00)"
    assert body["display"]["scopes"][0]["outside"].startswith("2 min 30 s of the recording")


def test_a_free_play_with_one_sign_on_the_page_is_no_withdrawn_profile(
        client: TestClient, near: Built) -> None:
    _login(client, near.owner.username)
    for headers, said in (({}, "1 of 5 signs present, 3 not observable; little or no hostility "
                           "or intrusiveness</p>"),
                          ({"Accept-Language": "nb"}, "1 av 5 tegn til stede, 3 kan ikke "
                           "vurderes; lite eller ingen fiendtlighet eller påtrengenhet</p>")):
        html = client.get("/studies/s1/sessions/v1", params={"scope": FREE_PLAY},
                          headers=headers).text
        assert said in html
        assert "withdrawn profile" not in html and "tilbaketrukket profil" not in html


def test_the_rating_line_and_the_scheme_read_as_words_in_bokmaal(
        client: TestClient, database: Database, near: Built) -> None:

    with database.session() as db:
        coding_ratings.set_ratings(db, coding=db.merge(near.coding),
                            ratings={"level": 6, "profile": "helpless-fearful"})
    _login(client, near.owner.username)
    nb = client.get("/studies/s1/sessions/v1", headers={"Accept-Language": "nb"}).text
    assert "Open withdrawal scheme (åpent skjema, ikke en offisiell AMBIANCE-skåre)" in nb
    rating = re.search(r'<p class="rating-summary">(.*?)</p>', nb, re.S).group(1)
    assert "<strong>6</strong>" in rating and "<strong>forstyrret</strong>" in rating
    assert "(grenseverdi 5)" in rating and "5.0" not in rating
    assert "Profil: hjelpeløs-fryktsom" in rating and "helpless-fearful" not in nb
    assert "Indikatorene støtter en opplært koders skjønn; de er ingen diagnose." in nb
    en = client.get("/studies/s1/sessions/v1").text
    assert "Open withdrawal scheme (open scheme, not an official AMBIANCE score)" in en
    assert "(cut-off 5) · Profile: helpless-fearful</p>" in en


# A running state no longer stops the scores: they are provisional (tests/web/test_provisional.py).
@pytest.mark.parametrize(("event", "said"), [
    (dict(subject="child", code="bid", onset_ms=400_000, offset_ms=None,
          modifiers={"kind": "show"}), "lies beyond the media"),
], ids=["past the end"])
def test_a_coding_that_cannot_be_scored_says_why_on_the_page_and_in_the_api(
        client: TestClient, database: Database, near: Built, event: dict, said: str) -> None:
    with database.session() as db:
        db.add(EventRow(id="00000000-0000-4000-8000-00000000dead", coding_id=near.coding.id,
                        **event))
    _login(client, near.owner.username)
    page = client.get("/studies/s1/sessions/v1")
    assert page.status_code == 200
    assert "The signs cannot be computed for this coding yet." in page.text
    assert said in page.text
    assert "How to fix it: correct the events named above, then score again" in page.text
    assert "not clinical norms" in page.text and "scores-table" not in page.text
    nb = client.get("/studies/s1/sessions/v1", headers={"Accept-Language": "nb"}).text
    assert "Tegnene kan ikke beregnes for denne kodingen ennå." in nb
    assert "Slik retter du det:" in nb
    api = client.get(f"/api/codings/{near.coding.id}/scores")
    assert api.status_code == 400 and said in api.json()["error"]["message"]


# --- The scores API's typed shape: web.schemas.ScoresOut says exactly what the answer holds.


def _as_scores_out(body: dict) -> dict:
    return ScoresOut.model_validate(body).model_dump(mode="json")


def test_the_scores_api_answers_exactly_in_the_shape_of_its_schema(
        client: TestClient, database: Database, near: Built) -> None:
    _login(client, near.owner.username)
    for headers in ({}, {"Accept-Language": "nb"}):
        body = client.get(f"/api/codings/{near.coding.id}/scores", headers=headers).json()
        assert json.dumps(_as_scores_out(body)) == json.dumps(body)  # keys and order too
    with database.session() as db:
        db.get(type(near.session), near.session.id).duration_ms = LONGER_MS
    body = client.get(f"/api/codings/{near.coding.id}/scores").json()
    assert json.dumps(_as_scores_out(body)) == json.dumps(body)


@pytest.mark.parametrize("case", ["vignette", "near", "hostile", "longer"])
def test_every_kind_of_scores_fits_the_schema(case: str) -> None:
    events = {"near": near_in_free_play(), "hostile": hostile()}.get(case, vignette_events())
    duration = LONGER_MS if case == "longer" else VIGNETTE_DURATION_MS
    scores = score_coding(events_frame(events, SCHEME), segments_frame(vignette_segments()),
                          scheme=SCHEME, duration_ms=duration, stability=True,
                          ratings={"level": 6, "profile": "helpless-fearful"})
    body = scores_to_json(scores)
    body["coding"] = {"id": 1, "session": "v1", "study": "s1", "coder": "ann",
                      "scheme_id": SCHEME.id, "scheme_version": 1, "scheme_hash": "h",
                      "status": "in_progress", "purpose": "study"}
    body["provisional"], body["provisional_until"] = False, None
    body["display"] = scores_display(body, SCHEME)
    assert json.dumps(_as_scores_out(body)) == json.dumps(body)


def test_the_scores_route_declares_its_schema(client: TestClient) -> None:
    answer = client.app.openapi()["paths"]["/api/codings/{coding_id}/scores"]["get"]
    schema = answer["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ScoresOut"}


def test_the_core_shapes_no_api_answer() -> None:
    assert not hasattr(core_scoring, "scores_to_json")


def test_the_panels_own_answer_is_the_display_of_the_whole_one(
        client: TestClient, database: Database, near: Built) -> None:
    """GET …/scores/display (what the coding screen's panel reads after each save) holds the
    same words and provisional mark as the whole answer, in its schema, in both languages,
    and is refused to whoever the whole answer is refused to."""
    _login(client, near.owner.username)
    path = f"/api/codings/{near.coding.id}/scores"
    for headers in ({}, {"Accept-Language": "nb"}):
        for params in ({}, {"until_ms": 60_000}):
            whole = client.get(path, headers=headers, params=params).json()
            panel = client.get(f"{path}/display", headers=headers, params=params).json()
            assert panel == {key: whole[key]
                             for key in ("provisional", "provisional_until", "display")}
            assert ScoresPanelOut.model_validate(panel).model_dump(mode="json") == panel
    assert client.get(f"{path}/display", params={"until_ms": -1}).status_code == 422
    # States only (what the panel asks while a long coding is being keyed): the same states,
    # no stability at all rather than an old one.
    whole = client.get(f"{path}/display").json()["display"]["scopes"]
    states = client.get(f"{path}/display", params={"stability": "false"}).json()
    ScoresPanelOut.model_validate(states)
    quick = states["display"]["scopes"]
    assert [[s["state"] for s in v["signs"]] for v in quick] == [
        [s["state"] for s in v["signs"]] for v in whole]
    assert all(s["stability"] is None for v in quick for s in v["signs"])
    assert all(s["stability"] is not None for v in whole for s in v["signs"])
    with database.session() as db:
        study = studies.get_study(db, near.study.name)
        studies.set_role(db, study=study, user=make_user(db, "tim"), role="trainee")
    trainee = bearer(database, "tim")
    refused = client.get(path, headers=trainee)
    assert refused.status_code in (403, 404)
    assert client.get(f"{path}/display", headers=trainee).status_code == refused.status_code
