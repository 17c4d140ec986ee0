"""Names people give (studies, dyads, sessions) and the ids of a scheme's codes: letters of any
language, so that ``hjemmebesøk-1`` is a session and ``gråt`` a code id that stays ``gråt`` in
every export (issue 20). File names on disk are made safe apart from these (store.media).

A name is up to 64 letters, digits, ``.``, ``_`` or ``-``, starting with a letter or digit; an
id starts with a letter. "Letter" is any Unicode letter (``\\w`` without digits and ``_``), in
Python's ``re`` and in the Rust regex engine that pydantic uses for ``Field(pattern=...)``.
"""

from __future__ import annotations

import re
import unicodedata

# Patterns, not compiled: the scheme's pydantic model uses the id's as its field pattern.
NAME_PATTERN = r"^[^\W_][\w.\-]{0,63}$"
ID_PATTERN = r"^[^\W\d_][\w.\-]*$"
NAME_RULE = ("up to 64 letters (æ, ø, å too), digits, '.', '_' or '-', starting with a letter "
             "or digit")
_NAME = re.compile(NAME_PATTERN)
_NOT_NAME = re.compile(r"[^\w.\-]+")


def normal(text: str) -> str:
    """NFC: ``å`` typed as ``a`` + ring is the same name as ``å`` typed as one letter."""
    return unicodedata.normalize("NFC", text)


def is_name(value: str) -> bool:
    return bool(_NAME.match(normal(value)))


def to_name(text: str, fallback: str) -> str:
    """A valid name made from free text, letters kept: ``Obs #1`` → ``Obs-1``, ``gråt`` →
    ``gråt``; ``fallback`` when nothing is left."""
    name = _NOT_NAME.sub("-", normal(text).strip()).strip("-._")[:64]
    return name or fallback
