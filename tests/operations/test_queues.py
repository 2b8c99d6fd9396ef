"""The work queues: depth and oldest item, measured once for the overview and /metrics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kenzen.access import SYSTEM, Role
from kenzen.appeals import service as appeals
from kenzen.appeals.poa import PlanOfAction
from kenzen.errors import Forbidden
from kenzen.operations.queues import QUEUES, may_work, measure_queues, queue_overview
from kenzen.policy.document import CallbackRules
from kenzen.support import service as support
from tests.appeals.conftest import GOOD_POA, Deactivated, deactivated  # noqa: F401
from tests.conftest import Clock, World

JST = ZoneInfo("Asia/Tokyo")
#: Tuesday 1 December 2026, 09:30 in Tokyo.
MORNING = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)


def _figures(world: World, now: datetime) -> dict[str, tuple[int, datetime | None]]:
    with world.database.transaction() as session:
        return {f.queue.key: (f.depth, f.oldest) for f in measure_queues(session, now)}


def test_every_queue_is_measured_and_empty_queues_have_no_oldest(world: World) -> None:
    figures = _figures(world, MORNING)
    assert list(figures) == [q.key for q in QUEUES]
    assert set(figures) >= {
        *("appeals", "proposals", "disputes", "callbacks_today"),
        *("notices", "webhooks", "evaluation"),
    }
    assert figures["appeals"] == (0, None)


def test_pending_appeals_count_from_their_submission(
    world: World,
    deactivated: Deactivated,  # noqa: F811
    clock: Clock,
) -> None:
    clock.move_to(MORNING)
    with world.database.transaction() as session:
        appeals.submit_appeal(
            session,
            world.actors[Role.SELLER],
            deactivated.case_id,
            PlanOfAction.model_validate(GOOD_POA),
        )
    depth, oldest = _figures(world, MORNING + timedelta(hours=2))["appeals"]
    assert depth == 1
    assert oldest is not None
    assert abs(oldest - MORNING) < timedelta(minutes=1)


def test_todays_callbacks_end_at_midnight_in_the_marketplace(world: World, clock: Clock) -> None:
    clock.move_to(MORNING)
    with world.database.transaction() as session:
        for day in (1, 2):
            support.request_callback(
                session,
                SYSTEM,
                "S1",
                phone="090-1234-5678",
                preferred=datetime(2026, 12, day, 10, tzinfo=JST),
                rules=CallbackRules(open_per_case=2),
            )
    depth, oldest = _figures(world, MORNING)["callbacks_today"]
    assert depth == 1
    assert oldest == datetime(2026, 12, 1, 10, tzinfo=JST)
    # At 23:59 in Tokyo the call is still today's (and late); a minute later tomorrow's is.
    assert _figures(world, datetime(2026, 12, 1, 14, 59, tzinfo=UTC))["callbacks_today"][0] == 1
    assert _figures(world, datetime(2026, 12, 1, 15, 0, tzinfo=UTC))["callbacks_today"][0] == 2


@pytest.mark.parametrize(
    ("role", "allowed", "links"),
    [
        (Role.ADMIN, True, set()),
        (Role.AHS_AGENT, True, {"callbacks_today"}),
        (Role.ACCOUNT_SPECIALIST, True, {"appeals", "proposals", "disputes"}),
        (Role.SELLER, False, set()),
        (Role.RIGHTS_OWNER, False, set()),
    ],
)
def test_who_sees_the_overview_and_which_links(
    world: World, role: Role, allowed: bool, links: set[str]
) -> None:
    actor = world.actors[role]
    with world.database.transaction() as session:
        if allowed:
            assert len(queue_overview(session, actor, MORNING)) == len(QUEUES)
        else:
            with pytest.raises(Forbidden):
                queue_overview(session, actor, MORNING)
    assert {q.key for q in QUEUES if may_work(actor, q)} == links
