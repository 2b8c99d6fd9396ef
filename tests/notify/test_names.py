"""Text that reaches a mail header: names with control characters are refused at the
boundary, a case title that still has one cannot silence a seller, and a notice that
cannot be made into a message alerts the staff."""

from __future__ import annotations

import email
from collections.abc import Callable
from datetime import UTC, datetime
from email.policy import default as default_policy

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kenzen.access import SYSTEM, Role, Visibility
from kenzen.audit import AuditEntry
from kenzen.cases import service as cases
from kenzen.cases.models import CaseEntry, CaseKind, EntryKind
from kenzen.complaints import service as complaints
from kenzen.errors import InvalidInput
from kenzen.i18n import Message
from kenzen.notify import email as mail
from kenzen.notify.worker import Worker
from kenzen.outbox.models import DeliveryStatus, Notice
from kenzen.sellers import service as sellers
from kenzen.text import forbidden_character, header_text
from tests.conftest import World
from tests.notify.conftest import SmtpServer

MakeWorker = Callable[..., Worker]
BREAKERS = ["\r\n", "\n", "\r", "\x00", "\x1b", "\u2028", "\u202e"]


@pytest.mark.parametrize("breaker", BREAKERS)
def test_a_brand_name_with_a_control_character_is_422_naming_the_field(
    client: TestClient, world: World, breaker: str
) -> None:
    body = {"name": f"Acme{breaker}Bcc: x@evil.test", "registration_number": "1", "country": "JP"}
    response = client.post("/api/v1/brands", headers=world.headers(Role.RIGHTS_OWNER), json=body)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "name"]
    assert "control characters" in error["msg"]
    terms = {**body, "name": "Acme", "terms": [f"ok{breaker}"]}
    response = client.post("/api/v1/brands", headers=world.headers(Role.RIGHTS_OWNER), json=terms)
    assert response.status_code == 422


def test_names_are_checked_in_the_services_too(world: World) -> None:
    with world.database.transaction() as session, pytest.raises(InvalidInput, match=r"^name:"):
        complaints.register_brand(
            session,
            world.actors[Role.RIGHTS_OWNER],
            name="Acme\r\nX",
            registration_number="1",
            country="JP",
        )
    with (
        world.database.transaction() as session,
        pytest.raises(InvalidInput, match=r"^display_name:"),
    ):
        sellers.add_seller(
            session,
            SYSTEM,
            seller_id="S3",
            marketplace_id="JP",
            display_name="Shop\nThree",
            email="s3@sellers.example.test",
            language="en",
            registered_at=datetime(2025, 1, 1, tzinfo=UTC),
        )


def test_ordinary_names_pass_unchanged() -> None:
    for name in ("Acme", "アクメ株式会社", "Café Ünïcode", "Ω-Brand (Tokyo)"):
        assert forbidden_character(name) is None
    assert header_text("IP complaint: Acme\r\nBcc: x@evil.test") == (
        "IP complaint: Acme Bcc: x@evil.test"
    )


def _case_about_brand(world: World, brand: str) -> int:
    with world.database.transaction() as session:
        title = Message("case.ip_complaint.title", {"brand": brand})
        case = cases.open_case(session, seller_id="S1", kind=CaseKind.IP_COMPLAINT, title=title)
        cases.append_entry(
            session,
            case,
            SYSTEM,
            visibility=Visibility.SELLER,
            kind=EntryKind.COMPLAINT,
            text="A rights owner reported your listing.",
        )
        return case.id


def test_a_title_with_line_breaks_still_reaches_the_seller_on_one_subject_line(
    world: World, smtp_server: SmtpServer, make_worker: MakeWorker
) -> None:
    _case_about_brand(world, "Acme\r\nBcc: victim@evil.test")
    assert make_worker().run_once() == 1
    [received] = smtp_server.handler.messages
    assert received.recipients == ["s1@sellers.example.test"]
    message = email.message_from_bytes(received.data, policy=default_policy)
    assert message["Bcc"] is None
    assert "Acme Bcc: victim@evil.test" in str(message["Subject"])


def test_a_notice_that_cannot_be_rendered_alerts_the_staff_at_once(
    world: World,
    smtp_server: SmtpServer,
    make_worker: MakeWorker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case_id = _case_about_brand(world, "Acme")

    def broken(*args: object) -> bytes:
        raise ValueError("Header values may not contain linefeed or carriage return characters")

    monkeypatch.setattr(mail, "render_notice", broken)
    make_worker().run_once()
    assert smtp_server.handler.messages == []
    with world.database.transaction() as session:
        notice = session.scalars(select(Notice)).one()
        assert (notice.status, notice.attempts) == (DeliveryStatus.FAILED, 1)
        assert notice.last_error == "cannot be rendered: ValueError"
        [alert] = session.scalars(
            select(CaseEntry).where(
                CaseEntry.case_id == case_id,
                CaseEntry.visibility == Visibility.SELLER_PERFORMANCE,
            )
        )
        assert "reach them another way" in alert.text_in("en")
        assert "別の方法" in alert.text_in("ja")
        audited = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "noticeFailed")
        ).one()
        assert audited.target == f"notice:{notice.id}"
    # The alert is internal: it queues no second notice.
    with world.database.transaction() as session:
        assert len(session.scalars(select(Notice)).all()) == 1
