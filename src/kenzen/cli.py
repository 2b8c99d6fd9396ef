"""The ``kenzen`` command. Thin: parse, call one service in one transaction, print.

User errors print one line on stderr and exit 2, never a traceback.
"""

from __future__ import annotations

import getpass
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Annotated, Literal, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from kenzen import demo as demo_data
from kenzen.access import SYSTEM, Actor, Role
from kenzen.appeals import service as appeals_service
from kenzen.appeals.poa import from_json, from_markdown
from kenzen.complaints import brand_check
from kenzen.complaints.screening import Finding
from kenzen.config import get_settings
from kenzen.db import Database
from kenzen.errors import KenzenError
from kenzen.events import service as events
from kenzen.events.store import EventStore
from kenzen.health import service as health_service
from kenzen.identity import service as identity
from kenzen.metrics import service as metrics_service
from kenzen.notify import service as notify
from kenzen.notify.keys import Keyring
from kenzen.policy import service as policy_service
from kenzen.policy.document import Policy, load_policy
from kenzen.sellers import service as sellers
from kenzen.sellers.status import AccountStatus

app = typer.Typer(
    help="Kenzen: open, explainable account health for marketplaces.", no_args_is_help=True
)
db_app = typer.Typer(help="The operational database.", no_args_is_help=True)
marketplace_app = typer.Typer(help="Marketplaces.", no_args_is_help=True)
user_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
token_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)
seller_app = typer.Typer(help="Sellers and their account status.", no_args_is_help=True)
report_app = typer.Typer(help="Reports in other systems' formats.", no_args_is_help=True)
screen_app = typer.Typer(help="Brand screening.", no_args_is_help=True)
policy_app = typer.Typer(help="The enforcement policy.", no_args_is_help=True)
poa_app = typer.Typer(help="Plans of Action.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(marketplace_app, name="marketplace")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(seller_app, name="seller")
app.add_typer(report_app, name="report")
app.add_typer(screen_app, name="screen")
app.add_typer(policy_app, name="policy")
app.add_typer(poa_app, name="poa")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")

AsOption = Annotated[
    str | None,
    typer.Option("--as", help="Act as this user (email); without it, as the local operator."),
]


def _fail(message: str) -> typer.Exit:
    err.print(f"kenzen: {message}", markup=False, highlight=False)
    return typer.Exit(2)


def user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn domain errors into one line on stderr and exit status 2."""

    @wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except KenzenError as error:
            raise _fail(error.message) from None

    return run


def _policy(path: Path | None = None) -> Policy:
    """The given policy file, or the one in force (KENZEN_POLICY, else Kenzen's default)."""
    return load_policy(path or get_settings().policy)


def _database(*, migrated: bool = True) -> Database:
    database = Database(get_settings().resolved_database_url)
    if migrated and database.pending_migrations():
        raise KenzenError("the database is not migrated; run `kenzen db upgrade` first")
    return database


@contextmanager
def _use_case(as_user: str | None) -> Iterator[tuple[Session, Actor]]:
    """One transaction, acting as ``as_user`` (or the local operator)."""
    database = _database()
    try:
        actor = SYSTEM
        if as_user is not None:
            with database.transaction() as session:
                actor = identity.find_user(session, as_user).as_actor()
        with database.transaction() as session:
            yield session, actor
    finally:
        database.dispose()


@app.command()
@user_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Default: KENZEN_HOST or 127.0.0.1.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: KENZEN_PORT or 8000.")] = None,
) -> None:
    """Serve the API and the pages."""
    import uvicorn

    from kenzen.web.app import create_app

    settings = get_settings()
    application = create_app(settings, _database(migrated=False))
    uvicorn.run(application, host=host or settings.host, port=port or settings.port)


@db_app.command("upgrade")
@user_errors
def db_upgrade() -> None:
    """Create or migrate the database to the current schema."""
    database = _database(migrated=False)
    database.upgrade()
    database.dispose()
    err.print("database is up to date", highlight=False)


@app.command()
@user_errors
def demo(
    seed: Annotated[int, typer.Option(help="Same seed, same demo.")] = 7,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing when the database holds data.")
    ] = False,
    as_user: AsOption = None,
) -> None:
    """Load the demo marketplace JP into an empty database."""
    with _use_case(as_user) as (session, actor):
        if if_empty and demo_data.has_data(session):
            err.print("demo: the database already holds data; kept as it is", highlight=False)
            return
        with EventStore(get_settings().events_dir) as store:
            summary = demo_data.load_demo(session, actor, store, _policy(), seed=seed)
        # The demo's mail is signed like a real marketplace's, so it can be verified.
        keyring = Keyring(get_settings().keys_dir)
        for algorithm in ("rsa", "ed25519"):
            notify.generate_dkim_key(
                session, actor, keyring, demo_data.DEMO_MARKETPLACE, algorithm=algorithm
            )
    err.print(
        f"demo loaded: {summary.sellers} sellers {summary.statuses}, {summary.listings} listings, "
        f"{summary.orders} orders, {summary.defects} defects, metrics for "
        f"{summary.snapshot_days} days; the policy changed {summary.changed_by_policy} sellers; "
        f"{summary.appeals} appeals, {summary.callbacks} callbacks",
        highlight=False,
    )
    err.print(
        f"demo users (password {demo_data.DEMO_PASSWORD!r}, demo only): "
        + ", ".join(email for email, _ in demo_data.DEMO_USERS),
        highlight=False,
    )


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
    with _use_case(as_user) as (session, actor):
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
    password = _read_password()
    with _use_case(as_user) as (session, actor):
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
    with _use_case(as_user) as (session, actor):
        token = identity.create_api_token(session, actor, email=user)
    print(token)


@token_app.command("revoke")
@user_errors
def token_revoke(as_user: AsOption = None) -> None:
    """Revoke the API token read from standard input."""
    token = sys.stdin.readline().strip()
    if not token:
        raise KenzenError("token: give the token on standard input")
    with _use_case(as_user) as (session, actor):
        identity.revoke_token(session, actor, token=token)
    err.print("token revoked", highlight=False)


@seller_app.command("show")
@user_errors
def seller_show(seller_id: str, as_user: AsOption = None) -> None:
    """Show a seller's account status and open cases."""
    with _use_case(as_user) as (session, actor):
        health = health_service.get_seller_health(session, actor, _policy(), seller_id)
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
            out.print(f"  {line.points:+5d}  {line.text}", highlight=False, markup=False)
        table = Table("case", "kind", "status", "title")
        for case in health.open_cases:
            table.add_row(str(case.id), case.kind.value, case.status.value, case.title)
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
    with _use_case(as_user) as (session, actor):
        change = sellers.set_account_status(
            session, actor, seller_id, status=status, reason=reason, case_id=case
        )
        err.print(
            f"{seller_id}: {change.previous_status.value} → {change.status.value} "
            f"(case {change.case_id})",
            highlight=False,
        )


@app.command("import")
@user_errors
def import_(
    kind: Annotated[
        Literal["sellers", "orders", "defects", "listings"],
        typer.Argument(help="sellers, orders, defects or listings."),
    ],
    file: Annotated[Path, typer.Argument(help="CSV (header row), JSON Lines or Parquet.")],
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Import the valid rows; write the rejected ones beside FILE with reasons.",
        ),
    ] = False,
    as_user: AsOption = None,
) -> None:
    """Import events or listings; importing the same file twice changes nothing."""
    if kind == "listings":
        with _use_case(as_user) as (session, actor):
            rows, findings = brand_check.import_listings(session, actor, file)
            _print_findings(findings)
        err.print(f"listings: {rows} imported, {len(findings)} brand finding(s)", highlight=False)
        return
    started = time.perf_counter()
    with (
        _use_case(as_user) as (session, actor),
        EventStore(get_settings().events_dir) as store,
    ):
        store.show_progress(err.is_terminal)
        report = events.import_events(session, actor, store, kind, file, skip_invalid=skip_invalid)
    seconds = time.perf_counter() - started
    rate = report.rows_read / seconds if seconds > 0 else float(report.rows_read)
    err.print(
        f"{kind}: {report.rows_read} rows read, {report.inserted} inserted, "
        f"{report.updated} updated, {report.unchanged} unchanged, {report.error_count} rejected "
        f"in {seconds:.1f} s ({rate:,.0f} rows/s)",
        highlight=False,
    )
    if report.rejected_file is not None:
        for error in report.errors:
            err.print(f"  {error}", highlight=False, markup=False)
        err.print(f"rejected rows and reasons: {report.rejected_file}", highlight=False)


@app.command()
@user_errors
def metrics(
    as_of: Annotated[
        datetime, typer.Option("--as-of", formats=["%Y-%m-%d"], help="The last day measured.")
    ],
    full: Annotated[
        bool, typer.Option("--full", help="Recompute every seller, not only those with new events.")
    ] = False,
    as_user: AsOption = None,
) -> None:
    """Compute and store every seller's metric snapshot for a date."""
    with (
        _use_case(as_user) as (session, actor),
        EventStore(get_settings().events_dir) as store,
    ):
        summary = metrics_service.compute_snapshots(session, actor, store, as_of.date(), full=full)
    scope = "all sellers" if summary.full else "sellers with new events"
    err.print(
        f"metrics {summary.as_of}: {summary.sellers} sellers ({scope}), {summary.rows} rows",
        highlight=False,
    )


@report_app.command("sp-api")
@user_errors
def report_sp_api(
    seller: Annotated[str, typer.Option(help="Seller id.")],
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", formats=["%Y-%m-%d"], help="Default: the latest snapshot."),
    ] = None,
    as_user: AsOption = None,
) -> None:
    """Print the seller performance report as SP-API's GET_V2_SELLER_PERFORMANCE_REPORT."""
    with _use_case(as_user) as (session, actor):
        document = health_service.performance_report(
            session, actor, _policy(), seller, as_of.date() if as_of else None
        )
    print(json.dumps(document, ensure_ascii=False, indent=2))


def _print_rows(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """A table on a terminal; tab-separated lines (header first) for scripts and pipes."""
    if not rows:
        return
    if out.is_terminal:
        table = Table(*header)
        for row in rows:
            table.add_row(*row)
        out.print(table)
        return
    for row in (header, *rows):
        print("\t".join(row))


def _print_findings(findings: list[Finding]) -> None:
    _print_rows(
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
    with _use_case(as_user) as (session, actor):
        findings = brand_check.screen_listings(session, actor, file)
    _print_findings(findings)
    err.print(f"{len(findings)} finding(s)", highlight=False)


@policy_app.command("check")
@user_errors
def policy_check(file: Annotated[Path, typer.Argument(help="A policy TOML file.")]) -> None:
    """Validate a policy file and print its version."""
    policy = _policy(file)
    err.print(f"policy {file} is valid; version {policy.version}", highlight=False)


@app.command()
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
    """Apply the policy to every seller; twice on the same day changes nothing more."""
    if shadow:
        if policy_file is None:
            raise KenzenError("--shadow compares a candidate policy: give it with --policy")
        last = (to or as_of).date()
        if last < as_of.date():
            raise KenzenError("--to must not be before --as-of")
        days = [as_of.date() + timedelta(days=n) for n in range((last - as_of.date()).days + 1)]
        with _use_case(as_user) as (session, actor):
            report = policy_service.shadow(session, actor, _policy(), _policy(policy_file), days)
        _print_shadow(report)
        return
    with _use_case(as_user) as (session, actor):
        result = policy_service.evaluate(session, actor, _policy(policy_file), as_of.date())
    for outcome in result.changed:
        out.print(
            f"{outcome.seller_id}: {outcome.status_before.value} → {outcome.status_after.value}, "
            f"rating {outcome.rating} ({outcome.band.value}): " + "; ".join(outcome.actions),
            highlight=False,
            markup=False,
        )
    err.print(
        f"evaluated {result.sellers} sellers on {result.as_of} with policy "
        f"{result.policy_version[:12]}: {len(result.changed)} changed",
        highlight=False,
    )


def _print_shadow(report: policy_service.ShadowReport) -> None:
    _print_rows(
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


@seller_app.command("rating")
@user_errors
def seller_rating(
    seller_id: str,
    what_if: Annotated[
        list[int] | None,
        typer.Option("--what-if", help="A violation id to treat as resolved (repeatable)."),
    ] = None,
    as_user: AsOption = None,
) -> None:
    """Explain the Account Health Rating point by point, and what-if."""
    with _use_case(as_user) as (session, actor):
        result = health_service.rating_what_if(session, actor, _policy(), seller_id, what_if or [])
    for title, rating in (("now", result.now), ("if resolved", result.if_resolved)):
        if title == "if resolved" and not result.resolved:
            break
        out.print(f"{title}: {rating.value} ({rating.band.value})", highlight=False)
        for line in rating.lines:
            out.print(f"  {line.points:+5d}  {line.text}", highlight=False, markup=False)


@poa_app.command("check")
@user_errors
def poa_check(
    file: Annotated[Path, typer.Argument(help="A Plan of Action in Markdown (.md) or JSON.")],
    case: Annotated[
        int | None, typer.Option(help="Also check what this case needs (its violations, listings).")
    ] = None,
    language: Annotated[
        str | None, typer.Option(help="ja or en (default: the plan's own language).")
    ] = None,
    as_user: AsOption = None,
) -> None:
    """Feedback on a Plan of Action before submitting it; exit 1 when it has errors."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise KenzenError(f"{file}: {error.strerror}") from None
    poa = from_json(text) if file.suffix.lower() == ".json" else from_markdown(text)
    with _use_case(as_user) as (session, actor):
        findings = appeals_service.check_appeal(session, actor, poa, case)
    shown = language or poa.language
    for finding in findings:
        out.print(
            f"{finding.severity:7} {finding.part}: {finding.message[shown]}",
            highlight=False,
            markup=False,
        )
    errors = sum(1 for f in findings if f.severity == "error")
    err.print(f"{len(findings)} finding(s), {errors} error(s)", highlight=False)
    if errors:
        raise typer.Exit(1)


# The notice commands reuse the helpers above, so they are registered last.
from kenzen.notify import cli as notify_cli  # noqa: E402

app.add_typer(notify_cli.dkim_app, name="dkim")
app.add_typer(notify_cli.webhook_app, name="webhook")
app.add_typer(notify_cli.notices_app, name="notices")
app.add_typer(notify_cli.commands)
