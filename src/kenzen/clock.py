"""The one clock Kenzen reads.

Services, the worker, the pages and the demo take "now" from here and never from
``datetime.now``, so a test can set the time for everything at once (``use``), and the
suite can be run at any hour in any time zone (``pytest --clock``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

Source = Callable[[], datetime]


def _system() -> datetime:
    return datetime.now(UTC)


_source: Source = _system


def now() -> datetime:
    """The current instant, time-zone aware, in UTC."""
    return _source().astimezone(UTC)


def today(time_zone: str) -> date:
    """Today's date where ``time_zone`` is (a marketplace's day, not the server's)."""
    return now().astimezone(ZoneInfo(time_zone)).date()


def fixed(instant: datetime) -> Source:
    """A clock that stands still at ``instant`` (which must carry a time zone)."""
    if instant.tzinfo is None:
        raise ValueError("a fixed clock needs a time-zone aware instant")
    return lambda: instant


@contextmanager
def use(source: Source) -> Iterator[None]:
    """Within the block, every part of Kenzen reads ``source``; the previous clock after."""
    global _source
    previous, _source = _source, source
    try:
        yield
    finally:
        _source = previous
