"""The demo's family course: three sessions of Monica and Maria, the signs from the scoring
pipeline, and the change index from the demo's own double codings (issue 23)."""

from __future__ import annotations

from samspill.core.trajectory import MIN_AGREEMENT_SESSIONS
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
    assert [p.name for p in t.points] == ["vignette", "vignette-2", "vignette-3"]
    assert [p.phase for p in t.points] == ["intake", "guidance", "follow-up"]
    assert t.intake == 0 and all(p.status == "scored" for p in t.points)
    session = t.table[t.table["scope"] == "session"]
    present = [int((session[session["position"] == i]["state"] == "present").sum())
               for i in range(3)]
    assert present[0] == 5 and 0 < present[1] < 5 and present[2] == 0
    # The demo's second coder gives agreement figures on the whole session; a measure from fewer
    # than MIN_AGREEMENT_SESSIONS double-coded sessions is not judged.
    measures = t.measures[t.measures["scope"] == "session"]
    enough = measures["agreement_sessions"] >= MIN_AGREEMENT_SESSIONS
    assert enough.sum() >= 4 and measures.loc[enough, "r_xx"].notna().all()
    assert measures.loc[~enough, "r_xx"].isna().all()
    last = session[session["position"] == 2]
    assert set(last["intake_verdict"]) <= {"reliable", "within", "no_agreement"}
    assert "reliable" in set(last["intake_verdict"])
    # The partly changed session: some changes reliable, some within coder disagreement.
    middle = set(session[session["position"] == 1]["prev_verdict"])
    assert {"reliable", "within"} <= middle
