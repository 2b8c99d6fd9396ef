"""Brand screening: ``kenzen screen``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kenzen.cli.support import AsOption, err, print_rows, use_case, user_errors

if TYPE_CHECKING:
    from kenzen.complaints.screening import Finding

screen_app = typer.Typer(help="Brand screening.", no_args_is_help=True)


def print_findings(findings: list[Finding]) -> None:
    """One row per listing that names a registered brand it may not carry."""
    print_rows(
        ("seller", "sku", "listing", "finding", "field", "matched", "brand"),
        [
            (
                f.seller_id,
                f.sku,
                f.listing_id,
                f.kind,
                f.field,
                f.matched,
                f"{f.term.brand} ({f.term.registration_number}, {f.term.country})",
            )
            for f in findings
        ],
    )


@screen_app.command("listings")
@user_errors
def screen_listings(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV, JSON Lines or Parquet with seller_id, "
            "sku, listing_id, title, brand, description."
        ),
    ],
    as_user: AsOption = None,
) -> None:
    """Flag listings that name a registered brand they may not carry (nothing is stored)."""
    from kenzen.complaints import brand_check

    with use_case(as_user) as (session, actor):
        findings = brand_check.screen_listings(session, actor, file)
    print_findings(findings)
    err.print(f"{len(findings)} finding(s)", highlight=False)
