"""Two Account Specialists deciding the same appeal at the same moment: exactly one wins."""

from __future__ import annotations

import threading

import pytest

from kenzen.access import SYSTEM, Actor, Role
from kenzen.appeals import service
from kenzen.appeals.models import AppealStatus
from kenzen.appeals.poa import PlanOfAction
from kenzen.errors import Conflict
from kenzen.identity.service import add_user
from tests.appeals.conftest import GOOD_POA, Deactivated
from tests.conftest import World


@pytest.mark.postgres
def test_exactly_one_of_two_simultaneous_decisions_wins(
    world: World, deactivated: Deactivated
) -> None:
    with world.database.transaction() as session:
        appeal_id = service.submit_appeal(
            session,
            world.actors[Role.SELLER],
            deactivated.case_id,
            PlanOfAction.model_validate(GOOD_POA),
        ).id
        second = add_user(
            session,
            SYSTEM,
            email="second@example.test",
            role=Role.ACCOUNT_SPECIALIST,
            password=None,
        ).as_actor()
    specialists: list[Actor] = [world.actors[Role.ACCOUNT_SPECIALIST], second]
    decisions = [AppealStatus.ACCEPTED, AppealStatus.REJECTED]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(actor: Actor, decision: AppealStatus) -> None:
        try:
            with world.database.transaction() as session:
                start.wait()
                service.decide_appeal(
                    session, actor, appeal_id, decision=decision, reasons="decided"
                )
            outcomes.append(decision.value)
        except Conflict:
            outcomes.append("409")

    threads = [
        threading.Thread(target=decide, args=pair)
        for pair in zip(specialists, decisions, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes)[0] == "409"
    assert len(outcomes) == 2
    with world.database.transaction() as session:
        packet = service.get_appeal(session, specialists[0], appeal_id)
        assert len(packet.appeal.decisions) == 1
        assert packet.appeal.status.value in outcomes
