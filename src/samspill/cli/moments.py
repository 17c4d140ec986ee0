"""`samspill moments` and `samspill reel export`: moments to show a parent, and the feedback
reel as one MP4 (issue 23). The proposals are suggestions: a clinician accepts, trims and
captions them on the session's moments page."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from samspill.cli.common import DataDir, console, open_database, unit_of_work
from samspill.core.errors import N_
from samspill.core.numbers import clock, percent

if TYPE_CHECKING:
    from samspill.services.moments import Proposals

StudyOpt = Annotated[str, typer.Option("--study", help="The study.")]
SessionOpt = Annotated[str, typer.Option("--session", help="The session's name.")]
reel_app = typer.Typer(help="The feedback reel: a session's chosen moments as one video.",
                       no_args_is_help=True)


def moments(study: StudyOpt, session: SessionOpt,
            as_json: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False,
            lang: Annotated[str, typer.Option(
                "--lang", help="The table's language: en or nb (bokmål); JSON stays English."
            )] = "en",
            data_dir: DataDir = None) -> None:
    """List the moments Samspill proposes to show from a session's coding (suggestions,
    ranked by clarity), with what was decided on each."""
    from samspill.cli.scores_text import check_language
    from samspill.services import moments as service
    from samspill.services import studies

    check_language(lang)
    with unit_of_work(data_dir) as (db, _):
        found_session = studies.get_session(db, study=studies.get_study(db, study), name=session)
        found = service.propose(db, found_session, None)
        if as_json:
            console.print_json(json.dumps({
                "coding": found.coding.id if found.coding else None,
                "proposals": [{**p.__dict__, "reasons": list(p.reasons),
                               "evidence": list(p.evidence)} for p in found.items]}))
            return
        _print_proposals(found, session, lang)


def _print_proposals(found: Proposals, session: str, lang: str) -> None:
    """The proposals as a table in ``lang``: words a clinician reads, never internal ids."""
    from samspill.cli.scores_text import said
    from samspill.core.moments import KIND_WORDS, REASON_WORDS

    if found.coding is None:
        console.print(said(N_("Session {session} has no study coding to propose moments "
                              "from."), lang).format(session=session))
        return
    decided = {"accepted": said(N_("Accepted"), lang), "rejected": said(N_("Rejected"), lang)}
    headings = (N_("rank"), N_("kind"), N_("from"), N_("to"), N_("key second"), N_("clarity"),
                N_("why"), N_("decided"))
    table = Table(*(said(h, lang) for h in headings),
                  title=said(N_("Proposed moments (suggestions) from coding {id}"), lang).format(
                      id=found.coding.id))
    for p in found.items:
        why = ", ".join(said(REASON_WORDS.get(r, r), lang) for r in p.reasons)
        table.add_row(str(p.rank), said(KIND_WORDS.get(p.kind, p.kind), lang),
                      clock(p.start_ms), clock(p.end_ms), clock(p.key_ms),
                      percent(p.clarity, lang), why, decided.get(p.status or "", ""))
    # A terminal (or $COLUMNS) sets the width; a pipe or log gets 160 columns, whole phrases.
    out = Console()
    if not out.is_terminal and "COLUMNS" not in os.environ:
        out = Console(width=160)
    out.print(table)
    if not found.items:
        console.print(said(N_("No proposals: the coding shows none of the moments Samspill "
                              "looks for."), lang))


@reel_app.command("export")
def export(study: StudyOpt, session: SessionOpt,
           out: Annotated[Path, typer.Option("--out", help="The MP4 file to write.")],
           language: Annotated[str, typer.Option(
               "--language", "--lang", help="The language of the words the reel says itself: nb or "
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
