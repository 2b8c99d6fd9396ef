"""Fixtures for the policy tests: the shipped policy as text."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources

import pytest

from kenzen.policy.models import Violation
from tests.conftest import World


@pytest.fixture(scope="session")
def default_text() -> str:
    return resources.files("kenzen.policy").joinpath("policy.toml").read_text("utf-8")


def edit(text: str, old: str, new: str) -> str:
    """The policy text with one passage replaced (failing loudly if it is not there)."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def retired_category_violation(world: World, seller_id: str) -> int:
    """A violation recorded under an older policy whose category today's no longer has:
    enforcing that seller fails."""
    with world.database.transaction() as session:
        violation = Violation(
            seller_id=seller_id,
            category="retiredCategory",
            source="review:retired",
            occurred_at=datetime(2026, 11, 15, tzinfo=UTC),
            policy_version="0" * 64,
        )
        session.add(violation)
        session.flush()
        return violation.id
