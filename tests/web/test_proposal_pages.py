"""The specialists' proposal queue and decision page, and the review the seller sees, over
real HTTP requests (the browser suite clicks through the whole loop)."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from kenzen import clock
from kenzen.access import SYSTEM, Role
from kenzen.identity.service import add_user
from kenzen.policy.document import Policy
from kenzen.policy.enforcement import enforce_seller, record_reviewed_violation
from kenzen.sellers.models import Seller
from kenzen.sellers.status import AccountStatus
from tests.conftest import World
from tests.web.forms import page_token

PASSWORD = "a page password"


def _log_in(client: TestClient, world: World, role: Role) -> None:
    email = f"{role.value}-pages@example.test"
    with world.database.transaction() as session:
        add_user(
            session,
            SYSTEM,
            email=email,
            role=role,
            password=PASSWORD,
            seller_id="S1" if role is Role.SELLER else None,
        )
    client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": page_token(client)}
    )


def _proposed(world: World, policy: Policy) -> None:
    """Two restricted products recorded for S1: the cap proposes a deactivation."""
    with world.database.transaction() as session:
        for days_ago in (1, 2):
            record_reviewed_violation(
                session,
                world.actors[Role.ACCOUNT_SPECIALIST],
                policy,
                "S1",
                category="restrictedProductPolicyViolations",
                reason=f"リコール対象品の出品 {days_ago}",
                occurred_at=clock.now() - timedelta(days=days_ago),
            )
        today = clock.today("Asia/Tokyo")
        assert enforce_seller(session, SYSTEM, policy, "S1", today).actions


def test_the_seller_sees_a_review_under_way_in_their_language(
    client: TestClient, world: World, policy: Policy
) -> None:
    _proposed(world, policy)
    _log_in(client, world, Role.SELLER)
    page = client.get("/").text
    assert "審査中：アカウントスペシャリストがアカウントの停止について審査しています" in page
    assert world.actors[Role.ACCOUNT_SPECIALIST].email not in page


def test_a_specialist_decides_from_the_queue(
    client: TestClient, world: World, policy: Policy
) -> None:
    _proposed(world, policy)
    _log_in(client, world, Role.ACCOUNT_SPECIALIST)
    queue = client.get("/staff/proposals", headers={"Accept-Language": "en"}).text
    link = re.search(r'href="(/staff/proposals/\d+)"', queue)
    assert link, queue
    page = client.get(link.group(1)).text
    assert "caps.restricted_products" in page
    assert "リコール対象品の出品 1" in page  # the evidence, as recorded
    token = page_token(client, link.group(1))
    refused = client.post(
        f"{link.group(1)}/decision",
        data={"verdict": "CONFIRM", "reasons": " ", "csrf_token": token},
    )
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text
    done = client.post(
        f"{link.group(1)}/decision",
        data={
            "verdict": "CONFIRM",
            "reasons": "Both listings are recalled goods.",
            "csrf_token": token,
        },
        follow_redirects=True,
    )
    assert done.status_code == 200
    assert 'data-testid="proposal-status"' in done.text
    assert "Both listings are recalled goods." in done.text
    assert 'data-testid="decide"' not in done.text
    with world.database.transaction() as session:
        seller = session.get(Seller, "S1")
        assert seller is not None
        assert seller.status is AccountStatus.DEACTIVATED
