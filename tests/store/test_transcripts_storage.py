"""Transcripts on SQLite and PostgreSQL: versions rise, a save from an old version is refused
and changes nothing, two first saves cannot both win, and the history keeps the text."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from samspill.core.errors import RefusedError
from samspill.services import transcripts
from samspill.store.db import Database
from samspill.store.models_transcripts import TranscriptRevision
from tests.factories import make_coded_session, make_user


def test_a_save_from_an_old_version_is_refused_and_the_text_stays(database: Database) -> None:
    with database.session() as db:
        built = make_coded_session(db)
        first = transcripts.save(db, coding=built.coding, text="00:01 a", base_version=0,
                                 by=built.owner)
        assert first.version == 1
        transcripts.save(db, coding=built.coding, text="00:01 b", base_version=1, by=built.owner)
        with pytest.raises(RefusedError) as refused:
            transcripts.save(db, coding=built.coding, text="00:01 c", base_version=1,
                             by=built.owner)
        assert refused.value.details["theirs"] == 2 and refused.value.details["text"] == "00:01 b"
        with pytest.raises(RefusedError):  # a second "first" save
            transcripts.save(db, coding=built.coding, text="00:01 d", base_version=0,
                             by=built.owner)
        state = transcripts.state_of(db, built.coding)
        assert (state.text, state.version) == ("00:01 b", 2)


def test_the_history_keeps_each_writers_text(database: Database) -> None:
    with database.session() as db:
        built = make_coded_session(db)
        other = make_user(db, "other")
        transcripts.save(db, coding=built.coding, text="00:01 a", base_version=0, by=built.owner)
        transcripts.save(db, coding=built.coding, text="00:01 ab", base_version=1, by=built.owner)
        transcripts.save(db, coding=built.coding, text="00:01 abc", base_version=2, by=other)
        # Ten minutes later the same writer starts a new revision.
        db.execute(update(TranscriptRevision).values(
            saved_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=11)))
        transcripts.save(db, coding=built.coding, text="00:01 abcd", base_version=3, by=other)
        kept = [(r.version, r.text) for r in transcripts.revisions(db, built.coding)]
        assert kept == [(2, "00:01 ab"), (3, "00:01 abc"), (4, "00:01 abcd")]
