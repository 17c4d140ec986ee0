"""SDIS Timed-event files for GSEQ (Bakeman & Quera's Sequential Data Interchange Standard).

What the export relies on (Bakeman & Quera, *Sequential Analysis and Observational Methods for
the Behavioral Sciences*, 2011, ch. on SDIS; GSEQ 5 help; corroborated by BORIS's own SDIS
writer, ``export_events.py``, which GSEQ users feed to GSEQ):

* the file starts with a declaration: the data type ``Timed``, then the codes, with each set
  of mutually exclusive codes in parentheses, ended by ``;``. ``%`` starts a comment line;
* each session is ``<label>`` (optional), then ``,start`` time, then events, then ``,end`` time,
  and ends with ``/``;
* an event is ``code,onset-offset`` (offset exclusive) or ``code,onset`` for a momentary event
  (one time unit); times are ``min:sec`` with optional decimals (here three: milliseconds).

Codes are ``subject_code`` (``caregiver_far``) since GSEQ has no subjects; characters other than
letters, digits and ``_`` become ``_``. GSEQ has no modifiers; they are left out (recode in
GSEQ, or split codes in the scheme).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from samspill.core.errors import N_, EventError, SchemeError
from samspill.core.events import Event, event_problems
from samspill.core.problems import summarise
from samspill.core.scheme import Scheme
from samspill.interop.model import Observation

_NOT_CODE = re.compile(r"[^A-Za-z0-9_]+")


def sdis_code(subject: str, code: str, *, prefix: bool = True) -> str:
    """The SDIS name of a subject's code: ``caregiver_far``."""
    name = _NOT_CODE.sub("_", f"{subject}_{code}" if prefix else code).strip("_")
    return name if name[:1].isalpha() else f"c_{name}"


def sdis_time(ms: int, decimals: int = 3) -> str:
    """``m:ss.fff`` (minutes unbounded), rounded half up to ``decimals`` places of a second."""
    unit = 10 ** (3 - decimals)
    ticks = (ms + unit // 2) // unit
    seconds, fraction = divmod(ticks, 10**decimals)
    text = f"{seconds // 60}:{seconds % 60:02d}"
    return f"{text}.{fraction:0{decimals}d}" if decimals else text


def write_sdis(observations: Sequence[Observation], scheme: Scheme, *, prefix_subject: bool = True,
               decimals: int = 3) -> str:
    """A GSEQ-ready SDIS Timed file: the declaration, then one session per observation."""
    if not 0 <= decimals <= 3:
        raise SchemeError(
            N_("decimals must be 0 to 3, not {decimals}"),
            fix=N_("use 3 for milliseconds"),
            params={"decimals": str(decimals)},
        )
    names = _code_names(scheme, prefix_subject)
    lines = [f"% SDIS Timed data written by Samspill: scheme {scheme.id} v{scheme.version}, "
             f"{len(observations)} session(s).",
             f"% Times are min:sec{'.' + 'f' * decimals if decimals else ''}; a code with one "
             "time is momentary; offsets are exclusive.",
             _declaration(scheme, names)]
    for obs in observations:
        lines.append(_session(obs, scheme, names, decimals))
    return "\n".join(lines) + "\n"


def _code_names(scheme: Scheme, prefix: bool) -> dict[tuple[str, str], str]:
    names: dict[tuple[str, str], str] = {}
    for code in scheme.codes:
        for subject in code.subjects:
            names[(subject, code.id)] = sdis_code(subject, code.id, prefix=prefix)
    seen: dict[str, tuple[str, str]] = {}
    for key, name in names.items():
        if seen.setdefault(name, key) != key:
            raise SchemeError(
                N_("codes {value} and {key} both become SDIS code '{name}'"),
                fix=N_("rename one of them, or keep the subject prefix"),
                params={"value": str(seen[name]), "key": str(key), "name": str(name)},
            )
    return names


def _declaration(scheme: Scheme, names: dict[tuple[str, str], str]) -> str:
    grouped: set[tuple[str, str]] = set()
    sets: list[str] = []
    for group in scheme.exclusive_groups:
        for subject in scheme.subjects:
            members = [(subject, c) for c in group.codes if (subject, c) in names]
            if len(members) >= 2:
                sets.append("(" + " ".join(names[m] for m in members) + ")")
                grouped.update(members)
    single = [name for key, name in names.items() if key not in grouped]
    body = _wrap([*sets, *single, ";"], width=86).replace("\n", "\n  ")
    return f"Timed\n  {body}"


def _session(obs: Observation, scheme: Scheme, names: dict[tuple[str, str], str],
             decimals: int) -> str:
    labels = [f"{e.code} at {e.onset_ms} ms" for e in obs.events]
    problems = event_problems(obs.events, scheme, complete=True, labels=labels)
    if problems:
        raise EventError(
            N_("{count} event(s) cannot be exported:\n{value}"),
            fix=N_("complete or correct the events first"),
            where=obs.name,
            params={"count": len(problems), "value": str(summarise(problems))},
        )
    events = sorted(obs.events, key=lambda e: (e.onset_ms, e.offset_ms or e.onset_ms, e.subject,
                                               e.code))
    end = max([obs.media_duration_ms() or 0] + [e.offset_ms or e.onset_ms + 1 for e in events])
    items = [f"<{_label(obs.name)}>", f",{sdis_time(0, decimals)}"]
    items += [_event(e, names, decimals) for e in events]
    items.append(f",{sdis_time(end, decimals)}/")
    return _wrap(items)


def _label(name: str) -> str:
    return re.sub(r"[<>/;%\s]+", "_", name).strip("_") or "session"


def _event(event: Event, names: dict[tuple[str, str], str], decimals: int) -> str:
    code = names[(event.subject, event.code)]
    onset = sdis_time(event.onset_ms, decimals)
    if event.offset_ms is None:
        return f"{code},{onset}"
    offset = sdis_time(event.offset_ms, decimals)
    if offset == onset:  # shorter than the time unit: keep it one unit long
        offset = sdis_time(event.offset_ms + 10 ** (3 - decimals), decimals)
    return f"{code},{onset}-{offset}"


def _wrap(items: list[str], width: int = 90) -> str:
    lines, line = [], ""
    for item in items:
        if line and len(line) + 1 + len(item) > width:
            lines.append(line)
            line = item
        else:
            line = f"{line} {item}" if line else item
    return "\n".join([*lines, line])
