"""BORIS's own Python for the tests that run BORIS's loader (boris_loader_check.py).

A test module imports ``boris_python_fixture`` and asks for the fixture ``boris_python``.

`make test` builds .venv-boris from requirements-boris.lock, points SAMSPILL_BORIS_PYTHON at it
and sets SAMSPILL_REQUIRE_BORIS=1, so there a missing or broken BORIS fails instead of skipping.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

_DEFAULT = Path(__file__).resolve().parents[2] / ".venv-boris" / "bin" / "python"


def boris_python_path() -> str | None:
    """SAMSPILL_BORIS_PYTHON, else the .venv-boris that `make boris` builds, else None."""
    path = os.environ.get("SAMSPILL_BORIS_PYTHON", str(_DEFAULT))
    return path if Path(path).exists() else None


@pytest.fixture(scope="module", name="boris_python")
def boris_python_fixture() -> str:
    """BORIS's Python; a skip when it is missing, a failure when SAMSPILL_REQUIRE_BORIS=1."""
    python = boris_python_path()
    if python is None:
        message = ("BORIS is not installed: run `make boris` (it builds .venv-boris from "
                   "requirements-boris.lock) or set SAMSPILL_BORIS_PYTHON to a Python with "
                   "boris-behav-obs")
        if os.environ.get("SAMSPILL_REQUIRE_BORIS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return python


def boris_loader(python: str, path: Path) -> dict:
    """What BORIS's own loader makes of the project at ``path`` (see boris_loader_check.py)."""
    run = subprocess.run([python, str(Path(__file__).with_name("boris_loader_check.py")),
                          str(path)], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])
