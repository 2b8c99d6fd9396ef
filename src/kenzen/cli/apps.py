"""Selling Partner API apps: ``kenzen app add``, ``list`` and ``authorize``.

Secrets go to standard output on lines of their own, and nowhere else.
"""

from __future__ import annotations

from typing import Annotated

import typer

from kenzen.cli.support import AsOption, err, print_rows, use_case, user_errors

app_app = typer.Typer(
    help="Selling Partner API apps and sellers' authorisations.", no_args_is_help=True
)


@app_app.command("add")
@user_errors
def app_add(
    name: Annotated[str, typer.Option(help="The app's name, as sellers will see it.")],
    as_user: AsOption = None,
) -> None:
    """Register an app; prints `client_id:` and `client_secret:` (shown this once)."""
    from kenzen.spapi import credentials

    with use_case(as_user) as (session, actor):
        new = credentials.add_app(session, actor, name=name)
        client_id = new.app.client_id
    err.print(f"app {name!r} registered; the secret is not shown again", highlight=False)
    print(f"client_id: {client_id}")
    print(f"client_secret: {new.client_secret}")


@app_app.command("list")
@user_errors
def app_list(as_user: AsOption = None) -> None:
    """The registered apps."""
    from kenzen.spapi import credentials

    with use_case(as_user) as (session, actor):
        rows: list[tuple[str, ...]] = [
            (a.client_id, a.name, a.created_at.isoformat(timespec="seconds"))
            for a in credentials.list_apps(session, actor, managing=True)
        ]
    print_rows(("client id", "name", "registered"), rows)


@app_app.command("authorize")
@user_errors
def app_authorize(
    client_id: Annotated[str, typer.Option("--client-id", help="The app's client id.")],
    seller: Annotated[str, typer.Option(help="The seller that grants the app access.")],
    as_user: AsOption = None,
) -> None:
    """Authorise an app for a seller; prints the refresh token (shown this once)."""
    from kenzen.spapi import credentials

    with use_case(as_user) as (session, actor):
        grant = credentials.authorize_app(session, actor, client_id=client_id, seller_id=seller)
        refresh_token = grant.refresh_token
    err.print(f"{client_id} authorised for seller {seller}", highlight=False)
    print(refresh_token)
