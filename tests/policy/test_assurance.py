"""Eligibility as a plain function of daily ratings: no database, borders at and past each
limit of the default policy (250, 180 days, 10 days below, the phone)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kenzen.policy.assurance import eligibility
from kenzen.policy.document import AssuranceRules, Policy

AS_OF = date(2026, 11, 29)


@pytest.fixture
def rules(policy: Policy) -> AssuranceRules:
    return policy.document.assurance


def days(count: int, *, rating: int, ending: date = AS_OF) -> dict[date, int]:
    return {ending - timedelta(days=n): rating for n in range(count)}


def test_defaults_are_amazons(rules: AssuranceRules) -> None:
    assert (rules.min_rating, rules.window_days, rules.max_days_below) == (250, 180, 10)
    assert rules.require_emergency_phone
    assert rules.response_hours == 72


def test_a_full_window_at_250_with_a_phone_is_eligible(rules: AssuranceRules) -> None:
    result = eligibility(rules, days(180, rating=250), AS_OF, has_emergency_phone=True)
    assert result.eligible
    assert (result.days_at_or_above, result.days_below, result.days_without_rating) == (180, 0, 0)
    assert result.window_from == date(2026, 6, 3)


@pytest.mark.parametrize(("below", "eligible"), [(10, True), (11, False)])
def test_at_most_ten_days_below_250(rules: AssuranceRules, below: int, eligible: bool) -> None:
    ratings = days(180, rating=400) | days(below, rating=249)
    result = eligibility(rules, ratings, AS_OF, has_emergency_phone=True)
    assert result.days_below == below
    assert result.eligible is eligible


@pytest.mark.parametrize(("history", "eligible"), [(170, True), (169, False)])
def test_days_without_a_rating_count_as_days_below(
    rules: AssuranceRules, history: int, eligible: bool
) -> None:
    result = eligibility(rules, days(history, rating=300), AS_OF, has_emergency_phone=True)
    assert result.days_without_rating == 180 - history
    assert result.days_at_or_above == history
    assert result.eligible is eligible


def test_progress_of_a_young_seller(rules: AssuranceRules) -> None:
    ratings = days(150, rating=300) | days(7, rating=240)
    result = eligibility(rules, ratings, AS_OF, has_emergency_phone=True)
    assert (result.days_at_or_above, result.window_days) == (143, 180)
    assert result.days_needed == 170
    assert not result.eligible


def test_only_the_window_counts(rules: AssuranceRules) -> None:
    before_window = days(30, rating=0, ending=AS_OF - timedelta(days=180))
    after_as_of = days(5, rating=0, ending=AS_OF + timedelta(days=5))
    ratings = days(180, rating=260) | before_window | after_as_of
    result = eligibility(rules, ratings, AS_OF, has_emergency_phone=True)
    assert (result.days_at_or_above, result.days_below) == (180, 0)
    assert result.eligible


def test_the_first_day_of_the_window_counts(rules: AssuranceRules) -> None:
    ratings = days(180, rating=300) | {AS_OF - timedelta(days=179): 249}
    assert eligibility(rules, ratings, AS_OF, has_emergency_phone=True).days_below == 1
    ratings = days(180, rating=300) | {AS_OF - timedelta(days=180): 249}
    assert eligibility(rules, ratings, AS_OF, has_emergency_phone=True).days_below == 0


def test_no_emergency_phone_no_protection(rules: AssuranceRules) -> None:
    result = eligibility(rules, days(180, rating=900), AS_OF, has_emergency_phone=False)
    assert result.rating_qualifies
    assert not result.eligible
    lenient = rules.model_copy(update={"require_emergency_phone": False})
    assert eligibility(lenient, days(180, rating=900), AS_OF, has_emergency_phone=False).eligible


def test_the_policy_sets_the_limits(rules: AssuranceRules) -> None:
    stricter = rules.model_copy(update={"min_rating": 300, "window_days": 30, "max_days_below": 0})
    ratings = days(30, rating=300)
    assert eligibility(stricter, ratings, AS_OF, has_emergency_phone=True).eligible
    ratings |= {AS_OF: 299}
    assert not eligibility(stricter, ratings, AS_OF, has_emergency_phone=True).eligible
