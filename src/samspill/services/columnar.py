"""The events of a study's codings as Parquet files, kept current for the columnar cohort.

Layout, under the data folder (``Settings.columnar_dir``, next to ``media``)::

    columnar/study=<study id>/coding=<coding id>/<version>.parquet

one file per coding *version*: ``version`` is a short hash of what the coding's events are
now (how many, their latest ``updated_at``, the sum of their edit versions, onsets and
offsets), so any save, edit or delete gives a new name. The files are refreshed lazily,
when a cohort runs (:func:`refresh`): a coding whose file has another version is rewritten
(the new file first, then the old one removed), a coding that no longer exists loses its
folder. Nothing has to hook the many places that save events, and a file is never read
when it is stale.

Columns (in the order the cohort reads them): ``coding`` (int64), ``seq`` (the event's
place in the store's order: onset, then id), ``event_id``, ``subject``, ``code`` (both
dictionary-encoded), ``onset_ms``, ``offset_ms`` (null while a state runs), ``modifiers``
(the stored JSON text, dictionary-encoded: a study has few distinct ones), ``comment``,
``frame``. Times are integer milliseconds, as stored.

The folder holds coded data: it is created private (0700) like the rest of the data folder,
and it is derived: deleting it costs a rewrite on the next cohort, nothing else.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from samspill.store.folder import PRIVATE_FILE, private_dir
from samspill.store.models import Coding, EventRow, ObservationSession, Study

EMPTY = "empty"  # the version of a coding with no events
CHUNK = 500  # ids per IN (...) list: well inside every backend's limit


def study_dir(root: Path, study_id: int) -> Path:
    return root / f"study={study_id}"


def coding_dir(root: Path, study_id: int, coding_id: int) -> Path:
    return study_dir(root, study_id) / f"coding={coding_id}"


def versions(db: Session, coding_ids: Sequence[int]) -> dict[int, str]:
    """Each coding's current version (see the module docstring); :data:`EMPTY` without
    events. One grouped query per chunk of ids: no event is loaded."""
    out = dict.fromkeys(coding_ids, EMPTY)
    for start in range(0, len(coding_ids), CHUNK):
        rows = db.execute(
            select(EventRow.coding_id, func.count(), func.max(EventRow.updated_at),
                   func.sum(EventRow.version), func.sum(EventRow.onset_ms),
                   func.sum(func.coalesce(EventRow.offset_ms, -1)))
            .where(EventRow.coding_id.in_(coding_ids[start:start + CHUNK]))
            .group_by(EventRow.coding_id)).all()
        for coding_id, *facts in rows:
            out[coding_id] = hashlib.sha256(repr(facts).encode()).hexdigest()[:16]
    return out


def current_files(root: Path, study_id: int, found: dict[int, str]) -> dict[int, Path]:
    return {c: coding_dir(root, study_id, c) / f"{v}.parquet" for c, v in found.items()}


def refresh(db: Session, study: Study, root: Path) -> dict[int, Path]:
    """Bring the study's Parquet files up to date; returns each coding's current file.

    Writes the files of new and changed codings (their events in one query per chunk),
    removes older versions, and removes the folders of codings that are gone.
    """
    ids = list(db.scalars(select(Coding.id).join(ObservationSession)
                          .where(ObservationSession.study_id == study.id)
                          .order_by(Coding.id)))
    private_dir(root)
    files = current_files(root, study.id, versions(db, ids))
    stale = [c for c, path in files.items() if not path.exists()]
    for start in range(0, len(stale), CHUNK):
        _write(db, stale[start:start + CHUNK], files)
    _prune(study_dir(root, study.id), files)
    return files


def _prune(folder: Path, files: dict[int, Path]) -> None:
    """Remove every file and folder in ``folder`` that is not a current file."""
    if not folder.exists():
        return
    keep = {p.parent.name: p.name for p in files.values()}
    for child in folder.iterdir():
        if child.name not in keep:
            shutil.rmtree(child) if child.is_dir() else child.unlink()
            continue
        for old in child.iterdir():
            # Another cohort's file being written is its own to rename, not ours to remove.
            if old.name != keep[child.name] and old.suffix != ".partial":
                old.unlink(missing_ok=True)


def _write(db: Session, coding_ids: list[int], files: dict[int, Path]) -> None:
    import numpy as np
    import pyarrow as pa

    rows = db.execute(
        select(EventRow.coding_id, EventRow.id, EventRow.subject, EventRow.code,
               EventRow.onset_ms, EventRow.offset_ms, cast(EventRow.modifiers, Text),
               EventRow.comment, EventRow.frame)
        .where(EventRow.coding_id.in_(coding_ids))
        .order_by(EventRow.coding_id, EventRow.onset_ms, EventRow.id)).all()
    table = events_table(list(zip(*rows, strict=True)) if rows else [[]] * 9)
    coding = table.column("coding").to_numpy()
    for coding_id in coding_ids:
        lo, hi = np.searchsorted(coding, [coding_id, coding_id + 1])
        part = table.slice(int(lo), int(hi - lo))
        part = part.set_column(1, "seq", pa.array(np.arange(len(part), dtype="int32")))
        write_file(part, files[coding_id])


def events_table(columns: Sequence[Iterable[Any]]) -> Any:
    """A pyarrow table in the layout of the module docstring from the store's columns
    ``coding, event id, subject, code, onset, offset, modifiers JSON, comment, frame``
    (``seq`` is filled per coding by the writer)."""
    import pyarrow as pa

    coding, ids, subject, code, onset, offset, modifiers, comment, frame = (
        list(c) for c in columns)
    text = pa.string()
    return pa.table({
        "coding": pa.array(coding, pa.int64()),
        "seq": pa.array([0] * len(coding), pa.int32()),
        "event_id": pa.array(ids, text),
        "subject": pa.array(subject, text).dictionary_encode(),
        "code": pa.array(code, text).dictionary_encode(),
        "onset_ms": pa.array(onset, pa.int64()),
        "offset_ms": pa.array(offset, pa.int64()),
        "modifiers": pa.array([m if m is not None else "{}" for m in modifiers],
                              text).dictionary_encode(),
        "comment": pa.array(comment, text),
        "frame": pa.array(frame, pa.int64()),
    })


def write_file(table: Any, path: Path) -> None:
    """Write one coding version's file: to a temporary name first, then renamed, so a
    reader never sees half a file; private like the rest of the data folder."""
    import pyarrow.parquet as pq

    private_dir(path.parent.parent)
    private_dir(path.parent)
    # Named per process and thread: two cohorts refreshing at once never share a partial.
    partial = path.with_name(f"{path.stem}.{os.getpid()}-{threading.get_ident()}.partial")
    pq.write_table(table, partial)
    partial.chmod(PRIVATE_FILE)
    partial.replace(path)
