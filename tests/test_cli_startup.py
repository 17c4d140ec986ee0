"""The command line starts at once (issue 15): `samspill --help`, each group's help and the
commands that compute nothing load no database layer and no numerical library. A command module
that imports one of them at the top (rather than inside the command that uses it) fails here."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

# Not pydantic: Typer itself loads it to read a group's options.
HEAVY = ("pandas", "numpy", "scipy", "statsmodels", "pingouin", "matplotlib", "sqlalchemy",
         "fastapi", "babel", "pyarrow", "duckdb")
# One fresh interpreter asks for each help in turn and reports what is loaded after each, so
# the first help that pulls a heavy library is the one named.
PROBE = """
import contextlib, io, json, sys
from samspill.cli import app, main
loaded = {"import samspill.cli": sorted({m.split(".")[0] for m in sys.modules})}
helps = [["--help"], ["score", "--help"], ["cohort", "--help"], ["report", "--help"],
         *[[g.name, "--help"] for g in app.registered_groups]]
for args in helps:
    sys.argv = ["samspill", *args]
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            main()
        except SystemExit:
            pass
    loaded[" ".join(args)] = sorted({m.split(".")[0] for m in sys.modules})
print(json.dumps(loaded))
"""


def test_the_cli_and_its_help_pull_no_heavy_library() -> None:
    answer = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                            check=True, timeout=300)
    loaded = json.loads(answer.stdout.strip().splitlines()[-1])
    assert len(loaded) > 10  # every group's help was asked for
    for step, modules in loaded.items():
        assert set(modules) & set(HEAVY) == set(), step


def test_simulate_help_names_every_style() -> None:
    from samspill.cli import app
    from samspill.core.simulate import STYLES

    help_text = CliRunner().invoke(app, ["simulate", "--help"], terminal_width=200).output
    assert all(style in help_text for style in STYLES)
