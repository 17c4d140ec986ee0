"""Report strings in bokmål: every message translated, placeholders kept, reports in Norwegian."""

from __future__ import annotations

import re
from importlib import resources

import pytest
from babel.messages.pofile import read_po

from samspill.core.errors import InputError
from samspill.core.indicators import DISCLAIMER, REASONS
from samspill.core.scoring import score_coding
from samspill.core.simulate import simulate_session
from samspill.reports.data import ReportData
from samspill.reports.i18n import (
    DISCLAIMER_TEXT,
    INDICATOR_TITLES,
    NOTES,
    REASON_TEXTS,
    STATE_WORDS,
    note_text,
    reason_text,
    state_text,
    translator,
)
from samspill.reports.render import render, render_html
from samspill.reports.session_report import session_document
from samspill.reports.signs import MEASURES, QUALIFIER_MEASURE, QUALIFIER_WORDS
from tests.reports.conftest import SCHEME, pdf_text

FIELD = re.compile(r"%\(\w+\)s")


def _catalog(name: str):
    folder = resources.files("samspill.reports") / "i18n"
    path = folder / "messages.pot" if name == "pot" else folder / name / "LC_MESSAGES" / \
        "messages.po"
    with path.open("rb") as handle:
        return read_po(handle)


def test_the_disclaimer_is_the_core_sentence() -> None:
    assert DISCLAIMER_TEXT == DISCLAIMER


def test_every_message_has_a_bokmal_translation_with_the_same_fields() -> None:
    template, nb = _catalog("pot"), _catalog("nb")
    ids = [m.id for m in template if m.id]
    assert len(ids) > 100
    for message_id in ids:
        translated = nb.get(message_id)
        assert translated is not None and translated.string, message_id
        # A fuzzy entry is left out when the catalog is compiled: the reader gets English.
        assert not translated.fuzzy, message_id
        assert sorted(FIELD.findall(translated.string)) == sorted(FIELD.findall(message_id))


def _shown_strings() -> dict[str, str]:
    """Every sign string the reports build from tables: reasons, states, titles, criteria,
    evidence notes, the qualifier's words."""
    strings = {f"reason {k}": v for k, v in REASON_TEXTS.items()}
    strings |= {f"state {k}": v for k, v in STATE_WORDS.items()}
    strings |= {f"title {k}": v for k, v in INDICATOR_TITLES.items()}
    strings |= {f"qualifier {k}": v for k, v in QUALIFIER_WORDS.items()}
    strings |= {f"note {message}": message for _pattern, message in NOTES}
    for m in (*MEASURES, QUALIFIER_MEASURE):
        strings[f"measure {m.criterion}"] = m.label
        strings |= {f"condition {m.criterion} {c.column}": c.label for c in m.conditions}
    return strings


def test_every_reason_state_title_and_criterion_is_in_the_catalog_in_bokmal() -> None:
    """The strings shown from the core's tables are extracted and translated, and the reason
    sentences are exactly the core's (a new or changed reason fails here)."""
    assert REASON_TEXTS == REASONS
    template, nb = _catalog("pot"), _catalog("nb")
    translate = translator("nb")
    for what, message in _shown_strings().items():
        assert template.get(message) is not None, f"{what}: not extracted"
        entry = nb.get(message)
        assert entry is not None and entry.string and not entry.fuzzy, what
        assert translate(message) == entry.string != message, what


def test_reasons_read_as_sentences_in_both_languages() -> None:
    en, nb = translator("en"), translator("nb")
    assert reason_text("median_latency,unanswered_share", en) == (
        "slow answers (median latency); many bids unanswered")
    assert reason_text("median_latency,unanswered_share", nb) == (
        "langsomme svar (median latens); mange signaler ubesvart")
    assert reason_text("too_few_bids", nb) == "for få signaler til å vurdere"
    # A reason the reports do not know yet is shown as written, never dropped.
    assert reason_text("some_new_reason", nb) == "some_new_reason"
    assert state_text("not_observable", nb) == "kan ikke vurderes"
    assert state_text("absent", nb) == "ikke til stede"
    assert state_text("present", nb) == "til stede"


def test_the_norwegian_pdf_speaks_bokmal(vignette: ReportData) -> None:
    text, _pages = pdf_text(render(session_document(vignette, "nb"), "pdf"))
    for expected in ("Øktrapport", "Studie demo", "Barnets alder 24 måneder", "14. mars 2023",
                     "Segmenter", "De fem tegnene på tilbaketrekning: hele økten",
                     "Forsinket eller dempet respons", "Samspill på avstand",
                     "Tersklene er denne studiens innstillinger, ikke kliniske normer.",
                     "de er ingen diagnose", "7,5 s", "signal: ubesvart innen 10 s",
                     "forstyrret (grenseverdi: nivå 5)", "åpent skjema, ikke en offisiell"):
        assert expected in text, expected
    for english in ("Session report", "Delayed or muted responding", "clinical norms"):
        assert english not in text


def test_the_norwegian_html_speaks_bokmal(vignette: ReportData) -> None:
    page = render_html(session_document(vignette, "nb"))
    assert '<html lang="nb">' in page and "Øktrapport" in page and "tid i økten" in page


def test_every_evidence_note_the_indicators_write_is_translated(vignette: ReportData) -> None:
    """Notes from the vignette and from simulated sessions of every style."""
    nb = translator("nb")
    notes = set(vignette.evidence["note"])
    for style in ("sensitive", "withdrawn", "hostile", "frightened"):
        sim = simulate_session(style, seed=7, duration_ms=300_000)
        scores = score_coding(sim.table, sim.segments_table(), scheme=SCHEME,
                              duration_ms=sim.duration_ms)
        notes |= set(scores.evidence["note"])
    assert len(notes) >= 12
    for note in notes:
        assert note_text(note, nb) != note, note


def test_an_unknown_language_is_refused_with_the_choices() -> None:
    with pytest.raises(InputError, match="en, nb"):
        translator("de")


# --- Issue 20: the report names the scheme's content as the coding screen does -------------------


def test_the_bokmaal_report_names_codes_subjects_roles_and_segments_as_the_screen(
    vignette: ReportData,
) -> None:
    page = render_html(session_document(vignette, "nb"))
    for shown in ("Åpent skjema for tilbaketrekning", "Fri lek", "atskillelse",
                  "gjenforening", "Feil i affektiv kommunikasjon", "omsorgsperson · Svarer"):
        assert shown in page, shown
    assert "Free play" not in page and "Open withdrawal scheme" not in page
    assert "Separation" in page  # typed by the coder: shown as written
    english = render_html(session_document(vignette, "en"))
    assert "Free play" in english and "caregiver · Respond" in english


def test_a_template_segment_is_named_in_bokmaal_whatever_language_marked_it() -> None:
    from samspill.core.scheme_labels import template_segment_name

    assert template_segment_name("ep4", "4 First separation", "nb") == "4 Første atskillelse"
    assert template_segment_name("ep4", "4 First separation", "en") == "4 First separation"
    assert template_segment_name("ep4", "Separation, cut short", "nb") == "Separation, cut short"
    assert template_segment_name(None, "4 First separation", "nb") == "4 First separation"


def test_the_reports_use_the_schemes_bokmaal_word_for_each_built_in_name() -> None:
    """One Norwegian name for one thing: where the report catalog also has a scheme's word (a
    role, a subject, a code's name), it is the scheme translation's word."""
    from samspill.core.scheme_check import builtin_scheme_ids, load_builtin_scheme
    from samspill.core.scheme_labels import display_words
    from samspill.reports.i18n import WORDS

    nb = _catalog("nb")
    differ = {}
    for scheme_id in builtin_scheme_ids():
        for english, norwegian in display_words(load_builtin_scheme(scheme_id), "nb").items():
            entry = nb.get(WORDS.get(english, english))
            if entry is not None and entry.string and entry.string != norwegian:
                differ[english] = (entry.string, norwegian)
    assert differ == {}
