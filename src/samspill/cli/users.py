"""`samspill user …`, `samspill token …`, `samspill member …` and `samspill login-link`.

The command line is the server's operator: it acts as an administrator, and each act that
takes access away is in the audit log (client ``cli``).
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated

import typer
from rich.table import Table

from samspill.cli.common import DataDir, Study, console, unit_of_work
from samspill.core.terms import LOGIN_LINK_HOURS

user_app = typer.Typer(help="Accounts and study roles.", no_args_is_help=True)
token_app = typer.Typer(help="Personal API tokens for scripts.", no_args_is_help=True)
member_app = typer.Typer(help="Who is in a study: list and remove members.", no_args_is_help=True)
UserName = Annotated[str, typer.Argument(help="User name.")]
ServerUrl = Annotated[
    str, typer.Option("--url", help="The server's address as users reach it, for the link.")
]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]


def _stdin_password() -> str:
    return sys.stdin.readline().rstrip("\n")


@user_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="User name (lower case).")],
    admin: Annotated[bool, typer.Option("--admin", help="May see and manage every study.")] = False,
    password_stdin: PasswordStdin = False,
    data_dir: DataDir = None,
) -> None:
    """Create a user. Without --password-stdin the user logs in with a token or a login link."""
    from samspill.services import accounts
    password = _stdin_password() if password_stdin else None
    with unit_of_work(data_dir) as (db, database):
        accounts.add_user(
            db,
            username=name,
            password=password,
            is_admin=admin,
            min_length=database.settings.min_password_length,
        )
    console.print(f"user '{name}' created" + (" (administrator)" if admin else ""))


@user_app.command("list")
def list_users(data_dir: DataDir = None) -> None:
    """Every user: administrator or not, and whether disabled or without a password."""
    from samspill.services import accounts, credentials
    table = Table("user", "administrator", "creates studies", "state", "API tokens")
    with unit_of_work(data_dir) as (db, _):
        for user in accounts.all_users(db):
            state = (
                "disabled"
                if user.disabled_at
                else ("no password" if user.password_hash is None else "active")
            )
            count = len(credentials.tokens_of(db, user))
            creates = "yes" if user.is_admin or user.can_create_studies else "no"
            table.add_row(
                user.username, "yes" if user.is_admin else "no", creates, state, str(count)
            )
    console.print(table)


@user_app.command("role")
def role(
    name: UserName,
    role_name: Annotated[
        str, typer.Argument(metavar="ROLE", help="owner, coder, trainee or viewer.")
    ],
    study: Study,
    data_dir: DataDir = None,
) -> None:
    """Give a user a role in a study."""
    from samspill.services import accounts, studies
    with unit_of_work(data_dir) as (db, _):
        studies.set_role(
            db, study=studies.get_study(db, study), user=accounts.get_user(db, name), role=role_name
        )
    console.print(f"'{name}' is now {role_name} in '{study}'")


@user_app.command("disable")
def disable(name: UserName, data_dir: DataDir = None) -> None:
    """Stop a user from logging in; their browser logins and API tokens end now."""
    from samspill.services import accounts
    with unit_of_work(data_dir) as (db, _):
        accounts.disable_user(db, user=accounts.get_user(db, name))
    console.print(f"'{name}' is disabled; their logins and tokens have ended")


@user_app.command("grant-create")
def grant_create(name: UserName, data_dir: DataDir = None) -> None:
    """Let a user create studies (administrators always may)."""
    from samspill.services import accounts
    with unit_of_work(data_dir) as (db, _):
        changed = accounts.set_create_right(db, user=accounts.get_user(db, name), allowed=True)
    console.print(f"'{name}' may create studies" + ("" if changed else " (already so)"))


@user_app.command("revoke-create")
def revoke_create(name: UserName, data_dir: DataDir = None) -> None:
    """Take the right to create studies away; the studies they own stay theirs."""
    from samspill.services import accounts
    with unit_of_work(data_dir) as (db, _):
        changed = accounts.set_create_right(db, user=accounts.get_user(db, name), allowed=False)
    console.print(f"'{name}' may not create studies" + ("" if changed else " (already so)"))


@user_app.command("enable")
def enable(name: UserName, data_dir: DataDir = None) -> None:
    """Let a disabled user log in again (and clear a login lockout)."""
    from samspill.services import accounts
    with unit_of_work(data_dir) as (db, _):
        accounts.enable_user(db, user=accounts.get_user(db, name))
    console.print(f"'{name}' is enabled")


@user_app.command("reset-password")
def reset_password(
    name: UserName,
    password_stdin: PasswordStdin = False,
    url: ServerUrl = "http://127.0.0.1:8000",
    data_dir: DataDir = None,
) -> None:
    """End all the user's logins and tokens and print a one-time link to choose a new password
    (with --password-stdin: set the password read from standard input instead)."""
    from samspill.services import accounts
    from samspill.services.setup import link_url
    password = _stdin_password() if password_stdin else None
    with unit_of_work(data_dir) as (db, database):
        user = accounts.get_user(db, name)
        if password is not None:
            accounts.set_password(
                db, user=user, password=password, min_length=database.settings.min_password_length
            )
            accounts.unlock(db, user)
            link = ""
        else:
            link = link_url(url, accounts.reset_password(db, user=user))
    if link:
        console.print(f"'{name}' has no password now; their logins and tokens have ended.")
        console.print(f"Hand them this one-time link (valid 24 hours):\n  {link}", soft_wrap=True)
    else:
        console.print(f"'{name}' has a new password; their logins and tokens have ended")


@token_app.command("create")
def create(
    user: Annotated[str, typer.Option("--user", help="Whose token.")],
    name: Annotated[str, typer.Option("--name", help="A label to recognise it by.")] = "",
    days: Annotated[
        int | None,
        typer.Option("--days", min=1, help="Days it works (default: the token_days setting)."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Print a new token once; send it as 'Authorization: Bearer TOKEN'."""
    from samspill.services import accounts, credentials
    with unit_of_work(data_dir) as (db, database):
        ttl = dt.timedelta(days=days or database.settings.token_days)
        owner = accounts.get_user(db, user)
        token = credentials.create_api_token(db, user=owner, name=name, ttl=ttl)
    typer.echo(token)


@token_app.command("list")
def list_tokens(
    user: Annotated[str | None, typer.Option("--user", help="Only this user's tokens.")] = None,
    data_dir: DataDir = None,
) -> None:
    """API tokens (never the tokens themselves): id, user, label, made and expiry (UTC)."""
    from samspill.services import accounts, credentials
    table = Table("id", "user", "label", "made (UTC)", "expires (UTC)")
    with unit_of_work(data_dir) as (db, _):
        owner = accounts.get_user(db, user) if user else None
        for t in credentials.tokens_of(db, owner):
            expires = t.expires_at.strftime("%Y-%m-%d %H:%M") if t.expires_at else "never"
            table.add_row(
                str(t.id), t.user.username, t.name, t.created_at.strftime("%Y-%m-%d %H:%M"), expires
            )
    console.print(table)


@token_app.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(metavar="ID", help="The id 'token list' shows.")],
    data_dir: DataDir = None,
) -> None:
    """Revoke a token: it stops working at once."""
    from samspill.services import credentials
    with unit_of_work(data_dir) as (db, _):
        token = credentials.get_token(db, token_id)
        owner = token.user.username
        credentials.revoke_token(db, token)
    console.print(f"token {token_id} of '{owner}' is revoked")


@member_app.command("list")
def list_members(study: Study, data_dir: DataDir = None) -> None:
    """The study's members and their roles."""
    from samspill.services import studies
    with unit_of_work(data_dir) as (db, _):
        for member in studies.members(db, studies.get_study(db, study)):
            console.print(f"{member.user.username}  {member.role}")


@member_app.command("remove")
def remove(name: UserName, study: Study, data_dir: DataDir = None) -> None:
    """Take a user's role in a study away; their codings stay with the study."""
    from samspill.services import accounts, studies
    with unit_of_work(data_dir) as (db, _):
        studies.remove_member(
            db, study=studies.get_study(db, study), user=accounts.get_user(db, name)
        )
    console.print(f"'{name}' is no longer a member of '{study}'")


def login_link(
    name: UserName,
    url: ServerUrl = "http://127.0.0.1:8000",
    hours: Annotated[
        float, typer.Option("--hours", min=0.1, max=168, help="How long the link works.")
    ] = LOGIN_LINK_HOURS,
    data_dir: DataDir = None,
) -> None:
    """Print a new one-time login link for a user (earlier unused links of theirs stop working).
    The link logs them in once; without a password they land on the page that sets one."""
    from samspill.services import accounts, credentials
    from samspill.services.setup import link_url
    with unit_of_work(data_dir) as (db, _):
        token = credentials.make_login_link(db, accounts.get_user(db, name), hours=hours)
    typer.echo(link_url(url, token))
