"""Babel catalogs (``<package>/i18n/<lang>/LC_MESSAGES/messages.po``) compiled in memory.

The web app and the reports each keep their own catalog; both load it here, so a checkout
needs no compile step and the two cannot drift in how they read translations.
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations


@cache
def load_catalog(package: str, language: str) -> NullTranslations:
    """The package's translations into ``language``; no catalog means the source text."""
    path = resources.files(package) / "i18n" / language / "LC_MESSAGES" / "messages.po"
    if not path.is_file():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)
