"""The command line is an edge: the web never imports it, and all of it lives in ``cli/``.

Imports are read from the source (absolute, relative, and ``importlib.import_module`` or
``__import__`` with a literal name), so a check cannot be dodged by the spelling of an import.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import samspill

PACKAGE = Path(samspill.__file__).parent
COMMAND_LINE_LIBRARIES = ("typer", "click")


def _module_name(path: Path, root: Path) -> str:
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, root: Path) -> list[str]:
    """Every module ``path`` imports, relative imports resolved against ``root``'s package."""
    module = _module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            names.append(base)
            names += [f"{base}.{alias.name}" for alias in node.names]  # `from x import module`
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and _called(node) in {"import_module", "__import__"}):
            names.append(node.args[0].value)
    return names


def _called(call: ast.Call) -> str:
    function = call.func
    return function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")


def _is(name: str, module: str) -> bool:
    return name == module or name.startswith(module + ".")


def _first(path: Path, root: Path, forbidden: Callable[[str], bool]) -> list[str]:
    """"path imports name" for the first forbidden import of ``path``, if any."""
    names = [name for name in _imports(path, root) if forbidden(name)]
    return [f"{path.relative_to(root)} imports {names[0]}"] if names else []


def web_imports_of_cli(root: Path) -> list[str]:
    """``web/`` modules that import the command line (``cli``, or a stray ``cli_…`` module),
    as "path imports name"."""
    def forbidden(name: str) -> bool:
        return _is(name, f"{root.name}.cli") or name.startswith(f"{root.name}.cli_")

    return [line for path in sorted((root / "web").rglob("*.py"))
            for line in _first(path, root, forbidden)]


def stray_cli_modules(root: Path) -> list[str]:
    """Modules outside ``cli/`` that are part of the command line: named ``cli`` or
    ``cli_…``, or built on a command-line library."""
    stray = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] == "cli":
            continue
        if any(part == "cli" or part.startswith("cli_") for part in relative.with_suffix("").parts):
            stray.append(f"{relative} is named like a CLI module")
        stray += _first(path, root, lambda name: any(
            _is(name, library) for library in COMMAND_LINE_LIBRARIES))
    return stray


def test_the_web_never_imports_the_command_line() -> None:
    assert web_imports_of_cli(PACKAGE) == []


def test_every_command_line_module_lives_in_cli() -> None:
    assert (PACKAGE / "cli" / "__init__.py").is_file()
    assert stray_cli_modules(PACKAGE) == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "samspill"
    for name, text in {"__init__.py": "", "cli/__init__.py": "import typer\n",
                       "web/__init__.py": "", "web/routes/__init__.py": "", **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_the_web_check_catches_every_spelling_of_a_cli_import(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "web/a.py": "from samspill.cli.sequential import parse_lags\n",
        "web/b.py": "import samspill.cli\n",
        "web/c.py": "from samspill import cli\n",
        "web/routes/d.py": "from ...cli.common import code_list\n",
        "web/routes/e.py": "from ... import cli\n",
        "web/f.py": "import importlib\nimportlib.import_module('samspill.cli.tables')\n",
        "web/routes/g.py": "from samspill.cli_analysis import parse_lags\n",  # issue 19
        "web/fine.py": "from samspill.core.sequential import parse_lags\nfrom . import cli_x\n"
                       "from ..client import y\n",
    })
    found = web_imports_of_cli(root)
    assert [line.split(" imports ")[0] for line in found] == [
        "web/a.py", "web/b.py", "web/c.py", "web/f.py", "web/routes/d.py", "web/routes/e.py",
        "web/routes/g.py"]
    assert "web/routes/d.py imports samspill.cli.common" in found


def test_the_layout_check_catches_stray_cli_modules(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "cli/sequential.py": "import typer\nfrom click import echo\n",
        "cli_analysis.py": "x = 1\n",
        "web/cli.py": "x = 1\n",
        "web/client.py": "x = 1\n",
        "services/tools.py": "import typer\n",
        "interop/reader.py": "from click.testing import CliRunner\n",
    })
    assert stray_cli_modules(root) == [
        "cli_analysis.py is named like a CLI module",
        "interop/reader.py imports click.testing",
        "services/tools.py imports typer",
        "web/cli.py is named like a CLI module",
    ]
