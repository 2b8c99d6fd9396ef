"""The daily eligibility computation over the stored rating history, one row per seller."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from kenzen import clock as kenzen_clock
from kenzen.policy.assured import eligibility_of, record_eligibility
from kenzen.policy.continuous import Evaluator
from kenzen.policy.document import Policy, PolicyHolder, parse_policy
from kenzen.policy.facts import read_facts
from kenzen.policy.history import RATING_SCHEMA, rating_table
from kenzen.policy.models import AssuranceEligibility
from kenzen.policy.records import SessionFacts
from kenzen.sellers.models import Seller
from tests.conftest import World
from tests.policy.conftest import edit

DAY = date(2026, 11, 28)


def short_window(default_text: str) -> Policy:
    """The default policy with a 3-day window and no day below allowed."""
    text = edit(
        default_text, "min_rating = 250\nwindow_days = 180", "min_rating = 250\nwindow_days = 3"
    )
    return parse_policy(edit(text, "max_days_below = 10", "max_days_below = 0"))


def write_ratings(events: Path, seller_id: str, ratings: dict[date, int]) -> None:
    for day, rating in ratings.items():
        rows = {
            "seller_id": [seller_id],
            "marketplace_id": ["JP"],
            "day": [day],
            "rating": [rating],
            "band": ["HEALTHY"],
            "policy_version": ["test"],
        }
        rating_table(events).write(day, pa.table(rows, schema=RATING_SCHEMA), scope=None)


def test_eligibility_is_computed_from_the_stored_days(
    world: World, default_text: str, tmp_path: Path
) -> None:
    policy = short_window(default_text)
    events = tmp_path / "events"
    window = [DAY - timedelta(days=n) for n in range(3)]
    write_ratings(events, "S1", dict.fromkeys(window, 250) | {DAY - timedelta(days=3): 10})
    write_ratings(events, "S2", {window[0]: 300, window[1]: 249, window[2]: 300})
    with world.database.transaction() as session:
        assert record_eligibility(session, events, policy, "JP", DAY) == 2
        s1, s2 = session.get(Seller, "S1"), session.get(Seller, "S2")
        assert s1 is not None
        assert s2 is not None
        first = eligibility_of(session, policy, s1)
        assert first is not None
        assert (first.days_at_or_above, first.days_below, first.as_of) == (3, 0, DAY)
        assert not first.eligible  # no emergency phone yet
        records = SessionFacts(session)
        assert not read_facts(records, policy, s1, DAY).assured
        s1.emergency_phone = "+819012345678"
        # what enforcement reads: an assured seller's deactivation needs four eyes
        assert read_facts(records, policy, s1, DAY).assured
        assert not read_facts(records, policy, s2, DAY).assured
        second = eligibility_of(session, policy, s2)
        assert second is not None
        assert (second.days_at_or_above, second.days_below) == (2, 1)


def test_a_seller_without_history_has_every_day_missing(
    world: World, default_text: str, tmp_path: Path
) -> None:
    policy = short_window(default_text)
    with world.database.transaction() as session:
        record_eligibility(session, tmp_path / "events", policy, "JP", DAY)
        seller = session.get(Seller, "S1")
        assert seller is not None
        found = eligibility_of(session, policy, seller)
        assert found is not None
        assert found.days_without_rating == 3
        assert not found.eligible


def test_before_the_first_day_nothing_is_known(world: World, policy: Policy) -> None:
    with world.database.transaction() as session:
        seller = session.get(Seller, "S1")
        assert seller is not None
        assert eligibility_of(session, policy, seller) is None
        assert not read_facts(SessionFacts(session), policy, seller, DAY).assured


def test_the_worker_computes_eligibility_at_midnight(world: World, tmp_path: Path) -> None:
    """The day that ended closes the window: its rating (200 for a new seller) is stored
    and counted, so a new seller is not protected, and its progress shows 0 days."""
    evaluator = Evaluator(world.database, tmp_path / "events", PolicyHolder(None))
    after_midnight = datetime(2026, 11, 20, 15, 0, 1, tzinfo=UTC)  # 00:00:01 in Tokyo
    with kenzen_clock.use(kenzen_clock.fixed(after_midnight)):
        evaluator.run_once()
    with world.database.transaction() as session:
        row = session.get(AssuranceEligibility, "S1")
        assert row is not None
        assert (row.as_of, row.days_at_or_above, row.days_below) == (date(2026, 11, 20), 0, 1)
        assert row.days_without_rating == 179
