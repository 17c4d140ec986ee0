"""`samspill score`, `cohort` and `simulate` on a demo study."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from samspill.cli import app

runner = CliRunner()


SIGNS = {"initiative", "responsiveness", "cursory_contact", "redirection", "distance"}


def test_score_cohort_and_simulate_on_the_demo(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    assert runner.invoke(app, ["demo", "--no-video", "--data-dir", data]).exit_code == 0
    scored = runner.invoke(app, ["score", "--study", "demo", "--session", "vignette",
                                 "--format", "json", "--data-dir", data])
    assert scored.exit_code == 0
    result = json.loads(scored.output)
    session = {i["id"]: i for i in result["indicators"] if i["scope"] == "session"}
    assert set(session) == {*SIGNS, "hostility"}
    assert all({"id", "kind", "state", "reasons", "flag", "values", "stability", "evidence"}
               <= set(i) for i in session.values())
    assert all(session[s]["state"] == "present" and session[s]["flag"] for s in SIGNS)
    assert (session["hostility"]["kind"], session["hostility"]["state"]) == ("qualifier", "low")
    assert all(i["stability"] is not None for i in session.values())
    assert "settings" in result and "ambiance" in result and set(result["signs"]) == SIGNS

    added = runner.invoke(app, ["simulate", "--study", "demo", "--style", "withdrawn",
                                "--sessions", "2", "--seed", "7", "--procedure", "ssp",
                                "--data-dir", data])
    assert added.exit_code == 0, added.output
    out = tmp_path / "cohort.csv"
    made = runner.invoke(app, ["cohort", "--study", "demo", "--out", str(out),
                               "--data-dir", data])
    assert made.exit_code == 0 and "left out" not in made.output
    rows = list(csv.DictReader(out.open()))
    assert sum(r["sim_style"] == "withdrawn" for r in rows) >= 2
    assert {"session", "coder", "far_share", "distance_flag", "level", "distance_state",
            "distance_reason", "distance_stability", "hostility_qualifier", "hostility_reason",
            "low_hostility_flag", "signs_present", "signs_absent",
            "signs_not_observable"} <= set(rows[0])
    vignette = next(r for r in rows if r["session"] == "vignette")
    assert (vignette["distance_state"], vignette["distance_flag"]) == ("present", "1")
    assert (vignette["hostility_qualifier"], vignette["signs_present"]) == ("low", "5")
    assert all(r["initiative_state"] in ("present", "absent", "not_observable") for r in rows)

    quick = tmp_path / "quick.csv"
    assert runner.invoke(app, ["cohort", "--study", "demo", "--out", str(quick),
                               "--no-stability", "--data-dir", data]).exit_code == 0
    header = next(csv.reader(quick.open()))
    assert "distance_state" in header and "distance_stability" not in header


def test_cohort_says_its_engine_and_both_engines_write_the_same_csv(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    assert runner.invoke(app, ["demo", "--no-video", "--data-dir", data]).exit_code == 0
    written = {}
    for engine in ("duckdb", "pandas"):
        out = tmp_path / f"{engine}.csv"
        made = runner.invoke(app, ["cohort", "--study", "demo", "--out", str(out),
                                   "--no-stability", "--engine", engine, "--data-dir", data])
        assert made.exit_code == 0, made.output
        assert f"(engine: {engine})" in made.output
        written[engine] = out.read_text()
    assert written["duckdb"] == written["pandas"]
    assert (tmp_path / "data" / "columnar").is_dir()  # the Parquet copy, in the data folder
    bad = runner.invoke(app, ["cohort", "--study", "demo", "--out", str(tmp_path / "x.csv"),
                              "--engine", "polars", "--data-dir", data])
    assert bad.exit_code != 0 and "--engine duckdb" in getattr(bad.exception, "fix", "")


def test_score_table_reads_as_words_and_human_numbers(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    runner.invoke(app, ["demo", "--no-video", "--data-dir", data])
    shown = runner.invoke(app, ["score", "--study", "demo", "--session", "vignette",
                                "--data-dir", data], env={"COLUMNS": "400"})
    assert shown.exit_code == 0, shown.output
    text = shown.output
    # Per sign: its title, state in words, reason as a sentence, values as people read them.
    assert "Delayed or muted responding" in text
    assert "slow answers (median latency); many bids unanswered; many answers muted" in text
    assert "median latency: 7.5 s" in text and "share of bids unanswered: 67 %" in text
    assert "share of time far: 85 %" in text and "bids scored: 6, answered: 2" in text
    # The coding screen's words for windows cut short, never the column names.
    assert "cut short (not counted): 0" in text and "censored" not in text
    # Lengths of time never look like times on the video.
    assert "time far: 4 min 14 s" in text and "04:14" not in text
    # Stability: stable, or fragile with the pivotal events' times as mm:ss.
    assert "stable" in text
    assert "fragile: changes if any one of these 2 events is left out: 00:00" in text
    # The summary and the qualifier on its own line, for the session and the reunions.
    assert "Whole session" in text and "Reunions" in text
    assert text.count("5 of 5 signs present, 0 not observable") == 2
    lines = [line.strip() for line in text.splitlines()]
    assert lines.count("Little or no hostility or intrusiveness: consistent with a withdrawn "
                       "profile") == 2
    assert "level 6 · disrupted · profile helpless-fearful" in text
    assert "they are no diagnosis" in text
    for never in ("e+0", "True", "False", "FLAG", "hostility_qualifier", "hostile rate"):
        assert never not in text


def test_a_cohort_with_an_unscorable_coding_lists_it_and_writes_the_rest(tmp_path: Path) -> None:
    from samspill.cli.common import unit_of_work
    from samspill.core.errors import InputError
    from samspill.core.events import Event
    from samspill.services import codings, studies
    from samspill.services.accounts import add_user
    from samspill.services.schemes import latest_version

    data = tmp_path / "data"
    runner.invoke(app, ["demo", "--no-video", "--data-dir", str(data)])
    with unit_of_work(data) as (db, _):
        study = studies.get_study(db, "demo")
        session = studies.get_session(db, study=study, name="vignette")
        coder = add_user(db, username="rita", password="correct horse battery staple")
        running = codings.create_coding(db, session=session, coder=coder,
                                        scheme_version=latest_version(db, "withdrawal-open"))
        codings.upsert_event(db, coding=running, event=Event(
            subject="caregiver", code="hold", onset_ms=5000))
        scored = len([c for s in studies.sessions_of(db, study)
                      for c in codings.codings_of(db, s)]) - 1
    out = tmp_path / "cohort.csv"
    made = runner.invoke(app, ["cohort", "--study", "demo", "--out", str(out), "--no-stability",
                               "--one-per-session", "off", "--data-dir", str(data)])
    assert made.exit_code == 0, made.output
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == scored and "rita" not in {r["coder"] for r in rows}
    written = made.output.index(f"wrote {scored} rows")
    listed = made.output.index("1 coding left out: it cannot be scored")
    assert written < listed
    assert "session vignette, coder rita" in made.output
    assert "state 'hold' at 5000 ms has no offset" in made.output
    assert "Fix: correct the events named above" in made.output
    # By default one coding per session: the vignette's running coding is not the one taken.
    one = tmp_path / "one.csv"
    default = runner.invoke(app, ["cohort", "--study", "demo", "--out", str(one),
                                  "--no-stability", "--data-dir", str(data)])
    assert default.exit_code == 0, default.output
    sessions = [r["session"] for r in csv.DictReader(one.open())]
    assert len(sessions) == len(set(sessions)) and "left out" not in default.output
    with unit_of_work(data) as (db, _):
        study = studies.get_study(db, "demo")
        held = {s.name for s in studies.sessions_of(db, study)
                if any(c.purpose == "study" for c in codings.codings_of(db, s))}
    assert set(sessions) == held
    bad = runner.invoke(app, ["cohort", "--study", "demo", "--out", str(one),
                              "--one-per-session", "first", "--data-dir", str(data)])
    assert isinstance(bad.exception, InputError) and "coder:NAME" in bad.exception.fix

    export = tmp_path / "cohort.sav"
    exported = runner.invoke(app, ["export", "cohort", "--study", "demo", "--out", str(export),
                                   "--format", "sav", "--no-stability", "--one-per-session",
                                   "off", "--data-dir", str(data)])
    assert exported.exit_code == 0, exported.output
    assert "1 coding left out" in exported.output and "coder rita" in exported.output


def test_score_without_coder_lists_the_codings_when_ambiguous(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    runner.invoke(app, ["demo", "--no-video", "--data-dir", data])
    runner.invoke(app, ["user", "add", "cora", "--data-dir", data])
    export = tmp_path / "e.csv"
    runner.invoke(app, ["events", "export", "--study", "demo", "--session", "vignette",
                        "--out", str(export), "--data-dir", data])
    runner.invoke(app, ["events", "import", str(export), "--study", "demo", "--session",
                        "vignette", "--coder", "cora", "--data-dir", data])
    result = runner.invoke(app, ["score", "--study", "demo", "--session", "vignette",
                                 "--data-dir", data])
    assert result.exit_code == 0  # the master coding is chosen
    both = runner.invoke(app, ["score", "--study", "demo", "--session", "vignette", "--coder",
                               "cora", "--format", "json", "--data-dir", data])
    assert json.loads(both.output)["coding"]["coder"] == "cora"


def test_numbers_are_shown_as_people_read_them() -> None:
    from samspill.cli import scores_text as t

    assert t.value_text("response_latency_median_ms", 7500.0) == "median latency: 7.5 s"
    assert t.value_text("hold_median_ms", 8000.0) == "median hold (all holds): 8 s"
    assert t.value_text("far_share", 0.8466) == "share of time far: 85 %"
    assert t.value_text("proximity_coverage", 1.0) == (
        "share of time present with proximity coded: 100 %")
    assert t.value_text("redirects_per_10min", 6.0) == "redirects: 6 per 10 min"
    assert t.value_text("muted_share", None) == "share of answers muted: –"
    assert t.value_text("response_latency_median_ms", float("nan")) == "median latency: –"
    assert t.count_item("bids", 7) == "bids scored: 7" and t.count_item("bids", 7.0) == (
        "bids scored: 7")
    assert t.count_item("bids_censored", 2) == "cut short (not counted): 2"
    # A length of time is no time on the video: minutes and seconds, never mm:ss.
    assert t.count_item("far_ms", 254_000) == "time far: 4 min 14 s"
    assert t.duration(45_000) == "45 s" and t.duration(60_000) == "1 min 0 s"
    assert t.clock(3_725_000) == "62:05"
    # Shares in whole percent, one decimal only near none and near all.
    assert [t.percent(x) for x in (2 / 3, 0.0, 0.004, 0.0096, 0.996, 1.0)] == [
        "67 %", "0 %", "0.4 %", "1 %", "99.6 %", "100 %"]
    assert t.status_text("in_progress") == "in progress"


def test_stability_reads_stable_or_fragile_with_why_and_when() -> None:
    from samspill.cli import scores_text as t

    settings = {"stable_at": 0.9, "stability_jitter_ms": 1000}
    assert t.stability_text(None, settings) == "not computed"
    assert t.stability_text({"stable": True, "jitter": 1.0, "pivotal_events": 0,
                             "pivotal": []}, settings) == "stable"
    jittery = {"stable": False, "jitter": 0.7, "pivotal_events": 0, "pivotal": []}
    assert t.stability_text(jittery, settings) == (
        "fragile: changes in 30 % of the replicates with every time moved by up to 1 s")
    one = {"stable": False, "jitter": 1.0, "pivotal_events": 1,
           "pivotal": [{"event_id": "e", "time_ms": 246_500, "state_without": "not_observable"}]}
    assert t.stability_text(one, settings) == (
        "fragile: changes if this event is left out: 04:06 (without it: not observable)")
    many = {"stable": False, "jitter": 0.5, "pivotal_events": 7,
            "pivotal": [{"event_id": str(i), "time_ms": 1000 * (10 - i), "state_without": "absent"}
                        for i in range(7)]}
    text = t.stability_text(many, settings)
    assert text.startswith("fragile: changes in 50 % of the replicates")
    assert "any one of these 7 events is left out: 00:04 (without it: absent), 00:05" in text
    assert text.endswith("and 2 more")


def test_the_qualifier_is_a_sentence_never_a_sign() -> None:
    from samspill.cli import scores_text as t

    low = {"state": "low", "reasons": []}
    # The core's withdrawn_profile decides (two signs or more with low hostility), not a count.
    assert t.qualifier_text(low, True) == ("Little or no hostility or intrusiveness: consistent "
                                           "with a withdrawn profile")
    assert t.qualifier_text(low, False) == "Little or no hostility or intrusiveness"
    assert t.qualifier_text({"state": "hostile", "reasons": ["hostile_rate"]}, False) == (
        "Hostile or intrusive behaviour present: mixed or hostile profile")
    assert t.qualifier_text({"state": "not_observable", "reasons": ["caregiver_absent"]},
                            False) == (
        "Hostility cannot be judged: the caregiver was out of the room the whole time")
    assert t.summary_text({"signs_present": 3, "signs_not_observable": 1}, 5) == (
        "3 of 5 signs present, 1 not observable")
    assert t.reason_text("absent", []) == "no criterion met"
    assert t.reason_text("not_observable", ["too_few_bids"]) == "too few bids to judge"


# --- One sign is no profile; a recording longer than its marked segments -----------------

ONE_SIGN = {"initiative_flag_below": 0.0, "latency_flag_above_ms": 60_000,
            "unanswered_flag_at": 1.0, "muted_option": "never-coded",
            "putdown_share_flag_at": 1.0, "putdowns_flag_at": 5, "protest_kind": "never-coded",
            "no_contact_min_bids": 50, "far_share_flag_at": 1.0}


def _vignette_json(duration_ms: int | None = None, **settings: object) -> dict:
    from samspill.core.events import events_frame, segments_frame
    from samspill.core.indicators import IndicatorSettings
    from samspill.core.scheme_check import load_builtin_scheme
    from samspill.core.scoring import score_coding
    from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events, vignette_segments
    from samspill.services.scores_json import scores_to_json

    scheme = load_builtin_scheme("withdrawal-open")
    scores = score_coding(events_frame(vignette_events(), scheme),
                          segments_frame(vignette_segments()), scheme=scheme,
                          duration_ms=duration_ms or VIGNETTE_DURATION_MS,
                          settings=IndicatorSettings(**settings))
    return scores_to_json(scores)


def test_one_sign_present_with_low_hostility_is_no_withdrawn_profile() -> None:
    from samspill.cli import scores_text as t

    session, reunions = t.scope_sections(_vignette_json(**ONE_SIGN))
    assert session["summary"] == "1 of 5 signs present, 0 not observable"
    assert session["qualifier"] == "Little or no hostility or intrusiveness"
    # The reunions, with two signs present: the core's withdrawn_profile, scope by scope.
    assert reunions["summary"] == "2 of 5 signs present, 0 not observable"
    assert reunions["qualifier"] == ("Little or no hostility or intrusiveness: consistent with "
                                     "a withdrawn profile")


def test_a_recording_longer_than_its_segments_names_the_scope_and_what_is_left_out() -> None:
    from samspill.cli import scores_text as t

    session, reunions = t.scope_sections(_vignette_json(360_000 + 150_000))
    assert session["title"] == "Marked segments (00:00–06:00)"
    assert session["outside"] == ("2 min 30 s of the recording lies outside the marked segments "
                                  "and is not scored")
    assert reunions["outside"] == ""
    covered, _ = t.scope_sections(_vignette_json())
    assert (covered["title"], covered["outside"]) == ("Whole session", "")


def test_the_score_table_of_a_longer_recording_and_its_coding_status_in_words(
        tmp_path: Path) -> None:
    from samspill.cli.common import unit_of_work
    from samspill.services import codings, studies

    data = tmp_path / "data"
    runner.invoke(app, ["demo", "--no-video", "--data-dir", str(data)])
    with unit_of_work(data) as (db, _):
        session = studies.get_session(db, study=studies.get_study(db, "demo"), name="vignette")
        session.duration_ms = 360_000 + 150_000
        for coding in codings.codings_of(db, session):
            coding.status = "in_progress"
    shown = runner.invoke(app, ["score", "--study", "demo", "--session", "vignette",
                                "--data-dir", str(data)], env={"COLUMNS": "400"})
    assert shown.exit_code == 0, shown.output
    lines = [line.strip() for line in shown.output.splitlines()]
    assert "(in progress)" in shown.output and "in_progress" not in shown.output
    assert ("Marked segments (00:00–06:00): 2 min 30 s of the recording lies outside the marked "
            "segments and is not scored") in lines
    assert "Marked segments (00:00–06:00)" in lines  # the table's heading
    assert "Whole session" not in shown.output


def test_the_cli_labels_are_the_coding_screens_words() -> None:
    from samspill.cli import scores_text as t
    from samspill.web.scores_display import VALUE_LABELS

    assert {key: label for key, (label, _unit) in VALUE_LABELS.items()} == t.LABELS


def test_an_error_listing_problems_shows_each_fix_once(
        tmp_path: Path, capsys, monkeypatch) -> None:
    import sys

    import pytest

    from samspill.cli import main
    from samspill.cli.common import unit_of_work
    from samspill.core.events import Event
    from samspill.services import codings, studies

    data = tmp_path / "data"
    runner.invoke(app, ["demo", "--no-video", "--data-dir", str(data)])
    with unit_of_work(data) as (db, _):
        session = studies.get_session(db, study=studies.get_study(db, "demo"), name="vignette")
        coding = codings.codings_of(db, session)[0]
        coding.status = "in_progress"  # open again, as an owner reopens it
        # Two events past the end of the media: a shorter video attached after coding.
        # (Two running states of one code at once are refused when saved.)
        replaced = [e for e in codings.coding_events(db, coding)
                    if max(e.onset_ms, e.offset_ms or 0) <= 4_000]
        for onset in (5_000, 9_000):
            replaced.append(Event(subject="child", code="bid", onset_ms=onset,
                                  modifiers={"kind": "look"}))
        codings.replace_events(db, coding=coding, events=replaced)
        session.duration_ms = 4_000
    monkeypatch.setattr(sys, "argv", ["samspill", "score", "--study", "demo", "--session",
                                      "vignette", "--data-dir", str(data)])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "error: 2 problem(s) in the events:"
    assert [line.count("Fix:") for line in lines] == [0, 1, 1, 1]
    assert lines[-1] == "Fix: correct the events named above, then score again"


# --- The score in bokmål (issue 20: --lang nb) ------------------------------------------------


def test_score_table_in_bokmaal_has_the_apps_words_and_decimal_commas(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    runner.invoke(app, ["demo", "--no-video", "--data-dir", data])
    shown = runner.invoke(app, ["score", "--study", "demo", "--session", "vignette", "--lang",
                                "nb", "--data-dir", data], env={"COLUMNS": "400"})
    assert shown.exit_code == 0, shown.output
    text = shown.output
    assert "Forsinket eller dempet respons" in text  # the sign's title, as on the session page
    text = text.replace("\u00a0", " ")  # the formatter's no-break space before a unit
    assert "median latens: 7,5 s" in text and "andel signaler ubesvart: 67 %" in text
    assert "tid langt unna: 4 min 14 s" in text
    assert "skjør: endres hvis én av disse 2 hendelsene utelates: 00:00" in text
    assert "Hele økten" in text and text.count("5 av 5 tegn til stede, 0 kan ikke vurderes") == 2
    assert "nivå 6 · forstyrret · profil hjelpeløs-fryktsom" in text
    assert "koding 1 av admin (fasit)" in text and "de er ingen diagnose" in text
    # The scheme as the session page names it, with its caution in bokmål too.
    assert ("Åpent skjema for tilbaketrekning (åpent skjema, ikke en offisiell AMBIANCE-skåre)"
            in text)
    for english in ("median latency", "share of", "signs present", "fragile", "Whole session",
                    "7.5 s", "level 6", "diagnosis", "cut short", "open scheme",
                    "Open withdrawal scheme"):
        assert english not in text


def test_an_unknown_score_language_is_refused_with_the_choices(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    runner.invoke(app, ["demo", "--no-video", "--data-dir", data])
    refused = runner.invoke(app, ["score", "--study", "demo", "--session", "vignette", "--lang",
                                  "de", "--data-dir", data])
    assert str(refused.exception) == "no language 'de'. Fix: use --lang en or --lang nb"


def test_every_word_of_the_score_table_has_its_bokmaal() -> None:
    """Each word the table can say (labels, states, statuses, profiles, reasons, scopes,
    columns) reads differently in bokmål: none falls back to the English."""
    from samspill.cli import scores_text as t
    from samspill.core.indicators import REASONS

    words = {*t.LABELS.values(), *t.STATE_WORDS.values(), *t.STATUS_WORDS.values(),
             *t.PROFILE_WORDS.values(), *REASONS.values(), *(title for _s, title in t.SCOPES),
             *(heading for _k, heading in t.COLUMNS), "stable", "fragile", "yes", "no"}
    same = sorted(w for w in words if t.said(w, "nb") == w)
    assert same == []


def test_bokmaal_numbers_and_sentences_of_the_score() -> None:
    from samspill.cli import scores_text as t

    assert t.value_text("response_latency_median_ms", 7500.0, "nb") == "median latens: 7,5\u00a0s"
    assert t.count_item("far_ms", 254_000, "nb") == "tid langt unna: 4\u00a0min 14\u00a0s"
    settings = {"stable_at": 0.9, "stability_jitter_ms": 1500}
    jittery = {"stable": False, "jitter": 0.7, "pivotal_events": 0, "pivotal": []}
    assert t.stability_text(jittery, settings, "nb") == (
        "skjør: endres i 30\u00a0% av replikatene når alle tider flyttes med inntil 1,5\u00a0s")
    assert t.reason_text("absent", [], "nb") == "ingen kriterier oppfylt"
    assert t.status_text("in_progress", "nb") != "in progress"
