"""The demo's family course: three sessions of Monica and Maria, the signs from the scoring
pipeline, and the change index from the demo's own double codings (issue 23)."""

from __future__ import annotations

from samspill.services import access as policy
from samspill.services import studies
from samspill.services.demo import DEMO_DYAD, DEMO_STUDY, load_demo
from samspill.services.setup import ensure_admin
from samspill.services.trajectory import dyad_course
from samspill.store.db import Database


def test_the_demo_family_shows_fewer_signs_over_three_sessions(database: Database) -> None:
    with database.session() as db:
        admin = ensure_admin(db)
        load_demo(db, owner=admin, media_dir=database.settings.media_dir, with_video=False)
        study = studies.get_study(db, DEMO_STUDY)
        course = dyad_course(db, study=study, dyad_code=DEMO_DYAD,
                             member=policy.Member(admin, "owner"))
    t = course.trajectory
    print(t.table.to_string())
    print(t.measures.to_string())
    assert [p.name for p in t.points] == ["vignette", "vignette-2", "vignette-3"]
