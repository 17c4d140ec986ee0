"""`samspill user …` and `samspill token …`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from samspill.cli.common import DataDir, Study, console, unit_of_work
from samspill.services import accounts, studies

user_app = typer.Typer(help="Accounts and study roles.", no_args_is_help=True)
token_app = typer.Typer(help="Personal API tokens for scripts.", no_args_is_help=True)


@user_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="User name (lower case).")],
    admin: Annotated[bool, typer.Option("--admin", help="May see and manage every study.")] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Create a user. Without --password-stdin the user logs in with a token or a login link."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    with unit_of_work(data_dir) as (db, database):
        accounts.add_user(
            db,
            username=name,
            password=password,
            is_admin=admin,
            min_length=database.settings.min_password_length,
        )
    console.print(f"user '{name}' created" + (" (administrator)" if admin else ""))


@user_app.command("role")
def role(
    name: Annotated[str, typer.Argument(help="User name.")],
    role_name: Annotated[
        str, typer.Argument(metavar="ROLE", help="owner, coder, trainee or viewer.")
    ],
    study: Study,
    data_dir: DataDir = None,
) -> None:
    """Give a user a role in a study."""
    with unit_of_work(data_dir) as (db, _):
        studies.set_role(
            db, study=studies.get_study(db, study), user=accounts.get_user(db, name), role=role_name
        )
    console.print(f"'{name}' is now {role_name} in '{study}'")


@token_app.command("create")
def create(
    user: Annotated[str, typer.Option("--user", help="Whose token.")],
    name: Annotated[str, typer.Option("--name", help="A label to recognise it by.")] = "",
    data_dir: DataDir = None,
) -> None:
    """Print a new token once; send it as 'Authorization: Bearer TOKEN'."""
    with unit_of_work(data_dir) as (db, _):
        token = accounts.create_api_token(db, user=accounts.get_user(db, user), name=name)
    typer.echo(token)
