"""Cross-reference checks on a scheme, and parsing a scheme file with every error located."""

from __future__ import annotations

from collections import Counter
from importlib import resources
from typing import TYPE_CHECKING

import yaml
from pydantic import ValidationError

from samspill.core.errors import NotFoundError, SchemeError
from samspill.core.forms import expand_forms, segment_column
from samspill.core.problems import Problem, summarise
from samspill.core.scheme import RatingForm, RatingItem, Scheme
from samspill.core.yaml_source import line_of, load_with_lines

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

MAX_SCHEME_BYTES = 2_000_000


def scheme_problems(scheme: Scheme) -> list[Problem]:
    """Every inconsistency in a structurally valid scheme, each with its path."""
    problems: list[Problem] = []
    problems += _duplicates(scheme)
    problems += _code_references(scheme)
    problems += _group_references(scheme)
    problems += _item_references(scheme)
    problems += _form_references(scheme)
    return problems


def _duplicates(scheme: Scheme) -> list[Problem]:
    out: list[Problem] = []
    for field in ("dimensions", "modifier_sets", "codes", "exclusive_groups", "rating_items"):
        seen: Counter[str] = Counter()
        for i, item in enumerate(getattr(scheme, field)):
            seen[item.id] += 1
            if seen[item.id] == 2:
                out.append(
                    Problem(
                        f"id '{item.id}' is used twice in {field}",
                        "give each entry its own id",
                        (field, i, "id"),
                    )
                )
    keys: dict[tuple[str, str], str] = {}
    for i, code in enumerate(scheme.codes):
        if not code.key:
            continue
        for subject in code.subjects:
            other = keys.setdefault((subject, code.key), code.id)
            if other != code.id:
                out.append(
                    Problem(
                        f"key '{code.key}' of code '{code.id}' is already taken by '{other}' "
                        f"for subject '{subject}'",
                        "choose another key",
                        ("codes", i, "key"),
                    )
                )
    return out


def _code_references(scheme: Scheme) -> list[Problem]:
    out: list[Problem] = []
    dimensions = {d.id for d in scheme.dimensions}
    modifier_sets = {m.id for m in scheme.modifier_sets}
    for i, code in enumerate(scheme.codes):
        for j, subject in enumerate(code.subjects):
            if subject not in scheme.subjects:
                out.append(
                    Problem(
                        f"code '{code.id}' names subject '{subject}', which the scheme "
                        "does not list",
                        f"add '{subject}' to subjects or fix the name",
                        ("codes", i, "subjects", j),
                    )
                )
        if code.dimension and code.dimension not in dimensions:
            out.append(
                Problem(
                    f"code '{code.id}' refers to dimension '{code.dimension}', which "
                    "is not defined",
                    "define it under dimensions or fix the name",
                    ("codes", i, "dimension"),
                )
            )
        for j, set_id in enumerate(code.modifiers):
            if set_id not in modifier_sets:
                out.append(
                    Problem(
                        f"code '{code.id}' refers to modifier set '{set_id}', which is not defined",
                        "define it under modifier_sets or fix the name",
                        ("codes", i, "modifiers", j),
                    )
                )
    return out


def _group_references(scheme: Scheme) -> list[Problem]:
    out: list[Problem] = []
    codes = {c.id: c for c in scheme.codes}
    member_of: dict[str, str] = {}
    for i, group in enumerate(scheme.exclusive_groups):
        for j, code_id in enumerate(group.codes):
            path = ("exclusive_groups", i, "codes", j)
            code = codes.get(code_id)
            if code is None:
                out.append(
                    Problem(
                        f"exclusive group '{group.id}' refers to code '{code_id}', "
                        "which is not defined",
                        "define the code or fix the name",
                        path,
                    )
                )
            elif code.kind != "state":
                out.append(
                    Problem(
                        f"exclusive group '{group.id}' holds point code '{code_id}'",
                        "only state codes can be mutually exclusive",
                        path,
                    )
                )
            elif member_of.setdefault(code_id, group.id) != group.id:
                out.append(
                    Problem(
                        f"code '{code_id}' is in two exclusive groups",
                        "put each state in at most one group",
                        path,
                    )
                )
    return out


def _item_references(scheme: Scheme) -> list[Problem]:
    out: list[Problem] = []
    items = {r.id: r for r in scheme.rating_items}
    for field in ("level_item", "profile_item"):
        ref = getattr(scheme, field)
        if ref and ref not in items:
            out.append(
                Problem(
                    f"{field} '{ref}' is not one of the rating items",
                    "define the rating item or fix the name",
                    (field,),
                )
            )
    level = items.get(scheme.level_item or "")
    cutoff = scheme.settings.get("disrupted_cutoff")
    if (
        level
        and isinstance(cutoff, int | float)
        and level.min is not None
        and level.max is not None
        and not level.min <= cutoff <= level.max
    ):
        out.append(
            Problem(
                f"disrupted_cutoff {cutoff} lies outside the level's scale "
                f"{level.min}..{level.max}",
                "set a cut-off on the scale",
                ("settings", "disrupted_cutoff"),
            )
        )
    return out


def _form_references(scheme: Scheme) -> list[Problem]:
    """A form's items exist and are scales; subscales, totals and sums use the form's items;
    the score columns a form adds (``<form>_<subscale>``, ``<form>_total``) clash with nothing."""
    out: list[Problem] = []
    items = {r.id: r for r in scheme.rating_items}
    taken = set(items)
    for i, form in enumerate(scheme.rating_forms):
        for j, item_id in enumerate(form.items):
            out += _form_item_problems(form.id, item_id, items, ("rating_forms", i, "items", j))
        parts: list[tuple[list[str], tuple[str | int, ...]]] = [
            (s.items, ("rating_forms", i, "subscales", k, "items"))
            for k, s in enumerate(form.subscales)]
        parts += [(form.total.items, ("rating_forms", i, "total", "items"))] if form.total else []
        parts += [(f.items, ("rating_forms", i, "fixed_sums", k, "items"))
                  for k, f in enumerate(form.fixed_sums)]
        for part_items, path in parts:
            out += [Problem(f"rating form '{form.id}' uses item '{item_id}' outside its items",
                            "list the item under the form's items or fix the name", path)
                    for item_id in part_items if item_id not in form.items]
        out += _per_segment_problems(form, i)
        for column, path in _form_columns(form.id, form, i):
            if column in taken:
                out.append(Problem(f"rating form '{form.id}' adds the score '{column}', a name "
                                   "already used", "rename the subscale or the item", path))
            taken.add(column)
    seen: Counter[str] = Counter(f.id for f in scheme.rating_forms)
    out += [Problem(f"id '{form_id}' is used twice in rating_forms", "give each form its own id",
                    ("rating_forms",)) for form_id, n in seen.items() if n > 1]
    return out


def _form_item_problems(form_id: str, item_id: str, items: dict[str, RatingItem],
                        path: tuple[str | int, ...]) -> list[Problem]:
    item = items.get(item_id)
    if item is None:
        return [Problem(f"rating form '{form_id}' refers to item '{item_id}', which is not "
                        "defined", "define it under rating_items or fix the name", path)]
    if item.kind != "scale":
        return [Problem(f"rating form '{form_id}' holds choice item '{item_id}'",
                        "a form scores scale items only", path)]
    return []


def _per_segment_problems(form: RatingForm, i: int) -> list[Problem]:
    """A per-segment form names the segments it is rated in; a per-session form names none."""
    path: tuple[str | int, ...] = ("rating_forms", i, "segments")
    if form.per == "segment" and not form.segments:
        return [Problem(f"rating form '{form.id}' is rated per segment but names no segments",
                        "list the segment ids it is rated in, e.g. 'segments: [ep5, ep8]'",
                        path)]
    if form.per == "session" and form.segments:
        return [Problem(f"rating form '{form.id}' names segments but is rated per session",
                        "add 'per: segment' or remove 'segments'", path)]
    repeated = sorted({s for s in form.segments if form.segments.count(s) > 1})
    return [Problem(f"rating form '{form.id}' names segment '{s}' twice",
                    "name each segment once", path) for s in repeated]


def _form_columns(form_id: str, form: RatingForm,
                  i: int) -> list[tuple[str, tuple[str | int, ...]]]:
    """The columns a form adds: its scores; per segment, its items and scores per segment."""
    out: list[tuple[str, tuple[str | int, ...]]] = [
        (f"{form_id}_{s.id}", ("rating_forms", i, "subscales", k, "id"))
        for k, s in enumerate(form.subscales)]
    out += [(f"{form_id}_total", ("rating_forms", i, "total"))] if form.total else []
    if form.per == "session":
        return out
    return [(segment_column(name, segment), ("rating_forms", i, "segments", j))
            for j, segment in enumerate(form.segments)
            for name, _path in [(item, ()) for item in form.items] + out]


def parse_scheme(text: str, source: str = "scheme") -> Scheme:
    """Parse and check a scheme file; raise one :class:`SchemeError` listing every problem."""
    problems = scheme_file_problems(text, source)
    if problems:
        raise SchemeError(
            f"{len(problems)} problem(s) in {source}:\n{summarise(problems)}",
            fix="correct the lines named above and validate again",
            where=source,
        )
    data, _ = load_with_lines(text)
    return Scheme.model_validate(expand_forms(data)[0])


def scheme_file_problems(text: str, source: str = "scheme") -> list[Problem]:
    """Every problem in a scheme file, each located as ``source:line``."""
    if len(text.encode("utf-8")) > MAX_SCHEME_BYTES:
        return [Problem("the file is larger than 2 MB", "split or shorten the scheme", (), source)]
    try:
        data, node = load_with_lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or "malformed YAML"
        return [
            Problem(
                f"malformed YAML ({reason})",
                "check indentation, colons and quotes on that line",
                (),
                f"{source}{line}",
            )
        ]
    if not isinstance(data, dict):
        return [
            Problem(
                "a scheme must be a mapping with id, name and codes",
                "start the file with 'id: my-scheme'",
                (),
                f"{source}:1",
            )
        ]
    data, form_problems = expand_forms(data)
    if form_problems:
        return [p.located(f"{source}:{line_of(node, p.path)}") for p in form_problems]
    try:
        scheme = Scheme.model_validate(data)
    except ValidationError as exc:
        return [_from_pydantic(err, node, source) for err in exc.errors()]
    return [p.located(f"{source}:{line_of(node, p.path)}") for p in scheme_problems(scheme)]


def _from_pydantic(err: ErrorDetails, node: yaml.Node | None, source: str) -> Problem:
    path = tuple(part for part in err["loc"] if isinstance(part, str | int))
    if err.get("type") == "extra_forbidden":
        fix = f"remove '{path[-1]}' or check its spelling"
    elif err.get("type") == "missing":
        fix = f"add '{path[-1]}'"
    else:
        fix = "correct the value"
    message = f"{'.'.join(map(str, path)) or 'scheme'}: {err['msg']}"
    return Problem(message, fix, path, f"{source}:{line_of(node, path)}")


def builtin_scheme_ids() -> list[str]:
    folder = resources.files("samspill.core") / "schemes"
    # `<id>.<lang>.yaml` files hold a scheme's display translations, not schemes.
    return sorted(
        p.name.removesuffix(".yaml")
        for p in folder.iterdir()
        if p.name.endswith(".yaml") and p.name.count(".") == 1
    )


def load_builtin_scheme(scheme_id: str) -> Scheme:
    """One of the schemes shipped with Samspill: withdrawal-open, ambiance, ssp."""
    if scheme_id not in builtin_scheme_ids():
        raise NotFoundError(
            f"no built-in scheme '{scheme_id}'",
            fix=f"use one of: {', '.join(builtin_scheme_ids())}",
        )
    path = resources.files("samspill.core") / "schemes" / f"{scheme_id}.yaml"
    return parse_scheme(path.read_text(encoding="utf-8"), f"{scheme_id}.yaml")
