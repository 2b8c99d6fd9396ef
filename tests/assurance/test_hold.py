"""The 72-hour hold as a plain function: no database, borders at and past each limit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kenzen.assurance.hold import Attempt, HoldFacts, HoldState, hold_view, open_days
from kenzen.support.slots import Hours

JST = ZoneInfo("Asia/Tokyo")
HOURS = Hours()  # 09:00–17:00 JST every day
#: A Monday, 10:00 JST: the window ends on Thursday at 10:00.
OPENED = datetime(2026, 11, 30, 10, 0, tzinfo=JST)
ENDS = OPENED + timedelta(hours=72)
MON, TUE, WED, THU = (date(2026, 11, 30) + timedelta(days=n) for n in range(4))


def facts(**changes: Any) -> HoldFacts:
    return HoldFacts(**{"opened_at": OPENED, "response_hours": 72, "hours": HOURS, **changes})


def failed_on(*days: date) -> tuple[Attempt, ...]:
    """A failed call on each day: at 09:15 JST, or as the window opens on its first day."""
    calls = (max(OPENED, datetime(d.year, d.month, d.day, 9, 15, tzinfo=JST)) for d in days)
    return tuple(Attempt(at, False) for at in calls)


def test_the_open_days_of_the_window() -> None:
    assert open_days(HOURS, OPENED, ENDS) == (MON, TUE, WED, THU)
    evening = datetime(2026, 11, 30, 18, 0, tzinfo=JST)  # after hours: Monday has no slot left
    assert open_days(HOURS, evening, evening + timedelta(hours=72)) == (TUE, WED, THU)
    closing = datetime(2026, 11, 30, 17, 0, tzinfo=JST)  # ends exactly at closing time
    assert open_days(HOURS, OPENED, closing) == (MON,)


def test_public_holidays_are_not_open_days() -> None:
    hours = Hours(holiday_country="JP")
    new_year = datetime(2026, 12, 31, 10, 0, tzinfo=JST)  # 1 January is a holiday
    days = open_days(hours, new_year, new_year + timedelta(hours=72))
    assert date(2027, 1, 1) not in days
    assert days == (date(2026, 12, 31), date(2027, 1, 2), date(2027, 1, 3))


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (ENDS - timedelta(seconds=1), HoldState.WAITING_FOR_SELLER),
        (ENDS, HoldState.RELEASED),
    ],
)
def test_released_when_72_hours_passed_after_an_attempt_each_open_day(
    now: datetime, state: HoldState
) -> None:
    view = hold_view(facts(attempts=failed_on(MON, TUE, WED, THU)), now)
    assert view.state is state
    assert view.window_ends == ENDS
    assert view.days_without_attempt == ()


def test_one_open_day_without_an_attempt_keeps_the_hold() -> None:
    view = hold_view(facts(attempts=failed_on(MON, TUE, THU)), ENDS + timedelta(days=30))
    assert view.state is HoldState.WAITING_FOR_CONTACT
    assert view.days_without_attempt == (WED,)
    assert not view.confirmable


def test_an_attempt_after_the_window_does_not_fill_a_missed_day() -> None:
    late = (*failed_on(MON, TUE, THU), Attempt(ENDS + timedelta(hours=1), False))
    assert hold_view(facts(attempts=late), ENDS + timedelta(days=1)).days_without_attempt == (WED,)


def test_reaching_the_seller_is_contact_and_restarts_the_time_to_respond() -> None:
    call = OPENED + timedelta(hours=70)
    view = hold_view(facts(attempts=(Attempt(call, True),)), ENDS)
    assert view.state is HoldState.WAITING_FOR_SELLER
    assert view.respond_by == call + timedelta(hours=72)
    after = hold_view(facts(attempts=(Attempt(call, True),)), call + timedelta(hours=72))
    assert after.state is HoldState.RELEASED


def test_a_seller_reached_after_a_missed_day_is_contact_enough() -> None:
    reached = Attempt(ENDS + timedelta(days=2), True)
    facts_ = facts(attempts=(*failed_on(MON), reached))
    assert hold_view(facts_, reached.at + timedelta(hours=71)).state is HoldState.WAITING_FOR_SELLER
    assert hold_view(facts_, reached.at + timedelta(hours=72)).state is HoldState.RELEASED


@pytest.mark.parametrize(
    ("submitted", "state"),
    [
        (ENDS, HoldState.WORKING_WITH_US),
        (ENDS + timedelta(seconds=1), HoldState.RELEASED),
    ],
)
def test_a_plan_submitted_in_time_waits_for_its_decision(
    submitted: datetime, state: HoldState
) -> None:
    every_day = failed_on(MON, TUE, WED, THU)
    view = hold_view(
        facts(attempts=every_day, plan_submitted_at=submitted), ENDS + timedelta(days=9)
    )
    assert view.state is state


def test_the_plans_decision_releases_the_hold() -> None:
    submitted = OPENED + timedelta(hours=5)
    waiting = hold_view(facts(plan_submitted_at=submitted), ENDS + timedelta(days=9))
    assert waiting.state is HoldState.WORKING_WITH_US
    assert (waiting.released_at, waiting.confirmable_from) == (None, ENDS)  # at the earliest
    rejected_at = OPENED + timedelta(hours=6)
    decided = hold_view(facts(plan_submitted_at=submitted, plan_decided_at=rejected_at), ENDS)
    assert decided.state is HoldState.RELEASED
    assert decided.released_at == decided.confirmable_from == rejected_at


def test_a_hold_is_released_at_the_end_of_the_time_to_respond() -> None:
    every_day = failed_on(MON, TUE, WED, THU)
    held = hold_view(facts(attempts=every_day), ENDS - timedelta(seconds=1))
    assert (held.released_at, held.confirmable_from) == (None, ENDS)
    released = hold_view(facts(attempts=every_day), ENDS + timedelta(days=2))
    assert released.released_at == released.confirmable_from == ENDS


def test_a_seller_reached_after_the_window_is_released_a_full_response_time_later() -> None:
    reached = ENDS + timedelta(days=1)
    waiting = hold_view(facts(), reached - timedelta(seconds=1))
    assert (waiting.state, waiting.released_at) == (HoldState.WAITING_FOR_CONTACT, None)
    late = facts(attempts=(Attempt(reached, True),))
    assert hold_view(late, reached + timedelta(hours=72) - timedelta(seconds=1)).released_at is None
    released = hold_view(late, reached + timedelta(hours=72))
    assert released.released_at == reached + timedelta(hours=72)


def test_no_attempt_at_all_keeps_the_hold_after_the_window() -> None:
    view = hold_view(facts(), datetime(2027, 3, 1, tzinfo=UTC))
    assert view.state is HoldState.WAITING_FOR_CONTACT
    assert view.days_without_attempt == (MON, TUE, WED, THU)
