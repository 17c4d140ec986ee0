"""The interop package converts bytes and plain models: no database, web or service imports."""

from __future__ import annotations

import subprocess
import sys

MODULES = ["boris", "boris_ethogram", "boris_export", "boris_observation", "elan", "events_csv",
           "model", "safety", "sdis", "tabular", "variables"]
FORBIDDEN = ("sqlalchemy", "fastapi", "starlette", "alembic", "samspill.store", "samspill.web",
             "samspill.services", "samspill.cli")


def test_interop_imports_no_database_web_or_service_module():
    code = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module('samspill.interop.' + name)\n"
        f"print(sorted(m for m in sys.modules if m.startswith({FORBIDDEN!r})))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True)
    assert run.stdout.strip() == "[]"
