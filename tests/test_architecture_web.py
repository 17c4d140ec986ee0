"""Routes stay thin: a route module is never a library for another (shared helpers live in
their own web modules: ``templating``, ``jobs``, ``scores_display``, ``api_shapes`` ...), and
every API schema lives in ``web/schemas.py``, none inline in a route."""

from __future__ import annotations

import ast
import importlib
import inspect
import types
from pathlib import Path

import pytest
from pydantic import BaseModel

from samspill.web import routes

ROUTES = Path(routes.__file__).parent
PACKAGE = "samspill.web.routes"
# The package's __init__ gathers the routers: it is no route module and imports them all.
ROUTE_MODULES = sorted(p.stem for p in ROUTES.glob("*.py") if p.stem != "__init__")


def _imported(source: str, package: str) -> list[str]:
    """Every module ``source`` imports, relative imports resolved against ``package`` and
    ``from a import b`` counted as ``a`` and as ``a.b`` (``b`` may be a module)."""
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, *([base] if base else [])])
            names.append(base)
            names += [f"{base}.{alias.name}" for alias in node.names]
    return names


def route_imports(name: str, source: str) -> list[str]:
    """The route modules that route module ``name`` imports."""
    found = {
        imported.removeprefix(PACKAGE + ".").split(".")[0]
        for imported in _imported(source, PACKAGE)
        if imported.startswith(PACKAGE + ".")
    }
    return sorted(f"{name} imports routes.{other}" for other in found
                  if other in ROUTE_MODULES and other != name)


def models_defined(module: types.ModuleType) -> list[str]:
    """The pydantic models a module defines itself (imported ones do not count)."""
    return sorted(
        f"{module.__name__}.{name}"
        for name, value in inspect.getmembers(module, inspect.isclass)
        if issubclass(value, BaseModel) and value.__module__ == module.__name__
    )


def test_the_route_modules_are_found() -> None:
    assert {"codings", "exchange", "agreement", "agreement_pages", "pages"} <= set(ROUTE_MODULES)


def test_no_route_module_imports_another() -> None:
    offenders = [
        line
        for name in ROUTE_MODULES
        for line in route_imports(name, (ROUTES / f"{name}.py").read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_no_route_module_defines_an_api_schema() -> None:
    offenders = [
        model
        for name in ROUTE_MODULES
        for model in models_defined(importlib.import_module(f"{PACKAGE}.{name}"))
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "line",
    [
        "from samspill.web.routes.exchange import page, start_job",
        "from samspill.web.routes import exchange",
        "import samspill.web.routes.exchange",
        "import samspill.web.routes.exchange as ex",
        "from .exchange import start_job",
        "from . import exchange",
        "from ..routes.exchange import page",
        "from ..routes import exchange",
    ],
)
def test_the_import_check_would_catch_a_route_importing_a_route(line: str) -> None:
    source = f"from __future__ import annotations\n\n{line}\n"
    assert route_imports("analysis", source) == ["analysis imports routes.exchange"]


def test_the_import_check_lets_web_modules_and_the_module_itself_pass() -> None:
    source = ("from samspill.web.jobs import start_job\n"
              "from samspill.web.templating import page\n"
              "from samspill.web import routes\n"
              "from . import analysis\n"
              "from .. import schemas\n")
    assert route_imports("analysis", source) == []


def test_the_schema_check_would_catch_a_model_in_a_route() -> None:
    module = types.ModuleType(f"{PACKAGE}.fake")
    source = ("from pydantic import BaseModel\n"
              "from samspill.web.schemas import CodingOut, StatusIn\n"
              "class ThingIn(BaseModel):\n    name: str\n"
              "class MoreOut(CodingOut):\n    extra: int\n")
    exec(compile(source, "fake.py", "exec"), module.__dict__)  # the test's own text
    assert models_defined(module) == [f"{PACKAGE}.fake.MoreOut", f"{PACKAGE}.fake.ThingIn"]
