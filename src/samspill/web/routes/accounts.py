"""Accounts (issue 21): everyone's account page (password, API tokens) and the administrator's
users page (new users, disable and enable, password resets, anyone's tokens), with the same
acts as JSON for scripts. Every act is in the audit log (``services/accounts.py``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from samspill.core.errors import N_, InputError, NotFoundError, SamspillError
from samspill.services import access as policy
from samspill.services import accounts, credentials
from samspill.services.setup import link_url
from samspill.settings import Settings
from samspill.store.models import ApiToken, User
from samspill.web.deps import SESSION_COOKIE, Access, Admin, Authenticated, DbSession
from samspill.web.schemas import AccountOut, LinkOut, PasswordIn, TokenOut
from samspill.web.templating import templates

router = APIRouter(tags=["accounts"])
Password = Annotated[str, Form(max_length=1024)]
Next = Annotated[str, Form(max_length=20)]


def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def _kept_cookie(request: Request, access: Access) -> str | None:
    """The browser login that changes its own password stays; every other one ends."""
    return request.cookies.get(SESSION_COOKIE) if access.csrf else None


def _token_out(token: ApiToken) -> TokenOut:
    return TokenOut(
        id=token.id,
        username=token.user.username,
        name=token.name,
        created_at=token.created_at,
        expires_at=token.expires_at,
    )


def _revoke(db: DbSession, actor: User, token_id: int) -> None:
    try:
        token = credentials.get_token(db, token_id)
    except NotFoundError:
        raise NotFoundError(N_("no such token"),
                            fix=N_("list your tokens on your account page")) from None
    policy.check_token(actor, token.user)
    credentials.revoke_token(db, token, actor=actor)


def _new_token(request: Request, db: DbSession, user: User, name: str) -> str:
    ttl = dt.timedelta(days=_settings(request).token_days)
    return credentials.create_api_token(db, user=user, name=name, ttl=ttl)


# --- Everyone: the account page ---------------------------------------------------------------


def _account_page(
    request: Request, access: Access, db: DbSession, status: int = 200, **extra: object
) -> Response:
    settings = _settings(request)
    context = {
        "user": access.user,
        "csrf": access.csrf,
        "tokens": credentials.tokens_of(db, access.user),
        "token_days": settings.token_days,
        "min_length": settings.min_password_length,
        **extra,
    }
    return templates.TemplateResponse(request, "account.html", context, status_code=status)


@router.get("/account", include_in_schema=False)
def account_page(request: Request, access: Authenticated, db: DbSession) -> Response:
    return _account_page(request, access, db)


@router.post("/account/password", include_in_schema=False)
def change_password_form(
    request: Request,
    access: Authenticated,
    db: DbSession,
    new_password: Password,
    repeat_password: Password,
    current_password: Password = "",
) -> Response:
    try:
        if new_password != repeat_password:
            raise InputError(N_("the two new passwords differ"),
                             fix=N_("type the same password twice"))
        accounts.change_password(
            db,
            user=access.user,
            current=current_password,
            new=new_password,
            min_length=_settings(request).min_password_length,
            keep_cookie=_kept_cookie(request, access),
        )
    except SamspillError as error:
        db.rollback()
        return _account_page(request, access, db, error.status_code, error=error)
    return _account_page(request, access, db, done="password")


@router.post("/account/tokens", include_in_schema=False)
def create_token_form(
    request: Request,
    access: Authenticated,
    db: DbSession,
    name: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    token = _new_token(request, db, access.user, name)
    return _account_page(request, access, db, new_token=token)


@router.post("/account/tokens/{token_id}/revoke", include_in_schema=False)
def revoke_token_form(
    token_id: int, access: Authenticated, db: DbSession, next: Next = ""
) -> Response:
    _revoke(db, access.user, token_id)
    return RedirectResponse("/admin/users" if next == "users" else "/account", status_code=303)


@router.post("/api/account/password", status_code=204)
def change_password(
    request: Request, body: PasswordIn, access: Authenticated, db: DbSession
) -> None:
    """Change your own password: your other logins and all your tokens end."""
    accounts.change_password(
        db,
        user=access.user,
        current=body.current_password,
        new=body.new_password,
        min_length=_settings(request).min_password_length,
        keep_cookie=_kept_cookie(request, access),
    )


@router.get("/api/tokens")
def list_tokens(access: Authenticated, db: DbSession, user: str | None = None) -> list[TokenOut]:
    """Your API tokens; an administrator names anyone with ?user=."""
    owner = access.user if user is None else accounts.get_user(db, user)
    if not policy.may_manage_account(access.user, owner):
        owner = access.user
    return [_token_out(t) for t in credentials.tokens_of(db, owner)]


@router.delete("/api/tokens/{token_id}", status_code=204)
def revoke_token(token_id: int, access: Authenticated, db: DbSession) -> None:
    """Revoke one of your tokens (an administrator: anyone's); it stops working at once."""
    _revoke(db, access.user, token_id)


# --- Administrators: the users page -----------------------------------------------------------


def _users_page(
    request: Request, access: Access, db: DbSession, status: int = 200, **extra: object
) -> Response:
    context = {
        "user": access.user,
        "csrf": access.csrf,
        "users": accounts.all_users(db),
        "tokens": credentials.tokens_of(db),
        **extra,
    }
    return templates.TemplateResponse(request, "users.html", context, status_code=status)


def _link(request: Request, db: DbSession, username: str, token: str) -> LinkOut:
    return LinkOut(username=username, link=link_url(str(request.base_url), token))


@router.get("/admin/users", include_in_schema=False)
def users_page(request: Request, access: Admin, db: DbSession) -> Response:
    return _users_page(request, access, db)


@router.post("/admin/users", include_in_schema=False)
def add_user_form(
    request: Request,
    access: Admin,
    db: DbSession,
    username: Annotated[str, Form(max_length=64)],
    is_admin: Annotated[bool, Form()] = False,
    can_create_studies: Annotated[bool, Form()] = False,
) -> Response:
    """A new user without a password: the page shows a one-time link to hand them."""
    user = accounts.add_user(db, username=username, password=None, is_admin=is_admin)
    accounts.set_create_right(db, user=user, allowed=can_create_studies, actor=access.user)
    link = _link(request, db, user.username, credentials.make_login_link(db, user))
    return _users_page(request, access, db, link=link)


@router.post("/admin/users/{username}/create-right", include_in_schema=False)
def create_right_form(
    request: Request,
    username: str,
    access: Admin,
    db: DbSession,
    allowed: Annotated[list[str], Form()],
) -> Response:
    """The users page's checkbox *May create studies*: a hidden "false", then "true" when
    ticked; the last value counts."""
    act = "grant-create" if allowed[-1] == "true" else "revoke-create"
    _act(request, db, access.user, username, act)
    return _users_page(request, access, db, done=(act, username))


@router.post("/admin/users/{username}/{act}", include_in_schema=False)
def user_act_form(
    request: Request, username: str, act: str, access: Admin, db: DbSession
) -> Response:
    """disable, enable or reset-password, from the users page."""
    link = _act(request, db, access.user, username, act)
    return _users_page(request, access, db, link=link, done=(act, username))


def _act(request: Request, db: DbSession, actor: User, username: str, act: str) -> LinkOut | None:
    user = accounts.get_user(db, username)
    if act == "disable":
        accounts.disable_user(db, user=user, actor=actor)
    elif act == "enable":
        accounts.enable_user(db, user=user, actor=actor)
    elif act in ("grant-create", "revoke-create"):
        accounts.set_create_right(db, user=user, allowed=act == "grant-create", actor=actor)
    elif act == "reset-password":
        return _link(
            request, db, user.username, accounts.reset_password(db, user=user, actor=actor)
        )
    else:
        raise NotFoundError(
            N_("no action '{action}'"),
            fix=N_("use disable, enable, reset-password, grant-create or revoke-create"),
            params={"action": act},
        )
    return None


@router.get("/api/users")
def list_users(access: Admin, db: DbSession) -> list[AccountOut]:
    return [
        AccountOut(
            username=u.username,
            is_admin=u.is_admin,
            disabled=u.disabled_at is not None,
            has_password=u.password_hash is not None,
            can_create_studies=u.is_admin or u.can_create_studies,
        )
        for u in accounts.all_users(db)
    ]


@router.post("/api/users/{username}/grant-create", status_code=204)
def grant_create(request: Request, username: str, access: Admin, db: DbSession) -> None:
    """Let the user create studies (issue 22)."""
    _act(request, db, access.user, username, "grant-create")


@router.post("/api/users/{username}/revoke-create", status_code=204)
def revoke_create(request: Request, username: str, access: Admin, db: DbSession) -> None:
    """Take the right to create studies away; studies they created stay theirs."""
    _act(request, db, access.user, username, "revoke-create")


@router.post("/api/users/{username}/disable", status_code=204)
def disable_user(request: Request, username: str, access: Admin, db: DbSession) -> None:
    """The user's logins and tokens end now; they cannot log in until enabled."""
    _act(request, db, access.user, username, "disable")


@router.post("/api/users/{username}/enable", status_code=204)
def enable_user(request: Request, username: str, access: Admin, db: DbSession) -> None:
    _act(request, db, access.user, username, "enable")


@router.post("/api/users/{username}/reset-password")
def reset_password(request: Request, username: str, access: Admin, db: DbSession) -> LinkOut:
    """Clear the password, end every login and token, and answer a one-time login link."""
    link = _act(request, db, access.user, username, "reset-password")
    assert link is not None
    return link
