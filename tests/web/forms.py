"""Helpers for tests that post page forms: the page's CSRF token, a booked callback."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from kenzen.access import SYSTEM
from kenzen.policy.document import CallbackRules
from kenzen.support import service as support
from tests.conftest import World

JST = ZoneInfo("Asia/Tokyo")


def page_token(client: TestClient, path: str = "/login") -> str:
    """The CSRF token the page at ``path`` puts in its forms."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match, path
    return match.group(1)


def booked_callback(world: World, days_ahead: int = 1) -> int:
    """A call for seller S1 at 10:00 JST ``days_ahead`` days from today."""
    day = datetime.now(JST).date() + timedelta(days=days_ahead)
    with world.database.transaction() as session:
        view = support.request_callback(
            session,
            SYSTEM,
            "S1",
            phone="090-1234-5678",
            preferred=datetime(day.year, day.month, day.day, 10, tzinfo=JST),
            rules=CallbackRules(),
        )
        return view.callback.id
