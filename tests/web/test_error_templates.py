"""No error reaches a web reader in English only (issue 20). Every module the web app imports
(its import closure, read from the source) is searched for the errors it raises and the notes
it keeps: the message and the fix must be a template marked ``N_("…")`` (so Babel extracts it
and a page says it in bokmål), never a literal or an f-string, which can only be English.

A module whose errors are still English is listed in :data:`ENGLISH_STILL` with the reason;
the list may only shrink: a listed module with nothing left to translate fails as well.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

SRC = Path(__file__).parents[2] / "src"
NB_CATALOG = SRC / "samspill/web/i18n/nb/LC_MESSAGES/messages.po"
BASE_ERRORS = frozenset({"SamspillError", "SchemeError", "EventError", "InputError",
                         "NotFoundError", "ConflictError", "PermissionDeniedError",
                         "AuthenticationError", "StorageError", "RefusedError"})
KEPT = frozenset({"Note"})  # kept as a template, said later in the reader's language

# Modules the web imports whose errors are still English, and why.
ENGLISH_STILL = {
    "samspill.core.scheme_check": "the web loads only the built-in schemes; a scheme file's "
    "problems are shown by 'samspill scheme validate' (the CLI is English)",
    "samspill.reports.i18n": "a report's language is a Literal of the routes (a 422 in the "
    "reader's language) before this check; the check speaks to 'samspill report'",
    "samspill.reports.render": "as reports.i18n: the routes take the format as a Literal",
}


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module(p): p for p in (SRC / "samspill").rglob("*.py")}


@cache
def _tree(name: str) -> ast.Module:
    return ast.parse(_modules()[name].read_text(encoding="utf-8"))


def _imports(name: str) -> set[str]:
    modules = _modules()
    package = name if modules[name].name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(_tree(name)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            found |= {base, *(f"{base}.{a.name}" for a in node.names)}
    known = set()
    for target in found:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        if target:
            known.add(target)
    return known


def web_closure() -> set[str]:
    """Every samspill module the web app imports, directly or not."""
    seen: set[str] = set()
    todo = ["samspill.web.app"]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += _imports(name)
    return seen


def _error_classes() -> set[str]:
    """The error family: the core's classes and every class that derives from one."""
    names = set(BASE_ERRORS)
    grown = True
    while grown:
        grown = False
        for name in _modules():
            for node in ast.walk(_tree(name)):
                if (isinstance(node, ast.ClassDef) and node.name not in names
                        and any(_called(b) in names for b in node.bases)):
                    names.add(node.name)
                    grown = True
    return names


def _called(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else ""


def _english_only(node: ast.expr) -> bool:
    """Text only English can say: a literal, an f-string, text joined or formatted in place."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(node.value)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _english_only(node.left) or _english_only(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format" and _english_only(node.func.value)
    return False


def _marked(node: ast.expr) -> str | None:
    if isinstance(node, ast.Call) and _called(node.func) == "N_" and node.args:
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
    return None


def _texts(call: ast.Call) -> list[ast.expr]:
    """The message (first argument) and the fix of an error or a note."""
    return [*call.args[:1], *(k.value for k in call.keywords if k.arg == "fix")]


def findings(modules: set[str]) -> tuple[dict[str, list[str]], set[str]]:
    """Per module the English-only texts (``line: source``); and every marked template."""
    errors = _error_classes() | KEPT
    english: dict[str, list[str]] = {}
    marked: set[str] = set()
    for name in sorted(modules):
        for node in ast.walk(_tree(name)):
            if not (isinstance(node, ast.Call) and _called(node.func) in errors):
                continue
            for text in _texts(node):
                if _english_only(text):
                    english.setdefault(name, []).append(
                        f"{text.lineno}: {ast.unparse(text)[:80]}")
                elif (template := _marked(text)) is not None:
                    marked.add(template)
    return english, marked


def test_the_closure_is_the_web_app_and_what_it_uses() -> None:
    closure = web_closure()
    assert {"samspill.web.routes.exchange", "samspill.services.exports",
            "samspill.store.errors", "samspill.interop.boris"} <= closure
    assert not any(name.startswith("samspill.cli") for name in closure)


def test_every_error_the_web_can_raise_has_a_template_marked_for_translation() -> None:
    english, _ = findings(web_closure())
    unexplained = {name: lines for name, lines in english.items() if name not in ENGLISH_STILL}
    assert unexplained == {}, "mark each with N_(…) and params, then translate it to bokmål"


def test_the_modules_left_in_english_still_have_english_errors() -> None:
    english, _ = findings(web_closure())
    assert sorted(set(ENGLISH_STILL) - set(english)) == [], "take them off ENGLISH_STILL"


def test_every_marked_error_template_is_in_bokmaal() -> None:
    with NB_CATALOG.open("rb") as handle:
        bokmaal = read_po(handle, locale="nb")
    _, marked = findings(web_closure())
    assert len(marked) > 200
    missing = sorted(m for m in marked if m not in bokmaal or not bokmaal[m].string
                     or bokmaal[m].fuzzy)
    assert missing == [], "extract (Makefile's i18n target) and translate these"


def test_an_fstring_error_is_found() -> None:
    """The search itself: an f-string, a literal fix and a joined text are English only."""
    code = ast.parse('raise InputError(f"{x} is bad", fix="do this")\n'
                     'raise NotFoundError("no " + x, fix=N_("look"))\n'
                     'raise InputError(N_("{x} is bad"), fix=N_("do this"), params={})\n')
    calls = [n for n in ast.walk(code) if isinstance(n, ast.Call)
             and _called(n.func) in _error_classes()]
    flagged = [ast.unparse(t) for c in calls for t in _texts(c) if _english_only(t)]
    assert flagged == ["f'{x} is bad'", "'do this'", "'no ' + x"]
