"""The append-only audit log: every state change and every denied attempt.

The database refuses UPDATE and DELETE on this table (triggers created by the migration),
so not even a bug in Kenzen can rewrite history.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, ColumnElement, Integer, Select, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kenzen.db import Base, UTCDateTime, str_enum, utcnow
from kenzen.errors import InvalidInput
from kenzen.i18n import N_

#: A refusal identical to one logged within this window is not logged again.
REPEAT_WINDOW = timedelta(minutes=10)


class Outcome(enum.StrEnum):
    OK = "ok"
    DENIED = "denied"


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(320))
    actor_role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(200), index=True)
    outcome: Mapped[Outcome] = mapped_column(str_enum(Outcome, 16))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    def repeats_recent(self, session: Session) -> bool:
        """The same refusal (actor, action, target, detail) is already in the log from the
        last ``REPEAT_WINDOW``: a caller hammering a door is recorded once per window."""
        if self.outcome is not Outcome.DENIED:
            return False
        recent = session.scalars(
            select(AuditEntry.detail)
            .where(
                AuditEntry.actor == self.actor,
                AuditEntry.action == self.action,
                AuditEntry.target == self.target,
                AuditEntry.outcome == Outcome.DENIED,
                AuditEntry.at >= self.at - REPEAT_WINDOW,
            )
            .limit(50)
        )
        return any(detail == self.detail for detail in recent)


def entry(
    *,
    actor: str,
    actor_role: str,
    action: str,
    target: str,
    outcome: Outcome = Outcome.OK,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry(
        at=utcnow(),
        actor=actor,
        actor_role=actor_role,
        action=action,
        target=target,
        outcome=outcome,
        detail=detail or {},
    )


#: A page of the audit log shows at most this many entries (the default is ``PAGE_SIZE``).
MAX_PAGE_SIZE = 200
PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to show: each given field must match exactly (the actor ignoring case);
    ``since`` is inclusive and ``until`` exclusive."""

    actor: str | None = None
    action: str | None = None
    target: str | None = None
    outcome: Outcome | None = None
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def parse(cls, values: Mapping[str, str]) -> AuditFilter:
        """From text (a query string); a bad value is refused naming its field."""
        text = {name: values.get(name, "").strip() for name in _TEXT_LIMITS}
        for name, limit in _TEXT_LIMITS.items():
            if len(text[name]) > limit:
                raise InvalidInput(N_("error.audit.too_long"), name=name, limit=limit)
        outcome = values.get("outcome", "").strip()
        if outcome and outcome not in {o.value for o in Outcome}:
            raise InvalidInput(
                N_("error.audit.outcome_unknown"), outcomes=", ".join(o.value for o in Outcome)
            )
        since, until = _instant("since", values), _instant("until", values)
        if since and until and since >= until:
            raise InvalidInput(N_("error.audit.until_must_later_since"))
        return cls(
            actor=text["actor"].lower() or None,
            action=text["action"] or None,
            target=text["target"] or None,
            outcome=Outcome(outcome) if outcome else None,
            since=since,
            until=until,
        )

    def query_values(self) -> dict[str, str]:
        """The filter as query parameters (for links to other pages and the export)."""
        values = {
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "outcome": self.outcome.value if self.outcome else None,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
        return {name: value for name, value in values.items() if value}

    def apply(self, query: Select[AuditEntry]) -> Select[AuditEntry]:
        if self.actor:
            query = query.where(func.lower(AuditEntry.actor) == self.actor)
        if self.action:
            query = query.where(AuditEntry.action == self.action)
        if self.target:
            query = query.where(AuditEntry.target == self.target)
        if self.outcome:
            query = query.where(AuditEntry.outcome == self.outcome)
        if self.since:
            query = query.where(AuditEntry.at >= self.since)
        if self.until:
            query = query.where(AuditEntry.at < self.until)
        return query


_TEXT_LIMITS = {"actor": 320, "action": 64, "target": 200}


def _instant(name: str, values: Mapping[str, str]) -> datetime | None:
    """A date (midnight UTC) or a date and time (UTC unless it names its offset)."""
    raw = values.get(name, "").strip()
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(N_("error.audit.not_a_time"), name=name) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class AuditPage:
    chosen: AuditFilter
    size: int
    entries: list[AuditEntry]
    newer: int | None
    """``after`` for the page of newer entries, if there are any."""
    older: int | None
    """``before`` for the page of older entries, if there are any."""


def page_size(raw: str | int | None) -> int:
    """The requested page size, 1 to ``MAX_PAGE_SIZE``; refused naming the field otherwise."""
    if raw in (None, ""):
        return PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise InvalidInput(
            N_("error.audit.size_out_of_range"), max_page_size=MAX_PAGE_SIZE
        ) from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidInput(N_("error.audit.size_out_of_range"), max_page_size=MAX_PAGE_SIZE)
    return size


def list_page(
    session: Session,
    chosen: AuditFilter,
    *,
    size: int = PAGE_SIZE,
    before: int | None = None,
    after: int | None = None,
) -> AuditPage:
    """One page, newest first, by keyset: the entries just older than ``before``, or just
    newer than ``after``, or the newest. A page costs the same wherever it is in the log."""
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidInput(N_("error.audit.size_out_of_range"), max_page_size=MAX_PAGE_SIZE)
    query = chosen.apply(select(AuditEntry))
    if after is not None:
        rows = list(
            session.scalars(
                query.where(AuditEntry.id > after).order_by(AuditEntry.id).limit(size + 1)
            )
        )
        more_newer = len(rows) > size
        entries = list(reversed(rows[:size]))
    else:
        if before is not None:
            query = query.where(AuditEntry.id < before)
        rows = list(session.scalars(query.order_by(AuditEntry.id.desc()).limit(size + 1)))
        entries = rows[:size]
        more_older = len(rows) > size
    if not entries:
        return AuditPage(chosen, size, [], None, None)
    newest, oldest = entries[0].id, entries[-1].id
    if after is not None:
        has_newer, has_older = more_newer, _exists(session, chosen, AuditEntry.id < oldest)
    else:
        has_newer = before is not None and _exists(session, chosen, AuditEntry.id > newest)
        has_older = more_older
    return AuditPage(
        chosen, size, entries, newest if has_newer else None, oldest if has_older else None
    )


def _exists(session: Session, chosen: AuditFilter, condition: ColumnElement[bool]) -> bool:
    return session.scalar(chosen.apply(select(AuditEntry)).where(condition).limit(1)) is not None


def iterate(session: Session, chosen: AuditFilter, batch: int = 1000) -> Iterator[AuditEntry]:
    """Every matching entry, newest first, read a batch at a time (for exports)."""
    before: int | None = None
    while True:
        query = chosen.apply(select(AuditEntry)).order_by(AuditEntry.id.desc()).limit(batch)
        if before is not None:
            query = query.where(AuditEntry.id < before)
        rows = list(session.scalars(query))
        yield from rows
        if len(rows) < batch:
            return
        before = rows[-1].id
