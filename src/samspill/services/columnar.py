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

*Compaction.* Thousands of small files are slow to scan (DuckDB opens each one), so once
enough codings have their own file (:data:`COMPACT_AT`, and at least an eighth of the base)
they are folded into a compacted *base*::

    columnar/study=<study id>/base=<generation>/part-<k>.parquet   (sorted by coding, seq)
    columnar/study=<study id>/base=<generation>/manifest.json      (coding → version, part)

The manifest names the version of every coding the base holds. A coding whose current
version is the one in the manifest is read from the base; a coding changed since gets its
own file again (as above), and its rows in the base are dead from then on: the manifest's
version no longer matches, which is the tombstone, so a stale row is never read. The next
compaction writes a new generation from the live base rows, the codings' own files and the
database, then removes the old generation and the files it absorbed. A cold start (most
codings without a current file) writes the base straight from the database.

The folder holds coded data: it is created private (0700) like the rest of the data folder,
and it is derived: deleting it costs a rewrite on the next cohort, nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from samspill.store.folder import PRIVATE_FILE, private_dir
from samspill.store.models import Coding, EventRow, ObservationSession, Study

EMPTY = "empty"  # the version of a coding with no events
CHUNK = 500  # ids per IN (...) list: well inside every backend's limit
COMPACT_AT = 256  # codings with their own file before they are compacted into the base
PART_CODINGS = 2_000  # codings per base part (about 1 M events of 95-minute sessions)
ROW_GROUP = 65_536  # rows per Parquet row group: a batch's range skips the others
BASE = "base="
MANIFEST = "manifest.json"


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


@dataclass(frozen=True)
class Sources:
    """Where a batch's events are: base parts (with the codings to take from them) and
    the codings' own files."""

    parts: list[Path]
    base_ids: list[int]
    files: list[Path]


@dataclass(frozen=True)
class Layout:
    """Where each current coding's events are: ``base`` (coding → the part of the compacted
    base holding its current version) or ``files`` (coding → its own file)."""

    base: dict[int, Path] = field(default_factory=dict)
    files: dict[int, Path] = field(default_factory=dict)

    def __contains__(self, coding_id: object) -> bool:
        return coding_id in self.base or coding_id in self.files

    def __len__(self) -> int:
        return len(self.base) + len(self.files)

    def sources(self, coding_ids: Iterable[int]) -> Sources:
        parts: dict[Path, None] = {}
        base_ids, files = [], []
        for c in coding_ids:
            if c in self.base:
                parts[self.base[c]] = None
                base_ids.append(c)
            else:
                files.append(self.files[c])
        return Sources(list(parts), base_ids, files)


@dataclass(frozen=True)
class Base:
    folder: Path
    parts: list[str]
    codings: dict[int, tuple[str, int]]  # coding → (version, part index)

    def part(self, coding_id: int) -> Path:
        return self.folder / self.parts[self.codings[coding_id][1]]


def read_base(study_folder: Path) -> Base | None:
    """The newest complete base generation (its manifest is written last), if any."""
    if not study_folder.exists():
        return None
    done = sorted((f for f in study_folder.iterdir() if f.name.startswith(BASE)
                   and not f.name.endswith(".partial") and (f / MANIFEST).exists()),
                  key=lambda f: int(f.name[len(BASE):]))
    if not done:
        return None
    manifest = json.loads((done[-1] / MANIFEST).read_text())
    return Base(done[-1], manifest["parts"],
                {int(c): (v, int(k)) for c, (v, k) in manifest["codings"].items()})


def refresh(db: Session, study: Study, root: Path, *, compact_at: int = COMPACT_AT
            ) -> Layout:
    """Bring the study's Parquet files up to date; returns where each coding's events are.

    Codings whose current version is in the base are read from it; the others get their
    own file (new and changed codings written, in one query per chunk). When ``compact_at``
    or more codings (and at least an eighth of the base) have their own file, everything is
    compacted into a new base. Older versions, absorbed files, old bases and the folders of
    codings that are gone are removed.
    """
    ids = list(db.scalars(select(Coding.id).join(ObservationSession)
                          .where(ObservationSession.study_id == study.id)
                          .order_by(Coding.id)))
    private_dir(root)
    folder = study_dir(root, study.id)
    found = versions(db, ids)
    base = read_base(folder)
    in_base = {c: base.part(c) for c, v in found.items()
               if base is not None and base.codings.get(c, ("", 0))[0] == v}
    own = current_files(root, study.id, {c: v for c, v in found.items() if c not in in_base})
    if own and len(own) >= max(compact_at, len(in_base) // 8):
        base = compact(db, folder, found, in_base, own)
        layout = Layout(base={c: base.part(c) for c in found})
    else:
        stale = [c for c, path in own.items() if not path.exists()]
        for start in range(0, len(stale), CHUNK):
            _write(db, stale[start:start + CHUNK], own)
        layout = Layout(base=in_base, files=own)
    _prune(folder, layout, base)
    return layout


def _prune(folder: Path, layout: Layout, base: Base | None) -> None:
    """Remove every file and folder in ``folder`` that is not current."""
    if not folder.exists():
        return
    keep = {p.parent.name: p.name for p in layout.files.values()}
    for child in folder.iterdir():
        if child.name.startswith(BASE):
            # Another cohort's base being written is its own to rename, not ours to remove.
            if (base is None or child != base.folder) and not child.name.endswith(".partial"):
                shutil.rmtree(child, ignore_errors=True)
            continue
        if child.name not in keep:
            shutil.rmtree(child) if child.is_dir() else child.unlink()
            continue
        for old in child.iterdir():
            # Another cohort's file being written is its own to rename, not ours to remove.
            if old.name != keep[child.name] and old.suffix != ".partial":
                old.unlink(missing_ok=True)


def compact(db: Session, folder: Path, found: dict[int, str], in_base: dict[int, Path],
            own: dict[int, Path]) -> Base:
    """A new base generation holding every coding of ``found`` at its current version:
    the live rows of the old base, the codings' current own files, the rest from the
    database."""
    ids = sorted(found)

    def blocks() -> Iterator[tuple[dict[int, str], Any]]:
        for start in range(0, len(ids), PART_CODINGS):
            block = ids[start:start + PART_CODINGS]
            yield {c: found[c] for c in block}, _block_rows(db, block, in_base, own)

    return write_base(folder, blocks())


def _block_rows(db: Session, block: list[int], in_base: dict[int, Path],
                own: dict[int, Path]) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    tables = []
    from_base = [c for c in block if c in in_base]
    for part in dict.fromkeys(in_base[c] for c in from_base):
        rows = pq.read_table(part, filters=[("coding", ">=", from_base[0]),
                                            ("coding", "<=", from_base[-1])])
        tables.append(rows.filter(pc.is_in(rows.column("coding"), pa.array(from_base))))
    rest = [c for c in block if c not in in_base]
    current = [c for c in rest if own[c].exists()]
    tables += [pq.read_table(own[c]) for c in current]
    missing = [c for c in rest if c not in set(current)]
    for start in range(0, len(missing), CHUNK):
        tables.append(_read_events(db, missing[start:start + CHUNK]))
    return _sorted_block(tables)


def _sorted_block(tables: list[Any]) -> Any:
    import pyarrow as pa

    if not tables:
        return events_table([[]] * 9)
    schema = events_table([[]] * 9).schema
    rows = pa.concat_tables([t.cast(schema) for t in tables]).unify_dictionaries()
    return rows.sort_by([("coding", "ascending"), ("seq", "ascending")])


def write_base(folder: Path, blocks: Iterable[tuple[dict[int, str], Any]]) -> Base:
    """Write a new base generation under ``folder`` from ``(versions, rows)`` blocks in
    ascending coding order (``rows``: the block's events in the module's layout, sorted by
    coding and seq), one part each; the manifest last, then the folder renamed into place,
    so a reader sees a whole generation or none."""
    import pyarrow.parquet as pq

    private_dir(folder)
    name = f"{BASE}{time.time_ns()}"
    partial = folder / f"{name}.{os.getpid()}-{threading.get_ident()}.partial"
    private_dir(partial)
    parts: list[str] = []
    codings: dict[str, tuple[str, int]] = {}
    for versions_of, rows in blocks:
        part = f"part-{len(parts):05d}.parquet"
        pq.write_table(rows, partial / part, row_group_size=ROW_GROUP)
        (partial / part).chmod(PRIVATE_FILE)
        codings.update({str(c): (v, len(parts)) for c, v in versions_of.items()})
        parts.append(part)
    (partial / MANIFEST).write_text(json.dumps({"parts": parts, "codings": codings}))
    (partial / MANIFEST).chmod(PRIVATE_FILE)
    partial.rename(folder / name)
    return Base(folder / name, parts, {int(c): vk for c, vk in codings.items()})


def _read_events(db: Session, coding_ids: list[int]) -> Any:
    """The codings' events in the module's layout, in the store's order, ``seq`` filled."""
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
    starts = np.searchsorted(coding, coding)  # each row's coding's first row
    return table.set_column(1, "seq", pa.array((np.arange(len(coding)) - starts)
                                               .astype("int32")))


def _write(db: Session, coding_ids: list[int], files: dict[int, Path]) -> None:
    import numpy as np

    table = _read_events(db, coding_ids)
    coding = table.column("coding").to_numpy()
    for coding_id in coding_ids:
        lo, hi = np.searchsorted(coding, [coding_id, coding_id + 1])
        write_file(table.slice(int(lo), int(hi - lo)), files[coding_id])


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
