"""Verification: genuine, tampered, re-signed, lookalike senders, foreign links, and another
seller's notice — which must look exactly like one that does not exist."""

from __future__ import annotations

from contextlib import closing
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Protocol

import pytest

from kenzen.access import SYSTEM, Role
from kenzen.cases import account_status
from kenzen.cases.models import Case, CaseEntry
from kenzen.errors import Forbidden, InvalidInput
from kenzen.notify import email as notice_email
from kenzen.notify.keys import Keyring
from kenzen.notify.records import SessionRecords
from kenzen.notify.smtp import FileTransport
from kenzen.notify.sqlite_records import SqliteRecords
from kenzen.notify.verify import Reason, Verdict, Verification, verify_notice
from kenzen.notify.worker import Worker
from kenzen.schema import open_read_only, sqlite_file
from kenzen.sellers.status import AccountStatus
from tests.conftest import World
from tests.notify.conftest import MAIL_DOMAIN


def _genuine(world: World, keyring: Keyring, tmp_path: Path, seller_id: str = "S1") -> bytes:
    """A real notice for ``seller_id``, as the worker wrote it."""
    with world.database.transaction() as session:
        account_status.set_account_status(
            session, SYSTEM, seller_id, status=AccountStatus.AT_RISK, reason="late shipments"
        )
    mail_dir = tmp_path / f"mail-{seller_id}"
    Worker(world.database, keyring, FileTransport(mail_dir)).run_once()
    [written] = list(mail_dir.glob("*.eml"))
    return written.read_bytes()


def _verify(
    world: World, keyring: Keyring, raw: bytes, role: Role = Role.SELLER
) -> Verification[Case, CaseEntry]:
    with world.database.transaction() as session:
        return verify_notice(SessionRecords(session), world.actors[role], keyring, raw)


class _ShownCase(Protocol):
    def title_in(self, language: str) -> str: ...


class _ShownEntry(Protocol):
    def text_in(self, language: str) -> str: ...


def _reasons(result: Verification[Case, CaseEntry]) -> set[Reason]:
    return {finding.reason for finding in result.findings}


def _strip_signatures(raw: bytes) -> bytes:
    head, _, body = raw.partition(b"\r\n\r\n")
    kept: list[bytes] = []
    skipping = False
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"dkim-signature:"):
            skipping = True
            continue
        if skipping and line[:1] in (b" ", b"\t"):
            continue
        skipping = False
        kept.append(line)
    return b"\r\n".join(kept) + b"\r\n\r\n" + body


def _phish(sender: str, body: str, notice_id: str | None = None) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = "s1@sellers.example.test"
    message["Subject"] = "Your account will be deactivated"
    if notice_id:
        message["X-Kenzen-Notice-Id"] = notice_id
    message.set_content(body)
    message.add_alternative(f"<p>{body}</p>", subtype="html")
    return message.as_bytes()


def test_genuine_notice_shows_the_matching_case_entry(
    world: World, keyring: Keyring, tmp_path: Path
) -> None:
    result = _verify(world, keyring, _genuine(world, keyring, tmp_path))
    assert (result.verdict, result.findings) == (Verdict.GENUINE, [])
    assert result.entry is not None
    assert result.case is not None
    assert "late shipments" in result.entry.text_in(result.language)
    assert result.from_address == f"account-health@{MAIL_DOMAIN}"
    assert len(result.signed_by) == 2


def test_pasted_with_bare_newlines_is_still_genuine(
    world: World, keyring: Keyring, tmp_path: Path
) -> None:
    raw = _genuine(world, keyring, tmp_path).replace(b"\r\n", b"\n")
    assert _verify(world, keyring, raw).verdict is Verdict.GENUINE


def test_one_byte_changed_in_the_body(world: World, keyring: Keyring, tmp_path: Path) -> None:
    raw = _genuine(world, keyring, tmp_path)
    head, _, body = raw.partition(b"\r\n\r\n")
    position = body.index(b"\r\n\r\n") + 10  # a byte of the text part
    changed = bytes([body[position] ^ 0x01])
    tampered = head + b"\r\n\r\n" + body[:position] + changed + body[position + 1 :]
    assert len(tampered) == len(raw)
    result = _verify(world, keyring, tampered)
    assert result.verdict is Verdict.SUSPICIOUS
    assert _reasons(result) == {Reason.SIGNATURE_INVALID}
    assert result.entry is not None  # the seller's own notice: shown to compare with


def test_resigned_with_another_key(world: World, keyring: Keyring, tmp_path: Path) -> None:
    raw = _strip_signatures(_genuine(world, keyring, tmp_path))
    [ours] = [k for k in keyring.signing_keys(MAIL_DOMAIN) if k.algorithm == "rsa"]
    attacker = Keyring(tmp_path / "attacker")
    same_name = attacker.generate_dkim(MAIL_DOMAIN, "rsa", ours.selector)
    result = _verify(world, keyring, notice_email.sign(raw, [same_name]))
    assert (result.verdict, _reasons(result)) == (Verdict.SUSPICIOUS, {Reason.SIGNATURE_INVALID})

    own_domain = attacker.generate_dkim("evil.example", "ed25519", None)
    result = _verify(world, keyring, notice_email.sign(raw, [own_domain]))
    assert Reason.SIGNED_BY_OTHER_DOMAIN in _reasons(result)
    assert result.verdict is Verdict.SUSPICIOUS


def test_unsigned_copy_of_a_genuine_notice(world: World, keyring: Keyring, tmp_path: Path) -> None:
    raw = _strip_signatures(_genuine(world, keyring, tmp_path))
    assert _reasons(_verify(world, keyring, raw)) == {Reason.NO_SIGNATURE}


def test_second_from_header_breaks_the_signature(
    world: World, keyring: Keyring, tmp_path: Path
) -> None:
    raw = b"From: Amazon <security@evil.example>\r\n" + _genuine(world, keyring, tmp_path)
    result = _verify(world, keyring, raw)
    assert result.verdict is Verdict.SUSPICIOUS
    assert Reason.DUPLICATE_HEADER in _reasons(result)


@pytest.mark.parametrize(
    ("sender", "expected"),
    [
        ('"Amazon Account Health" <account-health@amaz0n.co.jp>', Reason.LOOKALIKE_HOMOGLYPH),
        ('"Account Health" <account-health@xn--mazon-3ve.co.jp>', Reason.LOOKALIKE_PUNYCODE),
        ('"Amazon" <notice@amazon-account-health.com>', Reason.LOOKALIKE_EXTRA_WORDS),
        ('"Amazon Support" <support@amazon.co.jp.verify-login.net>', Reason.LOOKALIKE_EXTRA_WORDS),
        ('"Amazon Seller Central" <no-reply@arnazon.co.jp>', Reason.LOOKALIKE_HOMOGLYPH),
    ],
)
def test_lookalike_senders(world: World, keyring: Keyring, sender: str, expected: Reason) -> None:
    result = _verify(world, keyring, _phish(sender, "Please confirm your account."))
    reasons = _reasons(result)
    assert result.verdict is Verdict.SUSPICIOUS
    assert expected in reasons
    assert {Reason.NO_SIGNATURE, Reason.SENDER_NOT_MARKETPLACE, Reason.NO_NOTICE_ID} <= reasons
    assert Reason.DISPLAY_NAME_IMITATION in reasons


def test_display_name_alone_imitating_the_sender(world: World, keyring: Keyring) -> None:
    raw = _phish('"account-health@amazon.co.jp" <x@mailer.example>', "hello")
    assert Reason.DISPLAY_NAME_IMITATION in _reasons(_verify(world, keyring, raw))


def test_foreign_links(world: World, keyring: Keyring) -> None:
    body = (
        "Reinstate here: https://amazon.co.jp.reinstate.example/login or "
        "http://192.0.2.7/x and see https://www.amazon.co.jp/help"
    )
    result = _verify(world, keyring, _phish(f"<account-health@{MAIL_DOMAIN}>", body))
    foreign = sorted(f.detail for f in result.findings if f.reason is Reason.FOREIGN_LINK)
    assert foreign == ["192.0.2.7", "amazon.co.jp.reinstate.example"]
    assert result.verdict is Verdict.SUSPICIOUS


def test_another_sellers_notice_looks_like_no_notice_at_all(
    world: World, keyring: Keyring, tmp_path: Path
) -> None:
    theirs = _genuine(world, keyring, tmp_path, seller_id="S2")
    result = _verify(world, keyring, theirs)  # S1's user
    assert result.verdict is Verdict.SUSPICIOUS
    assert _reasons(result) == {Reason.NOTICE_NOT_FOUND}
    assert (result.notice, result.case, result.entry) == (None, None, None)

    their_id = result.findings[0].detail
    assert result.findings[0].message("en") == f"No notice {their_id} was sent to your account."
    made_up = theirs.replace(their_id.encode(), b"00000000-0000-4000-8000-000000000000")
    unknown = _verify(world, keyring, made_up)
    assert _reasons(unknown) == {Reason.SIGNATURE_INVALID, Reason.NOTICE_NOT_FOUND}
    assert (unknown.notice, unknown.case, unknown.entry) == (None, None, None)
    # staff may check any seller's notice
    assert _verify(world, keyring, theirs, Role.ACCOUNT_SPECIALIST).verdict is Verdict.GENUINE


def test_bad_input_and_roles(world: World, keyring: Keyring) -> None:
    with pytest.raises(InvalidInput, match=r"^message: must not be empty"):
        _verify(world, keyring, b"  \r\n")
    with pytest.raises(Forbidden):
        _verify(world, keyring, _phish("<a@b.example>", "x"), Role.RIGHTS_OWNER)


@pytest.mark.parametrize(
    "raw",
    [
        b"hello, is this mail from you?",
        "アカウントが停止されます。こちらをクリック".encode(),
        b"\xff\xfe\x00garbage\r\nmore lines",
    ],
)
def test_text_that_is_not_a_mail_is_suspicious_with_the_reason(
    world: World, keyring: Keyring, raw: bytes
) -> None:
    result = _verify(world, keyring, raw)
    assert result.verdict is Verdict.SUSPICIOUS
    assert Reason.NOT_A_MESSAGE in _reasons(result)
    [finding] = [f for f in result.findings if f.reason is Reason.NOT_A_MESSAGE]
    assert "headers" in finding.message("en")
    assert "ヘッダー" in finding.message("ja")


def _seen(result: Verification[_ShownCase, _ShownEntry]) -> tuple[object, ...]:
    """Everything a reader of the verdict sees, in the notice's language."""
    return (
        result.verdict,
        result.findings,
        result.from_address,
        result.expected_sender,
        result.signed_by,
        result.notice.id if result.notice else None,
        result.language,
        result.case.title_in(result.language) if result.case else None,
        result.entry.text_in(result.language) if result.entry else None,
    )


@pytest.mark.parametrize("role", [Role.SELLER, Role.ACCOUNT_SPECIALIST])
def test_the_standard_library_reader_sees_what_the_orm_sees(
    world: World, keyring: Keyring, tmp_path: Path, role: Role
) -> None:
    """``kenzen verify`` on SQLite reads with ``SqliteRecords``; the pages with the ORM."""
    path = sqlite_file(world.database.url)
    if path is None:
        pytest.skip("the standard-library reader serves SQLite only")
    theirs = _genuine(world, keyring, tmp_path, seller_id="S2")
    mails = [
        _genuine(world, keyring, tmp_path),
        theirs,
        _strip_signatures(theirs),
        _phish('"Amazon" <notice@amazon-account-health.com>', "https://evil.example/x"),
    ]
    connection = open_read_only(path)
    assert connection is not None
    with closing(connection):
        records = SqliteRecords(connection)
        for raw in mails:
            expected = _seen(_verify(world, keyring, raw, role))
            assert _seen(verify_notice(records, world.actors[role], keyring, raw)) == expected
    genuine = _verify(world, keyring, mails[0], role)
    assert genuine.verdict is Verdict.GENUINE
    assert genuine.entry is not None
    assert "late shipments" in genuine.entry.text_in(genuine.language)
