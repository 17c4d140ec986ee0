"""Consensus: the assigned coders' disagreements side by side, and the reconciled coding.

Events are matched across coders by onset within the reconciliation's tolerance (the core's
``match_events``); an item is one event as each coder logged it, or did not. A reconciled
coding takes, for each item, one coder's version (or none), and for each rating one coder's
value, per session and, for a form rated per segment (issue 14), per segment and item;
``consensus_sources`` records which coder's version each decision came from.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.core.errors import N_, ConflictError, InputError
from samspill.core.events import Event
from samspill.core.indicators import INDICATORS
from samspill.core.reliability import match_events
from samspill.core.reliability._input import NIL
from samspill.services import agreement, assignments, audit, coding_ratings, codings
from samspill.store.models import Coding, ConsensusSource, ObservationSession, User

SEGMENT_RATING_COLUMNS = ["key", "segment", "item", "agree"]
SEGMENT_RATING = "segment_rating"  # a provenance row's kind for a per-segment rating
# A decision's provenance, the fields of a ConsensusSource row: item kind, item id, source
# coding id, source item.
Source = tuple[str, str, int, str]


@dataclass
class Disagreements:
    """``items``: one row per event item with ``key``, ``subject``, ``kind``, ``onset_ms``,
    ``agree`` and per coder ``<coder>:code``, ``<coder>:onset_ms``, ``<coder>:offset_ms``,
    ``<coder>:event_id``; ``ratings``, ``states`` and ``flags``: one row per item, a column per
    coder and ``agree``; ``segment_ratings`` the same per segment and item of a form rated per
    segment, with ``key`` (``<segment id>:<item>``, what a choice names), ``segment`` (its id)
    and ``item``.

    ``states`` holds each sign's state (``<sign>_state``: present, absent, not_observable) and
    the qualifier's (``hostility_qualifier``: low, hostile, not_observable): what coders should
    agree on, since a sign one finds absent and the other cannot observe differs there while
    both flags read false. ``flags`` (``"true"``/``"false"``) is kept for old readers.
    """

    codings: list[Coding]
    tolerance_ms: int
    items: pd.DataFrame
    ratings: pd.DataFrame
    flags: pd.DataFrame
    states: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["item", "agree"]))
    segment_ratings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=SEGMENT_RATING_COLUMNS))

    @property
    def coders(self) -> list[str]:
        return [c.coder.username for c in self.codings]


def disagreements(db: Session, session: ObservationSession) -> Disagreements:
    """The assigned coders' codings compared; reconciliation of the session must be open."""
    recon = assignments.reconciliation_of(db, session)
    if recon is None:
        raise ConflictError(N_("reconciliation of session '{session}' is not open"),
                            fix=N_("the study's owner opens it once the coders have submitted"),
                            params={"session": session.name})
    group = assignments.assigned_codings(db, session)
    if len(group) < 2:
        raise ConflictError(N_("fewer than two assigned coders have submitted their coding"),
                            fix=N_("wait until two or more assigned coders have submitted"))
    tables = {c.coder.username: agreement.coding_table(db, c) for c in group}
    items = _items(tables, recon.tolerance_ms)
    scored = agreement.score_rows(db, session.study, group).set_index("coder")
    ratings = _compare({c.coder.username: coding_ratings.ratings_of(db, c) for c in group})
    flags = _compare({name: {spec.flag: _flag(scored.at[name, spec.flag])
                             for spec in INDICATORS.values()} for name in tables})
    states = _compare({name: {spec.state: _state(scored.at[name, spec.state])
                              for spec in INDICATORS.values()} for name in tables})
    per_segment = _compare_segments({c.coder.username: coding_ratings.segment_ratings_of(db, c)
                                      for c in group})
    return Disagreements(group, recon.tolerance_ms, items, ratings, flags, states, per_segment)


def _compare_segments(values: Mapping[str, Mapping[str, Mapping[str, str]]]) -> pd.DataFrame:
    """One row per segment and item any coder rated (``key``: ``<segment id>:<item>``)."""
    keyed = {coder: {f"{segment}:{item}": value for segment, items in found.items()
                     for item, value in items.items()} for coder, found in values.items()}
    frame = _compare(keyed).rename(columns={"item": "key"})
    parts = frame["key"].str.split(":", n=1)
    frame.insert(1, "segment", parts.str[0])
    frame.insert(2, "item", parts.str[1])
    return frame[["key", "segment", "item", *values, "agree"]]


# A cell of the scored table: pd.isna takes any object, the stubs' scalar overload does not.
def _state(value: object) -> str:
    return "" if pd.isna(value) else str(value)  # type: ignore[call-overload]


def _flag(value: object) -> str:
    return "" if pd.isna(value) else str(bool(value)).lower()  # type: ignore[call-overload]


def _compare(values: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    names = sorted({item for v in values.values() for item in v})
    rows = [{"item": item, **{coder: v.get(item, "") for coder, v in values.items()}}
            for item in names]
    frame = pd.DataFrame(rows, columns=["item", *values])
    return frame.assign(agree=frame[list(values)].nunique(axis=1) <= 1)


def _items(tables: dict[str, pd.DataFrame], tolerance_ms: int) -> pd.DataFrame:
    """Cluster events across coders: each next coder is matched to the first event of each
    cluster so far; its unmatched events start new clusters."""
    coders = list(tables)
    first = coders[0]
    clusters: list[dict[str, int]] = [{first: i} for i in range(len(tables[first]))]
    for coder in coders[1:]:
        reps = pd.DataFrame([_rep_row(tables, c) for c in clusters],
                            columns=["subject", "code", "onset_ms", "offset_ms"])
        reps = reps.astype({"onset_ms": "int64", "offset_ms": "Int64"})
        pairs = match_events(reps, tables[coder].drop(columns="event_id"),
                             tolerance_ms=tolerance_ms)
        for a_row, b_row in zip(pairs["a_row"], pairs["b_row"], strict=True):
            if pd.isna(b_row):
                continue
            if pd.isna(a_row):
                clusters.append({coder: int(b_row)})
            else:
                clusters[int(a_row)][coder] = int(b_row)
    rows = [_item_row(tables, c) for c in clusters]
    frame = pd.DataFrame(rows)
    return frame.sort_values(["onset_ms", "subject"], kind="stable").reset_index(drop=True)


def _rep_row(tables: dict[str, pd.DataFrame],
             cluster: dict[str, int]) -> tuple[object, object, object, object]:
    """``subject``, ``code``, ``onset_ms``, ``offset_ms`` of the cluster's first event, as its
    table holds them (numpy integers, ``<NA>`` for no offset)."""
    coder, row = next(iter(cluster.items()))
    event = tables[coder].iloc[row]
    return (event["subject"], event["code"], event["onset_ms"], event["offset_ms"])


def _item_row(tables: dict[str, pd.DataFrame], cluster: dict[str, int]) -> dict[str, object]:
    coder, row = next(iter(cluster.items()))
    rep = tables[coder].iloc[row]
    out = {"key": rep["event_id"], "subject": rep["subject"],
           "kind": "point" if pd.isna(rep["offset_ms"]) else "state"}
    onsets, codes = [], set()
    for name, table in tables.items():
        event = table.iloc[cluster[name]] if name in cluster else None
        code = NIL if event is None else event["code"]
        codes.add(code)
        out[f"{name}:code"] = code
        out[f"{name}:onset_ms"] = None if event is None else int(event["onset_ms"])
        out[f"{name}:offset_ms"] = (None if event is None or pd.isna(event["offset_ms"])
                                    else int(event["offset_ms"]))
        out[f"{name}:event_id"] = None if event is None else event["event_id"]
        onsets += [] if event is None else [int(event["onset_ms"])]
    out["onset_ms"] = min(onsets)
    out["agree"] = len(codes) == 1
    return out


def default_choice(items: pd.DataFrame, coders: list[str]) -> dict[str, str]:
    """Per item, the first coder (by name) who logged it: the form's preselection."""
    return {row["key"]: next(c for c in coders if row[f"{c}:code"] != NIL)
            for _, row in items.iterrows()}


def build(db: Session, *, session: ObservationSession, by: User,
          event_choices: Mapping[str, str], rating_choices: Mapping[str, str],
          master: bool, segment_rating_choices: Mapping[str, str] | None = None) -> Coding:
    """Make the reconciled coding from the chosen versions (coder name, or "" for none).

    ``segment_rating_choices`` are keyed ``<segment id>:<item>``; a rating without a choice,
    per session or per segment, takes the first coder's (by name) who gave one."""
    segment_choices = segment_rating_choices or {}
    found = disagreements(db, session)  # refuses unless reconciliation is open
    recon = assignments.reconciliation_of(db, session)
    if recon is None or recon.coding_id is not None:
        raise ConflictError(N_("this session has a reconciled coding already"),
                            fix=N_("open the reconciled coding to change it"))
    by_coder = {c.coder.username: c for c in found.codings}
    _check_choices([*event_choices.values(), *rating_choices.values(),
                    *segment_choices.values()], by_coder)
    if len({c.scheme_version_id for c in found.codings}) != 1:
        raise ConflictError(N_("the coders used different versions of the scheme"),
                            fix=N_("recode under one scheme version before reconciling"))
    first = found.codings[0]
    coding = codings.create_coding(db, session=session, coder=by, purpose=first.purpose,
                                   scheme_version=first.scheme_version)
    chosen = {**default_choice(found.items, found.coders), **event_choices}
    sources = _copy_events(db, coding, found.items, chosen, by_coder)
    sources += _copy_ratings(db, coding, found.ratings, rating_choices, by_coder)
    sources += _copy_segment_ratings(db, coding, found.segment_ratings, segment_choices,
                                     by_coder)
    db.add_all(ConsensusSource(coding_id=coding.id, item_kind=kind, item_id=item,
                               source_coding_id=src, source_item=src_item, decided_by_id=by.id)
               for kind, item, src, src_item in sources)
    _finish(db, coding, session, master)
    recon.coding_id = coding.id
    audit.record(db, action="write.consensus", user=by, target=f"coding {coding.id}",
                 study=session.study.name, detail=f"{len(sources)} decisions")
    return coding


def _check_choices(choices: list[str], by_coder: dict[str, Coding]) -> None:
    unknown = sorted({c for c in choices if c and c not in by_coder})
    if unknown:
        raise InputError(N_("{count} choice(s) name no coder of this session"),
                         fix=N_("choose one of {choices}, or none"),
                         params={"count": len(unknown), "choices": ", ".join(by_coder)})


def _copy_events(db: Session, coding: Coding, items: pd.DataFrame, chosen: Mapping[str, str],
                 by_coder: dict[str, Coding]) -> list[Source]:
    events: list[Event] = []
    sources: list[Source] = []
    stored = {name: {e.id: e for e in codings.coding_events(db, c)}
              for name, c in by_coder.items()}
    for _, row in items.iterrows():
        coder = chosen.get(row["key"], "")
        source_id = row[f"{coder}:event_id"] if coder else None
        if not source_id:  # none chosen, or a coder who did not log this event
            continue
        new_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"consensus/{coding.id}/{source_id}"))
        events.append(stored[coder][source_id].model_copy(update={"id": new_id}))
        sources.append(("event", new_id, by_coder[coder].id, source_id))
    codings.replace_events(db, coding=coding, events=events)
    return sources


def _copy_ratings(db: Session, coding: Coding, ratings: pd.DataFrame,
                  choices: Mapping[str, str], by_coder: dict[str, Coding]) -> list[Source]:
    values: dict[str, str] = {}
    sources: list[Source] = []
    for _, row in ratings.iterrows():
        coder = choices.get(row["item"]) or next((c for c in by_coder if row[c]), "")
        if coder and row[coder]:
            values[row["item"]] = row[coder]
            sources.append(("rating", row["item"], by_coder[coder].id, row["item"]))
    coding_ratings.set_ratings(db, coding=coding, ratings=values)
    return sources


def _copy_segment_ratings(db: Session, coding: Coding, ratings: pd.DataFrame,
                          choices: Mapping[str, str], by_coder: dict[str, Coding]
                          ) -> list[Source]:
    values: dict[str, dict[str, str | int | None]] = {}
    sources: list[Source] = []
    for _, row in ratings.iterrows():
        coder = choices.get(row["key"]) or next((c for c in by_coder if row[c]), "")
        if coder and row[coder]:
            values.setdefault(row["segment"], {})[row["item"]] = row[coder]
            # The key names the segment and the item (the column holds 64 characters: an item
            # id is repeated whole in source_item, so a long one is never lost).
            sources.append((SEGMENT_RATING, str(row["key"])[:64], by_coder[coder].id,
                            str(row["item"])))
    for segment_id, chosen in values.items():
        coding_ratings.set_segment_ratings(db, coding=coding, segment_id=segment_id, ratings=chosen)
    return sources


def _finish(db: Session, coding: Coding, session: ObservationSession, master: bool) -> None:
    if master:
        for other in codings.codings_of(db, session):
            if other.status == "master" and other.id != coding.id:
                codings.set_status(db, coding=other, status="submitted")
    codings.set_status(db, coding=coding, status="master" if master else "submitted")


PROVENANCE_COLUMNS = ["item_kind", "item_id", "coder", "source_coding", "source_item",
                      "subject", "code", "onset_ms", "offset_ms", "value", "segment"]


def provenance(db: Session, coding: Coding) -> pd.DataFrame:
    """Where each decision of a reconciled coding came from: ``item_kind`` (event, rating),
    ``item_id``, ``coder`` (whose version it took), ``source_coding``, ``source_item``, and
    what was taken, for people to read: an event's ``subject``, ``code``, ``onset_ms`` and
    ``offset_ms`` (as the reconciled coding holds it, copied from the coder's), a rating's
    ``value`` (and for a per-segment rating, kind ``segment_rating``, its ``segment`` id;
    ``source_item`` is the item). Events come in onset order, then the ratings."""
    rows = db.scalars(select(ConsensusSource).where(ConsensusSource.coding_id == coding.id)
                      .order_by(ConsensusSource.id)).all()
    coders = {c.id: c.coder.username for c in codings.codings_of(db, coding.session)}
    events = {e.id: e for e in codings.coding_events(db, coding)}
    ratings = coding_ratings.ratings_of(db, coding)
    per_segment = coding_ratings.segment_ratings_of(db, coding)
    records = []
    for r in rows:
        event = events.get(r.item_id) if r.item_kind == "event" else None
        segment = r.item_id.split(":", 1)[0] if r.item_kind == SEGMENT_RATING else None
        value = (per_segment.get(segment, {}).get(r.source_item) if segment is not None
                 else ratings.get(r.item_id) if r.item_kind == "rating" else None)
        records.append((
            r.item_kind, r.item_id, coders.get(r.source_coding_id or -1, ""), r.source_coding_id,
            r.source_item, event.subject if event else None, event.code if event else None,
            event.onset_ms if event else None, event.offset_ms if event else None,
            value, segment))
    frame = pd.DataFrame(records, columns=PROVENANCE_COLUMNS).astype(
        {"onset_ms": "Int64", "offset_ms": "Int64", "source_coding": "Int64"})
    order = frame.assign(_rating=frame["item_kind"].ne("event"),
                         _onset=frame["onset_ms"].fillna(-1))
    return frame.loc[order.sort_values(["_rating", "_onset"], kind="stable").index
                     ].reset_index(drop=True)
