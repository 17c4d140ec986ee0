"""The core stays pure: no web, database or CLI imports, so it runs anywhere."""

from __future__ import annotations

import ast
from pathlib import Path

import samspill

FORBIDDEN = (
    "sqlalchemy",
    "alembic",
    "fastapi",
    "starlette",
    "typer",
    "click",
    "httpx",
    "jinja2",
    "uvicorn",
    "psycopg",
    "samspill.store",
    "samspill.web",
    "samspill.cli",
    "samspill.services",
)
CORE = Path(samspill.__file__).parent / "core"


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_core_imports_no_web_database_or_cli_package() -> None:
    offenders = [
        f"{path.relative_to(CORE)} imports {name}"
        for path in CORE.rglob("*.py")
        for name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    ]
    assert offenders == []


def test_the_check_would_catch_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from sqlalchemy.orm import Session\nimport fastapi\n")
    assert _imports(bad) == ["sqlalchemy.orm", "fastapi"]
