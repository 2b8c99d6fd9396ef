"""Marketplaces and sellers: ``kenzen marketplace`` and ``kenzen seller``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from kenzen.cli.support import AsOption, err, out, policy, use_case, user_errors
from kenzen.i18n import DEFAULT
from kenzen.sellers.status import AccountStatus

marketplace_app = typer.Typer(help="Marketplaces.", no_args_is_help=True)
seller_app = typer.Typer(help="Sellers and their account status.", no_args_is_help=True)


@marketplace_app.command("add")
@user_errors
def marketplace_add(
    marketplace_id: Annotated[str, typer.Option("--id", help="Short id, e.g. JP.")],
    name: Annotated[str, typer.Option()],
    timezone: Annotated[str, typer.Option(help="IANA time zone, e.g. Asia/Tokyo.")],
    currency: Annotated[str, typer.Option(help="ISO 4217 code, e.g. JPY.")],
    language: Annotated[str, typer.Option(help="ja or en.")],
    as_user: AsOption = None,
) -> None:
    """Add a marketplace."""
    from kenzen.sellers import service as sellers

    with use_case(as_user) as (session, actor):
        sellers.add_marketplace(
            session,
            actor,
            marketplace_id=marketplace_id,
            name=name,
            time_zone=timezone,
            currency=currency,
            language=language,
        )
    err.print(f"marketplace {marketplace_id} added", highlight=False)


@seller_app.command("show")
@user_errors
def seller_show(seller_id: str, as_user: AsOption = None) -> None:
    """Show a seller's account status and open cases."""
    from rich.table import Table

    from kenzen.health import service as health_service

    with use_case(as_user) as (session, actor):
        health = health_service.get_seller_health(session, actor, policy(), seller_id)
        seller = health.seller
        out.print(f"[bold]{seller.id}[/bold] {seller.display_name} ({seller.marketplace_id})")
        out.print(f"status: {seller.status.value} — {health.status_meaning}", highlight=False)
        rating = health.rating
        out.print(
            f"Account Health Rating: {rating.value} ({rating.band.value}), "
            f"policy {health.policy_version[:12]}",
            highlight=False,
        )
        for line in rating.lines:
            said = line.text.render(seller.language.value)
            out.print(f"  {line.points:+5d}  {said}", highlight=False, markup=False)
        table = Table("case", "kind", "status", "title")
        for case in health.open_cases:
            title = case.title_in(seller.language.value)
            table.add_row(str(case.id), case.kind.value, case.status.value, title)
        out.print(table)


@seller_app.command("set-status")
@user_errors
def seller_set_status(
    seller_id: str,
    status: Annotated[AccountStatus, typer.Option()],
    reason: Annotated[str, typer.Option()],
    as_user: Annotated[str, typer.Option("--as", help="The user who decides (email).")],
    case: Annotated[int | None, typer.Option(help="The case the change belongs to.")] = None,
) -> None:
    """Change a seller's account status, as a named user."""
    from kenzen.cases.account_status import set_account_status

    with use_case(as_user) as (session, actor):
        change = set_account_status(
            session, actor, seller_id, status=status, reason=reason, case_id=case
        )
        err.print(
            f"{seller_id}: {change.previous_status.value} → {change.status.value} "
            f"(case {change.case_id})",
            highlight=False,
        )


@seller_app.command("rating")
@user_errors
def seller_rating(
    seller_id: str,
    what_if: Annotated[
        list[int] | None,
        typer.Option("--what-if", help="A violation id to treat as resolved (repeatable)."),
    ] = None,
    start: Annotated[
        datetime | None,
        typer.Option("--from", formats=["%Y-%m-%d"], help="Daily ratings from this day."),
    ] = None,
    end: Annotated[
        datetime | None,
        typer.Option("--to", formats=["%Y-%m-%d"], help="Daily ratings up to this day."),
    ] = None,
    as_user: AsOption = None,
) -> None:
    """Explain the Account Health Rating point by point, and what-if; with --from/--to,
    the daily ratings recorded between them (at most 366 days)."""
    from kenzen.config import get_settings
    from kenzen.health import service as health_service

    with use_case(as_user) as (session, actor):
        history = None
        if start is not None or end is not None:
            history = health_service.rating_history(
                session,
                actor,
                get_settings().events_dir,
                seller_id,
                start=start.date() if start else None,
                end=end.date() if end else None,
            )
        result = health_service.rating_what_if(session, actor, policy(), seller_id, what_if or [])
    for title, rating in (("now", result.now), ("if resolved", result.if_resolved)):
        if title == "if resolved" and not result.resolved:
            break
        out.print(f"{title}: {rating.value} ({rating.band.value})", highlight=False)
        for line in rating.lines:
            said = line.text.render(DEFAULT)
            out.print(f"  {line.points:+5d}  {said}", highlight=False, markup=False)
    if history is not None:
        out.print(f"daily ratings {history.start} – {history.end}:", highlight=False)
        for day in history.days:
            out.print(f"  {day.day}  {day.rating:4d}  {day.band.value}", highlight=False)
