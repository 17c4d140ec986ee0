"""The `samspill` command line: thin commands that call services.

Every problem the user can fix is a SamspillError; :func:`main` prints it on one line (with the
fix) and exits with status 2, never with a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from samspill.cli import scoring
from samspill.cli.agreement import agreement_app
from samspill.cli.assist import assist_app
from samspill.cli.audit import audit_app
from samspill.cli.backup import backup, restore
from samspill.cli.common import DataDir, console, error_text, open_database, unit_of_work
from samspill.cli.courses import course_app
from samspill.cli.events import events_app
from samspill.cli.exchange import export_app
from samspill.cli.imports import import_app
from samspill.cli.moments import moments, reel_app
from samspill.cli.outcomes import outcomes_app
from samspill.cli.reports import report
from samspill.cli.schemes import scheme_app
from samspill.cli.sequential import sequential_app
from samspill.cli.studies import study_app
from samspill.cli.trajectory import trajectory
from samspill.cli.transcripts import transcript_app
from samspill.cli.users import login_link, member_app, token_app, user_app
from samspill.core.errors import SamspillError

app = typer.Typer(
    name="samspill",
    help="Observe, code, score and teach the recognition of caregiver withdrawal.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Plain help, as click writes it: Typer's rich help loads rich's Markdown renderer, a
    # third of the startup time of `samspill --help` (issue 15: under 0.3 s).
    rich_markup_mode=None,
)


@app.callback()
def _private_files() -> None:
    # Every file a command writes (database, WAL, backups, exports, the server's files) is
    # readable by this account only, and every folder it makes likewise (issue 21, item 12).
    os.umask(0o077)


app.add_typer(scheme_app, name="scheme")
app.add_typer(study_app, name="study")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(member_app, name="member")  # issue 21: taking access away
app.command("login-link")(login_link)
# Issue 7: backups and the audit log.
app.add_typer(audit_app, name="audit")
app.add_typer(events_app, name="events")
app.add_typer(export_app, name="export")  # issue 6: research tables and coding files
app.add_typer(import_app, name="import")
# The analysis core on CSV files; `agreement codings` and `sequential study` on stored codings.
app.add_typer(agreement_app, name="agreement")
app.add_typer(sequential_app, name="sequential")
app.add_typer(outcomes_app, name="outcomes")
app.add_typer(assist_app, name="assist")  # issue 11: suggestions, never codes
app.command()(moments)  # issue 23: moments to show a parent, and the feedback reel
app.add_typer(reel_app, name="reel")
app.add_typer(transcript_app, name="transcript")  # issue 12: coded transcripts
app.add_typer(course_app, name="course")  # issue 12: courses for learners
app.command()(backup)
app.command()(restore)
app.command("report")(report)
app.command()(scoring.score)
app.command()(scoring.cohort)
app.command()(scoring.relations)
app.command()(scoring.simulate)
app.command()(trajectory)  # issue 23: a family's course over time


@app.command()
def init(data_dir: DataDir = None) -> None:
    """Create the data folder and database, and the local administrator 'admin'."""
    from samspill.services.setup import ensure_admin

    with unit_of_work(data_dir) as (db, database):
        ensure_admin(db)
        where = (database.settings.database_url and "PostgreSQL") or database.settings.sqlite_path
    console.print(f"ready: {where}")


@app.command()
def demo(
    data_dir: DataDir = None,
    video: Annotated[
        bool, typer.Option("--video/--no-video", help="Render the demo video.")
    ] = True,
) -> None:
    """Load the demo study (the article's vignette) once."""
    from samspill.services.demo import load_demo
    from samspill.services.setup import ensure_admin

    with unit_of_work(data_dir) as (db, database):
        load_demo(
            db, owner=ensure_admin(db), media_dir=database.settings.media_dir, with_video=video,
            models_dir=database.settings.assist_models_dir,
        )
    console.print("demo study 'demo' is loaded")


@app.command()
def serve(
    data_dir: DataDir = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    ssl_certfile: Annotated[
        Path | None, typer.Option("--ssl-certfile", help="TLS certificate (PEM): serve HTTPS.")
    ] = None,
    ssl_keyfile: Annotated[
        Path | None, typer.Option("--ssl-keyfile", help="The certificate's private key (PEM).")
    ] = None,
) -> None:
    """Serve the web app. While the administrator has no password, and only on an interactive
    terminal, it shows a one-time login link (never in a service's log); 'samspill login-link
    admin' makes a new one at any time."""
    from samspill.services.setup import ensure_admin, login_link, needs_first_link
    from samspill.web.app import create_app, require_safe_secret
    from samspill.web.serving import serve as serve_app

    database = open_database(data_dir)
    require_safe_secret(database.settings, host)  # no default secret off localhost
    scheme = "https" if ssl_certfile else "http"
    console.print(f"Samspill is serving at {scheme}://{host}:{port}")
    with database.session() as db:
        admin = ensure_admin(db)
        if needs_first_link(admin):
            if sys.stdout.isatty():
                link = login_link(db, admin, host=host, port=port, scheme=scheme)
                console.print(
                    "Log in as the local administrator (the link works once, for an hour):\n"
                    f"  {link}",
                    soft_wrap=True,
                )
            else:
                console.print("For a login link: samspill login-link admin")
    web_app = create_app(database.settings, database=database, host=host)
    serve_app(web_app, host=host, port=port, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile)


def main() -> None:
    try:
        app()
    except SamspillError as error:
        print(f"error: {error_text(error)}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
