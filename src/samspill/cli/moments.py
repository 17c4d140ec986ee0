"""`samspill moments` and `samspill reel export`: moments to show a parent, and the feedback
reel as one MP4 (issue 23). The proposals are suggestions: a clinician accepts, trims and
captions them on the session's moments page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from samspill.cli.common import DataDir, console, open_database, unit_of_work
from samspill.core.numbers import clock, percent

StudyOpt = Annotated[str, typer.Option("--study", help="The study.")]
SessionOpt = Annotated[str, typer.Option("--session", help="The session's name.")]
reel_app = typer.Typer(help="The feedback reel: a session's chosen moments as one video.",
                       no_args_is_help=True)


def moments(study: StudyOpt, session: SessionOpt,
            as_json: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False,
            data_dir: DataDir = None) -> None:
    """List the moments Samspill proposes to show from a session's coding (suggestions,
    ranked by clarity), with what was decided on each."""
    from samspill.services import moments as service
    from samspill.services import studies

    with unit_of_work(data_dir) as (db, _):
        found_session = studies.get_session(db, study=studies.get_study(db, study), name=session)
        found = service.propose(db, found_session, None)
        if as_json:
            console.print_json(json.dumps({
                "coding": found.coding.id if found.coding else None,
                "proposals": [{**p.__dict__, "reasons": list(p.reasons),
                               "evidence": list(p.evidence)} for p in found.items]}))
            return
        if found.coding is None:
            console.print(f"Session {session} has no study coding to propose moments from.")
            return
        table = Table("rank", "kind", "from", "to", "key", "clarity", "why", "decided",
                      title=f"Proposed moments (suggestions) from coding {found.coding.id}")
        for p in found.items:
            table.add_row(str(p.rank), p.kind, clock(p.start_ms), clock(p.end_ms),
                          clock(p.key_ms), percent(p.clarity), ", ".join(p.reasons),
                          p.status or "")
        console.print(table)
        if not found.items:
            console.print("No proposals: the coding shows none of the moments Samspill looks "
                          "for.")


@reel_app.command("export")
def export(study: StudyOpt, session: SessionOpt,
           out: Annotated[Path, typer.Option("--out", help="The MP4 file to write.")],
           language: Annotated[str, typer.Option(
               "--language", help="The language of the words the reel says itself: nb or "
               "en.")] = "nb",
           data_dir: DataDir = None) -> None:
    """Export the session's chosen moments as one MP4 (re-encoded, captions burned in); the
    audit log records it."""
    from samspill.catalogs import load_catalog
    from samspill.cli.exchange import progress_bar
    from samspill.services import reels, studies

    database = open_database(data_dir)
    try:
        with database.session() as db:
            the_study = studies.get_study(db, study)
            found = studies.get_session(db, study=the_study, name=session)
            render_id = reels.request_render(
                db, study=the_study, session=found, user=None, language=language,
                say=load_catalog("samspill.web", language).gettext).id
        with progress_bar(f"reel {session}") as bar:
            state = reels.execute(database.session, render_id,
                                  media_dir=database.settings.media_dir,
                                  data_dir=database.settings.data_dir, progress=bar)
        with database.session() as db:
            render = reels.get_render(db, found, render_id)
            if state != "done":
                message = (render.error or {}).get("message", "")
                console.print(f"The export failed: {message}")
                raise typer.Exit(2)
            shutil.copyfile(reels.file_of(render, database.settings.data_dir), out)
            console.print(f"Wrote {out} ({clock(render.duration_ms)}).")
    finally:
        database.dispose()
