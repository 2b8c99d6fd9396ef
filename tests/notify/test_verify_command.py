"""``kenzen verify``: the operator's check on SQLite reads without the ORM, ``--as`` acts as
a user through it; both print the same verdict, reasons and case entry."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from kenzen.access import Role
from kenzen.cli import app
from kenzen.config import get_settings
from kenzen.notify.keys import Keyring
from tests.conftest import EMAILS, World
from tests.notify.test_verify import _genuine, _phish


def _kenzen(world: World, home: Path, *args: str) -> Result:
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(
            app,
            args,
            env={"KENZEN_DATABASE_URL": world.database.url, "KENZEN_HOME": str(home)},
            catch_exceptions=False,
        )
    finally:
        get_settings.cache_clear()


def test_a_genuine_notice_prints_its_case_entry_and_exits_0(
    world: World, keyring: Keyring, tmp_path: Path
) -> None:
    mail = tmp_path / "notice.eml"
    mail.write_bytes(_genuine(world, keyring, tmp_path))
    checked = _kenzen(world, tmp_path, "verify", str(mail))
    assert checked.exit_code == 0, checked.stderr
    verdict, case_line, entry_line = checked.stdout.splitlines()
    assert verdict == "GENUINE"
    assert case_line.startswith("case ")
    assert ", entry " in case_line
    assert "late shipments" in entry_line
    as_seller = _kenzen(world, tmp_path, "verify", str(mail), "--as", EMAILS[Role.SELLER])
    assert (as_seller.exit_code, as_seller.stdout) == (0, checked.stdout)


def test_a_phish_prints_every_reason_and_exits_1(
    world: World, keyring: Keyring, tmp_path: Path
) -> None:
    mail = tmp_path / "phish.eml"
    mail.write_bytes(_phish('"Amazon" <notice@amazon-account-health.com>', "https://evil.example/"))
    checked = _kenzen(world, tmp_path, "verify", str(mail))
    assert checked.exit_code == 1
    lines = checked.stdout.splitlines()
    assert lines[0] == "SUSPICIOUS"
    reasons = {line.split(":")[0].strip(" -") for line in lines[1:]}
    assert reasons == {"NO_SIGNATURE", "SENDER_NOT_MARKETPLACE", "FOREIGN_LINK", "NO_NOTICE_ID"}
    as_specialist = _kenzen(
        world, tmp_path, "verify", str(mail), "--as", EMAILS[Role.ACCOUNT_SPECIALIST]
    )
    assert (as_specialist.exit_code, as_specialist.stdout) == (1, checked.stdout)
