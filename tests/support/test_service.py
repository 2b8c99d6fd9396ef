"""The callback line against the database: booking, capacity, notes for AHS only."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from kenzen.access import SYSTEM, Role
from kenzen.cases.models import CaseKind
from kenzen.cases.service import open_case
from kenzen.errors import Conflict, InvalidInput, NotFound
from kenzen.i18n import Message
from kenzen.policy.document import CallbackRules
from kenzen.sellers.service import add_seller
from kenzen.support import service
from kenzen.support.models import Callback, CallbackStatus, CallOutcome
from tests.conftest import World

JST = ZoneInfo("Asia/Tokyo")
INQUIRY = Message("case.inquiry.title")


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    day = datetime.now(JST).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=JST)


def _book(
    world: World, seller_id: str = "S1", when: datetime | None = None
) -> service.CallbackView:
    actor = world.actors[Role.SELLER] if seller_id == "S1" else SYSTEM
    with world.database.transaction() as session:
        return service.request_callback(
            session,
            actor,
            seller_id,
            phone="090-1234-5678",
            preferred=when or tomorrow_at(10),
            rules=CallbackRules(),
        )


def test_evening_request_is_offered_nine_the_next_day(world: World) -> None:
    view = _book(world, when=tomorrow_at(18, 30))
    assert view.offered
    assert view.local_start == tomorrow_at(9) + timedelta(days=1)
    assert view.callback.phone == "+819012345678"
    assert view.notes is None


def test_a_slot_never_holds_more_calls_than_agents(world: World) -> None:
    first = _book(world, "S1")
    second = _book(world, "S2")
    assert (first.offered, second.offered) == (False, True)  # one agent on duty
    assert second.local_start == tomorrow_at(10, 30)


@pytest.mark.postgres
def test_concurrent_requests_never_overbook(world: World) -> None:
    with world.database.transaction() as session:
        for n in range(3, 9):
            add_seller(
                session,
                SYSTEM,
                seller_id=f"S{n}",
                marketplace_id="JP",
                display_name="x",
                email=f"s{n}@example.test",
                language="ja",
                registered_at=tomorrow_at(9),
            )
    start = threading.Barrier(6)

    def request(seller_id: str) -> None:
        with world.database.transaction() as session:
            start.wait()
            service.request_callback(
                session,
                SYSTEM,
                seller_id,
                phone="03-1234-5678",
                preferred=tomorrow_at(10),
                rules=CallbackRules(),
            )

    threads = [threading.Thread(target=request, args=(f"S{n}",)) for n in range(3, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with world.database.transaction() as session:
        per_slot = session.execute(
            select(Callback.slot_start, func.count()).group_by(Callback.slot_start)
        ).all()
    assert sum(count for _, count in per_slot) == 6
    assert max(count for _, count in per_slot) == 1


@pytest.mark.parametrize("phone", ["12", "+81 90 0000", "not a number"])
def test_bad_phone_numbers_are_refused(world: World, phone: str) -> None:
    with world.database.transaction() as session, pytest.raises(InvalidInput, match="phone"):
        service.request_callback(
            session,
            world.actors[Role.SELLER],
            "S1",
            phone=phone,
            preferred=tomorrow_at(10),
            rules=CallbackRules(),
        )


def test_claim_complete_and_notes_for_ahs_only(world: World) -> None:
    booked = _book(world)
    ahs = world.actors[Role.AHS_AGENT]
    with world.database.transaction() as session:
        service.claim_callback(session, ahs, booked.callback.id)
    with world.database.transaction() as session, pytest.raises(Conflict):
        service.claim_callback(session, ahs, booked.callback.id)
    with world.database.transaction() as session:
        done = service.complete_callback(
            session,
            ahs,
            booked.callback.id,
            outcome=CallOutcome.REACHED,
            notes="Explained the three parts of a POA.",
        )
        assert done.notes == "Explained the three parts of a POA."
    with world.database.transaction() as session:
        [mine] = service.list_callbacks(session, world.actors[Role.SELLER])
        assert (mine.callback.status, mine.notes) == (CallbackStatus.COMPLETED, None)


def test_reschedule_and_cancel_free_the_seat(world: World) -> None:
    first = _book(world)
    with world.database.transaction() as session:
        moved = service.request_callback(
            session,
            world.actors[Role.SELLER],
            "S1",
            phone="090-1234-5678",
            preferred=tomorrow_at(14),
            rules=CallbackRules(),
            replaces=first.callback.id,
        )
    assert moved.local_start == tomorrow_at(14)
    again = _book(world, "S2")
    assert again.local_start == tomorrow_at(10)  # the seat the move freed
    with world.database.transaction() as session:
        service.cancel_callback(session, world.actors[Role.SELLER], moved.callback.id)
    with world.database.transaction() as session, pytest.raises(Conflict):
        service.cancel_callback(session, world.actors[Role.SELLER], moved.callback.id)


def test_a_seller_cannot_touch_another_sellers_callback(world: World) -> None:
    theirs = _book(world, "S2")
    with world.database.transaction() as session, pytest.raises(NotFound):
        service.cancel_callback(session, world.actors[Role.SELLER], theirs.callback.id)


def _case(world: World) -> int:
    with world.database.transaction() as session:
        return open_case(session, seller_id="S1", kind=CaseKind.GENERAL, title=INQUIRY).id


def _request(world: World, rules: CallbackRules, **options: object) -> service.CallbackView:
    with world.database.transaction() as session:
        return service.request_callback(
            session,
            world.actors[Role.SELLER],
            "S1",
            phone="090-1234-5678",
            preferred=tomorrow_at(10),
            rules=rules,
            **options,  # type: ignore[arg-type]
        )


def test_one_open_call_per_case_and_moving_it_is_not_a_second(world: World) -> None:
    case_id = _case(world)
    first = _request(world, CallbackRules(), case_id=case_id)
    with pytest.raises(Conflict, match=f"case {case_id} already has 1 call"):
        _request(world, CallbackRules(), case_id=case_id)
    moved = _request(world, CallbackRules(), case_id=case_id, replaces=first.callback.id)
    assert moved.callback.case_id == case_id


def test_two_open_calls_in_all_then_a_clear_refusal(world: World) -> None:
    first = _request(world, CallbackRules())
    _request(world, CallbackRules())  # at the limit: a second case, a second call
    with pytest.raises(Conflict, match="at most 2 calls may be booked at a time"):
        _request(world, CallbackRules())
    with world.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Callback)) == 2
        service.cancel_callback(session, world.actors[Role.SELLER], first.callback.id)
    _request(world, CallbackRules())  # a held or cancelled call frees its place


def test_the_policy_sets_the_numbers(world: World) -> None:
    rules = CallbackRules(open_per_case=2, open_per_seller=3)
    case_id = _case(world)
    _request(world, rules, case_id=case_id)
    _request(world, rules, case_id=case_id)
    with pytest.raises(Conflict, match="already has 2 call"):
        _request(world, rules, case_id=case_id)
    _request(world, rules)
    with pytest.raises(Conflict, match="at most 3 calls"):
        _request(world, rules)
