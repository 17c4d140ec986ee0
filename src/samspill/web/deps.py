"""Typed dependencies: the database unit of work, the current user, and study access."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, TypeVar

import anyio
from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from samspill.core.errors import N_, AuthenticationError, NotFoundError, PermissionDeniedError
from samspill.services import access as policy
from samspill.services import accounts, audit, codings, courses, credentials, studies
from samspill.settings import Settings
from samspill.store.db import Database
from samspill.store.models import AuthSession, Coding, MediaFile, ObservationSession, Study, User
from samspill.store.models_courses import CourseRow
from samspill.web.permissions import PermissionName

SESSION_COOKIE = "samspill_session"
T = TypeVar("T")


async def get_db(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work: committed on success, rolled back on any error.

    Opening a session does no I/O, so it happens on the event loop; the commit or rollback
    runs in a worker thread, and not at all when the route committed already (the save path),
    which spares each request two thread hand-offs.
    """
    database: Database = request.app.state.database
    db = database.sessions()
    try:
        yield db
    except BaseException:
        with anyio.CancelScope(shield=True):  # a client that hangs up still gets a rollback
            await run_in_threadpool(_end, db, commit=False)
        raise
    if db.in_transaction():
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(_end, db, commit=True)
    else:
        db.close()


def _end(db: Session, *, commit: bool) -> None:
    try:
        if commit:
            db.commit()
    finally:
        db.close()  # rolls back whatever was not committed


# scope="function": the unit of work commits before the answer leaves, so a client is never
# told "saved" about a change whose commit then fails.
DbSession = Annotated[Session, Depends(get_db, scope="function")]


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


@dataclass
class Login:
    user: User
    browser: AuthSession | None  # None when the request came with an API token


def optional_login(request: Request, db: DbSession) -> Login | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = credentials.user_for_token(db, header[7:].strip())
        return Login(user, None) if user else None
    cookie = request.cookies.get(SESSION_COOKIE)
    browser = credentials.browser_session(db, cookie) if cookie else None
    return Login(browser.user, browser) if browser else None


def require_login(login: Annotated[Login | None, Depends(optional_login)]) -> Login:
    if login is None:
        raise AuthenticationError(
            N_("log in first"), fix=N_("log in, or send 'Authorization: Bearer TOKEN'")
        )
    return login


@dataclass
class Access:
    """Who asks, in which study, with which role; the object of the request when there is one."""

    user: User
    role: str | None
    study: Study | None = None
    coding: Coding | None = None
    session: ObservationSession | None = None
    media: MediaFile | None = None
    course: CourseRow | None = None  # issue 12: the course in the path, with ``role`` in it
    csrf: str = ""  # the browser login's CSRF token, for forms on the page

    @property
    def member(self) -> policy.Member:
        """Who asks, as the access policy reads them."""
        return policy.Member(self.user, self.role)

    # Typed views for routes whose path names the object (Permission resolved it already).
    @property
    def the_study(self) -> Study:
        return _present(self.study, "study")

    @property
    def the_session(self) -> ObservationSession:
        return _present(self.session, "session")

    @property
    def the_coding(self) -> Coding:
        return _present(self.coding, "coding")

    @property
    def the_media(self) -> MediaFile:
        return _present(self.media, "media file")

    @property
    def the_course(self) -> CourseRow:
        return _present(self.course, "course")


# One message per kind of thing, so that bokmål can say the kind too.
_NO_SUCH = {
    "study": N_("no such study"),
    "session": N_("no such session"),
    "coding": N_("no such coding"),
    "media file": N_("no such media file"),
    "media": N_("no such media"),
    "course": N_("no such course"),
}


def _present(value: T | None, what: str) -> T:
    if value is None:
        raise NotFoundError(_NO_SUCH[what], fix=N_("check the address"))
    return value


class Permission:
    """A dependency that resolves the study from the path and checks the role against the table.

    With ``in_route=True`` the check is handed to the route as an :class:`Authorisation`, which
    the route runs inside its own worker-thread call: the coding screen's save then costs one
    thread hand-off, not two (see ``web/lanes.py``).
    """

    def __init__(self, name: PermissionName, *, in_route: bool = False) -> None:
        self.name = name
        self.in_route = in_route

    def __repr__(self) -> str:
        return f"Permission({self.name!r})"

    async def __call__(self, request: Request, db: DbSession) -> Access | Authorisation | None:
        if self.name == "public":
            return None
        sent_csrf = await _sent_csrf_token(request)
        if self.in_route:
            return Authorisation(self, request, db, sent_csrf)
        # Login, CSRF, the path's objects, the role and the audit row: one worker-thread call,
        # so the event loop never waits on the database.
        access = await run_in_threadpool(self._authorise, request, db, sent_csrf)
        audit.ACTOR.set(access.user)  # set here: a worker thread's context does not come back
        return access

    def _authorise(self, request: Request, db: Session, sent_csrf: str | None) -> Access:
        login = optional_login(request, db)
        if login is None:
            raise AuthenticationError(
                N_("log in first"), fix=N_("log in, or send 'Authorization: Bearer TOKEN'")
            )
        if login.browser is not None and request.method not in SAFE_METHODS:
            _check_csrf(sent_csrf, login.browser)
        audit.ACTOR.set(login.user)
        access = _resolve(db, request.path_params, login.user)
        access.csrf = login.browser.csrf_token if login.browser else ""
        try:
            self._check(db, access)
        except (PermissionDeniedError, NotFoundError) as refusal:
            _audit_refusal(request, login.user, access, refusal)
            raise
        _audit(request, db, self.name, access)  # commits with the request's own changes
        return access

    def _check(self, db: Session, access: Access) -> None:
        if self.name == "authenticated":
            return
        if self.name == "admin":
            if not access.user.is_admin:
                raise PermissionDeniedError(N_("administrators only"),
                                            fix=N_("ask an administrator"))
            return
        if self.name in policy.COURSE_ROLES:
            self._check_course(db, access)
            return
        if access.study is None:
            raise PermissionDeniedError(N_("this needs a study"),
                                        fix=N_("name a study in the path"))
        access.role = studies.role_of(db, study=access.study, user=access.user)
        if not policy.holds(access.role, self.name):
            # Not a member: answer as if the study did not exist, so names do not leak.
            if access.role is None:
                raise NotFoundError(N_("no such study"), fix=N_("check the name"))
            raise policy.refusal(access.role, self.name)
        if access.coding is not None and self.name.startswith("coding."):
            policy.check_coding(access.member, access.coding, write=self.name != "coding.read")


    def _check_course(self, db: Session, access: Access) -> None:
        """A course-scoped permission: the course role decides; to anyone outside the course
        it does not exist (names of courses do not leak)."""
        course = _present(access.course, "course")
        access.role = courses.course_role(db, course=course, user=access.user)
        if not policy.holds_in_course(access.role, self.name):
            if access.role is None:
                raise NotFoundError(N_("no such course"), fix=N_("check the address"))
            raise PermissionDeniedError(N_("only the course's teachers may do this"),
                                        fix=N_("ask the course's teacher"))


@dataclass
class Authorisation:
    """A permission check the route runs in its own worker-thread call (``in_route=True``)."""

    permission: Permission
    request: Request
    db: Session
    sent_csrf: str | None

    def check(self) -> Access:
        """Who asks and what they may do; raises the same refusals as any other route."""
        return self.permission._authorise(self.request, self.db, self.sent_csrf)


# --- Audit trail (issue 7): who, what, when, from where; never bodies or identifying content.


def _audit(request: Request, db: Session, permission: str, access: Access) -> None:
    has_session = access.session is not None or access.coding is not None
    action = audit.classify(
        method=request.method,
        path=request.url.path,
        permission=permission,
        has_session=has_session,
    )
    if action is not None:
        audit.record_at_commit(
            db,
            action=action,
            user=access.user,
            target=f"{request.method} {request.url.path}",
            study=access.study.name if access.study else None,
        )


def _audit_refusal(request: Request, user: User, access: Access, refusal: Exception) -> None:
    # The request's transaction rolls back on the refusal, so the row gets its own.
    database: Database = request.app.state.database
    with database.session() as db:
        audit.record(
            db,
            action="denied",
            user=db.get(User, user.id),
            target=f"{request.method} {request.url.path}",
            study=access.study.name if access.study else None,
            detail=type(refusal).__name__,
        )


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


async def _sent_csrf_token(request: Request) -> str | None:
    """The CSRF token a browser's state-changing request echoes (header or form field).

    Read on the event loop, before the login is known, because reading a form is async; only
    requests that may come from a browser login (a session cookie, no Bearer token) are read.
    """
    if request.method in SAFE_METHODS or SESSION_COOKIE not in request.cookies:
        return None
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return None
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = str((await request.form()).get(CSRF_FIELD, ""))
    return sent


def _check_csrf(sent: str | None, browser: AuthSession) -> None:
    """A browser's state-changing request must echo the login's CSRF token."""
    if not sent or not secrets.compare_digest(sent, browser.csrf_token):
        raise PermissionDeniedError(
            N_("the form's security token is missing or old"),
            fix=N_("reload the page and try again"),
        )


def _resolve(db: Session, params: dict, user: User) -> Access:
    access = Access(user=user, role=None)
    if "coding_id" in params:
        access.coding = codings.get_coding(db, _int(params["coding_id"], "coding"))
        access.session = access.coding.session
    elif "media_id" in params:
        media = db.get(MediaFile, _int(params["media_id"], "media"))
        if media is None:
            raise NotFoundError(N_("no such media file"), fix=N_("check the id"))
        access.media = media
        access.session = db.get(ObservationSession, media.session_id)
    if "course" in params:
        access.course = courses.find_course(db, str(params["course"]))
    if access.session is not None:
        access.study = db.get(Study, access.session.study_id)
    elif "study" in params:
        access.study = studies.get_study(db, params["study"])
        if "session" in params:
            access.session = studies.get_session(db, study=access.study, name=params["session"])
    return access


def _int(value: str, what: str) -> int:
    if not (str(value).isascii() and str(value).isdigit()):  # "²" is a digit, no int
        raise NotFoundError(_NO_SUCH[what], fix=N_("check the id"))
    return int(value)


def allow(name: PermissionName):
    return Depends(Permission(name))


CurrentLogin = Annotated[Login, Depends(require_login)]


# One typed dependency per permission of the table: routes name these in their signatures.
Authenticated = Annotated[Access, Depends(Permission("authenticated"))]
Admin = Annotated[Access, Depends(Permission("admin"))]
ReadStudy = Annotated[Access, Depends(Permission("study.read"))]
ManageStudy = Annotated[Access, Depends(Permission("study.manage"))]
CodeStudy = Annotated[Access, Depends(Permission("study.code"))]
ReadCoding = Annotated[Access, Depends(Permission("coding.read"))]
WriteCoding = Annotated[Access, Depends(Permission("coding.write"))]
SaveToCoding = Annotated[Authorisation, Depends(Permission("coding.write", in_route=True))]
ManageCoding = Annotated[Access, Depends(Permission("coding.manage"))]
ReviewCoding = Annotated[Access, Depends(Permission("coding.review"))]
ReadMedia = Annotated[Access, Depends(Permission("media.read"))]
ReadAgreement = Annotated[Access, Depends(Permission("agreement.read"))]
ReadAudit = Annotated[Access, Depends(Permission("audit.read"))]
ManageIdentity = Annotated[Access, Depends(Permission("identity.manage"))]
ManageDyad = Annotated[Access, Depends(Permission("dyad.manage"))]
ManageMembers = Annotated[Access, Depends(Permission("members.manage"))]
RunAssist = Annotated[Access, Depends(Permission("assist.run"))]
ManageMoments = Annotated[Access, Depends(Permission("moments.manage"))]
ExportReel = Annotated[Access, Depends(Permission("reel.export"))]
MakeCourse = Annotated[Access, Depends(Permission("course.create"))]
TakeCourse = Annotated[Access, Depends(Permission("course.take"))]
TeachCourse = Annotated[Access, Depends(Permission("course.teach"))]


# --- What the asking member may read, for routes that list codings or name another user.


def visible_codings(access: Access, db: Session) -> list[Coding]:
    """The session's codings this user may see: blind coding is enforced here, not in the UI."""
    return policy.readable_codings(access.member, codings.codings_of(db, access.the_session))


def trainee_for(access: Access, db: Session, name: str | None) -> User:
    """Owners and viewers name any trainee; everyone else sees their own report only."""
    if name is None or name == access.user.username:
        return access.user
    policy.check_certification_reader(access.member, name)
    return accounts.get_user(db, name)
