"""A BORIS ethogram (``behaviors_conf``) and its modifier strings, to and from a Samspill scheme.

What BORIS stores, as read from its source (``boris/config.py``, ``write_event.py``,
``select_modifiers.py``; BORIS 8.27, project format 7.0):

* each behaviour: ``type`` ("Point event"/"State event", optionally "... with coding map"),
  ``key``, ``code``, ``description``, ``category``, ``excluded`` (comma-separated codes it
  stops), and ``modifiers``: ``{"0": {"name", "description", "type", "values", "ask at stop"}}``
  with type 0 single choice, 1 multiple choice, 2 numeric, 3 from external data;
* an event's modifier string lists one entry per modifier set of its behaviour, in set order,
  joined by ``|``; multiple choices are joined by ``,``; an unanswered set is ``None``.
  BORIS forbids ``( | ) , ` ~`` inside modifier values, so the string splits unambiguously.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

from samspill.core.errors import N_, InputError, SchemeError
from samspill.core.events import Event, ModifierValue
from samspill.core.problems import Problem
from samspill.core.scheme import Code, ExclusiveGroup, ModifierSet, Scheme

FORBIDDEN_IN_MODIFIERS = "(|),`~"
SINGLE, MULTIPLE, NUMERIC, EXTERNAL = 0, 1, 2, 3
NONE_VALUES = frozenset({"", "None", "NA"})
_KEY_SUFFIX = re.compile(r" \(.*\)$")
_NOT_ID = re.compile(r"[^\w.\-]+")  # letters of any language stay: gråt is gråt


def to_identifier(text: str, fallback: str) -> str:
    """A Samspill identifier made from free text (``walk fast`` → ``walk-fast``)."""
    ident = _NOT_ID.sub("-", unicodedata.normalize("NFC", text).strip()).strip("-_")[:64]
    if not ident or not ident[0].isalpha():
        ident = f"{fallback}-{ident}"[:64].rstrip("-") if ident else fallback
    return ident


@dataclass
class SetInfo:
    """One modifier set of one behaviour, as read from the ethogram."""

    id: str
    label: str
    options: list[str]
    kind: int
    ask_at_stop: bool = False


@dataclass
class Behaviour:
    """One ethogram entry, mutable while the events are read (unknown options get added)."""

    boris_code: str
    id: str
    kind: Literal["point", "state"]
    key: str
    description: str
    category: str
    sets: list[SetInfo] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- scheme → ethogram (export)

def check_exportable(scheme: Scheme) -> None:
    """Refuse modifier options that BORIS cannot store, naming each one."""
    bad = [f"option '{o}' of modifier '{m.id}'" for m in scheme.modifier_sets for o in m.options
           if any(c in o for c in FORBIDDEN_IN_MODIFIERS) or o != o.strip() or o in NONE_VALUES]
    if bad:
        raise SchemeError(
            N_("BORIS cannot store {names}"),
            fix=N_("rename them without the characters {forbidden_in_modifiers}, outer spaces, "
                   "or the words None/NA"),
            params={"names": ", ".join(bad),
                    "forbidden_in_modifiers": repr(FORBIDDEN_IN_MODIFIERS)},
        )


def ethogram(scheme: Scheme) -> dict[str, dict[str, Any]]:
    """``behaviors_conf`` for a scheme, behaviours numbered in scheme order."""
    return {str(i): _behaviour_conf(scheme, code) for i, code in enumerate(scheme.codes)}


def _behaviour_conf(scheme: Scheme, code: Code) -> dict[str, Any]:
    group = scheme.exclusive_group_of(code.id)
    sets = [scheme.modifier_set(s) for s in code.modifiers]
    return {
        "type": "State event" if code.kind == "state" else "Point event",
        "key": code.key or "", "code": code.id, "description": code.description,
        "color": "", "category": code.category or "",
        "modifiers": {str(i): {"name": m.id, "description": m.label,
                               "type": MULTIPLE if m.choice == "multiple" else SINGLE,
                               "values": list(m.options), "ask at stop": m.ask_at == "stop"}
                      for i, m in enumerate(sets) if m is not None},
        "excluded": ",".join(c for c in group.codes if c != code.id) if group else "",
        "coding map": "",
    }


def modifier_string(event: Event, code: Code) -> str:
    """The BORIS modifier string of an event: one entry per set of its code."""
    parts: list[str] = []
    for set_id in code.modifiers:
        value = event.modifiers.get(set_id)
        if value is None or value == []:
            parts.append("None")
        else:
            parts.append(",".join(value) if isinstance(value, list) else value)
    return "|".join(parts)


# ---------------------------------------------------------------- ethogram → behaviours (import)

def read_ethogram(conf: object, where: str) -> dict[str, Behaviour]:
    """Behaviours by BORIS code; every malformed entry is reported at once."""
    if not isinstance(conf, dict):
        raise InputError(
            N_("'behaviors_conf' is not a mapping"),
            fix=N_("repair the ethogram in BORIS"),
            where=where,
        )
    problems: list[Problem] = []
    out: dict[str, Behaviour] = {}
    registry = _Registry()
    for idx, entry in conf.items():
        here = f"{where}: behaviour #{idx}"
        try:
            behaviour = _read_behaviour(entry, here, registry)
        except InputError as exc:
            problems.append(Problem(exc.message, exc.fix, (), exc.where))
            continue
        if behaviour.boris_code in out:
            problems.append(Problem(f"behaviour code '{behaviour.boris_code}' appears twice",
                                    "give each behaviour its own code", (), here))
        out[behaviour.boris_code] = behaviour
    _dedupe_ids(out)
    if problems:
        raise InputError(
            _join(problems),
            fix=N_("repair the ethogram in BORIS"),
            where=where,
        )
    return out


def _join(problems: list[Problem]) -> str:
    from samspill.core.problems import summarise

    return f"{len(problems)} problem(s):\n{summarise(problems)}"


def _text(entry: dict[str, Any], name: str, here: str, default: str = "") -> str:
    value = entry.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise InputError(
            N_("'{name}' is {name2}, not text"),
            fix=N_("correct the behaviour's {name}"),
            where=here,
            params={"name": str(name), "name2": str(type(value).__name__)},
        )
    return value


def _read_behaviour(entry: object, here: str, registry: _Registry) -> Behaviour:
    if not isinstance(entry, dict):
        raise InputError(
            N_("the behaviour is not a mapping"),
            fix=N_("repair the ethogram"),
            where=here,
        )
    code = _text(entry, "code", here)
    if not code.strip():
        raise InputError(
            N_("a behaviour has no code"),
            fix=N_("give every behaviour a code"),
            where=here,
        )
    kind_text = _text(entry, "type", here, "Point event").lower()
    behaviour = Behaviour(
        boris_code=code, id=to_identifier(code, "code"),
        kind="state" if "state" in kind_text else "point",
        key=_text(entry, "key", here), description=_text(entry, "description", here),
        category=_text(entry, "category", here),
        excluded=[c for c in _text(entry, "excluded", here).split(",") if c])
    behaviour.sets = _read_sets(entry.get("modifiers") or {}, behaviour.id, f"{here} ('{code}')",
                                registry)
    return behaviour


@dataclass
class _Registry:
    """Modifier sets seen so far: ids by signature, and one shared SetInfo per id (so a value
    added while reading events shows in every behaviour that uses the set)."""

    ids: dict[tuple[Any, ...], str] = field(default_factory=dict)
    infos: dict[str, SetInfo] = field(default_factory=dict)


def _read_sets(conf: object, code_id: str, here: str, registry: _Registry) -> list[SetInfo]:
    if isinstance(conf, str):  # project format < 4: "a,b,c|d,e"
        conf = {str(i): {"name": "", "type": SINGLE, "values": part.split(",")}
                for i, part in enumerate(conf.split("|"))}
    if not isinstance(conf, dict):
        raise InputError(
            N_("'modifiers' is not a mapping"),
            fix=N_("repair the modifiers"),
            where=here,
        )
    out: list[SetInfo] = []
    for position, idx in enumerate(sorted(conf, key=lambda k: int(k) if str(k).isdigit() else 0)):
        mset = conf[idx]
        if not isinstance(mset, dict) or not isinstance(mset.get("values", []), list):
            raise InputError(
                N_("modifier set #{idx} is malformed"),
                fix=N_("repair the modifiers"),
                where=here,
                params={"idx": str(idx)},
            )
        kind = mset.get("type", SINGLE)
        if kind not in (SINGLE, MULTIPLE, NUMERIC, EXTERNAL):
            raise InputError(
                N_("modifier set #{idx} has unknown type {kind}"),
                fix=N_("use single, multiple or numeric"),
                where=here,
                params={"idx": str(idx), "kind": repr(kind)},
            )
        values = [_KEY_SUFFIX.sub("", str(v)).strip() for v in mset.get("values", [])]
        name = str(mset.get("name") or "")
        label = str(mset.get("description") or name or f"Modifier {position + 1}")
        set_id = _register_set(registry, name, code_id, idx, kind, values)
        if set_id not in registry.infos:
            registry.infos[set_id] = SetInfo(set_id, label, list(dict.fromkeys(v for v in values
                                                                               if v)),
                                             kind, bool(mset.get("ask at stop", False)))
        out.append(registry.infos[set_id])
    return out


def _register_set(registry: _Registry, name: str, code_id: str, idx: object, kind: int,
                  values: list[str]) -> str:
    """Sets of equal name, type and values are one Samspill set; others get their own id."""
    signature = (name, kind, tuple(values))
    if name and signature in registry.ids:
        return registry.ids[signature]
    base = to_identifier(name, "modifier") if name else f"{code_id}-m{idx}"
    taken = set(registry.ids.values())
    set_id, n = base, 2
    while set_id in taken:
        set_id, n = f"{base}-{n}", n + 1
    registry.ids[signature if name else (code_id, idx)] = set_id
    return set_id


def _dedupe_ids(behaviours: dict[str, Behaviour]) -> None:
    seen: set[str] = set()
    for b in behaviours.values():
        base, n = b.id, 2
        while b.id in seen:
            b.id, n = f"{base}-{n}", n + 1
        seen.add(b.id)


def parse_modifiers(text: str, behaviour: Behaviour, here: str,
                    warnings: list[Problem]) -> tuple[dict[str, ModifierValue], str]:
    """An event's modifier string as a modifiers dict, plus numeric values as comment text."""
    if text in NONE_VALUES or not behaviour.sets:
        return {}, ""
    parts = text.split("|")
    if len(parts) != len(behaviour.sets):
        warnings.append(Problem(
            f"modifier string '{text}' has {len(parts)} part(s) but behaviour "
            f"'{behaviour.boris_code}' has {len(behaviour.sets)} modifier set(s); matched by "
            "position",
            "check the event's modifiers in BORIS", (), here))
    values: dict[str, ModifierValue] = {}
    extra: list[str] = []
    for part, mset in zip(parts, behaviour.sets, strict=False):
        part = part.strip()
        if part in NONE_VALUES:
            continue
        if mset.kind in (NUMERIC, EXTERNAL):
            extra.append(f"{mset.label}={part}")
            continue
        chosen = [_KEY_SUFFIX.sub("", v).strip() for v in part.split(",")]
        chosen = [v for v in chosen if v not in NONE_VALUES]
        for option in chosen:
            if option not in mset.options:
                mset.options.append(option)
                warnings.append(Problem(f"modifier value '{option}' is not in the ethogram's set "
                                        f"'{mset.label}'; added to it", "", (), here))
        if chosen:
            values[mset.id] = chosen if mset.kind == MULTIPLE else ",".join(chosen)
    return values, "; ".join(extra)


# ---------------------------------------------------------------- behaviours → scheme

def derived_scheme(behaviours: dict[str, Behaviour], subjects: list[str], *, scheme_id: str,
                   name: str, warnings: list[Problem]) -> Scheme:
    """A scheme holding what the ethogram says; per-code subjects are unknown, so all apply."""
    sets: dict[str, ModifierSet] = {}
    for b in behaviours.values():
        for s in b.sets:
            if s.kind in (SINGLE, MULTIPLE) and s.options and s.id not in sets:
                sets[s.id] = ModifierSet(id=s.id, label=s.label, options=s.options,
                                         choice="multiple" if s.kind == MULTIPLE else "single",
                                         ask_at="stop" if s.ask_at_stop else "start")
    codes = [Code(id=b.id, name=b.boris_code, kind=b.kind, subjects=subjects or ["subject"],
                  key=b.key if len(b.key) == 1 else None, description=b.description,
                  category=b.category or None, modifiers=[s.id for s in b.sets if s.id in sets])
             for b in behaviours.values()]
    return Scheme(id=scheme_id, name=name, subjects=subjects or ["subject"], codes=codes,
                  modifier_sets=list(sets.values()),
                  exclusive_groups=_exclusive_groups(behaviours, warnings))


def _exclusive_groups(behaviours: dict[str, Behaviour],
                      warnings: list[Problem]) -> list[ExclusiveGroup]:
    """Groups of states that all exclude each other (BORIS's exclusion matrix, made symmetric)."""
    states = {b.boris_code: b for b in behaviours.values() if b.kind == "state"}
    mutual = {c: {o for o in b.excluded if o in states and c in states[o].excluded}
              for c, b in states.items()}
    groups: list[ExclusiveGroup] = []
    done: set[str] = set()
    for code in states:
        if code in done or not mutual[code]:
            continue
        component, todo = {code}, [code]
        while todo:
            for other in mutual[todo.pop()] - component:
                component.add(other)
                todo.append(other)
        done |= component
        ordered = [c for c in states if c in component]
        if all(mutual[c] >= component - {c} for c in component):
            groups.append(ExclusiveGroup(id=f"exclusive-{len(groups) + 1}",
                                         codes=[states[c].id for c in ordered]))
        else:
            warnings.append(Problem(f"behaviours {', '.join(ordered)} exclude each other only in "
                                    "part; not made an exclusive group", "", (), "ethogram"))
    return groups
