"""A scheme built from Datavyu files' own columns, for files coded under a lab's own scheme.

Each visible column becomes a code group (a category named after the column), whatever file of
a folder it is in (columns match by name, as :func:`samspill.interop.datavyu.norm` says):

* the column's code argument (named ``code``, ``behavior``…, else its first) gives the codes,
  one per distinct value; a code is a point when every cell of it has onset = offset, else a
  state. A value that is already another column's code gets the column's name in front;
* every other argument with at most :data:`MAX_OPTIONS` short distinct values becomes a
  modifier set of the column's codes; others (free text) go to the comment;
* a column whose code argument is free text (more than :data:`MAX_CODES` values, or long
  ones) becomes one code, its cells' values the comment, as a transcript would.

One subject, ``subject``: Datavyu does not say whose a column is. The caller shows the result
(:func:`describe`) and imports only after the user agreed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from samspill.core.errors import N_, InputError
from samspill.core.scheme import Code, ModifierSet, Scheme
from samspill.core.scheme_check import scheme_problems
from samspill.interop.boris_ethogram import to_identifier
from samspill.interop.datavyu import (
    CODE_ARGUMENTS,
    COMMENT_ARGUMENTS,
    ColumnPlan,
    argument_names,
    coding_columns,
    norm,
)
from samspill.interop.datavyu_opf import OpfFile

MAX_CODES = 40
MAX_OPTIONS = 40
MAX_VALUE_LENGTH = 40
SUBJECT = "subject"


@dataclass
class Derived:
    """A derived scheme and how each column (by matched name) maps onto it."""

    scheme: Scheme
    plans: dict[str, ColumnPlan] = field(default_factory=dict)


@dataclass
class _Merged:
    """One column name across files: its first spelling, arguments and every cell."""

    name: str
    arguments: list[str]
    cells: list[tuple[int, int, dict[str, str]]] = field(default_factory=list)


def derive_scheme(files: list[OpfFile], *, scheme_id: str, name: str) -> Derived:
    """The scheme the files' columns describe; :class:`InputError` when they hold no column."""
    merged = _merge(files)
    if not merged:
        raise InputError(N_("the file holds no visible column with cells to build a scheme "
                            "from"),
                         fix=N_("show the columns in Datavyu and save the file again"))
    codes: list[Code] = []
    sets: list[ModifierSet] = []
    plans: dict[str, ColumnPlan] = {}
    used: set[str] = set()
    try:
        for key, column in merged.items():
            plans[key] = _derive_column(column, codes, sets, used)
        scheme = Scheme(id=scheme_id, name=name, subjects=[SUBJECT], codes=codes,
                        modifier_sets=sets,
                        description="Derived from Datavyu columns: each column a code group.")
    except ValueError as exc:  # pydantic's ValidationError: a name no id can be made from
        raise InputError(N_("no scheme can be made from these columns ({name}: {reason})"),
                         fix=N_("give the scheme another id (--scheme), or rename the columns "
                                "or values in Datavyu"),
                         params={"name": exc.__class__.__name__,
                                 "reason": str(exc).splitlines()[-1][:200]}) from exc
    problems = scheme_problems(scheme)
    if problems:  # only a bug here could cause one; say it rather than store a broken scheme
        raise InputError(N_("the derived scheme is inconsistent: {problem}"),
                         fix=N_("rename the clashing columns or values in Datavyu"),
                         params={"problem": str(problems[0])})
    return Derived(scheme=scheme, plans=plans)


def _merge(files: list[OpfFile]) -> dict[str, _Merged]:
    merged: dict[str, _Merged] = {}
    for opf in files:
        for column in coding_columns(opf):
            args = argument_names(column)
            entry = merged.setdefault(norm(column.name), _Merged(column.name, []))
            entry.arguments += [a for a in args if a not in entry.arguments]
            entry.cells += [(c.onset_ms, c.offset_ms, dict(zip(args, c.values, strict=True)))
                            for c in column.cells if any(c.values)]
    return {k: v for k, v in merged.items() if v.cells}


def _ident(text: str, fallback: str) -> str:
    """An identifier from free text; characters that are neither letters nor decimal digits
    (``²``, ``½``) become ``-``, as the scheme's id pattern takes no other."""
    plain = "".join(c if c.isalpha() or c.isdecimal() or c in "._-" else "-" for c in text)
    return to_identifier(plain, fallback)


def _unique(ident: str, used: set[str], prefix: str) -> str:
    candidate = ident if ident not in used else _ident(f"{prefix}-{ident}", prefix)
    n = 2
    while candidate in used:
        candidate, n = f"{_ident(f'{prefix}-{ident}', prefix)}-{n}", n + 1
    used.add(candidate)
    return candidate


def _derive_column(column: _Merged, codes: list[Code], sets: list[ModifierSet],
                   used: set[str]) -> ColumnPlan:
    group = _ident(column.name, "column")
    code_arg = next((a for a in column.arguments if a in CODE_ARGUMENTS), column.arguments[0])
    values = _distinct(column, code_arg)
    free = not values or len(values) > MAX_CODES or any(len(v) > MAX_VALUE_LENGTH
                                                        for v in values)
    others = [a for a in column.arguments if free or a != code_arg]
    modifiers: dict[str, str] = {}
    comments: list[str] = []
    for arg in others:
        options = _distinct(column, arg)
        if free or arg in COMMENT_ARGUMENTS or not options or len(options) > MAX_OPTIONS or any(
                len(o) > MAX_VALUE_LENGTH for o in options):
            comments.append(arg)
            continue
        set_id = _unique(_ident(f"{group}-{arg}", "modifier"), used, group)
        sets.append(ModifierSet(id=set_id, label=arg, options=options))
        modifiers[arg] = set_id
    if free:
        ident = _unique(group, used, "column")
        codes.append(Code(id=ident, name=column.name, kind=_kind(column, code_arg, None),
                          subjects=[SUBJECT], category=group))
        return ColumnPlan(subject=SUBJECT, group=group, fixed_code=ident,
                          comments=tuple(comments))
    for value in values:
        codes.append(Code(id=_unique(_ident(value, "code"), used, group), name=value,
                          kind=_kind(column, code_arg, value), subjects=[SUBJECT],
                          category=group, modifiers=list(modifiers.values())))
    return ColumnPlan(subject=SUBJECT, group=group, code_argument=code_arg,
                      comments=tuple(comments), modifiers=modifiers)


def _distinct(column: _Merged, arg: str) -> list[str]:
    seen: dict[str, None] = {}
    for _, _, values in column.cells:
        value = values.get(arg, "").strip()
        if value:
            seen.setdefault(value)
    return list(seen)


def _kind(column: _Merged, arg: str, value: str | None) -> Literal["point", "state"]:
    """A point when every cell of the code has onset = offset, else a state."""
    spans = [(on, off) for on, off, values in column.cells
             if value is None or values.get(arg, "").strip() == value]
    return "point" if all(on == off for on, off in spans) else "state"


def describe(derived: Derived) -> list[str]:
    """The derived scheme as lines to show before the user agrees: per code group its codes
    (kind) and modifier sets (options)."""
    scheme = derived.scheme
    lines = [f"scheme '{scheme.id}', subject '{SUBJECT}', {len(scheme.codes)} code(s):"]
    for key, plan in derived.plans.items():
        codes = [c for c in scheme.codes if c.category == plan.group]
        shown = ", ".join(f"{c.name} ({c.kind})" for c in codes[:12]) + (
            f", … ({len(codes) - 12} more)" if len(codes) > 12 else "")
        how = " (free text: each cell one event, its values the comment)" if (
            plan.fixed_code) else ""
        lines.append(f"  column '{key}' → code group '{plan.group}': {shown}{how}")
        for arg, set_id in plan.modifiers.items():
            mset = scheme.modifier_set(set_id)
            options = ", ".join(mset.options[:12]) if mset else ""
            lines.append(f"    argument '{arg}' → modifier '{set_id}': {options}")
        if plan.comments and not plan.fixed_code:
            lines.append(f"    argument(s) {', '.join(plan.comments)} → comment")
    return lines
