"""Every string of the web app has its Norwegian bokmål translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from samspill.web import i18n

I18N = Path(i18n.__file__).parent / "i18n"


def _catalog(path: Path, locale: str | None = None):
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def test_every_extracted_string_is_translated_to_bokmaal() -> None:
    template = _catalog(I18N / "messages.pot")
    bokmaal = _catalog(I18N / "nb" / "LC_MESSAGES" / "messages.po", "nb")
    missing = [m.id for m in template if m.id and (
        m.id not in bokmaal or not bokmaal[m.id].string or bokmaal[m.id].fuzzy)]
    assert missing == []


def test_the_bokmaal_catalog_translates_at_run_time() -> None:
    token = i18n.current_language.set("nb")
    try:
        assert i18n.gettext("Log in") == "Logg inn"
    finally:
        i18n.current_language.reset(token)
    assert i18n.gettext("Log in") == "Log in"


def test_accept_language_and_the_cookie_choose_the_language() -> None:
    assert i18n.negotiate(None, "nb-NO,nb;q=0.9,en;q=0.8") == "nb"
    assert i18n.negotiate(None, "nn;q=0.5, de") == "nb"
    assert i18n.negotiate(None, "de-DE,fr;q=0.5") == "en"
    assert i18n.negotiate("en", "nb") == "en"
    assert i18n.negotiate("xx", None) == "en"


# --- The session page and the session report say the same things in the same words --------

REPORTS_I18N = Path(i18n.__file__).parents[1] / "reports" / "i18n"


def _bokmaal_of(folder: Path):
    return _catalog(folder / "nb" / "LC_MESSAGES" / "messages.po", "nb")


def test_the_web_and_the_reports_use_the_same_bokmaal_words() -> None:
    from samspill.core.indicators import DISCLAIMER, REASONS

    web, reports = _bokmaal_of(I18N), _bokmaal_of(REPORTS_I18N)
    same = [DISCLAIMER, "master", "none", "helpless-fearful", "hostile-self-referential",
            "mixed", *REASONS.values()]
    assert {m: web[m].string for m in same} == {m: reports[m].string for m in same}
    assert "opplært koders skjønn" in web[DISCLAIMER].string
    # The scheme's label: the same words, in Babel's brace and percent styles.
    label = web["{name} (open scheme, not an official {instrument} score)"].string
    assert label.replace("{name}", "%(name)s").replace("{instrument}", "%(instrument)s") == \
        reports["%(name)s (open scheme, not an official %(instrument)s score)"].string


def test_one_bokmaal_word_for_the_master_coding() -> None:
    """"fasit" (the reference coding), never "master", on every page and in every report."""
    for folder in (I18N, REPORTS_I18N):
        catalog = _bokmaal_of(folder)
        said = [m.string for m in catalog if m.id and "master" in str(m.id).lower()]
        assert said and all("fasit" in s.lower() for s in said)
        shown = [str(m.string).replace("{master}", "") for m in catalog if m.id]
        assert not [s for s in shown if "master" in s.lower()]
