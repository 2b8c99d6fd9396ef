"""Notices: ``kenzen worker``, ``verify``, ``dkim``, ``webhook`` and ``notices``.

Delivery itself lives in ``kenzen.notify``; these commands only start it, configure it and
show its state.
"""

from __future__ import annotations

import signal
import sys
import threading
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, Protocol

import typer

from kenzen.cli.support import (
    AsOption,
    database,
    err,
    print_rows,
    sqlite_reader,
    use_case,
    user_errors,
)
from kenzen.errors import InvalidInput
from kenzen.i18n import N_

if TYPE_CHECKING:
    from kenzen.notify.keys import Keyring
    from kenzen.notify.verify import Verification

dkim_app: typer.Typer = typer.Typer(help="DKIM keys and the sending domain.", no_args_is_help=True)
webhook_app: typer.Typer = typer.Typer(help="Webhook subscriptions.", no_args_is_help=True)
commands: typer.Typer = typer.Typer()
"""``worker`` and ``verify``, merged into the top level of ``kenzen``."""
notices_app: typer.Typer = typer.Typer(
    help="Notices and sellers' notification preferences.", no_args_is_help=True
)


def _keyring() -> Keyring:
    from kenzen.locations import Locations
    from kenzen.notify.keys import Keyring

    return Keyring(Locations.from_environment().keys_dir)


#: Marked sellers are looked for this often: a complaint's outcome shows within seconds.
EVALUATION_POLL_SECONDS = 0.2


@commands.command()
@user_errors
def worker(
    once: Annotated[
        bool, typer.Option("--once", help="Evaluate and deliver what is due, then exit.")
    ] = False,
    poll: Annotated[float, typer.Option(help="Seconds between polls when idle.", min=0.1)] = 0.5,
) -> None:
    """Evaluate the sellers whose facts changed (and all at each marketplace's midnight),
    hold protected sellers' deactivations for Account Health Assurance, generate requested
    reports, tell staff once about each decision past its deadline, then
    deliver queued notices (SMTP, or .eml files without KENZEN_SMTP_HOST) and webhooks.
    With --once: everything due now, then exit."""
    from kenzen import logs
    from kenzen.assurance.watch import HoldWatch
    from kenzen.config import get_settings
    from kenzen.deadlines.watch import DeadlineWatch
    from kenzen.notify.smtp import transport_for
    from kenzen.notify.worker import Worker, run_until
    from kenzen.policy.continuous import Evaluator
    from kenzen.policy.document import PolicyHolder
    from kenzen.spapi.generation import ReportWorker

    logs.configure()
    settings = get_settings()
    opened = database()
    transport = transport_for(settings)
    where = (
        f"SMTP {settings.smtp_host}:{settings.smtp_port}"
        if settings.smtp_host
        else str(settings.mail_dir)
    )
    err.print(f"worker: delivering mail to {where}", highlight=False, markup=False)
    delivery = Worker(
        opened, _keyring(), transport, allow_private_webhooks=settings.webhook_allow_private
    )
    holder = PolicyHolder(settings.policy)
    reports = ReportWorker(opened, lambda: holder.current)
    deadlines = DeadlineWatch(opened, lambda: holder.current)
    assurance = HoldWatch(opened, lambda: holder.current)
    evaluator = Evaluator(opened, settings.events_dir, holder, event_store=settings.event_store)

    def step() -> int:
        held = assurance.run_once()
        return held + reports.run_once() + deadlines.run_once() + delivery.run_once()

    try:
        if once:
            evaluated = failed = 0
            while (done := evaluator.run_once()).work:
                evaluated += len(done.evaluated)
                failed += len(done.failed)
            handled = 0
            while batch := step():
                handled += batch
            err.print(
                f"worker: {evaluated} seller(s) evaluated, {failed} failed and kept for a retry; "
                f"{handled} report(s), overdue notice(s) and delivery attempt(s)",
                highlight=False,
            )
            return
        stop = threading.Event()
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, lambda *_: stop.set())
        evaluating = threading.Thread(
            target=evaluator.run,
            args=(stop,),
            kwargs={"poll_seconds": EVALUATION_POLL_SECONDS},
            name="evaluation",
        )
        evaluating.start()
        run_until(stop, step, poll_seconds=poll)
        evaluating.join()
    finally:
        opened.dispose()


@dkim_app.command("keygen")
@user_errors
def dkim_keygen(
    marketplace: Annotated[str, typer.Option(help="The marketplace whose mail it signs.")],
    algorithm: Annotated[
        Literal["rsa", "ed25519", "both"], typer.Option(help="rsa, ed25519 or both.")
    ] = "both",
    selector: Annotated[
        str | None, typer.Option(help="DNS selector; default kz-rsa-/kz-ed-<timestamp>.")
    ] = None,
    if_missing: Annotated[
        bool, typer.Option("--if-missing", help="Only for algorithms without a key yet.")
    ] = False,
    as_user: AsOption = None,
) -> None:
    """Create signing keys under KENZEN_HOME/keys and print the DNS TXT records to publish."""
    from kenzen.notify import service
    from kenzen.notify.keys import ALGORITHMS

    keyring = _keyring()
    chosen = ALGORITHMS if algorithm == "both" else (algorithm,)
    if selector is not None and len(chosen) > 1:
        raise InvalidInput(N_("error.cli.selector_give_algorithm_rsa_ed25519_selector"))
    with use_case(as_user) as (session, actor):
        existing = {
            key.algorithm
            for key in keyring.dkim_keys(service.sender_domain(session, actor, marketplace))
        }
        for name in chosen:
            if if_missing and name in existing:
                err.print(f"dkim: {marketplace} already has an {name} key", highlight=False)
                continue
            key = service.generate_dkim_key(
                session, actor, keyring, marketplace, algorithm=name, selector=selector
            )
            err.print(f"dkim: {name} key {key.record_name} written", highlight=False)
            print(key.zone_line())


@dkim_app.command("domain")
@user_errors
def dkim_domain(
    marketplace: Annotated[str, typer.Option(help="The marketplace.")],
    domain: Annotated[str, typer.Argument(help="Notices come from account-health@DOMAIN.")],
    as_user: AsOption = None,
) -> None:
    """Set the domain a marketplace's notices are sent from (then create keys for it)."""
    from kenzen.notify import service

    with use_case(as_user) as (session, actor):
        chosen = service.set_mail_domain(session, actor, marketplace, domain)
    err.print(f"{marketplace}: notices come from account-health@{chosen}", highlight=False)


class _ShownCase(Protocol):
    @property
    def id(self) -> int: ...
    def title_in(self, language: str) -> str: ...


class _ShownEntry(Protocol):
    @property
    def id(self) -> int: ...
    def text_in(self, language: str) -> str: ...


@commands.command()
@user_errors
def verify(
    file: Annotated[Path, typer.Argument(help="The message as saved from a mail program.")],
    as_user: AsOption = None,
) -> None:
    """Check whether a mail is a genuine notice; exit 0 when GENUINE, 1 when SUSPICIOUS."""
    from kenzen.notify.verify import Verdict, verify_notice

    try:
        raw = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    except OSError as error:
        raise InvalidInput(
            N_("error.cli.file_cannot_read"), file=str(file), strerror=str(error.strerror)
        ) from None
    # On SQLite, the local operator's check reads its few rows without SQLAlchemy: most of
    # the command's start-up otherwise (bench/startup.py).
    connection = sqlite_reader() if as_user is None else None
    result: Verification[_ShownCase, _ShownEntry]
    if connection is not None:
        from kenzen.access import SYSTEM
        from kenzen.notify.sqlite_records import SqliteRecords

        with closing(connection):
            result = verify_notice(SqliteRecords(connection), SYSTEM, _keyring(), raw)
            _print_verification(result)
    else:
        from kenzen.notify.records import SessionRecords

        with use_case(as_user) as (session, actor):
            result = verify_notice(SessionRecords(session), actor, _keyring(), raw)
            _print_verification(result)
    if result.verdict is not Verdict.GENUINE:
        raise typer.Exit(1)


def _print_verification(result: Verification[_ShownCase, _ShownEntry]) -> None:
    print(result.verdict.value)
    for finding in result.findings:
        print(f"  - {finding.reason.value}: {finding.message('en')}")
    if result.entry is not None and result.case is not None:
        title = result.case.title_in(result.language)
        print(f"case {result.case.id} ({title}), entry {result.entry.id}:")
        print(f"  {result.entry.text_in(result.language)}")


@webhook_app.command("add")
@user_errors
def webhook_add(
    marketplace: Annotated[str, typer.Option(help="Whose account status changes to send.")],
    url: Annotated[str, typer.Option(help="An https:// endpoint.")],
    allow_loopback_http: Annotated[
        bool,
        typer.Option(
            "--allow-loopback-http", help="Allow http:// to 127.0.0.1/::1/localhost (testing)."
        ),
    ] = False,
    as_user: AsOption = None,
) -> None:
    """Subscribe an endpoint; prints its signing secret (and nothing else) once."""
    from kenzen.config import get_settings
    from kenzen.notify import webhooks

    with use_case(as_user) as (session, actor):
        subscription, secret = webhooks.add_webhook(
            session,
            actor,
            _keyring(),
            marketplace_id=marketplace,
            url=url,
            allow_loopback_http=allow_loopback_http,
            allow_private=get_settings().webhook_allow_private,
        )
        err.print(f"webhook {subscription.id} added for {marketplace}", highlight=False)
    print(secret)


@webhook_app.command("list")
@user_errors
def webhook_list(
    marketplace: Annotated[str | None, typer.Option(help="Only this marketplace.")] = None,
    as_user: AsOption = None,
) -> None:
    """List subscriptions (secrets show only their first characters)."""
    from kenzen.notify import webhooks

    with use_case(as_user) as (session, actor):
        found = webhooks.list_webhooks(session, actor, marketplace_id=marketplace)
        rows: list[tuple[str, ...]] = [
            (
                str(s.id),
                s.marketplace_id,
                s.url,
                s.secret_hint + "…",
                "disabled" if s.disabled_at else "active",
            )
            for s in found
        ]
    print_rows(("id", "marketplace", "url", "secret", "state"), rows)


@webhook_app.command("disable")
@user_errors
def webhook_disable(subscription_id: int, as_user: AsOption = None) -> None:
    """Stop sending to a subscription; its delivery log stays."""
    from kenzen.notify import webhooks

    with use_case(as_user) as (session, actor):
        webhooks.disable_webhook(session, actor, subscription_id)
    err.print(f"webhook {subscription_id} disabled", highlight=False)


@webhook_app.command("log")
@user_errors
def webhook_log(subscription_id: int, as_user: AsOption = None) -> None:
    """The delivery log of a subscription: every attempt, newest delivery first."""
    from kenzen.notify import webhooks

    with use_case(as_user) as (session, actor):
        rows: list[tuple[str, ...]] = [
            (
                d.notification_id,
                d.status.value,
                a.at.isoformat(timespec="seconds"),
                a.outcome.value if a.outcome else "UNDER WAY",
                str(a.http_status or "-"),
                a.detail,
            )
            for d in webhooks.list_deliveries(session, actor, subscription_id)
            for a in d.log
        ]
    print_rows(("notification", "status", "at", "attempt", "http", "detail"), rows)


@notices_app.command("list")
@user_errors
def notices_list(
    seller: Annotated[str | None, typer.Option(help="Only this seller.")] = None,
    as_user: AsOption = None,
) -> None:
    """List notices with their delivery state."""
    from kenzen.notify import service

    with use_case(as_user) as (session, actor):
        rows: list[tuple[str, ...]] = [
            (
                n.id,
                n.seller_id or "",
                str(n.case_id or ""),
                n.kind,
                n.status.value,
                str(n.attempts),
                n.last_error or "",
            )
            for n in service.list_notices(session, actor, seller_id=seller)
        ]
    print_rows(("notice", "seller", "case", "kind", "status", "attempts", "error"), rows)


@notices_app.command("preferences")
@user_errors
def notices_preferences(
    seller: Annotated[str, typer.Argument(help="The seller.")],
    language: Annotated[str | None, typer.Option(help="ja or en; default the seller's.")] = None,
    extra_recipient: Annotated[
        list[str] | None, typer.Option(help="Also send to this address (repeatable).")
    ] = None,
    mute: Annotated[
        list[str] | None, typer.Option(help="An optional notice kind not to mail (repeatable).")
    ] = None,
    as_user: AsOption = None,
) -> None:
    """Replace a seller's notification preferences."""
    from kenzen.notify import service

    with use_case(as_user) as (session, actor):
        preference = service.set_preferences(
            session,
            actor,
            seller,
            language=language,
            extra_recipients=extra_recipient or [],
            muted=mute or [],
        )
        err.print(
            f"{seller}: language {preference.language or 'the seller’s'}, "
            f"{len(preference.extra_recipients)} extra recipient(s), "
            f"muted: {', '.join(preference.muted) or 'nothing'}",
            highlight=False,
        )
