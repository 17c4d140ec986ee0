"""A study's codings as a BIDS-style folder for sharing: ``sub-<dyad>/ses-<session>/beh/``
holding each session's videos and one ``_events.tsv`` (with its ``_events.json`` sidecar)
per coding, beside ``dataset_description.json``, ``participants.tsv`` and a ``README``.

BIDS wants onsets and durations in **seconds** (``_events.tsv``: ``onset``, ``duration``,
``trial_type``, then any columns a sidecar describes), ``n/a`` for a missing value, and
labels of letters and digits only; this is the one place Samspill's integer milliseconds
become seconds (three decimals, exact). A point event has duration 0. Participants are the
dyads under pseudonymous labels only: no names, birth dates or session dates.
Videos follow the behavioural-video proposal's naming, ``..._task-<task>_video.<ext>``
(a proposal, not yet in the released specification).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from samspill import __version__
from samspill.core.errors import N_, InputError
from samspill.core.events import Event, Segment
from samspill.core.scheme import Scheme
from samspill.interop.events_csv import format_modifiers
from samspill.interop.tidy import CodingEvents, segment_at

BIDS_VERSION = "1.10.0"
NA = "n/a"
FIRST_COLUMNS = ("onset", "duration", "trial_type")
_LABEL = re.compile(r"[^A-Za-z0-9]+")


@dataclass(frozen=True)
class Run:
    """One coding to write: its events, its scheme (for the sidecar's levels), the session's
    procedure (the BIDS task) and its videos (stored path, extension)."""

    coding: CodingEvents
    scheme: Scheme
    task: str
    videos: Sequence[tuple[Path, str]] = ()


@dataclass
class Written:
    """What a BIDS export wrote: participants, events files, videos, every path."""

    participants: int = 0
    events_files: int = 0
    videos: int = 0
    files: list[str] = field(default_factory=list)


def label(text: str) -> str:
    """A BIDS label: letters and digits only (``D-01`` → ``D01``; ``free-play`` →
    ``freeplay``); ``x`` when nothing is left."""
    return _LABEL.sub("", text) or "x"


def labels(names: Iterable[str]) -> dict[str, str]:
    """Each name → a distinct BIDS label (a clash gets a number: ``D01``, ``D01x2``)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in dict.fromkeys(names):
        base = candidate = label(name)
        n = 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{base}x{n}"
        taken.add(candidate.lower())
        out[name] = candidate
    return out


def seconds(ms: int) -> str:
    """Whole ms as seconds, exact (``63250`` → ``63.25``, ``60000`` → ``60``)."""
    whole, rest = divmod(ms, 1000)
    return f"{whole}.{rest:03d}".rstrip("0").rstrip(".") if rest else str(whole)


def modifier_sets(events: Iterable[Event]) -> list[str]:
    return list(dict.fromkeys(k for e in events for k in e.modifiers))


def events_tsv(events: Sequence[Event], segments: Sequence[Segment] = ()) -> str:
    """``_events.tsv``: onset and duration in seconds, trial_type (the code), then actor
    (the coded subject), segment, one column per modifier set, onset_ms and duration_ms."""
    sets = modifier_sets(events)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow([*FIRST_COLUMNS, "actor", "segment", *[f"mod_{label(s)}" for s in sets],
                     "onset_ms", "duration_ms"])
    for e in sorted(events, key=lambda e: (e.onset_ms, e.subject, e.code)):
        length = 0 if e.offset_ms is None else e.offset_ms - e.onset_ms
        values = [_cell(format_modifiers({s: e.modifiers[s]}).partition("=")[2])
                  if s in e.modifiers else NA for s in sets]
        writer.writerow([seconds(e.onset_ms), seconds(length), _cell(e.code),
                         _cell(e.subject), _cell(segment_at(segments, e.onset_ms)),
                         *values, e.onset_ms, length])
    return buffer.getvalue()


def _cell(text: str) -> str:
    # A tab or line break would split a TSV cell; BIDS has no quoting.
    cleaned = re.sub(r"[\t\r\n]+", " ", text)
    return cleaned or NA


def events_sidecar(events: Sequence[Event], scheme: Scheme) -> dict[str, object]:
    """``_events.json``: every column of :func:`events_tsv` with its description, units and,
    for trial_type and actor, the levels from the scheme."""
    used = {e.code for e in events}
    codes = {c.id: c.name + (f": {c.description}" if c.description else "")
             for c in scheme.codes if c.id in used}
    sidecar: dict[str, object] = {
        "onset": {"Description": "Start of the event from the start of the session's "
                  "recording.", "Units": "s"},
        "duration": {"Description": "Length of a state; 0 for a point event.", "Units": "s"},
        "trial_type": {"Description": f"The code logged, from the coding scheme "
                       f"'{scheme.id}' version {scheme.version}.", "Levels": codes},
        "actor": {"Description": "Who the event is about (the scheme's subject: caregiver, "
                  "child...), not the BIDS participant.",
                  "Levels": {s: s for s in dict.fromkeys(e.subject for e in events)}},
        "segment": {"Description": "The session's segment (e.g. an SSP episode) holding the "
                    "onset; n/a when none does."},
    }
    for s in modifier_sets(events):
        mset = scheme.modifier_set(s)
        entry: dict[str, object] = {"Description": f"Modifier '{s}'"
                                    + (f" ({mset.label})" if mset is not None else "")
                                    + "; several choices are separated by commas."}
        if mset is not None:
            entry["Levels"] = {o: o for o in mset.options}
        sidecar[f"mod_{label(s)}"] = entry
    sidecar["onset_ms"] = {"Description": "onset in whole milliseconds, as Samspill stores it.",
                           "Units": "ms"}
    sidecar["duration_ms"] = {"Description": "duration in whole milliseconds.", "Units": "ms"}
    return sidecar


# ---------------------------------------------------------------- the folder

def check_target(out: Path) -> None:
    """Refuse a target that is a file, or a folder that is not empty (nothing is
    overwritten)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(N_("{out} exists and is not an empty folder"),
                         fix=N_("give a new or empty folder for the BIDS dataset"),
                         params={"out": str(out)})


Copy = Callable[[Path, Path], object]
VideoMode = Literal["copy", "link", "none"]


def write_dataset(out: Path, *, name: str, runs: Sequence[Run], videos: VideoMode,
                  copy: Copy) -> Written:
    """Write the BIDS-style dataset of ``runs`` at ``out`` (see the module's notes). It is
    written beside ``out`` first and moved into place at the end, so a refusal half-way (a
    missing video) leaves nothing behind."""
    check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        written = _write_dataset(partial, name=name, runs=runs, videos=videos, copy=copy)
        if out.exists():
            out.rmdir()  # empty, as checked
        partial.rename(out)
    finally:
        if partial.exists():
            shutil.rmtree(partial)
    return written


def _write_dataset(out: Path, *, name: str, runs: Sequence[Run], videos: VideoMode,
                   copy: Copy) -> Written:
    subjects = labels(str(r.coding.identity["dyad"]) for r in runs)
    sessions = labels(str(r.coding.identity["session"]) for r in runs)
    per_session: dict[str, int] = {}
    for r in runs:
        key = str(r.coding.identity["session"])
        per_session[key] = per_session.get(key, 0) + 1
    coders = labels(str(r.coding.identity["coder"]) for r in runs)
    written = Written()
    done_videos: set[str] = set()
    for r in runs:
        ident = r.coding.identity
        sub, ses = subjects[str(ident["dyad"])], sessions[str(ident["session"])]
        folder = out / f"sub-{sub}" / f"ses-{ses}" / "beh"
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"sub-{sub}_ses-{ses}_task-{label(r.task)}"
        coded = stem + (f"_acq-{coders[str(ident['coder'])]}"
                        if per_session[str(ident["session"])] > 1 else "")
        _text(out, folder / f"{coded}_events.tsv", events_tsv(r.coding.events,
                                                                 r.coding.segments), written)
        _text(out, folder / f"{coded}_events.json",
              json.dumps(events_sidecar(r.coding.events, r.scheme), indent=2,
                         ensure_ascii=False) + "\n", written)
        written.events_files += 1
        if stem not in done_videos:
            done_videos.add(stem)
            for n, (source, suffix) in enumerate(r.videos, start=1):
                run = f"_run-{n}" if len(r.videos) > 1 else ""
                target = folder / f"{stem}{run}_video{suffix}"
                _video(source, target, videos, copy)
                written.files.append(target.relative_to(out).as_posix())
                written.videos += 1
    _top_files(out, name, subjects, written)
    return written


def _video(source: Path, target: Path, mode: VideoMode, copy: Copy) -> None:
    if not source.is_file():
        raise InputError(N_("the video of {name} is missing from the media store"),
                         fix=N_("restore the media folder from a backup, or give --videos none"),
                         params={"name": target.name})
    if mode == "link":
        os.symlink(source.resolve(), target)
    else:
        copy(source, target)


def _text(out: Path, path: Path, text: str, written: Written) -> None:
    path.write_text(text, encoding="utf-8")
    written.files.append(path.relative_to(out).as_posix())


def _top_files(out: Path, name: str, subjects: dict[str, str], written: Written) -> None:
    description = {"Name": name, "BIDSVersion": BIDS_VERSION, "DatasetType": "raw",
                   "GeneratedBy": [{"Name": "Samspill", "Version": __version__}]}
    _text(out, out / "dataset_description.json",
          json.dumps(description, indent=2, ensure_ascii=False) + "\n", written)
    rows = "".join(f"sub-{sub}\t{_cell(dyad)}\n" for dyad, sub in subjects.items())
    _text(out, out / "participants.tsv", "participant_id\tdyad\n" + rows, written)
    _text(out, out / "participants.json", json.dumps({
        "participant_id": {"Description": "BIDS label of the caregiver-child dyad."},
        "dyad": {"Description": "The dyad's pseudonymous code in Samspill (no names, birth "
                 "dates or session dates are exported)."}}, indent=2) + "\n", written)
    _text(out, out / "README", f"{name}\n\nCodings exported by Samspill {__version__}: one "
          "_events.tsv per coding (onset and duration in seconds), the session's videos "
          "beside them. Dyads are under pseudonymous codes only.\n", written)
    written.participants = len(subjects)
