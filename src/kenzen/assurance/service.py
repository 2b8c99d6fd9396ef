"""Account Health Assurance's use cases: whether a seller is protected, with its progress."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from kenzen.access import Action, Actor
from kenzen.policy import assured
from kenzen.policy.assurance import Eligibility
from kenzen.policy.document import Policy
from kenzen.sellers.service import get_seller


@dataclass(frozen=True)
class AssuranceStatus:
    seller_id: str
    eligibility: Eligibility | None
    """None until the worker computed a first day."""

    @property
    def protected(self) -> bool:
        return self.eligibility is not None and self.eligibility.eligible


def assurance_status(
    session: Session, actor: Actor, policy: Policy, seller_id: str
) -> AssuranceStatus:
    """Whether Account Health Assurance protects the seller, with the progress towards it."""
    seller = get_seller(session, actor, seller_id, Action.GET_ASSURANCE_STATUS)
    return AssuranceStatus(seller.id, assured.eligibility_of(session, policy, seller))
