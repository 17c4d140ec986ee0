"""Coded transcripts: a time-stamped running narrative of a session, with codes inline.

A transcript is plain text, one entry per time stamp::

    00:55 Maria holds up a toy towards her mother [bid]
    01:02 mother nods faintly, looks away [respond]
          (a line without a time continues the entry above)
    1:02:03.250 …

**Times** open a line: ``mm:ss``, ``h:mm:ss``, either with ``.mmm`` or ``,mmm``; also in
brackets (``[00:55]``, ``(00:55)``) and followed by a space, a tab, ``-``, ``–``, ``—``, ``:`` or
``|``. Minutes may pass 59 when there are no hours (``75:10``); seconds may not. A line that
starts like a time but is not one (``00:75``, a timecode with frames ``00:01:02:12``) is an
error naming the line. Lines starting with ``#`` are notes for the reader (the plain-text export
starts with one) and are skipped; blank lines are skipped.

**Code links** are explicit tags: ``[code]`` links to the nearest event of that code to the
entry's time, ``[code 01:02]`` to the nearest one to 01:02, within a tolerance (an event that
is running at that time is at distance 0). Only a tag naming one of the scheme's codes (by id,
in any case) is a link: ``[inaudible]`` stays text. Links are found when the transcript is read,
not stored: an event moved or deleted after the transcript was written is followed or shown as
unlinked, never pointed to stale. Why tags and not "every entry links to the nearest event":
an entry narrates what the coder saw, and only the coder knows which code it is the evidence of.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from samspill.core.errors import N_, InputError

# A line's opening time: optional bracket, [h:]m:ss[.mmm], optional closing bracket, a separator.
_TIME = r"(?:(\d{1,3}):)?(\d{1,4}):(\d{1,2})(?:[.,](\d{1,3}))?"
_OPENING = re.compile(
    r"^\s*[\[(]?" + _TIME + r"[\])]?(?=$|[\s\-–—:|])\s*(?:[\-–—:|](?=\s|$))?\s*(.*)$"
)
# Something that starts like a time but does not read as one (a timecode, 00:75, 1:2:3:4).
_TIME_LIKE = re.compile(r"^\s*[\[(]?\d{1,4}:\d")
_FRAMES = re.compile(r"^\s*[\[(]?\d{1,3}:\d{2}:\d{2}:\d{1,2}\b")
_LEADING_SEPARATOR = re.compile(r"^[\-–—:|](?=\s|$)")
_TAG = re.compile(r"\[([^\[\]\s]+)(?:\s+(" + _TIME + r"))?\]")
DEFAULT_TOLERANCE_MS = 2000
MAX_LINES = 20_000

TIME_FIX = N_("write the time as mm:ss, h:mm:ss or mm:ss.mmm (for example 00:55 or 1:02:03.250)")


@dataclass(frozen=True)
class Entry:
    """One time-stamped entry: its time in ms, its text (lines joined by a newline), and the
    line of the source where it started (1-based)."""

    time_ms: int
    text: str
    line: int = 0


@dataclass(frozen=True)
class EventRef:
    """What a link needs of an event."""

    id: str
    code: str
    onset_ms: int
    offset_ms: int | None = None


@dataclass(frozen=True)
class Link:
    """A ``[code]`` tag in an entry: where it is in the entry's text (``start``, ``end``), the
    time it searches from, and the event found (``None``: none within the tolerance)."""

    code: str
    start: int
    end: int
    at_ms: int
    event_id: str | None
    event_ms: int | None = None


def _millis(hours: str | None, minutes: str, seconds: str, fraction: str | None) -> int | None:
    """The time in ms, or None when a field is out of range (seconds 60 or more, minutes 60 or
    more after hours)."""
    h, m, s = int(hours or 0), int(minutes), int(seconds)
    if s >= 60 or (hours is not None and m >= 60):
        return None
    ms = int(fraction.ljust(3, "0")) if fraction else 0
    return ((h * 60 + m) * 60 + s) * 1000 + ms


def parse_time(text: str) -> int:
    """``"01:02.5"`` → 62500; an InputError with the fix for anything else."""
    match = re.fullmatch(r"\s*" + _TIME + r"\s*", text)
    value = _millis(*match.groups()) if match else None
    if value is None:
        raise InputError(N_("'{time}' is not a time"), fix=TIME_FIX, params={"time": text[:20]})
    return value


def format_time(ms: int) -> str:
    """``55000`` → ``00:55``, ``3723250`` → ``1:02:03.250``: milliseconds only when there are."""
    ms = max(0, int(ms))
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    text = f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"
    return f"{text}.{millis:03d}" if millis else text


def _line_error(number: int, template: str, params: dict[str, str | int], fix: str) -> InputError:
    return InputError(template, fix=fix, where=f"line {number}", params={"line": number, **params})


def parse_transcript(text: str) -> list[Entry]:
    """The entries of a plain-text transcript, in the order written.

    Raises :class:`InputError` naming the first bad line: text before the first time, or a
    time that cannot be read."""
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise InputError(N_("a transcript has at most {most} lines; this one has {count}"),
                         fix=N_("split the transcript"),
                         params={"most": MAX_LINES, "count": len(lines)})
    entries: list[tuple[int, list[str], int]] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        opening = _opening(number, line)
        if opening is not None:
            entries.append((opening[0], [opening[1]] if opening[1] else [], number))
        elif not entries:
            raise _line_error(number, N_("line {line}: the transcript must start with a time"),
                              {}, N_("begin the line with its time (00:55 …), or start it "
                                     "with # to keep it as a note"))
        else:
            entries[-1][1].append(line)
    return [Entry(ms, "\n".join(parts), number) for ms, parts, number in entries]


def _opening(number: int, line: str) -> tuple[int, str] | None:
    """The line's time and the rest of its text, None when the line has no time (it continues
    the entry above); an error when it starts like a time that is not one."""
    if _FRAMES.match(line):
        raise _line_error(number, N_("line {line}: '{time}' looks like a timecode with frames"),
                          {"time": line.split()[0][:20]}, TIME_FIX)
    match = _OPENING.match(line)
    if match is None:
        if _TIME_LIKE.match(line):
            raise _line_error(number, N_("line {line}: '{time}' is not a time"),
                              {"time": line.split()[0][:20]}, TIME_FIX)
        return None
    value = _millis(*match.groups()[:4])
    if value is None:
        raise _line_error(number, N_("line {line}: '{time}' is not a time"),
                          {"time": line.split()[0][:20]}, TIME_FIX)
    return value, match.group(5).strip()


def in_order(entries: Sequence[Entry]) -> list[Entry]:
    """The entries by time; entries at the same time keep their written order."""
    return sorted(entries, key=lambda entry: entry.time_ms)


def render_text(entries: Sequence[Entry]) -> str:
    """The entries as plain text, by time; lines after an entry's first are indented."""
    out = []
    for entry in in_order(entries):
        stamp = format_time(entry.time_ms)
        first, *rest = entry.text.split("\n") if entry.text else [""]
        if _LEADING_SEPARATOR.match(first):
            first = f"- {first}"  # read as the separator after the time, then the text
        out.append(f"{stamp} {first}".rstrip())
        out += [f"{' ' * (len(stamp) + 1)}{line}" for line in rest]
    return "\n".join(out) + "\n" if out else ""


def find_tags(text: str, *, codes: Collection[str], at_ms: int) -> list[Link]:
    """The entry's ``[code]`` and ``[code mm:ss]`` tags naming a code of ``codes`` (any case),
    unlinked yet (``event_id`` None)."""
    by_lower = {code.lower(): code for code in codes}
    found = []
    for match in _TAG.finditer(text):
        code = by_lower.get(match.group(1).lower())
        if code is None:
            continue
        at = _millis(*match.groups()[2:6]) if match.group(2) else at_ms
        if at is None:
            continue
        found.append(Link(code, match.start(), match.end(), at, None))
    return found


def nearest_event(events: Sequence[EventRef], *, code: str, at_ms: int,
                  tolerance_ms: int) -> EventRef | None:
    """The event of ``code`` nearest to ``at_ms`` (0 while it runs), within the tolerance; of
    two as near, the earlier."""
    best: tuple[int, int, EventRef] | None = None
    for event in events:
        if event.code != code:
            continue
        distance = _distance(event, at_ms)
        if distance <= tolerance_ms and (best is None or (distance, event.onset_ms) < best[:2]):
            best = (distance, event.onset_ms, event)
    return best[2] if best else None


def _distance(event: EventRef, at_ms: int) -> int:
    end = event.offset_ms if event.offset_ms is not None else event.onset_ms
    if event.onset_ms <= at_ms <= end:
        return 0
    return min(abs(event.onset_ms - at_ms), abs(end - at_ms))


def link_entry(entry: Entry, events: Sequence[EventRef], *, codes: Collection[str],
               tolerance_ms: int = DEFAULT_TOLERANCE_MS) -> list[Link]:
    """The entry's tags, each with the event it links to (or None)."""
    out = []
    for tag in find_tags(entry.text, codes=codes, at_ms=entry.time_ms):
        event = nearest_event(events, code=tag.code, at_ms=tag.at_ms, tolerance_ms=tolerance_ms)
        out.append(Link(tag.code, tag.start, tag.end, tag.at_ms,
                        event.id if event else None, event.onset_ms if event else None))
    return out
