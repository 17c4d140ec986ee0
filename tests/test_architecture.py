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
PACKAGE_ROOT = Path(samspill.__file__).parent
CORE = PACKAGE_ROOT / "core"


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


# ---------------------------------------------------------------- the whole layer table
#
# Which of samspill's own packages each layer may import (its own package always). Layers run
# one way, from the edges (cli, web) down to the core; docs/architecture.md draws the same table.
# ``samspill`` itself (the version) and the leaf modules ``settings`` and ``catalogs`` sit beside.

LAYERS: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "settings": frozenset({"core"}),
    "catalogs": frozenset(),
    "store": frozenset({"core", "settings"}),
    "interop": frozenset({"core"}),
    # the assist's model files and media decoding: bytes and arrays in, arrays out
    "detectors": frozenset({"core"}),
    # reports render plain tables: the core's names and the catalogs, never a database
    "reports": frozenset({"core", "catalogs"}),
    # services may build the reports' plain tables (reports.data), nothing else of reports
    "services": frozenset({"core", "settings", "store", "interop", "detectors",
                           "reports.data"}),
    "web": frozenset({"core", "settings", "catalogs", "store", "interop", "detectors",
                      "reports", "services"}),
    "cli": frozenset({"core", "settings", "catalogs", "store", "interop", "detectors",
                      "reports", "services", "web"}),
}


def layer_violations(root: Path) -> list[str]:
    """Every import of one samspill package by another that the table does not allow, and
    every import of one route module by another (routes share helpers through ``web/``
    modules, never through each other), as "path imports name"."""
    from tests.test_architecture_cli import _imports as imports_of

    package = root.name
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        layer = relative.with_suffix("").parts[0]
        if layer == "__init__":
            continue
        allowed = LAYERS.get(layer)
        for name in imports_of(path, root):
            parts = name.split(".")
            if parts[0] != package or len(parts) < 2 or parts[1] in {layer, "__version__"}:
                continue
            if allowed is None:
                found.append(f"{relative} is in no layer of the table")
                break
            if not any(name == f"{package}.{a}" or name.startswith(f"{package}.{a}.")
                       for a in allowed) and not _names_an_allowed_module(name, package, allowed):
                found.append(f"{relative} imports {name}")
        if relative.parts[:2] == ("web", "routes") and relative.name != "__init__.py":
            own = f"{package}.web.routes.{relative.stem}"
            found += [f"{relative} imports {name}" for name in imports_of(path, root)
                      if name.startswith(f"{package}.web.routes.") and name != own
                      and not name.startswith(own + ".")]
    return sorted(set(found))


def _names_an_allowed_module(name: str, package: str, allowed: frozenset[str]) -> bool:
    # `from samspill.reports import data` reads as samspill.reports and samspill.reports.data:
    # the bare package name is the prefix of an allowed module, not an import of all of it.
    return any(f"{package}.{a}".startswith(name + ".") for a in allowed)


def test_every_layer_imports_only_what_the_table_allows() -> None:
    assert layer_violations(PACKAGE_ROOT) == []


def test_every_package_of_samspill_has_a_row_in_the_table() -> None:
    tops = {p.stem if p.is_file() else p.name for p in PACKAGE_ROOT.iterdir()
            if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()}
    assert tops == set(LAYERS)


def test_the_layer_table_bites(tmp_path: Path) -> None:
    root = tmp_path / "samspill"
    files = {
        "__init__.py": "__version__ = '0'\n",
        "core/__init__.py": "",
        "core/a.py": "from samspill import __version__\nfrom samspill.core import b\n",
        "core/bad.py": "from samspill.store.models import User\n",
        "store/db.py": "from samspill.settings import Settings\nfrom ..services import x\n",
        "interop/io.py": "import samspill.reports.render\n",
        "services/fine.py": "from samspill.reports.data import ReportData\n"
                            "from samspill.reports import data\n",
        "services/bad.py": "from samspill.reports.render import render\n",
        "reports/r.py": "from samspill.services.scoring import settings_of\n",
        "web/app.py": "from samspill.cli.common import x\nfrom samspill.services import access\n",
        "web/routes/__init__.py": "from samspill.web.routes import a, b\n",
        "web/routes/a.py": "from samspill.web.routes.b import helper\nfrom .b import other\n"
                           "from samspill.web.templating import page\n",
        "web/routes/b.py": "from samspill.web.routes import b as me\n",
        "extra/x.py": "from samspill.core import a\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    assert layer_violations(root) == [
        "core/bad.py imports samspill.store.models",
        "core/bad.py imports samspill.store.models.User",
        "extra/x.py is in no layer of the table",
        "interop/io.py imports samspill.reports.render",
        "reports/r.py imports samspill.services.scoring",
        "reports/r.py imports samspill.services.scoring.settings_of",
        "services/bad.py imports samspill.reports.render",
        "services/bad.py imports samspill.reports.render.render",
        "store/db.py imports samspill.services",
        "store/db.py imports samspill.services.x",
        "web/app.py imports samspill.cli.common",
        "web/app.py imports samspill.cli.common.x",
        "web/routes/a.py imports samspill.web.routes.b",
        "web/routes/a.py imports samspill.web.routes.b.helper",
        "web/routes/a.py imports samspill.web.routes.b.other",
    ]
