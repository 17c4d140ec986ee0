"""Write the command-line reference (``docs/cli.md``) from the commands' own ``--help``.

Run ``python -m samspill.cli.reference > docs/cli.md`` after changing a command; a test checks
that the file is current, so the reference cannot drift from the code.
"""

from __future__ import annotations

import os
from typing import Any

import typer
from typer.testing import CliRunner

from samspill.cli import app

INTRO = """# Command line reference

Generated from the commands' own `--help` by `python -m samspill.cli.reference`. Every command
that touches a study takes `--data-dir` (or `SAMSPILL_DATA_DIR`). A problem you can fix is
printed on one line with the fix, and the command exits with status 2.
"""


def command_paths(command: Any = None, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every leaf command as its words after ``samspill``, e.g. ``("study", "export")``."""
    command = command if command is not None else typer.main.get_command(app)
    children = getattr(command, "commands", None)
    if not children:
        return [path]
    return [p for name in sorted(children) for p in command_paths(children[name], (*path, name))]


def _help(path: tuple[str, ...]) -> str:
    os.environ["TERMINAL_WIDTH"] = "100"
    result = CliRunner().invoke(app, [*path, "--help"], prog_name="samspill",
                                env={"NO_COLOR": "1", "TERMINAL_WIDTH": "100", "COLUMNS": "100"})
    return "\n".join(line.rstrip() for line in result.output.strip().splitlines())


def reference() -> str:
    parts = [INTRO]
    for path in command_paths():
        parts.append(f"## `samspill {' '.join(path)}`\n\n```\n{_help(path)}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(reference(), end="")
