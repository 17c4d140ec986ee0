"""Routes stay thin: a route module is never a library for another (shared helpers live in
their own web modules: ``templating``, ``jobs``, ``scores_display``, ``api_shapes`` ...; the rule
is a row of the layer table in tests/test_architecture.py), and every API schema lives in
``web/schemas.py``, none inline in a route."""

from __future__ import annotations

import importlib
import inspect
import types
from pathlib import Path

import pytest
from pydantic import BaseModel

from samspill.web import routes
from tests.test_architecture import layer_violations

ROUTES = Path(routes.__file__).parent
PACKAGE = "samspill.web.routes"
# The package's __init__ gathers the routers: it is no route module and imports them all.
ROUTE_MODULES = sorted(p.stem for p in ROUTES.glob("*.py") if p.stem != "__init__")


def models_defined(module: types.ModuleType) -> list[str]:
    """The pydantic models a module defines itself (imported ones do not count)."""
    return sorted(
        f"{module.__name__}.{name}"
        for name, value in inspect.getmembers(module, inspect.isclass)
        if issubclass(value, BaseModel) and value.__module__ == module.__name__
    )


def test_the_route_modules_are_found() -> None:
    assert {"codings", "exchange", "agreement", "agreement_pages", "pages"} <= set(ROUTE_MODULES)


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
def test_the_layer_table_catches_every_spelling_of_a_route_importing_a_route(
    line: str, tmp_path: Path
) -> None:
    """The rule itself is a row of the layer table (tests/test_architecture.py)."""
    root = tmp_path / "samspill"
    for name, text in {"__init__.py": "", "web/__init__.py": "", "web/routes/__init__.py": "",
                       "web/routes/exchange.py": "",
                       "web/routes/analysis.py": f"{line}\nfrom samspill.web.jobs import x\n"
                                                 "from . import analysis\n"}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    found = layer_violations(root)
    assert found and all(v.startswith("web/routes/analysis.py imports samspill.web.routes.exchange")
                         for v in found), found


def test_the_schema_check_would_catch_a_model_in_a_route() -> None:
    module = types.ModuleType(f"{PACKAGE}.fake")
    source = ("from pydantic import BaseModel\n"
              "from samspill.web.schemas import CodingOut, StatusIn\n"
              "class ThingIn(BaseModel):\n    name: str\n"
              "class MoreOut(CodingOut):\n    extra: int\n")
    exec(compile(source, "fake.py", "exec"), module.__dict__)  # the test's own text
    assert models_defined(module) == [f"{PACKAGE}.fake.MoreOut", f"{PACKAGE}.fake.ThingIn"]
