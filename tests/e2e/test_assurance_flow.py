"""Account Health Assurance by clicking, in Japanese and in English: the demo's protected
seller has a deactivation proposed and held; the seller reads the hold and its deadline;
staff read it in their own words, and the queue shows it held, not overdue; a specialist's
confirmation is refused; AHS takes the priority call and reaches the seller; 72 hours after
the call (the injected clock is moved, as the server reads it) confirming is still refused
a minute before and allowed after, by two specialists (four eyes); the seller is then
deactivated."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from kenzen.access import SYSTEM, Role
from kenzen.assurance import service as assurance
from kenzen.assurance.models import AssuranceHold
from kenzen.db import Database
from kenzen.identity import service as identity
from tests.conftest import Clock
from tests.e2e.conftest import (
    AHS,
    PASSWORD,
    SPECIALIST,
    demo_copy,
    log_in,
    serious_accessibility_violations,
    serving,
    shoot,
)

SELLER_USER = "assured-seller@demo.kenzen.test"
SECOND_SPECIALIST = "second.specialist@demo.kenzen.test"


@dataclass(frozen=True)
class Marketplace:
    url: str
    database: Database
    language: str
    seller_id: str
    proposal_id: int


def _readers(database: Database, language: str) -> tuple[str, int]:
    """The demo's held seller and proposal; a user acting for that seller and a second
    specialist, every reader of the flow set to read ``language``."""
    with database.transaction() as session:
        hold = session.scalars(select(AssuranceHold)).one()
        identity.add_user(
            session,
            SYSTEM,
            email=SELLER_USER,
            role=Role.SELLER,
            password=PASSWORD,
            seller_id=hold.seller_id,
        )
        identity.add_user(
            session,
            SYSTEM,
            email=SECOND_SPECIALIST,
            role=Role.ACCOUNT_SPECIALIST,
            password=PASSWORD,
        )
        for email in (SELLER_USER, SECOND_SPECIALIST, SPECIALIST, AHS):
            identity.set_language(session, identity.find_user(session, email).as_actor(), language)
        return hold.seller_id, hold.proposal_id


@pytest.fixture(scope="module", params=["ja", "en"])
def marketplace(
    request: pytest.FixtureRequest, demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Marketplace]:
    """A real server over a fresh copy of the demo, its readers in one language."""
    language: str = request.param
    settings, database = demo_copy(demo_template, tmp_path_factory.mktemp(f"assured-{language}"))
    seller_id, proposal_id = _readers(database, language)
    try:
        with serving(settings, database) as url:
            yield Marketplace(url, database, language, seller_id, proposal_id)
    finally:
        database.dispose()


def _page(browser: Browser, server: str, email: str) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, server, email)
    return page


#: The refusal to confirm a held deactivation, in the specialist's language.
HELD = re.compile("held by Account Health Assurance|アカウントヘルス保証により保留されています")


def _decide(page: Page, marketplace: Marketplace) -> None:
    """Confirm the held proposal from its page, as a specialist does."""
    page.goto(f"{marketplace.url}/staff/proposals/{marketplace.proposal_id}")
    page.get_by_label(re.compile("Confirm and apply|承認して実施する")).check()
    page.get_by_label(re.compile("^Reasons|理由")).fill(
        "医薬品の出品が続き、AHS の電話の後も改善計画書の提出がない。"
    )
    page.get_by_test_id("decide").click()


def _respond_by(marketplace: Marketplace) -> datetime:
    """When the seller's time to work with us ends, as the hold now has it."""
    with marketplace.database.transaction() as session:
        hold = session.scalars(select(AssuranceHold)).one()
        view = assurance.hold_status(session, hold).view
    assert view is not None
    return view.respond_by


def test_a_held_deactivation_from_the_hold_to_the_decision(
    browser: Browser, marketplace: Marketplace, artifacts: Path, clock: Clock
) -> None:
    server, seller_id, lang = marketplace.url, marketplace.seller_id, marketplace.language

    # the seller reads the hold, its deadline in Tokyo time, and the notice on the case
    seller = _page(browser, server, SELLER_USER)
    hold = seller.get_by_test_id("hold-state")
    expect(hold).to_contain_text(re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d JST"))
    expect(hold).to_contain_text(re.compile("you have until|ご対応いただけます"))
    expect(seller.get_by_test_id("review-under-way")).to_be_visible()
    shoot(seller, artifacts, f"assurance-hold-seller-{lang}")
    assert not serious_accessibility_violations(seller)
    hold.get_by_role("link").click()
    expect(seller.locator("main")).to_contain_text(re.compile("72 hours|72時間"))

    # the specialist: held in the queue (not overdue), staff words on the seller's page, and
    # the confirmation refused with the reason
    specialist = _page(browser, server, SPECIALIST)
    specialist.goto(f"{server}/staff/proposals")
    row = specialist.get_by_test_id("queued-proposal").filter(has_text=seller_id)
    expect(row.get_by_test_id("held")).to_have_text(
        re.compile("Held by Account Health Assurance|アカウント健全性保証により保留中")
    )
    expect(row.get_by_test_id("overdue")).to_have_count(0)
    shoot(specialist, artifacts, f"assurance-queue-{lang}")
    specialist.goto(f"{server}/sellers/{seller_id}")
    staff_hold = specialist.get_by_test_id("hold-state")
    expect(staff_hold).to_contain_text(re.compile("The seller has until|出品者の対応期限"))
    expect(staff_hold).not_to_contain_text(re.compile("you have until|ご対応いただけます"))
    _decide(specialist, marketplace)
    expect(specialist.get_by_test_id("decision-error")).to_contain_text(HELD)
    expect(specialist.get_by_test_id("confirmations")).to_have_text("0 / 2")
    shoot(specialist, artifacts, f"assurance-refused-{lang}")
    assert not serious_accessibility_violations(specialist)

    # AHS takes the priority call and records that it reached the seller
    ahs = _page(browser, server, AHS)
    ahs.goto(f"{server}/staff/callbacks")
    call = ahs.get_by_test_id("priority-call").filter(has_text=seller_id)
    expect(call).to_have_count(1)
    shoot(ahs, artifacts, f"assurance-priority-call-{lang}")
    call.get_by_role("button").click()  # claimed: the call's page opens
    expect(ahs.locator("select#outcome")).to_be_visible()
    ahs.locator("select#outcome").select_option("REACHED")
    ahs.locator("textarea#notes").fill("緊急連絡先で出品者と話した。改善計画書の提出を案内。")
    ahs.locator("form[action$='/complete'] button[type=submit]").click()
    expect(ahs).to_have_url(re.compile(r"/staff/callbacks$"))  # recorded, back to the list
    expect(ahs.get_by_test_id("priority-call").filter(has_text=seller_id)).to_have_count(0)
    shoot(ahs, artifacts, f"assurance-call-recorded-{lang}")
    ahs.context.close()

    # reached: the seller has 72 hours from the call; a minute before, still refused
    respond_by = _respond_by(marketplace)
    clock.move_to(respond_by - timedelta(minutes=1))
    _decide(specialist, marketplace)
    expect(specialist.get_by_test_id("decision-error")).to_contain_text(HELD)
    clock.move_to(respond_by + timedelta(minutes=1))
    _decide(specialist, marketplace)
    expect(specialist.get_by_test_id("confirmations")).to_have_text("1 / 2")
    expect(specialist.get_by_test_id("decision-error")).to_have_count(0)
    specialist.context.close()
    second = _page(browser, server, SECOND_SPECIALIST)
    _decide(second, marketplace)
    expect(second.get_by_test_id("proposal-status")).to_have_text(
        re.compile("Confirmed and applied|承認・実施済み")
    )
    shoot(second, artifacts, f"assurance-confirmed-{lang}")
    second.context.close()

    seller.goto(server)
    expect(seller.get_by_test_id("account-status")).to_contain_text("DEACTIVATED")
    expect(seller.get_by_test_id("assurance-hold")).to_have_count(0)
    seller.context.close()
