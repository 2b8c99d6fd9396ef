"""The ``kenzen`` commands, run in-process against the test database."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from kenzen.access import Role
from kenzen.audit import AuditEntry, Outcome
from kenzen.cli import app
from kenzen.complaints.service import register_brand
from kenzen.config import get_settings
from kenzen.db import Database
from kenzen.errors import Unauthenticated
from kenzen.events.dated import DatedTable, Staged
from kenzen.identity import service as identity
from kenzen.identity.models import TokenKind
from kenzen.metrics import history
from kenzen.metrics.report import report_schema
from kenzen.policy.document import load_policy
from kenzen.sellers.models import Seller
from kenzen.sellers.status import AccountStatus
from tests.conftest import EMAILS, World
from tests.policy.conftest import retired_category_violation


def kenzen(url: str, home: Path, *args: str, stdin: str = "") -> Result:
    """``kenzen ARGS`` with this database and home; settings are read afresh for each run."""
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(
            app,
            args,
            input=stdin,
            env={"KENZEN_DATABASE_URL": url, "KENZEN_HOME": str(home)},
            catch_exceptions=False,
        )
    finally:
        get_settings.cache_clear()


def test_bootstrap_marketplace_user_and_token(database: Database, tmp_path: Path) -> None:
    url = database.url
    added = kenzen(
        url,
        tmp_path,
        "marketplace",
        "add",
        "--id",
        "US",
        "--name",
        "United States",
        "--timezone",
        "America/New_York",
        "--currency",
        "USD",
        "--language",
        "en",
    )
    assert added.exit_code == 0, added.stderr
    user = kenzen(
        url,
        tmp_path,
        "user",
        "add",
        "--email",
        "ops@example.test",
        "--role",
        "admin",
        stdin="a long password\n",
    )
    assert user.exit_code == 0, user.stderr
    created = kenzen(url, tmp_path, "token", "create", "--user", "ops@example.test")
    assert created.exit_code == 0, created.stderr
    token = created.stdout.strip()
    assert created.stdout == token + "\n"
    assert token.startswith("kz_")
    with database.transaction() as session:
        assert identity.actor_for_token(session, token, TokenKind.API).email == "ops@example.test"
    revoked = kenzen(url, tmp_path, "token", "revoke", stdin=token + "\n")
    assert revoked.exit_code == 0, revoked.stderr
    with database.transaction() as session, pytest.raises(Unauthenticated):
        identity.actor_for_token(session, token, TokenKind.API)


def test_set_status_acts_as_the_named_user_through_access_control(
    world: World, tmp_path: Path
) -> None:
    url = world.database.url
    args = ("seller", "set-status", "S1", "--status", "DEACTIVATED", "--reason", "IP")
    denied = kenzen(url, tmp_path, *args, "--as", "ahs_agent@example.test")
    assert denied.exit_code == 2
    assert denied.stderr == "kenzen: role ahs_agent may not setAccountStatus\n"
    allowed = kenzen(url, tmp_path, *args, "--as", "account_specialist@example.test")
    assert allowed.exit_code == 0, allowed.stderr
    assert "S1: NORMAL → DEACTIVATED" in allowed.stderr
    with world.database.transaction() as session:
        seller = session.get(Seller, "S1")
        assert seller is not None
        assert seller.status is AccountStatus.DEACTIVATED
        denial = session.scalars(
            select(AuditEntry).where(AuditEntry.outcome == Outcome.DENIED)
        ).one()
        assert denial.actor == "ahs_agent@example.test"
    shown = kenzen(url, tmp_path, "seller", "show", "S1")
    assert "status: DEACTIVATED" in shown.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("seller", "show", "S404"), "kenzen: seller S404 not found\n"),
        (
            (
                "seller",
                "set-status",
                "S1",
                "--status",
                "NORMAL",
                "--reason",
                "x",
                "--as",
                "account_specialist@example.test",
            ),
            "kenzen: the account is already NORMAL\n",
        ),
        (
            ("token", "create", "--user", "ghost@example.test"),
            "kenzen: user ghost@example.test not found\n",
        ),
        (
            ("demo",),
            "kenzen: the database already holds data; the demo loads only into an empty one\n",
        ),
    ],
)
def test_user_errors_are_one_line_and_exit_2(
    world: World, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = kenzen(world.database.url, tmp_path, *args)
    assert (result.exit_code, result.stderr) == (2, message)


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"KENZEN_LANG": "ja"}, "kenzen: 出品者 S404 が見つかりません\n"),
        ({"KENZEN_LANG": "", "LANG": "ja_JP.UTF-8"}, "kenzen: 出品者 S404 が見つかりません\n"),
        ({"KENZEN_LANG": "en", "LANG": "ja_JP.UTF-8"}, "kenzen: seller S404 not found\n"),
        ({"KENZEN_LANG": "", "LANG": "C.UTF-8"}, "kenzen: seller S404 not found\n"),
        ({"KENZEN_LANG": "fr"}, "kenzen: seller S404 not found\n"),
    ],
)
def test_user_errors_speak_the_users_language(
    world: World, tmp_path: Path, environment: dict[str, str], message: str
) -> None:
    """KENZEN_LANG, else the locale's language, else English."""
    get_settings.cache_clear()
    result = CliRunner().invoke(
        app,
        ("seller", "show", "S404"),
        env={"KENZEN_DATABASE_URL": world.database.url, "KENZEN_HOME": str(tmp_path)}
        | {"LC_ALL": "", "LC_MESSAGES": ""}
        | environment,
    )
    assert (result.exit_code, result.stderr) == (2, message)


def test_commands_refuse_an_unmigrated_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    mail = tmp_path / "mail.eml"
    mail.write_text("From: a@b.example\r\n\r\nhello\r\n")
    for args in (("seller", "show", "S1"), ("serve", "--port", "1"), ("verify", str(mail))):
        result = kenzen(url, tmp_path, *args)
        assert result.exit_code == 2
        assert result.stderr == (
            "kenzen: the database is not migrated; run `kenzen db upgrade` first\n"
        )


ORDERS = (
    "order_id,seller_id,marketplace_id,purchased_at,fulfillment,ship_by,shipped_at,updated_at\n"
    "O1,S1,JP,2026-11-10T10:00:00+09:00,merchant,2026-11-11T23:59:00+09:00,"
    "2026-11-12T23:00:00+09:00,2026-11-12T23:00:00+09:00\n"
)


def test_import_metrics_and_report(world: World, tmp_path: Path) -> None:
    url = world.database.url
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS + "O2,S9,JP,2026-11-10T10:00:00,merchant,,,x\n", encoding="utf-8")
    rejected = kenzen(url, tmp_path, "import", "orders", str(orders))
    assert rejected.exit_code == 2
    assert rejected.stderr.splitlines() == [
        "kenzen: orders.csv: 4 invalid value(s); nothing was imported "
        "(--skip-invalid imports the valid rows)",
        "  line 3, column seller_id: unknown seller S9",
        "  line 3, column purchased_at: timestamp has no UTC offset (add Z or +HH:MM): "
        "2026-11-10T10:00:00",
        "  line 3, column ship_by: required for merchant orders",
        "  line 3, column updated_at: not an ISO 8601 timestamp with offset: x",
    ]
    skipped = kenzen(url, tmp_path, "import", "orders", str(orders), "--skip-invalid")
    assert skipped.exit_code == 0, skipped.stderr
    assert "orders: 2 rows read, 1 inserted, 0 updated, 0 unchanged, 4 rejected" in skipped.stderr
    assert (tmp_path / "orders.csv.rejected.csv").read_text(encoding="utf-8").count("\n") == 2
    computed = kenzen(url, tmp_path, "metrics", "--as-of", "2026-11-20")
    assert computed.exit_code == 0, computed.stderr
    [summary] = computed.stderr.splitlines()  # in a pipe: no progress, the summary alone
    assert summary.startswith("metrics 2026-11-20: 1 sellers (all sellers), 7 rows")
    report = kenzen(url, tmp_path, "report", "sp-api", "--seller", "S1")
    assert report.exit_code == 0, report.stderr
    document = json.loads(report.stdout)
    jsonschema.validate(document, report_schema())
    assert document["performanceMetrics"][0]["lateShipmentRate"]["status"] == "BAD"
    # the seller's own report through the ORM (the operator's on SQLite reads without it)
    own = kenzen(url, tmp_path, "report", "sp-api", "--seller", "S1", "--as", EMAILS[Role.SELLER])
    assert (own.exit_code, own.stdout) == (0, report.stdout)
    foreign = kenzen(
        url, tmp_path, "report", "sp-api", "--seller", "S2", "--as", EMAILS[Role.SELLER]
    )
    assert (foreign.exit_code, foreign.stderr) == (2, "kenzen: seller S2 not found\n")
    compacted = kenzen(url, tmp_path, "events", "compact")
    assert compacted.exit_code == 0, compacted.stderr
    assert compacted.stderr == "compacted: 1 orders, 0 defects\n"
    assert kenzen(url, tmp_path, "events", "migrate").stderr == (
        "database is up to date\nmigrate: no event store to convert\n"
    )


def test_metrics_says_when_its_history_is_committed_but_not_published(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = world.database.url
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS, encoding="utf-8")
    assert kenzen(url, tmp_path, "import", "orders", str(orders)).exit_code == 0

    def disk_full(table: DatedTable, staged: list[Staged]) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(DatedTable, "publish", disk_full)
    computed = kenzen(url, tmp_path, "metrics", "--as-of", "2026-11-20")
    assert computed.exit_code == 0, computed.stderr  # committed: nothing to run again
    warning, summary = computed.stderr.splitlines()
    assert warning == (
        "kenzen: warning: committed, but not yet published in the history: "
        "snapshots 2026-11-20, order_volumes 2026-11-20; "
        "the next run or the worker's next round publishes it"
    )
    assert summary.startswith("metrics 2026-11-20: 1 sellers (all sellers), 7 rows")
    snapshots = history.snapshot_table(tmp_path / "events")
    assert snapshots.days() == []
    monkeypatch.undo()
    again = kenzen(url, tmp_path, "metrics", "--as-of", "2026-11-20")
    assert again.stderr.startswith("metrics 2026-11-20: 0 sellers")  # and it publishes
    assert snapshots.days() == [date(2026, 11, 20)]


def test_policy_check_names_the_key_of_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "policy.toml"
    bad.write_text("[rating]\nstart = -1\n", encoding="utf-8")
    result = kenzen(f"sqlite:///{tmp_path / 'unused.db'}", tmp_path, "policy", "check", str(bad))
    assert result.exit_code == 2
    assert result.stderr.startswith("kenzen: policy: rating")


def test_listings_are_imported_screened_and_evaluated(world: World, tmp_path: Path) -> None:
    url = world.database.url
    with world.database.transaction() as session:
        register_brand(
            session,
            world.actors[Role.RIGHTS_OWNER],
            name="Sorano",
            registration_number="JP-T-1",
            country="JP",
            terms=["ソラノ"],
        )
    listings = tmp_path / "listings.csv"
    listings.write_text(
        "seller_id,sku,listing_id,title,brand,description\n"
        "S1,A1,B0A1,ソラノ イヤホン,ノーブランド,\n"
        "S2,B1,B0B1,USB cable,Generic,no brand name here\n",
        encoding="utf-8",
    )
    screened = kenzen(url, tmp_path, "screen", "listings", str(listings))
    assert screened.exit_code == 0, screened.stderr
    assert "NO_BRAND_NAMES_TERM" in screened.stdout
    assert screened.stderr == "1 finding(s)\n"
    imported = kenzen(url, tmp_path, "import", "listings", str(listings))
    assert imported.exit_code == 0, imported.stderr
    assert "listings: 2 imported, 1 brand finding(s)" in imported.stderr
    evaluated = kenzen(url, tmp_path, "evaluate", "--as-of", "2026-11-20")
    assert evaluated.exit_code == 0, evaluated.stderr
    assert "evaluated 2 sellers on 2026-11-20" in evaluated.stderr
    no_candidate = kenzen(url, tmp_path, "evaluate", "--as-of", "2026-11-20", "--shadow")
    assert no_candidate.exit_code == 2
    assert "--policy" in no_candidate.stderr
    candidate = tmp_path / "candidate.toml"
    default = resources.files("kenzen.policy").joinpath("policy.toml").read_text("utf-8")
    candidate.write_text(default.replace("at_least = 5", "at_least = 1"), encoding="utf-8")
    shadow = kenzen(
        url,
        tmp_path,
        "evaluate",
        "--as-of",
        "2026-11-20",
        "--to",
        "2026-11-21",
        "--shadow",
        "--policy",
        str(candidate),
    )
    assert shadow.exit_code == 0, shadow.stderr
    assert "over 2 day(s), 2 sellers" in shadow.stderr
    assert shadow.stderr.rstrip().endswith("nothing changed")


def test_evaluate_reports_a_failing_seller_and_evaluates_the_others(
    world: World, tmp_path: Path
) -> None:
    retired = retired_category_violation(world, "S2")
    result = kenzen(world.database.url, tmp_path, "evaluate", "--as-of", "2026-11-20")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"S2: failed: violation {retired}: category 'retiredCategory' is not a category of "
        "the policy",
        "evaluated 1 sellers on 2026-11-20 with policy "
        f"{load_policy().version[:12]}: 0 changed, 1 failed",
    ]
