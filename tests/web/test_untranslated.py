"""No untranslated string (issue 20): every string marked in the source (Python, templates and
the coding screen's scripts) is in the catalogs, and bokmål has it. The catalogs' own test
(test_i18n) checks what was extracted; this one extracts from the source as it is now, so a
string marked but never extracted fails here too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from samspill.web.moments_schemas import MOMENT_STRINGS
from samspill.web.routes.workspace import JS_STRINGS

ROOT = Path(__file__).parents[2]
STATIC = ROOT / "src" / "samspill" / "web" / "static"
CATALOGS = {
    "babel.cfg": ROOT / "src/samspill/web/i18n",
    "reports-babel.cfg": ROOT / "src/samspill/reports/i18n",
}
# t("text") and t("text", {...}) in the scripts; a call with a variable is not a message.
JS_CALL = re.compile(r"\bt\(\s*\"((?:[^\"\\]|\\.)*)\"")


def _marked(config: str) -> set[str]:
    """What pybabel extracts with ``config`` (its default keywords: ``_``, ``N_``, ``ngettext``
    …, as the Makefile runs it)."""
    with (ROOT / config).open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=DEFAULT_KEYWORDS,
    ):
        # A plural message is one catalog entry, kept under its singular.
        found.add(message[0] if isinstance(message, tuple) else message)
    return {m for m in found if m}


def _translated(string: str | tuple[str, ...]) -> bool:
    return all(string) if isinstance(string, tuple) else bool(string)


@pytest.mark.parametrize("config", sorted(CATALOGS))
def test_every_string_marked_in_the_source_is_translated_to_bokmaal(config: str) -> None:
    folder = CATALOGS[config]
    with (folder / "nb" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        bokmaal = read_po(handle, locale="nb")
    marked = _marked(config)
    assert len(marked) > 100
    missing = sorted(m for m in marked if m not in bokmaal
                     or not _translated(bokmaal[m].string) or bokmaal[m].fuzzy)
    assert missing == [], "extract (Makefile's i18n target) and translate these"


def test_every_string_the_scripts_show_is_sent_to_them() -> None:
    """The scripts look up their strings in the boot data (JS_STRINGS; the moments page's
    MOMENT_STRINGS): a t("…") not there would show in English on a bokmål page."""
    shown = set()
    for script in STATIC.glob("*.js"):
        shown |= {m.encode().decode("unicode_escape") if "\\" in m else m
                  for m in JS_CALL.findall(script.read_text(encoding="utf-8"))}
    assert len(shown) > 50
    assert sorted(shown - set(JS_STRINGS) - set(MOMENT_STRINGS)) == []


def test_each_bokmaal_error_template_names_the_fields_of_its_english_one() -> None:
    """A translation with another field would fail when said: the same {fields} in both."""
    field = re.compile(r"\{(\w*)\}")
    with (CATALOGS["babel.cfg"] / "nb" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        bokmaal = read_po(handle, locale="nb")
    differ = [m.id for m in bokmaal if m.id and isinstance(m.id, str) and m.string
              and sorted(field.findall(m.string)) != sorted(field.findall(m.id))]
    assert differ == []
