"""The signs as a report shows them: three states with the reason, the summary, the hostility
qualifier (never a sign), the criteria against the thresholds, and each state's stability."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest
from matplotlib.figure import Figure

from samspill.core.events import Event
from samspill.core.indicators import REASONS, SIGNS, IndicatorSettings
from samspill.core.scoring import score_coding
from samspill.core.simulate import simulate_session
from samspill.core.vignette import vignette_events
from samspill.reports.cohort_report import cohort_document
from samspill.reports.data import CohortData, ReportData
from samspill.reports.document import Paragraph, Table
from samspill.reports.i18n import SIGN_TITLES, translator
from samspill.reports.plots import signs_figure, states_figure
from samspill.reports.render import render, render_html
from samspill.reports.session_report import session_document
from samspill.reports.signs import (
    MEASURES,
    measure_rows,
    meets,
    reason_keys,
    stability_text,
)
from tests.reports.conftest import SCHEME, collapse, pdf_text, vignette_data

LOW_EN = ("5 of 5 signs present, 0 not observable; little or no hostility or intrusiveness: "
          "consistent with a withdrawn profile")
LOW_NB = ("5 av 5 tegn til stede, 0 kan ikke vurderes; lite eller ingen fiendtlighet eller "
          "påtrengenhet: forenlig med en tilbaketrukket profil")


def _section(document, key: str):
    return next(s for s in document.sections if s.key == key)


def _tables(section) -> list[Table]:
    return [b for b in section.blocks if isinstance(b, Table)]


@pytest.mark.parametrize(("language", "summary"), [("en", LOW_EN), ("nb", LOW_NB)])
def test_the_vignette_shows_five_of_five_signs_and_the_low_hostility_qualifier(
        vignette: ReportData, language: str, summary: str) -> None:
    document = session_document(vignette, language)
    text, _pages = pdf_text(render(document, "pdf"))
    page = collapse(html.unescape(render_html(document)))
    for shown in (text, page):
        assert summary in shown
    qualifier = {"en": "The profile's qualifier (not a sign): Little or no hostility or "
                       "intrusiveness: consistent with a withdrawn profile.",
                 "nb": "Profilens kvalifikator (ikke et tegn): Lite eller ingen fiendtlighet "
                       "eller påtrengenhet: forenlig med en tilbaketrukket profil."}[language]
    assert qualifier in text and qualifier in page


def test_the_qualifier_is_never_a_sign_nor_a_flag(vignette: ReportData) -> None:
    document = session_document(vignette, "en")
    states = _tables(_section(document, "signs"))[0]
    assert [row[0] for row in states.rows] == [SIGN_TITLES[s] for s in SIGNS]
    assert [row[1] for row in states.rows] == ["present"] * 5
    text, _pages = pdf_text(render(document, "pdf"))
    assert "of 6" not in text and "flag" not in text.lower()
    overview = _tables(_section(document, "scopes"))[0]
    assert len(overview.rows) == len(SIGNS) + 1  # the five signs and the count present
    assert not any("hostil" in row[0].lower() for row in overview.rows)


def test_each_scope_has_its_summary_states_and_criteria(vignette: ReportData) -> None:
    scopes = _section(session_document(vignette, "en"), "scopes")
    summaries = [b.text for b in scopes.blocks
                 if isinstance(b, Paragraph) and b.kind == "summary"]
    assert summaries == [
        "2 of 5 signs present, 3 not observable; little or no hostility or intrusiveness: "
        "consistent with a withdrawn profile.",
        "0 of 5 signs present, 5 not observable; hostility cannot be judged: the caregiver was "
        "out of the room the whole time.",
        LOW_EN + ".", LOW_EN + "."]
    tables = _tables(scopes)
    # The overview; free play: states and criteria; the separation: states only (nothing
    # can be judged); the reunion and the reunions together: states and criteria.
    assert [t.columns[1] for t in tables] == [
        "Whole session", "State", "Criterion: measure", "State", "State", "Criterion: measure",
        "State", "Criterion: measure"]
    separation = tables[3]
    assert {row[1] for row in separation.rows} == {"not observable"}
    assert {row[2] for row in separation.rows} == {
        "the caregiver was out of the room the whole time"}


def _without_proximity() -> ReportData:
    """The vignette with near and far left uncoded: only the brief hold codes proximity."""
    kept = [e for e in vignette_events() if e.code not in ("near", "far")]
    return vignette_data(events=kept)


@pytest.mark.parametrize(("language", "state", "why", "summary"), [
    ("en", "not observable", "proximity is coded for too little of the time present",
     "4 of 5 signs present, 1 not observable"),
    ("nb", "kan ikke vurderes", "avstand er kodet for for lite av tiden til stede",
     "4 av 5 tegn til stede, 1 kan ikke vurderes"),
])
def test_a_sign_that_cannot_be_observed_says_why(language: str, state: str, why: str,
                                                 summary: str) -> None:
    data = _without_proximity()
    assert data.indicators.loc[0, "distance_state"] == "not_observable"
    document = session_document(data, language)
    signs = _section(document, "signs")
    states, criteria = _tables(signs)
    distance = states.rows[list(SIGNS).index("distance")]
    assert distance[1:3] == [state, why]
    assert list(SIGNS).index("distance") not in states.marked
    # The criterion is not judged, and says why: never "no data" alone, never "not met".
    row = criteria.rows[-1]
    assert row[-1].endswith(why) and row[-1] != why
    assert "no data" not in row[-1]
    text, _pages = pdf_text(render(document, "pdf"))
    assert summary in text and why in text


def test_a_not_observable_sign_is_never_shown_as_absent() -> None:
    data = _without_proximity()
    rows = measure_rows(data.indicators.iloc[0], data.settings, translator("en"))
    distance = [r for r in rows if r.measure.sign == "distance"]
    assert distance and all(r.met is None and r.state == "not_observable" for r in distance)
    assert all(r.met_text.startswith("not assessed: ") for r in distance)


def test_stability_is_shown_beside_each_sign_with_the_pivotal_times(
        vignette: ReportData) -> None:
    assert vignette.has_stability
    states = _tables(_section(session_document(vignette, "en"), "signs"))[0]
    stability = {sign: row[3] for sign, row in zip(SIGNS, states.rows, strict=True)}
    assert stability["initiative"] == "stable"
    # Leaving out the hold at 4:00 leaves no hold to judge; leaving out the protest at 4:06
    # leaves a hold that was not put down despite protest.
    assert stability["cursory_contact"] == (
        "fragile: changes if any one of these 2 events is left out: 04:00.000 (without it: "
        "not observable), 04:06.000 (without it: absent)")
    pivotal = vignette.pivotal
    times = pivotal[(pivotal["indicator"] == "cursory_contact")
                    & (pivotal["scope"] == "session")]["time_ms"]
    assert sorted(times) == [240_000, 246_000]
    nb = _tables(_section(session_document(vignette, "nb"), "signs"))[0]
    assert nb.rows[0][3] == "stabil"
    assert nb.rows[2][3].startswith("skjør: endres hvis en hvilken som helst av disse 2 "
                                    "hendelsene utelates: 04:00.000 (uten den: kan ikke "
                                    "vurderes)")


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "fragile: changes in 30 % of the replicates with every time moved by up to 1 s"),
    ("nb", "skjør: endres i 30 % av replikatene når alle tider flyttes inntil 1 s"),
])
def test_a_state_that_jitter_changes_is_fragile_with_the_share(language: str,
                                                               expected: str) -> None:
    scope = {"scope": "session", "segment_id": None, "distance_stable": False,
             "distance_stability_jitter": 0.7, "distance_stability_dropout": 1.0,
             "distance_pivotal_events": 0}
    text = stability_text(scope, "distance", pd.DataFrame(columns=["time_ms", "state_without"]),
                          IndicatorSettings(), translator(language))
    assert text == expected


def test_a_report_scored_without_stability_says_so() -> None:
    data = vignette_data(stability=False)
    assert not data.has_stability
    states = _tables(_section(session_document(data, "en"), "signs"))[0]
    assert {row[3] for row in states.rows} == {"not computed"}


def test_many_pivotal_events_are_listed_in_part() -> None:
    pivotal = pd.DataFrame({"time_ms": [1000 * i for i in range(9)],
                            "state_without": ["absent"] * 9})
    scope = {"distance_stable": False, "distance_stability_jitter": 1.0,
             "distance_pivotal_events": 9}
    text = stability_text(scope, "distance", pivotal, IndicatorSettings(), translator("en"))
    assert text.startswith("fragile: changes if any one of these 9 events is left out: "
                           "00:00.000 (without it: absent)")
    assert text.endswith("00:05.000 (without it: absent), and 3 more")


# --- The criteria shown are the core's --------------------------------------------------------


def _never_held() -> list[Event]:
    """The vignette without its hold, and two more bids for proximity: no contact at all."""
    more = [Event(subject="child", code="bid", onset_ms=t, modifiers={"kind": "approach"})
            for t in (300_000, 330_000)]
    return [*[e for e in vignette_events() if e.code != "hold"], *more]


def _two_brief_holds() -> list[Event]:
    """A second brief hold ended despite the child's protest: brief holds by the median."""
    return [*vignette_events(),
            Event(subject="caregiver", code="hold", onset_ms=300_000, offset_ms=305_000),
            Event(subject="child", code="bid", onset_ms=304_000,
                  modifiers={"kind": "protest-put-down"})]


ALL_CRITERIA = IndicatorSettings(hold_median_flag_below_ms=15_000)


def _scored_examples() -> list[pd.DataFrame]:
    """Codings scored with every criterion on (brevity is off by default)."""
    s = ALL_CRITERIA
    tables = [vignette_data(stability=False, settings=s).indicators,
              vignette_data(events=_never_held(), stability=False, settings=s).indicators,
              vignette_data(events=_two_brief_holds(), stability=False, settings=s).indicators,
              _without_proximity().indicators]
    for style in ("sensitive", "withdrawn", "hostile", "frightened"):
        for seed, duration in ((7, 300_000), (8, 1_200_000), (9, 900_000)):
            sim = simulate_session(style, seed=seed, duration_ms=duration)
            tables.append(score_coding(sim.table, sim.segments_table(), scheme=SCHEME,
                                       duration_ms=sim.duration_ms, settings=s).indicators)
    return tables


def test_the_criteria_shown_are_the_ones_the_core_decides_by() -> None:
    """Recomputed from the values and settings the report shows, each criterion is met
    exactly when the core lists it; every criterion the core lists has its row."""
    settings = ALL_CRITERIA
    shown = {m.criterion for m in MEASURES}
    seen: dict[bool, set[str]] = {True: set(), False: set()}
    for table in _scored_examples():
        for row in table.to_dict("records"):
            for sign in SIGNS:
                if row[f"{sign}_state"] == "not_observable":
                    continue
                listed = set(reason_keys(row[f"{sign}_reason"]))
                assert listed <= shown, (sign, listed)
                for m in (m for m in MEASURES if m.sign == sign):
                    met = m.criterion in listed
                    assert meets(m, row, settings) == met, (m, row)
                    seen[met].add(m.criterion)
    assert seen[True] == seen[False] == shown  # each criterion seen met and not met


def test_every_measure_column_and_setting_exists() -> None:
    settings = IndicatorSettings()
    columns = set(vignette_data(stability=False).indicators.columns)
    for m in MEASURES:
        assert m.column in columns and hasattr(settings, m.setting), m
        assert m.criterion in REASONS
        for c in m.conditions:
            assert c.column in columns, c
            assert c.setting is None or hasattr(settings, c.setting), c


# --- Plots ---------------------------------------------------------------------------------------


def _bars(figure: Figure) -> list:
    return [p for ax in figure.axes for p in ax.patches if p.get_width() > 0]


def test_the_signs_plot_tells_a_not_observable_sign_apart_without_colour() -> None:
    """Responsiveness made not observable (too few bids for a minimum of 10): its measures
    still have values, drawn as hatched outlines and marked in words."""
    data = vignette_data(settings=IndicatorSettings(responsiveness_min_bids=10))
    _ = translator("en")
    rows = measure_rows(data.indicators.iloc[0], data.settings, _)
    figure = signs_figure(rows, _)
    texts = [t.get_text() for ax in figure.axes for t in ax.texts]
    assert "Delayed or muted responding: not observable" in texts
    assert sum(t.endswith("\nnot observable") for t in texts) == 3
    assert sum(t.endswith("\ncriterion met") for t in texts) == sum(bool(r.met) for r in rows)
    for ax, row in zip(figure.axes, rows, strict=True):
        bars = [p for p in ax.patches if p.get_width() > 0 and p.get_height() < 1]
        if bars:
            assert (bars[0].get_hatch() == "////") == (row.met is None), row.label


def test_the_cohort_states_plot_uses_patterns_and_counts_and_no_qualifier() -> None:
    table = pd.DataFrame({f"{s}_state": ["present", "absent", "not_observable"] for s in SIGNS})
    figure = states_figure(table, translator("en"))
    ax = figure.axes[0]
    hatches = {p.get_hatch() for p in _bars(figure)}
    assert hatches == {None, "..", "////"}
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert [re.sub(r"\s+", " ", label) for label in labels] == [SIGN_TITLES[s] for s in SIGNS]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "present", "absent", "not observable"]
    assert sorted(t.get_text() for t in ax.texts) == ["1"] * 15


# --- The cohort counts states, not flags ----------------------------------------------------------


def _cohort(table: pd.DataFrame) -> CohortData:
    return CohortData("st", "Study", table, IndicatorSettings(), ("open",),
                      excluded=("s9/ann: state 'hold' has no end",))


def _coding_row(states: dict[str, str], **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "dyad": "D1", "session": "s1", "coder": "ann", "status": "master", "level": 6,
        "classification": "disrupted", "profile": None, "hostility_qualifier": "low",
        "hostility_reason": ""}
    for sign in SIGNS:
        row[f"{sign}_state"] = states.get(sign, "absent")
        row[f"{sign}_reason"] = "too_few_bids" if states.get(sign) == "not_observable" else ""
        row[f"{sign}_flag"] = True  # stale flags: the report must not count them
        row[f"{sign}_stable"] = sign != "distance"
    return {**row, **extra}


def test_the_cohort_counts_signs_from_the_states_not_the_flags() -> None:
    table = pd.DataFrame([
        _coding_row({"initiative": "present", "responsiveness": "not_observable"}),
        _coding_row({"initiative": "present", "distance": "present"}, session="s2"),
    ])
    document = cohort_document(_cohort(table), "en")
    states = _tables(_section(document, "states"))[0]
    initiative, responsiveness = states.rows[0], states.rows[1]
    assert initiative[1:4] == ["2 (100 %)", "0 (0 %)", "0 (0 %)"]
    assert responsiveness[1:5] == ["0 (0 %)", "1 (50 %)", "1 (50 %)", "too few bids to judge (1)"]
    assert states.rows[-1][-1] == "2"  # distance fragile in both codings
    codings = _tables(_section(document, "codings"))[0]
    assert [row[6:10] for row in codings.rows] == [
        ["1 of 5", "1", "little or no hostility", "1"],
        ["2 of 5", "0", "little or no hostility", "1"]]
    text, _pages = pdf_text(render(document, "pdf"))
    assert "Left out (cannot be scored) s9/ann: state 'hold' has no end" in text


def test_the_cohort_report_in_bokmal_names_the_states() -> None:
    table = pd.DataFrame([_coding_row({"initiative": "present",
                                       "responsiveness": "not_observable"})])
    page = html.unescape(render_html(cohort_document(_cohort(table), "nb")))
    for expected in ("til stede", "ikke til stede", "kan ikke vurderes",
                     "for få signaler til å vurdere (1)", "lite eller ingen fiendtlighet",
                     "1 av 5"):
        assert expected in page, expected


def test_a_hostile_event_makes_the_qualifier_hostile_and_says_so() -> None:
    events = [Event(subject="caregiver", code=code, onset_ms=onset)
              for code, onset in (("ni", 30_000), ("ni", 60_000), ("fd", 90_000))]
    data = vignette_data(extra=events)
    assert data.indicators.loc[0, "hostility_qualifier"] == "hostile"
    text, _pages = pdf_text(render(session_document(data, "en"), "pdf"))
    assert ("5 of 5 signs present, 0 not observable; hostile or intrusive behaviour present: "
            "mixed or hostile profile") in text



# --- One sign is no profile; a recording longer than its marked segments -----------------

ONE_SIGN = IndicatorSettings(initiative_flag_below=0.0, latency_flag_above_ms=60_000,
                             unanswered_flag_at=1.0, muted_option="never-coded",
                             putdown_share_flag_at=1.0, putdowns_flag_at=5,
                             protest_kind="never-coded", no_contact_min_bids=50,
                             far_share_flag_at=1.0)


@pytest.mark.parametrize(("language", "summary", "qualifier"), [
    ("en", "1 of 5 signs present, 0 not observable; little or no hostility or intrusiveness.",
     "The profile's qualifier (not a sign): Little or no hostility or intrusiveness. "),
    ("nb", "1 av 5 tegn til stede, 0 kan ikke vurderes; lite eller ingen fiendtlighet eller "
     "påtrengenhet.",
     "Profilens kvalifikator (ikke et tegn): Lite eller ingen fiendtlighet eller "
     "påtrengenhet. "),
])
def test_one_sign_present_with_low_hostility_is_no_withdrawn_profile(
        language: str, summary: str, qualifier: str) -> None:
    data = vignette_data(settings=ONE_SIGN, stability=False)
    session = data.indicators.iloc[0]
    assert (session["signs_present"], session["hostility_qualifier"]) == (1, "low")
    assert not session["withdrawn_profile"]
    document = session_document(data, language)
    text, _pages = pdf_text(render(document, "pdf"))
    page = collapse(html.unescape(render_html(document)))
    for shown in (text, page):
        assert summary in shown and qualifier in shown
    said = " ".join(b.text for b in _section(document, "signs").blocks
                    if isinstance(b, Paragraph))
    assert "withdrawn profile" not in said and "tilbaketrukket profil" not in said
    # The reunion, with two signs present, is consistent with a withdrawn profile: the words
    # follow the core's withdrawn_profile scope by scope.
    reunion = data.indicators.loc[data.indicators["name"] == "Reunion"].iloc[0]
    assert (reunion["signs_present"], bool(reunion["withdrawn_profile"])) == (2, True)
    consistent = {"en": "consistent with a withdrawn profile",
                  "nb": "forenlig med en tilbaketrukket profil"}[language]
    per_scope = [b.text for b in _section(document, "scopes").blocks
                 if isinstance(b, Paragraph) and b.kind == "summary"]
    assert [consistent in p for p in per_scope] == [False, False, True, True]


LONGER_MS = 360_000 + 150_000  # the vignette's recording running on 2 min 30 s past 06:00


@pytest.mark.parametrize(("language", "name", "outside", "title", "whole"), [
    ("en", "Marked segments (00:00–06:00)",
     "2 min 30 s of the recording lies outside the marked segments and is not scored.",
     "The five signs of withdrawal: Marked segments (00:00–06:00)", "Whole session"),
    ("nb", "Markerte segmenter (00:00–06:00)",
     "2 min 30 s av opptaket ligger utenfor de markerte segmentene og skåres ikke.",
     "De fem tegnene på tilbaketrekning: Markerte segmenter (00:00–06:00)", "Hele økten"),
])
def test_a_recording_longer_than_its_segments_names_the_scope_and_what_is_left_out(
        language: str, name: str, outside: str, title: str, whole: str) -> None:
    data = vignette_data(duration_ms=LONGER_MS, stability=False)
    assert data.indicators.loc[0, "outside_ms"] == 150_000
    document = session_document(data, language)
    signs = _section(document, "signs")
    assert signs.title == title
    paragraphs = [b.text for b in signs.blocks if isinstance(b, Paragraph)]
    assert any(p.startswith(f"{name}: 5 ") for p in paragraphs) and outside in paragraphs
    overview = _tables(_section(document, "scopes"))[0]
    assert overview.columns[1] == name
    assert _tables(_section(document, "counts"))[0].rows[0][0] == name
    text, _pages = pdf_text(render(document, "pdf"))
    assert name in text and outside.replace("\u00a0", " ") in text and whole not in text
    covered = session_document(vignette_data(stability=False), language)
    assert _tables(_section(covered, "scopes"))[0].columns[1] == whole
    assert outside not in collapse(html.unescape(render_html(covered)))


@pytest.mark.parametrize(("language", "measured"), [
    ("en", "Measured: not observable: the caregiver was out of the room the whole time."),
    ("nb", "Målt: kan ikke vurderes: omsorgspersonen var ute av rommet hele tiden."),
])
def test_a_qualifier_that_cannot_be_judged_says_why_instead_of_a_measure(
        vignette: ReportData, language: str, measured: str) -> None:
    scopes = _section(session_document(vignette, language), "scopes")
    said = " ".join(b.text for b in scopes.blocks if isinstance(b, Paragraph))
    assert measured in said
    assert "nothing to measure hostile" not in said and "ingenting å måle" not in said


@pytest.mark.parametrize(("language", "column", "protest", "answer"), [
    ("en", "Related event at", "protest 04:06.000", "answer "),
    ("nb", "Tilknyttet hendelse ved", "protest 04:06.000", "svar "),
])
def test_the_evidence_names_the_related_event_so_a_protest_is_no_answer(
        vignette: ReportData, language: str, column: str, protest: str, answer: str) -> None:
    _ = translator(language)
    table = _tables(_section(session_document(vignette, language), "evidence"))[0]
    assert table.columns[-1] == column and "Answer at" not in table.columns
    holds = [row for row in table.rows if row[1] == _(SIGN_TITLES["cursory_contact"])]
    bids = [row for row in table.rows if row[1] == _(SIGN_TITLES["responsiveness"])]
    assert protest in [row[-1] for row in holds]
    assert all(row[-1] == "–" or row[-1].startswith(answer) for row in bids)
    assert any(row[-1].startswith(answer) for row in bids)
