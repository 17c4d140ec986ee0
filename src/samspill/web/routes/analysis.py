"""The analysis page: the built-in withdrawal query (and lag tables) on the study's stored
codings, and outcome models with an uploaded outcome CSV. Both run as jobs; the job page shows
progress, then the result tables.

Blind coding holds: the analyses see only the codings the asking user may see; outcome models
use the six signs, so they follow the study's rule for showing scores.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from samspill.core.errors import N_, InputError
from samspill.core.selection import Pooling
from samspill.core.sequential import parse_lags
from samspill.interop.variables import PREDICTOR_COLUMNS
from samspill.services import access as policy
from samspill.services import analysis, exports, studies
from samspill.store.models import Study, User
from samspill.web.deps import DbSession, ReadStudy
from samspill.web.i18n import marked as _  # for the extractor
from samspill.web.jobs import start_job
from samspill.web.pooling_choice import pooling_choices
from samspill.web.templating import page

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=200)]
PREDICTORS = PREDICTOR_COLUMNS


@router.get("/studies/{study}/analysis")
def analysis_page(request: Request, access: ReadStudy, db: DbSession) -> Response:
    return page(
        request,
        access,
        "analysis_study.html",
        sessions=studies.sessions_of(db, access.the_study),
        coders=[m.user.username for m in studies.members(db, access.the_study)]
        if policy.holds(access.role, "study.manage")
        else [],
        predictors=PREDICTORS,
        scores_shown=policy.scores_visible(access.the_study, access.role),
        pooling_choices=pooling_choices(db, access.the_study, access.role),
    )


@router.post("/studies/{study}/analysis/sequential")
def run_sequential(
    request: Request,
    access: ReadStudy,
    query: Text = "withdrawal",
    session: Text = "",
    window_ms: Annotated[int, Form(gt=0, le=3_600_000)] = 10_000,
    unit_ms: Annotated[int, Form(gt=0, le=3_600_000)] = 1000,
    answer_codes: Text = "respond,initiate,hold",
    lag: Text = "1",
    coder: Text = "",
    only: Text = "",
    no_repeats: Annotated[bool, Form()] = False,
    tablewise: Annotated[bool, Form()] = False,
    one_per_session: Text = "auto",
) -> Response:
    """The withdrawal query (bid → caregiver answer within W) or lag tables, as a job, with
    the options of ``samspill sequential study`` (session, coder, lags, only, no repeats,
    tablewise), on one coding per session by default (``one_per_session``: auto, coder:NAME or
    off)."""
    answers = _codes(answer_codes)
    if not answers:
        raise InputError(N_("no answer code given"), fix=N_("give e.g. respond,initiate,hold"))
    lags = parse_lags(lag) if query == "lag" else []
    sequenced = _codes(only) or None
    visible = policy.readable(access.member)
    pooled = Pooling.parse(one_per_session)
    detail = ", ".join(f"{k} {v}" for k, v in (("session", session), ("coder", coder),
                                                  ("lag", lag if query == "lag" else ""),
                                                  ("only", only), ("codings", str(pooled)))
                       if v)

    def work(db: Session, study: Study, _user: User, progress: Callable[[float], None]) -> Any:
        chosen = exports.choose_codings(db, study, session=session or None,
                                        coder=coder or None, visible=visible)
        progress(0.3)
        if query == "lag":
            title = (_("Tests of independence, per lag table") if tablewise
                     else _("Lag-sequential tables"))
            return {title: analysis.lag_analysis(db, chosen, lags=lags, only=sequenced,
                                                 allow_repeats=not no_repeats,
                                                 tablewise=tablewise, pooled=pooled)}
        return {
            _("Bid → caregiver answer within W, per session and pooled"): analysis.withdrawal_query(
                db, chosen, window_ms=window_ms, unit_ms=unit_ms, answer_codes=answers,
                pooled=pooled,
            ),
            _("Each bid and its first answer"): analysis.withdrawal_query(
                db, chosen, window_ms=window_ms, answer_codes=answers, per_event=True,
                pooled=pooled,
            ),
        }

    return start_job(request, access, _("Sequential analysis"), work,
                     detail=f"{query} ({detail})" if detail else query)


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


@router.post("/studies/{study}/analysis/outcomes")
async def run_outcomes(
    request: Request,
    access: ReadStudy,
    file: UploadFile,
    outcome: Text,
    steps: Annotated[str, Form(max_length=4000)],
    dyad_col: Text = "dyad",
    confidence: Annotated[float, Form(gt=0, lt=1)] = 0.95,
    one_per_session: Text = "auto",
) -> Response:
    """Hierarchical OLS of an uploaded outcome on covariates and withdrawal predictors, from
    one coding per session by default (``one_per_session``: auto, coder:NAME or off)."""
    policy.check_scores(access.the_study, access.role, fix=N_("ask the study's owner"))
    outcomes = analysis.read_outcomes(
        await file.read(), source=file.filename or "outcomes.csv", dyad_col=dyad_col
    )
    blocks = analysis.parse_steps(steps.splitlines())
    visible = policy.readable(access.member)
    pooled = Pooling.parse(one_per_session)

    def work(db: Session, study: Study, _user: User, progress: Callable[[float], None]) -> Any:
        chosen = exports.choose_codings(db, study, visible=visible)
        progress(0.3)
        result = analysis.outcome_model(
            db,
            study,
            chosen,
            outcomes,
            outcome=outcome,
            steps=blocks,
            dyad_col=dyad_col,
            confidence=confidence,
            pooled=pooled,
        )
        return {
            _("Steps: R² and R² change"): result.steps,
            _("Coefficients: standardised betas"): result.coefficients,
            _("Dyads left out, and why"): result.excluded,
        }

    return start_job(request, access, _("Outcome model"), work, detail=outcome)
