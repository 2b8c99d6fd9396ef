"""Deactivation is proposed, then decided, by clicking: a rights owner's complaint on their
page crosses the cap; with no command run, the worker beside the server proposes the
deactivation and the seller's page shows the review under way; an Account Specialist
confirms it from the queue; the seller sees DEACTIVATED and the notice in the case."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from kenzen import clock
from kenzen.access import SYSTEM, Role
from kenzen.complaints import service as complaints
from kenzen.complaints.catalogue import ListingRef
from kenzen.complaints.models import Complaint, ComplaintKind
from kenzen.db import Database
from kenzen.identity import service as identity
from kenzen.metrics import service as metrics
from kenzen.policy import proposals
from kenzen.policy.continuous import Evaluator
from kenzen.policy.document import PolicyHolder, load_policy
from kenzen.sellers.models import Listing, Seller
from kenzen.sellers.status import AccountStatus
from tests.e2e.conftest import (
    PASSWORD,
    RIGHTS,
    SPECIALIST,
    demo_copy,
    log_in,
    serious_accessibility_violations,
    serving,
    shoot,
)

SELLER_USER = "review-seller@demo.kenzen.test"
#: The worker's round trip, generous for a loaded machine.
WORKER_SECONDS = 60


@dataclass(frozen=True)
class Marketplace:
    url: str
    seller_id: str
    listing_id: str
    """The public listing id the rights owner names."""


def _four_complaints(database: Database) -> tuple[str, str]:
    """A NORMAL seller without complaints or proposals and under the four-eyes volume, its
    first listing, four complaints filed against it and a user who acts for it; the fifth
    is the browser's."""
    policy = load_policy()
    with database.transaction() as session:
        today = clock.today("Asia/Tokyo")
        seller = next(
            s
            for s in session.scalars(select(Seller).order_by(Seller.id))
            if s.status is AccountStatus.NORMAL
            and not session.scalar(select(Complaint.id).where(Complaint.seller_id == s.id))
            and not proposals.pending(session, s.id)
            and metrics.fulfilled_orders(session, s.id, today)
            < policy.document.review.four_eyes_orders
        )
        listing = session.scalars(
            select(Listing).where(Listing.seller_id == seller.id).order_by(Listing.id)
        ).first()
        assert listing is not None
        rights = identity.find_user(session, RIGHTS).as_actor()
        brand = complaints.list_brands(session, rights)[0]
        for n in range(4):
            complaints.file_complaint(
                session,
                rights,
                policy,
                brand_id=brand.id,
                kind=ComplaintKind.TRADEMARK,
                listings=[ListingRef(listing.listing_id, seller.id)],
                evidence=f"Test buy #{n + 1}: the {brand.name} mark, no licence.",
            )
        identity.add_user(
            session,
            SYSTEM,
            email=SELLER_USER,
            role=Role.SELLER,
            password=PASSWORD,
            seller_id=seller.id,
        )
        return seller.id, listing.listing_id


@pytest.fixture(scope="module")
def marketplace(
    demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Marketplace]:
    """A real server over a fresh copy of the demo, with the worker's evaluation beside it
    as `make run` starts them."""
    settings, database = demo_copy(demo_template, tmp_path_factory.mktemp("review-home"))
    seller_id, listing_id = _four_complaints(database)
    stop = threading.Event()
    evaluator = Evaluator(database, settings.events_dir, PolicyHolder(None))
    worker = threading.Thread(target=evaluator.run, args=(stop,), kwargs={"poll_seconds": 0.2})
    worker.start()
    try:
        with serving(settings, database) as url:
            yield Marketplace(url, seller_id, listing_id)
    finally:
        stop.set()
        worker.join(60)
        database.dispose()


def _context_page(browser: Browser) -> Page:
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    return context.new_page()


def _wait_for_health(page: Page, seller_id: str, condition: str) -> None:
    """Until the seller's health (the API, on the page's own session) satisfies ``condition``
    (JavaScript over ``h``): the worker evaluates in its own time."""
    page.wait_for_function(
        f"""async () => {{
            const r = await fetch('/api/v1/sellers/{seller_id}/health');
            if (!r.ok) return false;
            const h = await r.json();
            return {condition};
        }}""",
        polling=250,
        timeout=WORKER_SECONDS * 1000,
    )


def test_a_complaint_proposes_a_deactivation_a_specialist_confirms(
    browser: Browser, marketplace: Marketplace, artifacts: Path
) -> None:
    server = marketplace.url
    # the rights owner files the fifth complaint on their page
    rights = _context_page(browser)
    log_in(rights, server, RIGHTS)
    rights.goto(f"{server}/rights")
    form = rights.locator("form[action='/rights/complaints']")
    form.get_by_label(re.compile("Listing ids|出品ID")).fill(marketplace.listing_id)
    form.get_by_label(re.compile("^Evidence|証拠書類")).fill(
        "Test buy #5: the Sorano mark on the box and the item, no licence."
    )
    form.locator("button[type=submit]").click()
    expect(rights.get_by_test_id("complaint").filter(has_text=marketplace.seller_id)).to_have_count(
        5
    )
    rights.context.close()

    # the seller: no command run, the worker proposes; the page shows the review under way
    seller = _context_page(browser)
    log_in(seller, server, SELLER_USER)
    _wait_for_health(seller, marketplace.seller_id, "h.reviews_under_way.length > 0")
    seller.reload()
    review = seller.get_by_test_id("review-under-way")
    expect(review).to_be_visible()
    expect(review).to_contain_text(re.compile("Account Specialist|アカウントスペシャリスト"))
    expect(seller.get_by_test_id("account-status")).not_to_contain_text("DEACTIVATED")
    shoot(seller, artifacts, "review-under-way")
    assert not serious_accessibility_violations(seller)

    # the specialist confirms from the queue
    specialist = _context_page(browser)
    log_in(specialist, server, SPECIALIST)
    specialist.goto(f"{server}/staff/proposals")
    row = specialist.get_by_test_id("queued-proposal").filter(has_text=marketplace.seller_id)
    expect(row).to_have_count(1)
    shoot(specialist, artifacts, "proposal-queue")
    row.get_by_role("link").first.click()
    expect(specialist.get_by_test_id("proposal-violations")).to_contain_text("Test buy #5")
    expect(specialist.get_by_test_id("confirmations")).to_have_text("0 / 1")
    shoot(specialist, artifacts, "proposal-decision")
    assert not serious_accessibility_violations(specialist)
    specialist.get_by_label(re.compile("Confirm and apply|承認して実施する")).check()
    specialist.get_by_label(re.compile("^Reasons|理由")).fill(
        "Five test buys show the registered mark; the seller holds no licence."
    )
    specialist.get_by_test_id("decide").click()
    expect(specialist.get_by_test_id("proposal-status")).to_have_text(
        re.compile("Confirmed and applied|承認・実施済み")
    )
    specialist.context.close()

    # the seller sees DEACTIVATED and the notice in the case, with no reviewer named
    seller.reload()
    expect(seller.get_by_test_id("account-status")).to_contain_text("DEACTIVATED")
    expect(seller.get_by_test_id("review-under-way")).to_have_count(0)
    seller.goto(f"{server}/cases")
    seller.get_by_role(
        "link", name=re.compile("知的財産権|intellectual property", re.I)
    ).first.click()
    timeline = seller.locator("main")
    expect(timeline).to_contain_text(re.compile("停止 に変わりました|to Deactivated"))
    expect(timeline).not_to_contain_text(SPECIALIST)
    shoot(seller, artifacts, "deactivation-notice")
    seller.context.close()
