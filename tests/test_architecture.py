"""The core stays pure: no web, database or CLI imports, so it runs anywhere; and reports only
render: they read neither the store nor services."""

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


# ---------------------------------------------------------------- reports only render

REPORTS = Path(samspill.__file__).parent / "reports"
REPORTS_FORBIDDEN = (
    "samspill.store",
    "samspill.services",
    "samspill.web",
    "samspill.cli",
    "sqlalchemy",
    "alembic",
    "fastapi",
    "starlette",
    "typer",
    "click",
    "psycopg",
)


def _modules(path: Path, package: str) -> list[str]:
    """Every module ``path`` imports, relative imports resolved against ``package`` (the
    file's own package) and ``from a import b`` counted as ``a`` and as ``a.b`` (``b`` may be
    a module: ``from samspill import services``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([base] if base else [])])
            names.append(base)
            names += [f"{base}.{alias.name}" for alias in node.names]
    return names


def _offenders(root: Path, package: str, forbidden: tuple[str, ...]) -> list[str]:
    out = []
    for path in sorted(root.rglob("*.py")):
        inner = path.relative_to(root).parent.parts
        for name in _modules(path, ".".join([package, *inner])):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                out.append(f"{path.relative_to(root)} imports {name}")
    return out


def test_reports_only_render_and_read_neither_the_store_nor_services() -> None:
    """Reports take plain tables (``reports.data``) from ``services.reporting`` and render
    them: core, pandas, matplotlib, reportlab and pypdf, Babel, Jinja2; no database, no use
    case, no web or CLI."""
    assert _offenders(REPORTS, "samspill.reports", REPORTS_FORBIDDEN) == []


def test_the_reports_check_would_catch_a_forbidden_import(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    (reports / "sub").mkdir(parents=True)
    (reports / "data.py").write_text("from samspill.services.scoring import settings_of\n"
                                     "from samspill import store\n")
    (reports / "sub" / "plot.py").write_text("from ...services import codings\n"
                                             "from ..render import render\n"
                                             "import sqlalchemy.orm\n")
    found = _offenders(reports, "samspill.reports", REPORTS_FORBIDDEN)
    assert found == ["data.py imports samspill.services.scoring",
                     "data.py imports samspill.services.scoring.settings_of",
                     "data.py imports samspill.store",
                     "sub/plot.py imports samspill.services",
                     "sub/plot.py imports samspill.services.codings",
                     "sub/plot.py imports sqlalchemy.orm"]
