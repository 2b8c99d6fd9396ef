"""The worker's side of Account Health Assurance: hold each protected seller's deactivation
as soon as it is proposed, and cancel AHS's calls once the proposal is decided or withdrawn.

Evaluation (which opens the proposals) sits below this package, so the worker looks for
unheld proposals every round; each is held in a transaction of its own. The hold's unique
proposal makes it happen once: a second round finds it, and of two workers racing for the
same proposal the second fails on the constraint and rolls back its copy of the call and
the notice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from kenzen import access
from kenzen.access import SYSTEM, Action, Actor
from kenzen.assurance import service
from kenzen.db import Database
from kenzen.policy.document import Policy
from kenzen.policy.models import EnforcementProposal, ProposalStatus

log = logging.getLogger("kenzen.assurance")


@dataclass
class HoldWatch:
    database: Database
    policy: Callable[[], Policy]
    actor: Actor = SYSTEM

    def __post_init__(self) -> None:
        access.authorize(self.actor, Action.HOLD_FOR_ASSURANCE)

    def run_once(self) -> int:
        """Hold the new proposals and close the ended holds; returns how many were handled."""
        with self.database.transaction() as session:
            unheld = service.unheld_proposals(session)
            ended = service.ended_holds(session)
        held = sum(self._hold(proposal_id) for proposal_id in unheld)
        for hold_id in ended:
            with self.database.transaction() as session:
                service.close_hold(session, self.actor, hold_id)
        return held + len(ended)

    def _hold(self, proposal_id: int) -> bool:
        try:
            with self.database.transaction() as session:
                proposal = session.get_one(EnforcementProposal, proposal_id)
                if proposal.status is not ProposalStatus.PENDING:
                    return False
                service.open_hold(session, self.actor, self.policy(), proposal)
        except IntegrityError:
            log.info("proposal %s: another worker held it first", proposal_id)
            return False
        return True
