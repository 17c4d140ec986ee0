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
