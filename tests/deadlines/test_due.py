"""Due times from the policy's targets: plain arithmetic, no database, no clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib import resources

import pytest

from kenzen.deadlines.due import Target, due_at, end_of_local_day, is_overdue, overdue_by
from kenzen.errors import InvalidInput
from kenzen.policy.document import MAX_TARGET_HOURS, DeadlineRules, load_policy, parse_policy

DEFAULTS = DeadlineRules()
SUBMITTED = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # 08:30 on the 3rd in Tokyo


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (Target.APPEAL_DECISION, datetime(2026, 3, 4, 23, 30, tzinfo=UTC)),
        (Target.DISPUTE_DECISION, datetime(2026, 3, 7, 23, 30, tzinfo=UTC)),
        (Target.RETRACTION_ANSWER, datetime(2026, 3, 12, 23, 30, tzinfo=UTC)),
        (Target.PROPOSAL_DECISION, datetime(2026, 3, 6, 23, 30, tzinfo=UTC)),
    ],
)
def test_default_targets(target: Target, expected: datetime) -> None:
    assert due_at(DEFAULTS, target, SUBMITTED, "Asia/Tokyo") == expected


def test_the_shipped_policy_keeps_the_documented_defaults() -> None:
    assert load_policy().document.deadlines == DEFAULTS
    assert (DEFAULTS.appeal_decision_hours, DEFAULTS.dispute_decision_hours) == (48, 120)
    assert (DEFAULTS.retraction_answer_hours, DEFAULTS.callback_days_after_booked) == (240, 0)
    assert DEFAULTS.proposal_decision_hours == 96


def test_a_callback_is_due_by_the_end_of_its_booked_day_where_the_marketplace_is() -> None:
    # 16:30 JST on 3 March is 07:30 UTC; the Tokyo day ends at 15:00 UTC.
    slot = datetime(2026, 3, 3, 7, 30, tzinfo=UTC)
    assert due_at(DEFAULTS, Target.CALLBACK, slot, "Asia/Tokyo") == datetime(
        2026, 3, 3, 15, 0, tzinfo=UTC
    )
    # The same instant is 02:30 on 3 March in New York, whose day ends at 05:00 UTC on the 4th.
    assert due_at(DEFAULTS, Target.CALLBACK, slot, "America/New_York") == datetime(
        2026, 3, 4, 5, 0, tzinfo=UTC
    )
    later = DeadlineRules(callback_days_after_booked=1)
    assert due_at(later, Target.CALLBACK, slot, "Asia/Tokyo") == datetime(
        2026, 3, 4, 15, 0, tzinfo=UTC
    )


def test_the_end_of_a_day_follows_daylight_saving_time() -> None:
    # 8 March 2026: New York moves to EDT, so that day ends at 04:00 UTC, not 05:00.
    morning = datetime(2026, 3, 8, 14, 0, tzinfo=UTC)
    assert end_of_local_day(morning, "America/New_York") == datetime(2026, 3, 9, 4, 0, tzinfo=UTC)


def test_due_means_by_then() -> None:
    due = due_at(DEFAULTS, Target.APPEAL_DECISION, SUBMITTED, "Asia/Tokyo")
    assert not is_overdue(due, due)
    assert is_overdue(due, due + timedelta(microseconds=1))
    assert overdue_by(due, due - timedelta(hours=1)) == timedelta()
    assert overdue_by(due, due + timedelta(hours=3)) == timedelta(hours=3)


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="time-zone aware"):
        due_at(DEFAULTS, Target.APPEAL_DECISION, datetime(2026, 3, 2), "Asia/Tokyo")


def _with_deadlines(lines: str) -> str:
    """The shipped policy with its ``[deadlines]`` table replaced by ``lines``."""
    shipped = resources.files("kenzen.policy").joinpath("policy.toml").read_text("utf-8")
    start = shipped.index("[deadlines]")
    end = shipped.index("# ----", start)
    return shipped[:start] + "[deadlines]\n" + lines + "\n" + shipped[end:]


def test_a_target_of_a_year_is_the_limit() -> None:
    policy = parse_policy(_with_deadlines(f"appeal_decision_hours = {MAX_TARGET_HOURS}"))
    assert policy.document.deadlines.appeal_decision_hours == MAX_TARGET_HOURS
    with pytest.raises(
        InvalidInput, match=r"deadlines\.appeal_decision_hours: .*less than or equal"
    ):
        parse_policy(_with_deadlines(f"appeal_decision_hours = {MAX_TARGET_HOURS + 1}"))


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        (
            "dispute_decision_hours = 0",
            r"deadlines\.dispute_decision_hours: .*greater than or equal to 1",
        ),
        ('retraction_answer_hours = "ten days"', r"deadlines\.retraction_answer_hours: .*integer"),
        ("callback_days_after_booked = 31", r"deadlines\.callback_days_after_booked: .*less than"),
        ("callback_days_after_booked = -1", r"deadlines\.callback_days_after_booked: .*greater"),
        ("appeal_hours = 48", r"deadlines\.appeal_hours: Extra inputs"),
    ],
)
def test_bad_targets_name_the_key(line: str, complaint: str) -> None:
    with pytest.raises(InvalidInput, match=complaint):
        parse_policy(_with_deadlines(line))
