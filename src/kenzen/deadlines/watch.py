"""The worker's side: tell staff, once, about every item past its deadline.

Each overdue item is told in a transaction of its own that inserts its
:class:`~kenzen.deadlines.models.DeadlineAlert` row with the notice, so the notice is raised
exactly once: the next round finds the row, and of two workers racing for the same item the
second fails on the primary key and rolls back its copy of the notice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kenzen import access, clock
from kenzen.access import SYSTEM, Action, Actor
from kenzen.cases import service as cases
from kenzen.cases.models import Case, EntryKind
from kenzen.db import Database
from kenzen.deadlines import service
from kenzen.deadlines.models import DeadlineAlert
from kenzen.i18n import N_, SUPPORTED, Message
from kenzen.policy.document import Policy

log = logging.getLogger("kenzen.deadlines")


@dataclass
class DeadlineWatch:
    database: Database
    policy: Callable[[], Policy]
    actor: Actor = SYSTEM

    def __post_init__(self) -> None:
        access.authorize(self.actor, Action.WATCH_DEADLINES)

    def run_once(self) -> int:
        """Raise the notices now due; returns how many were raised."""
        now = clock.now()
        rules = self.policy().document.deadlines
        with self.database.transaction() as session:
            overdue = service.unalerted_overdue(session, rules, now)
        return sum(self.tell(item) for item in overdue)

    def tell(self, item: service.Waiting) -> bool:
        """Tell staff about ``item`` in a transaction of its own; False when someone already
        did (the alert row exists), and then nothing of this attempt is kept."""
        try:
            with self.database.transaction() as session:
                self._alert(session, item)
        except IntegrityError:
            log.info("%s %s: another worker told staff first", item.queue.name, item.item_id)
            return False
        return True

    def _alert(self, session: Session, item: service.Waiting) -> None:
        now = clock.now()
        session.add(
            DeadlineAlert(
                queue=item.queue.name, item_id=item.item_id, due_at=item.due_at, raised_at=now
            )
        )
        session.flush()
        if item.case_id is not None:
            case = session.get_one(Case, item.case_id)
            cases.append_entry(
                session,
                case,
                self.actor,
                visibility=item.queue.department,
                kind=EntryKind.NOTE,
                message=Message(
                    N_("entry.deadline_missed"),
                    {
                        "queue": Message(item.queue.label),
                        "item": item.item_id,
                        # as the pages write it, in each language, where the seller is
                        "due": {language: item.due_text(language) for language in SUPPORTED},
                    },
                ),
            )
        session.add(
            access.record(
                self.actor,
                Action.WATCH_DEADLINES,
                f"{item.queue.name}:{item.item_id}",
                {"due_at": item.due_at.isoformat(), "case_id": item.case_id},
            )
        )
        log.warning(
            "%s %s (case %s) is overdue since %s",
            item.queue.name,
            item.item_id,
            item.case_id,
            item.due_at.isoformat(),
        )
