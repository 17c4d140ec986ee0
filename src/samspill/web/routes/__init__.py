"""One module per resource; ROUTERS is what the app includes."""

from samspill.web.routes import (
    accounts,
    agreement,
    agreement_pages,
    analysis,
    assist,
    audit,
    auth,
    codings,
    courses,
    dyads,
    elan_imports,
    exchange,
    health,
    media,
    moments,
    pages,
    reports,
    studies,
    study_admin,
    study_settings,
    training_pages,
    trajectory,
    transcripts,
    workspace,
)

ROUTERS = [
    health.router,
    auth.router,
    studies.router,
    codings.router,
    media.router,
    pages.router,
    workspace.router,
]
ROUTERS += [audit.router, dyads.router]  # issue 7: audit log, identity, data rights
ROUTERS += [study_admin.router]  # owners' forms: upload, members
ROUTERS += [study_settings.router]  # issue 22: every study setting, page and API
ROUTERS += [agreement.router, agreement_pages.router]  # issue 5: agreement and training
ROUTERS += [training_pages.router]  # masters, feedback, certification (issues 5 and 22)
ROUTERS += [reports.router]  # issue 6: session and cohort reports
ROUTERS += [exchange.router, analysis.router]  # issue 6: exports, imports, analyses
ROUTERS += [accounts.router]  # issue 21: account page, users page, tokens
ROUTERS += [assist.router]  # issue 11: assist passes and suggestions (never codes)
ROUTERS += [trajectory.router]  # issue 23: a family's course over time, progress report
ROUTERS += [elan_imports.router]  # issue 13: ELAN files under a derived scheme or a mapping
ROUTERS += [moments.router]  # issue 23: moments to show, guidance notes, the feedback reel
ROUTERS += [transcripts.router]  # issue 12: coded transcripts
ROUTERS += [courses.router]  # issue 12: course mode (learners, teachers, course files)


def all_routes() -> list:
    """Every endpoint of the app, for the permission tests (the routers hold full paths)."""
    from fastapi.routing import APIRoute

    return [route for router in ROUTERS for route in router.routes if isinstance(route, APIRoute)]
