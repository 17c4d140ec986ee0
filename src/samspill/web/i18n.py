"""Translations: Babel catalogs (``i18n/<lang>/LC_MESSAGES/messages.po``), English and bokmål.

The .po files are compiled in memory at start-up, so a checkout needs no build step. The
language comes from the ``lang`` cookie (set by the switch) or else ``Accept-Language``.
"""

from __future__ import annotations

from contextvars import ContextVar

from babel.support import NullTranslations

from samspill.catalogs import load_catalog

LANGUAGES = ("en", "nb")
DEFAULT_LANGUAGE = "en"
LANG_COOKIE = "samspill_lang"
current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


def marked(message: str) -> str:
    """Marks a string for Babel's extractor (imported as ``_``); it is translated where shown."""
    return message


def translations(language: str) -> NullTranslations:
    return load_catalog("samspill.web", language)


def gettext(message: str) -> str:
    return translations(current_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, n)


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The cookie's choice, else the best Accept-Language match, else English."""
    if cookie in LANGUAGES:
        return cookie
    for part in _ranked(accept_language or ""):
        base = part.split("-")[0].lower()
        if base in ("nb", "no", "nn"):
            return "nb"
        if base in LANGUAGES:
            return base
    return DEFAULT_LANGUAGE


def _ranked(header: str) -> list[str]:
    entries = []
    for i, item in enumerate(header.split(",")):
        lang, _, q = item.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        if lang:
            entries.append((-weight, i, lang))
    return [lang for _, _, lang in sorted(entries)]
