"""The demo marketplace: complete, deterministic, and loaded only into an empty database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kenzen import demo
from kenzen.access import SYSTEM, Actor, Role
from kenzen.cases.models import Case, CaseStatus
from kenzen.db import Database
from kenzen.errors import Conflict, Forbidden
from kenzen.identity import service as identity
from kenzen.identity.models import User
from kenzen.sellers.models import Listing, Seller

TODAY = date(2026, 11, 28)


def _snapshot(database: Database) -> list[tuple[str, str, str]]:
    with database.transaction() as session:
        return [
            (s.id, s.display_name, s.status.value)
            for s in session.scalars(select(Seller).order_by(Seller.id))
        ]


def test_demo_has_every_status_user_and_open_cases(database: Database) -> None:
    with database.transaction() as session:
        summary = demo.load_demo(session, SYSTEM, today=TODAY)
    assert summary.sellers >= 200
    assert all(count > 0 for count in summary.statuses.values())
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Seller)) == summary.sellers
        assert session.scalar(select(func.count()).select_from(Listing)) == summary.listings
        open_cases = session.scalar(
            select(func.count()).select_from(Case).where(Case.status == CaseStatus.OPEN)
        )
        assert open_cases is not None
        assert open_cases >= 5
        roles = dict(session.execute(select(User.email, User.role)).tuples().all())
        assert roles == dict(demo.DEMO_USERS)
        seller_user = identity.find_user(session, "seller@demo.kenzen.test")
        assert seller_user.seller_id == "S0001"
        token = identity.log_in(
            session, email="ahs@demo.kenzen.test", password=demo.DEMO_PASSWORD, session_days=1
        )
        assert token


def test_same_seed_same_demo(database: Database, tmp_path: Path) -> None:
    other = Database(f"sqlite:///{tmp_path / 'other.db'}")
    other.upgrade()
    for target in (database, other):
        with target.transaction() as session:
            demo.load_demo(session, SYSTEM, seed=3, sellers_count=30, today=TODAY)
    assert _snapshot(database) == _snapshot(other)
    other.dispose()


def test_demo_refuses_a_database_with_data(database: Database) -> None:
    with database.transaction() as session:
        demo.load_demo(session, SYSTEM, sellers_count=5, today=TODAY)
    with database.transaction() as session, pytest.raises(Conflict):
        demo.load_demo(session, SYSTEM, sellers_count=5, today=TODAY)


def test_only_admins_load_the_demo(database: Database) -> None:
    specialist = Actor(email="x@example.test", role=Role.ACCOUNT_SPECIALIST)
    with database.transaction() as session, pytest.raises(Forbidden):
        demo.load_demo(session, specialist, sellers_count=5, today=TODAY)
