"""Every setting and every command is documented, so the docs cannot drift from the code."""

from __future__ import annotations

from pathlib import Path

from samspill.core.study_settings import StudySettings
from samspill.settings import Settings

DOCS = Path(__file__).parents[1] / "docs"


def test_every_server_setting_is_documented() -> None:
    text = (DOCS / "settings.md").read_text()
    missing = [name for name in Settings.model_fields
               if f"`{name}`" not in text or f"SAMSPILL_{name.upper()}" not in text]
    assert missing == []


def test_every_study_setting_is_documented() -> None:
    text = (DOCS / "settings.md").read_text()
    assert [n for n in StudySettings.model_fields if f"`{n}`" not in text] == []


def test_every_command_is_in_the_cli_reference() -> None:
    from samspill.cli.reference import command_paths

    text = (DOCS / "cli.md").read_text()
    missing = [" ".join(p) for p in command_paths() if f"## `samspill {' '.join(p)}`" not in text]
    assert missing == [], "run: python -m samspill.cli.reference > docs/cli.md"


def test_every_assist_setting_is_documented() -> None:
    from samspill.core.assist.settings import AssistSettings

    text = (DOCS / "assist.md").read_text()
    assert [n for n in AssistSettings.model_fields if f"`assist.{n}`" not in text] == []
