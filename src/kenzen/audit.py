"""The append-only audit log: every state change and every denied attempt.

The database refuses UPDATE and DELETE on this table (triggers created by the migration),
so not even a bug in Kenzen can rewrite history.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kenzen.db import Base, UTCDateTime, str_enum, utcnow

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


def list_entries(
    session: Session,
    *,
    action: str | None = None,
    target: str | None = None,
    outcome: Outcome | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEntry.action == action)
    if target:
        query = query.where(AuditEntry.target == target)
    if outcome:
        query = query.where(AuditEntry.outcome == outcome)
    return list(session.scalars(query))
