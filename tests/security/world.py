"""One study with every role in it, built once and copied for each test that changes it.

Study ``s1``: owner ``own``, coders ``cod`` and ``cod2``, trainee ``tra``, viewer ``vie``. The
outsider ``out`` owns another study (``s2``); ``adm`` is an administrator. Session ``v1`` (dyad
``D01``, with identifying data) has a video, and codings by ``own`` (the master), ``cod``,
``cod2`` and ``tra``, all but the master in progress.

Course ``c1`` (issue 12), made by ``own`` from ``v1``'s master: ``own`` and ``tea`` teach it,
``lea`` learns in it; neither ``tea`` nor ``lea`` has any study role.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events
from samspill.services import codings, courses, credentials, identity, studies
from samspill.services.schemes import latest_version, register_builtin_schemes
from samspill.settings import Settings
from samspill.store.db import Database
from samspill.store.media import media_path
from samspill.store.models import MediaFile
from tests.factories import make_user

ROLES = {"own": "owner", "cod": "coder", "cod2": "coder", "tra": "trainee", "vie": "viewer"}
CHILD_NAME = "Ingrid Testesen"
VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 4


@dataclass
class World:
    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)
    codings: dict[str, int] = field(default_factory=dict)  # coder name (or "master") -> id
    media_id: int = 0

    def headers(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}", "Accept": "application/json"}

    def copy_to(self, folder: Path) -> World:
        """The same world in another data folder (SQLite only), to change freely."""
        shutil.copytree(self.settings.data_dir, folder)
        settings = self.settings.model_copy(update={"data_dir": folder})
        return World(settings, dict(self.tokens), dict(self.codings), self.media_id)


def marker(coding: str) -> str:
    """A string only that coding's events carry, to spot it in any answer."""
    return f"LEAK-{coding}-MARK"


def build_world(settings: Settings) -> World:
    database = Database(settings)
    database.migrate()
    world = World(settings)
    with database.session() as db:
        register_builtin_schemes(db)
        users = {name: make_user(db, name) for name in [*ROLES, "out", "lea", "tea"]}
        users["adm"] = make_user(db, "adm", admin=True)
        study = studies.create_study(db, name="s1", owner=users["own"])
        studies.create_study(db, name="s2", owner=users["out"])
        for name, role in ROLES.items():
            studies.set_role(db, study=study, user=users[name], role=role)
        dyad = studies.get_or_create_dyad(db, study=study, code="D01", child_birth_month="2022-01")
        identity.set_identity(
            db, dyad=dyad, identity=identity.Identity(child_name=CHILD_NAME, caregiver_name="X")
        )
        session = studies.create_session(
            db, study=study, dyad=dyad, name="v1", duration_ms=VIGNETTE_DURATION_MS
        )
        version = latest_version(db, "withdrawal-open")
        for name in ("cod", "cod2", "tra", "master"):
            coder = users["own" if name == "master" else name]
            coding = codings.create_coding(
                db,
                session=session,
                coder=coder,
                scheme_version=version,
                purpose="training" if name in ("tra", "master") else "study",
            )
            events = [
                e.model_copy(update={"id": str(uuid.uuid4()), "comment": marker(name)})
                for e in vignette_events()
            ]
            codings.replace_events(db, coding=coding, events=events)
            if name == "master":
                codings.set_status(db, coding=coding, status="master")
            world.codings[name] = coding.id
        world.media_id = _add_video(db, settings, session.id)
        _add_course(db, study, users)
        world.tokens = {n: credentials.create_api_token(db, user=u) for n, u in users.items()}
    database.dispose()
    return world


def _add_course(db, study, users) -> None:
    plan = courses.LessonPlan("mark_unanswered", {"en": "Look"}, [courses.ClipPlan("v1", 0)])
    course = courses.course_from_study(db, study=study, by=users["own"], name="c1",
                                       title={"en": "Course"}, lessons=[plan])
    courses.enrol(db, course=course, user=users["tea"], role="teacher", by=users["own"])
    courses.enrol(db, course=course, user=users["lea"], role="learner", by=users["own"])


def _add_video(db, settings: Settings, session_id: int) -> int:
    sha = hashlib.sha256(VIDEO).hexdigest()
    path = media_path(settings.media_dir, sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(VIDEO)
    media = MediaFile(
        session_id=session_id,
        sha256=sha,
        filename="v1.mp4",
        content_type="video/mp4",
        size_bytes=len(VIDEO),
    )
    db.add(media)
    db.flush()
    return media.id
