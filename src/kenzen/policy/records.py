"""The facts of an assessment through the ORM: evaluation, the pages, the API and every
command but ``kenzen report sp-api`` on SQLite (:mod:`kenzen.policy.sqlite_facts`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, joinedload

from kenzen.db import events_dir_of
from kenzen.events import staging
from kenzen.metrics.models import LatestSellerMetrics
from kenzen.policy.models import AssuranceEligibility, Violation
from kenzen.policy.violations import violations_of
from kenzen.sellers.models import Seller

if TYPE_CHECKING:
    from kenzen.events.dated import Staged


class SessionFacts:
    """``FactRecords`` in one session: the rows are the ORM's."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def events_dir(self) -> Path | None:
        return events_dir_of(self.session)

    @property
    def staged(self) -> list[Staged]:
        return staging.staged(self.session)

    def seller(self, seller_id: str) -> Seller | None:
        return self.session.get(Seller, seller_id, options=[joinedload(Seller.marketplace)])

    def latest_metrics(self, seller_id: str) -> LatestSellerMetrics | None:
        return self.session.get(LatestSellerMetrics, seller_id)

    def violations(self, seller_id: str) -> list[Violation]:
        return violations_of(self.session, seller_id)

    def eligibility(self, seller_id: str) -> AssuranceEligibility | None:
        return self.session.get(AssuranceEligibility, seller_id)
