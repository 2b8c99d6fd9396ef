"""The account health view."""

from __future__ import annotations

from kenzen.access import SYSTEM, Role
from kenzen.cases.account_status import set_account_status
from kenzen.cases.models import CaseKind, CaseStatus
from kenzen.cases.service import open_case
from kenzen.health import service
from kenzen.i18n import Message
from kenzen.policy.document import Policy
from kenzen.sellers.status import AccountStatus
from tests.conftest import World

INQUIRY = Message("case.inquiry.title")


def test_health_lists_open_cases_and_explains_status_in_sellers_language(
    world: World, policy: Policy
) -> None:
    with world.database.transaction() as session:
        set_account_status(session, SYSTEM, "S2", status=AccountStatus.AT_RISK, reason="r")
        done = open_case(session, seller_id="S2", kind=CaseKind.GENERAL, title=INQUIRY)
        done.status = CaseStatus.RESOLVED
    with world.database.transaction() as session:
        health = service.get_seller_health(session, world.actors[Role.AHS_AGENT], policy, "S2")
        assert [c.kind for c in health.open_cases] == [CaseKind.ACCOUNT_STATUS]
        assert health.status_meaning.startswith("Your account is at risk")
        assert health.metrics == []
        assert (health.rating.value, health.rating.band.value) == (200, "HEALTHY")
        assert health.violations == []
