"""The coding screen's help (`?`) lists the keys the screen binds, in English and in bokmål: every
key a control announces (aria-keyshortcuts), the suggestions' keys when the coding shows them,
Space and the arrows in the modifier pop-up, `=` for zooming in; and the bokmål help says every
line in bokmål (no "point" left from the scheme's stored kind)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import Server, log_in, new_coding, open_workspace

pytestmark = pytest.mark.browser

# aria-keyshortcuts names → the key caps the help prints.
CAPS = {"ArrowLeft": "←", "ArrowRight": "→", "ArrowUp": "↑", "ArrowDown": "↓", "Control": "Ctrl"}

ROWS = """() => [...document.querySelectorAll('#help tbody tr')].map((tr) => ({
  table: tr.closest('table').id || tr.closest('table').querySelector('caption').textContent,
  keys: [...tr.querySelectorAll('kbd')].map((k) => k.textContent.trim()),
  cells: [...tr.cells].map((td) => td.innerText.trim()),
}))"""


def open_help(browser, demo_database, server: Server, locale: str) -> tuple:
    """(context, the help's rows, page) with the help open on a new coding, in `locale`."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale=locale)
    page = context.new_page()
    log_in(page, demo_database, server)
    open_workspace(page, server, new_coding(demo_database))
    page.keyboard.press("?")
    page.wait_for_selector("#help[open]")
    return context, page.evaluate(ROWS), page


def has_row(rows: list[dict], *caps: str, words: str = "") -> bool:
    return any(set(caps) <= set(row["keys"]) and words in row["cells"][-1] for row in rows)


def test_the_help_lists_every_key_the_screen_announces_and_the_suggestions(
    browser, demo_database, server: Server
) -> None:
    context, rows, page = open_help(browser, demo_database, server, "en-GB")
    announced = page.evaluate(
        "() => [...document.querySelectorAll('[aria-keyshortcuts]')]"
        ".flatMap((e) => e.getAttribute('aria-keyshortcuts').split(' '))")
    assert "Alt+N" in announced and "=" in announced
    for shortcut in announced:
        parts = ["+"] if shortcut == "+" else shortcut.split("+")
        caps = [CAPS.get(part, part) for part in parts]
        assert has_row(rows, *caps), f"{shortcut} is announced but not in the help"
    # The coding shows suggestions (a study coding, its owner): their keys are listed.
    assert page.evaluate("JSON.parse(document.getElementById('boot').textContent).assist.shown")
    suggestion_rows = [row for row in rows if row["table"] == "help-suggestions"]
    for caps in (("Alt", "S"), ("Alt", "N"), ("Alt", "P"), ("A",), ("X",), ("Delete",), ("U",),
                 ("Shift", "←", "→"), ("Alt", "←", "→"), ("↑", "↓"), ("Enter",)):
        assert has_row(suggestion_rows, *caps), caps
    assert has_row(rows, "Space", words="modifier pop-up")
    assert has_row(rows, "←", "→", words="modifier pop-up")
    assert has_row(rows, "=", words="Zoom")
    assert has_row(rows, "Enter", "↓", words="filter")
    assert has_row(rows, "F2", words="transcript")
    escape = " ".join(row["cells"][-1] for row in rows if "Escape" in row["keys"])
    assert "a field" not in escape and "segment's name" in escape and "Go to" in escape
    context.close()


def test_the_bokmaal_help_has_no_english_left(browser, demo_database, server: Server) -> None:
    context, english, page = open_help(browser, demo_database, server, "en-GB")
    context.close()
    context, norwegian, page = open_help(browser, demo_database, server, "nb-NO")
    assert [row["keys"] for row in norwegian if row["table"] == "help-suggestions"] == \
        [row["keys"] for row in english if row["table"] == "help-suggestions"]
    said = {row["cells"][-1] for row in english if len(row["cells"]) == 2}
    for row in norwegian:
        if len(row["cells"]) == 2:  # the screen's keys: each line said in bokmål
            assert row["cells"][-1] not in said, row
    kinds = {row["cells"][2] for row in norwegian if len(row["cells"]) == 5}
    assert kinds == {"punkthendelse", "tilstand"}
    text = page.inner_text("#help")
    for word in ("point", "state", "wheel", "double click", "Skip", "suggestion", "pop-up"):
        assert not re.search(rf"\b{word}\b", text), word
    assert has_row(norwegian, "Mellomrom", words="valgvindu")
    context.close()
