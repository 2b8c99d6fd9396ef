"""Users and API tokens: ``kenzen user`` and ``kenzen token``."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from kenzen.access import Role
from kenzen.cli.support import AsOption, err, use_case, user_errors
from kenzen.errors import KenzenError
from kenzen.i18n import N_

user_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
token_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)


def _read_password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("password: ")
    return sys.stdin.readline().rstrip("\r\n")


@user_app.command("add")
@user_errors
def user_add(
    email: Annotated[str, typer.Option()],
    role: Annotated[Role, typer.Option(help="One role per user.")],
    seller: Annotated[str | None, typer.Option(help="The seller a seller user acts for.")] = None,
    as_user: AsOption = None,
) -> None:
    """Add a user; the password is read from standard input."""
    from kenzen.identity import service as identity

    password = _read_password()
    with use_case(as_user) as (session, actor):
        identity.add_user(
            session, actor, email=email, role=role, password=password, seller_id=seller
        )
    err.print(f"user {email} added as {role.value}", highlight=False)


@token_app.command("create")
@user_errors
def token_create(
    user: Annotated[str, typer.Option(help="Email of the user the token acts as.")],
    as_user: AsOption = None,
) -> None:
    """Create an API token; prints the token (and nothing else) once."""
    from kenzen.identity import service as identity

    with use_case(as_user) as (session, actor):
        token = identity.create_api_token(session, actor, email=user)
    print(token)


@token_app.command("revoke")
@user_errors
def token_revoke(as_user: AsOption = None) -> None:
    """Revoke the API token read from standard input."""
    from kenzen.identity import service as identity

    token = sys.stdin.readline().strip()
    if not token:
        raise KenzenError(N_("error.cli.token_give_token_standard_input"))
    with use_case(as_user) as (session, actor):
        identity.revoke_token(session, actor, token=token)
    err.print("token revoked", highlight=False)
