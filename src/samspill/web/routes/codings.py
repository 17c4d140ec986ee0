"""Codings: create, read (blind rules apply), events, actions, ratings, submit and reopen."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from samspill.core.errors import N_, InputError
from samspill.services import access as policy
from samspill.services import actions, coding_ratings, codings, scoring
from samspill.services.schemes import latest_version
from samspill.services.scores_json import scores_to_json
from samspill.web.api_shapes import coding_out
from samspill.web.deps import (
    Authorisation,
    CodeStudy,
    DbSession,
    ReadCoding,
    ReadStudy,
    SaveToCoding,
    WriteCoding,
    visible_codings,
)
from samspill.web.lanes import in_save_lane
from samspill.web.schemas import (
    ActionResult,
    ActionsIn,
    CodingIn,
    CodingOut,
    EventsOut,
    RatingsIn,
    ScoresOut,
    ScoresPanelOut,
    StatusIn,
)
from samspill.web.scores_display import scores_display

router = APIRouter(tags=["codings"])


@router.get("/api/studies/{study}/sessions/{session}/codings")
def list_codings(access: ReadStudy, db: DbSession) -> list[CodingOut]:
    return [coding_out(c) for c in visible_codings(access, db)]


@router.post("/api/studies/{study}/sessions/{session}/codings", status_code=201)
def create_coding(body: CodingIn, access: CodeStudy, db: DbSession) -> CodingOut:
    purpose = "training" if access.role == "trainee" else body.purpose
    coding = codings.create_coding(
        db,
        session=access.the_session,
        coder=access.user,
        scheme_version=latest_version(db, body.scheme_id),
        purpose=purpose,
    )
    return coding_out(coding)


@router.get("/api/codings/{coding_id}")
def get_coding(access: ReadCoding) -> CodingOut:
    return coding_out(access.the_coding)


@router.get("/api/codings/{coding_id}/events")
def get_events(access: ReadCoding, db: DbSession) -> EventsOut:
    return EventsOut(
        coding_id=access.the_coding.id,
        events=codings.coding_events(db, access.the_coding),
    )


def _inline_defs(schema: dict) -> dict:
    """The JSON schema with its ``$defs`` written in place (OpenAPI cannot resolve them)."""
    defs = schema.pop("$defs", {})

    def resolve(node: object) -> object:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return resolve(schema)  # type: ignore[return-value]


# The body is read by the route, not by FastAPI: the permission check runs first (as on every
# route, a refusal never comments on the body), and both run in one call on a save thread.
ACTIONS_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": _inline_defs(ActionsIn.model_json_schema())}},
    }
}


@router.post("/api/codings/{coding_id}/actions", openapi_extra=ACTIONS_BODY)
async def post_actions(request: Request, auth: SaveToCoding) -> list[ActionResult]:
    """Apply the outbox's actions in order; answered only after the commit."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    is_json = content_type == "application/json" or content_type.endswith("+json")
    raw = await request.body() if is_json else None  # a form was read by the CSRF check
    return await in_save_lane(partial(_save, auth, raw))


def _save(auth: Authorisation, raw: bytes | None) -> list[ActionResult]:
    """Authorise, read the body, apply and commit in one worker call (see ``web/lanes.py``)."""
    access = auth.check()
    batch = _actions_of(raw)
    try:
        results = actions.apply_actions(auth.db, coding=access.the_coding, actions=batch)
        auth.db.commit()
    except BaseException:
        auth.db.rollback()  # gives SQLite's write lock back at once
        raise
    return results


def _actions_of(raw: bytes | None) -> list[actions.Action]:
    if raw is None:
        raise InputError(
            N_("the actions must be sent as JSON"),
            fix=N_("send 'Content-Type: application/json'"),
        )
    try:
        return ActionsIn.model_validate_json(raw).actions
    except ValidationError as error:
        # Located as FastAPI locates body errors ("body", field, ...), for the same clients.
        problems = [
            {**problem, "loc": ("body", *problem["loc"])}
            for problem in error.errors(include_url=False)
        ]
        raise RequestValidationError(problems, body=raw) from error


@router.get("/api/codings/{coding_id}/ratings")
def get_ratings(access: ReadCoding, db: DbSession) -> dict[str, str]:
    return coding_ratings.ratings_of(db, access.the_coding)


@router.put("/api/codings/{coding_id}/ratings")
def put_ratings(body: RatingsIn, access: WriteCoding, db: DbSession) -> dict[str, str]:
    coding_ratings.set_ratings(db, coding=access.the_coding, ratings=body.ratings)
    return coding_ratings.ratings_of(db, access.the_coding)


@router.put("/api/codings/{coding_id}/status")
def put_status(body: StatusIn, access: WriteCoding, db: DbSession) -> CodingOut:
    """Coders submit their own coding; only an owner reopens one or marks a master."""
    coding = access.the_coding
    policy.check_status_change(access.member, body.status)
    if body.status == "submitted":
        codings.submit(db, coding)  # refused while a state runs or a required modifier lacks
    else:
        codings.set_status(db, coding=coding, status=body.status)
    return coding_out(coding)


UntilMs = Annotated[int | None, Query(ge=0, le=10 * 24 * 3600 * 1000)]


def _scored(
    access: ReadCoding, db: DbSession, until_ms: int | None, *, stability: bool = True
) -> dict[str, Any]:
    """The coding's scores as JSON (``scores_to_json``) with ``provisional``, ``coding`` and
    ``display``; refused to a role that may not see scores in this study."""
    coding = access.the_coding
    policy.check_scores(
        coding.session.study, access.role,
        fix=N_("the study's owner can show them after reconciliation"),
    )
    found = scoring.scored_coding(db, coding, until_ms=until_ms, stability=stability)
    result = scores_to_json(found.scores)
    result["coding"] = coding_out(coding).model_dump()
    # A running state is ended at the playhead (``until_ms``) or the media's end: provisional.
    result["provisional"] = found.provisional
    result["provisional_until"] = until_ms if found.provisional else None
    result["display"] = scores_display(result, codings.coding_scheme(coding))
    return result


@router.get("/api/codings/{coding_id}/scores", response_model=ScoresOut)
def get_scores(access: ReadCoding, db: DbSession, until_ms: UntilMs = None) -> Response:
    """The five signs of withdrawal and the hostility qualifier, per scope, with their states,
    reasons, values, stability and evidence; AMBIANCE counts, level and classification.

    ``display`` is what the scores panel shows, in the request's language (see
    :func:`scores_display`); everything else is language-neutral. A state still running is
    counted up to ``until_ms`` (the coding screen's playhead) or the media's end, and the
    answer is ``provisional``. A coding that cannot be scored (an event past the media's end)
    answers 400 with the reason and the fix, which the panel shows.
    """
    # Plain JSON values already (services.scores_json), in ScoresOut's shape (a test checks
    # it): sent as they are, without validating and encoding up to a megabyte of a long coding's
    # scores again.
    return JSONResponse(_scored(access, db, until_ms))


@router.get("/api/codings/{coding_id}/scores/display", response_model=ScoresPanelOut)
def get_scores_display(
    access: ReadCoding, db: DbSession, until_ms: UntilMs = None, stability: bool = True
) -> Response:
    """Only what the coding screen's scores panel shows: ``display`` and whether the score is
    provisional, the same as in ``GET /api/codings/{id}/scores``. A long coding's whole answer
    runs to a megabyte (every scope's evidence); the panel reads, compares and parses this one
    after every save, in the browser that is taking the coder's keys. With
    ``stability=false`` the signs come without their stability (``null``): a tenth of the
    server's work for a long coding, which the panel asks for while the coder keys."""
    result = _scored(access, db, until_ms, stability=stability)
    return JSONResponse({key: result[key] for key in ScoresPanelOut.model_fields})
