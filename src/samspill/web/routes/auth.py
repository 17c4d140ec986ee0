"""Logging in and out: a page, JSON for scripts, and one-time login links."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from samspill.core.errors import SamspillError
from samspill.services import accounts, credentials
from samspill.settings import Settings
from samspill.store.models import User
from samspill.web import i18n
from samspill.web.deps import SESSION_COOKIE, CurrentLogin, DbSession, allow, get_settings
from samspill.web.schemas import LoginIn, UserOut
from samspill.web.templating import templates

router = APIRouter()
SettingsDep = Annotated[Settings, Depends(get_settings)]


def _set_login_cookie(request: Request, response: Response, cookie: str, hours: float) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=int(hours * 3600),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an attacker's link must not bounce a fresh login elsewhere.
    if (
        not target
        or urlparse(target).netloc
        or not target.startswith("/")
        or target.startswith("//")
    ):
        return "/"
    return target


def _authenticate(
    request: Request, db: DbSession, settings: Settings, username: str, password: str
) -> User:
    return accounts.authenticate(
        db,
        username=username,
        password=password,
        address=request.client.host if request.client else "",
        address_limit=settings.login_address_limit,
    )


@router.get("/login", dependencies=[allow("public")])
def login_page(request: Request, next: str = "/") -> Response:
    return templates.TemplateResponse(request, "login.html", {"next": _safe_next(next)})


@router.post("/login", dependencies=[allow("public")])
def login_form(
    request: Request,
    db: DbSession,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        user = _authenticate(request, db, settings, username, password)
    except SamspillError as error:
        db.commit()  # keep the failed-login count even though we answer with an error
        return templates.TemplateResponse(
            request,
            "login.html",
            {"next": _safe_next(next), "error": error.message, "username": username},
            status_code=error.status_code,
        )
    cookie, _ = credentials.start_browser_session(db, user=user, hours=settings.session_hours)
    response = RedirectResponse(_safe_next(next), status_code=303)
    _set_login_cookie(request, response, cookie, settings.session_hours)
    return response


@router.post("/api/login", dependencies=[allow("public")])
def login_api(
    request: Request, body: LoginIn, db: DbSession, settings: SettingsDep, response: Response
) -> dict[str, str]:
    try:
        user = _authenticate(request, db, settings, body.username, body.password)
    except SamspillError:
        db.commit()
        raise
    cookie, csrf = credentials.start_browser_session(db, user=user, hours=settings.session_hours)
    _set_login_cookie(request, response, cookie, settings.session_hours)
    return {"username": user.username, "csrf_token": csrf}


@router.get("/login/link", dependencies=[allow("public")])
def login_link(request: Request, token: str, db: DbSession, settings: SettingsDep) -> Response:
    user = credentials.consume_login_link(db, token)
    cookie, _ = credentials.start_browser_session(db, user=user, hours=settings.session_hours)
    # No password yet (a new administrator, a reset): straight to the page that sets one.
    response = RedirectResponse("/account" if user.password_hash is None else "/", status_code=303)
    _set_login_cookie(request, response, cookie, settings.session_hours)
    return response


@router.post("/logout", dependencies=[allow("authenticated")])
def logout(request: Request, db: DbSession) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        credentials.end_browser_session(db, cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/api/me", dependencies=[allow("authenticated")])
def me(login: CurrentLogin) -> UserOut:
    return UserOut(username=login.user.username, is_admin=login.user.is_admin)


@router.post("/language", dependencies=[allow("public")])
def set_language(
    language: Annotated[str, Form(max_length=5)], next: Annotated[str, Form()] = "/"
) -> Response:
    response = RedirectResponse(_safe_next(next), status_code=303)
    if language in i18n.LANGUAGES:
        response.set_cookie(
            i18n.LANG_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax", httponly=True
        )
    return response
