"""Notifier reputation (EU DSA Art. 23): how many of a rights owner's complaints were filed,
retracted and found invalid within the policy's window; past its threshold of complaints
found invalid, the owner's new complaints are held for a specialist before they count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kenzen import access
from kenzen.access import Action, Actor, Role
from kenzen.complaints.models import Complaint, ComplaintStatus
from kenzen.db import utcnow
from kenzen.errors import NotFound
from kenzen.i18n import N_, Message
from kenzen.identity.models import User
from kenzen.policy.document import Policy


@dataclass(frozen=True)
class Reputation:
    owner_id: int
    window_days: int
    since: datetime
    filed: int
    retracted: int
    found_invalid: int
    hold_after_invalid: int

    @property
    def held(self) -> bool:
        """New complaints wait for a specialist before they count."""
        return self.found_invalid >= self.hold_after_invalid


def figures(session: Session, policy: Policy, owner_id: int, now: datetime) -> Reputation:
    """The owner's figures over the window ending at ``now``."""
    rules = policy.document.notifiers
    since = now - timedelta(days=rules.window_days)
    mine = select(func.count()).select_from(Complaint).where(Complaint.owner_id == owner_id)
    return Reputation(
        owner_id=owner_id,
        window_days=rules.window_days,
        since=since,
        filed=session.scalar(mine.where(Complaint.filed_at >= since)) or 0,
        retracted=session.scalar(
            mine.where(
                Complaint.status == ComplaintStatus.RETRACTED, Complaint.retracted_at >= since
            )
        )
        or 0,
        found_invalid=session.scalar(
            mine.where(
                Complaint.status == ComplaintStatus.INVALID, Complaint.found_invalid_at >= since
            )
        )
        or 0,
        hold_after_invalid=rules.hold_after_invalid,
    )


def get_notifier_reputation(
    session: Session, actor: Actor, policy: Policy, owner_id: int
) -> Reputation:
    """A rights owner reads its own figures only (another's is "not found"); staff read any."""
    hidden = Message(N_("error.rights_owner_not_found"), {"owner_id": owner_id})
    access.authorize(actor, Action.GET_NOTIFIER_REPUTATION, owner_id=owner_id, not_found=hidden)
    user = session.get(User, owner_id)
    if user is None or user.role is not Role.RIGHTS_OWNER:
        raise NotFound(hidden)
    return figures(session, policy, owner_id, utcnow())
