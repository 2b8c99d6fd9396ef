"""The enforcement policy: ``kenzen policy`` and ``kenzen evaluate``."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kenzen.cli.support import (
    AsOption,
    acting_user,
    database,
    err,
    out,
    policy,
    print_rows,
    use_case,
    user_errors,
    warn_unpublished,
)
from kenzen.errors import KenzenError
from kenzen.i18n import N_

if TYPE_CHECKING:
    from kenzen.policy.shadow import ShadowReport

commands = typer.Typer()
"""``evaluate``, merged into the top level of ``kenzen``."""
policy_app = typer.Typer(help="The enforcement policy.", no_args_is_help=True)


@policy_app.command("check")
@user_errors
def policy_check(file: Annotated[Path, typer.Argument(help="A policy TOML file.")]) -> None:
    """Validate a policy file and print its version."""
    checked = policy(file)
    err.print(f"policy {file} is valid; version {checked.version}", highlight=False)


@commands.command()
@user_errors
def evaluate(
    as_of: Annotated[
        datetime, typer.Option("--as-of", formats=["%Y-%m-%d"], help="The day evaluated.")
    ],
    policy_file: Annotated[
        Path | None, typer.Option("--policy", help="A candidate policy (default: the live one).")
    ] = None,
    shadow: Annotated[
        bool,
        typer.Option("--shadow", help="Change nothing; report what --policy would do differently."),
    ] = False,
    to: Annotated[
        datetime | None,
        typer.Option("--to", formats=["%Y-%m-%d"], help="With --shadow: backtest up to this day."),
    ] = None,
    as_user: AsOption = None,
) -> None:
    """Apply the policy to every seller, one transaction each; twice on the same day changes
    nothing more. A seller that fails is reported and the others proceed (exit status 1)."""
    from rich.progress import Progress

    from kenzen.config import get_settings
    from kenzen.policy import evaluation
    from kenzen.policy import shadow as shadow_runs

    if shadow:
        if policy_file is None:
            raise KenzenError(N_("error.cli.shadow_compares_candidate_policy_give_policy"))
        last = (to or as_of).date()
        if last < as_of.date():
            raise KenzenError(N_("error.cli.must_not_before"))
        days = [as_of.date() + timedelta(days=n) for n in range((last - as_of.date()).days + 1)]
        with use_case(as_user) as (session, actor):
            report = shadow_runs.shadow(session, actor, policy(), policy(policy_file), days)
        _print_shadow(report)
        return
    opened = database()
    try:
        actor = acting_user(opened, as_user)
        with Progress(console=err, transient=True, disable=not err.is_terminal) as progress:
            task = progress.add_task("evaluating sellers", total=None)
            result = evaluation.evaluate(
                opened,
                actor,
                policy(policy_file),
                as_of.date(),
                progress=lambda done, total: progress.update(task, completed=done, total=total),
                events_dir=get_settings().events_dir,
            )
    finally:
        opened.dispose()
    for outcome in result.changed:
        out.print(
            f"{outcome.seller_id}: {outcome.status_before.value} → {outcome.status_after.value}, "
            f"rating {outcome.rating} ({outcome.band.value}): " + "; ".join(outcome.actions),
            highlight=False,
            markup=False,
        )
    for failure in result.failed:
        err.print(f"{failure.seller_id}: failed: {failure.reason}", highlight=False, markup=False)
    err.print(
        f"evaluated {result.evaluated} sellers on {result.as_of} with policy "
        f"{result.policy_version[:12]}: {len(result.changed)} changed, "
        f"{len(result.failed)} failed",
        highlight=False,
    )
    warn_unpublished(result.unpublished)
    if result.failed:
        raise typer.Exit(1)


def _print_shadow(report: ShadowReport) -> None:
    print_rows(
        ("day", "seller", "status live → candidate", "rating", "band", "new actions"),
        [
            (
                d.as_of.isoformat(),
                d.seller_id,
                f"{d.live_status.value} → {d.candidate_status.value}",
                f"{d.live_rating} → {d.candidate_rating}",
                f"{d.live_band.value} → {d.candidate_band.value}",
                "; ".join(d.new_actions),
            )
            for d in report.differences
        ],
    )
    status_changes = {
        d.seller_id for d in report.differences if d.live_status != d.candidate_status
    }
    band_changes = {d.seller_id for d in report.differences if d.live_band != d.candidate_band}
    err.print(
        f"shadow run of {report.candidate_version[:12]} against {report.live_version[:12]} over "
        f"{len(report.dates)} day(s), {report.sellers} sellers: {len(status_changes)} would "
        f"change status, {len(band_changes)} rating band, "
        f"{sum(1 for d in report.differences if d.new_actions)} get new actions; nothing changed",
        highlight=False,
    )
