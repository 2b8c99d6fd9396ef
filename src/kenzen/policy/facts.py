"""Reading what the policy looks at for one seller on one date, through any reader.

Evaluation, the pages and the API read the rows through the ORM
(:class:`kenzen.policy.records.SessionFacts`); ``kenzen report sp-api`` on a SQLite file reads
them with the standard library (:class:`kenzen.policy.sqlite_facts.SqliteFacts`), so it
starts without SQLAlchemy. Both give the same :class:`~kenzen.policy.assessment.SellerFacts`
(the tests compare them); what is made of the rows is decided here, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kenzen.metrics import seller_values
from kenzen.metrics.seller_values import LatestRecord
from kenzen.policy.assessment import (
    Assessment,
    SellerFacts,
    ViolationRecord,
    assess,
    end_of_day,
    violation_facts,
)
from kenzen.policy.assurance import RecordedEligibility, recorded_eligibility
from kenzen.policy.document import Policy
from kenzen.sellers.status import AccountStatus

if TYPE_CHECKING:
    from kenzen.events.dated import Staged


class MarketplaceRecord(Protocol):
    @property
    def time_zone(self) -> str: ...


class SellerRecord(Protocol):
    """What an assessment reads of the seller itself (:class:`kenzen.sellers.models.Seller`)."""

    @property
    def id(self) -> str: ...
    @property
    def marketplace_id(self) -> str: ...
    @property
    def marketplace(self) -> MarketplaceRecord: ...
    @property
    def status(self) -> AccountStatus: ...
    @property
    def emergency_phone(self) -> str | None: ...
    @property
    def facts_stamp(self) -> str: ...


class FactRecords(Protocol):
    """The rows an assessment reads, inside a use case that authorised the reading."""

    @property
    def events_dir(self) -> Path | None:
        """The event store whose columnar history holds past dates (None: no history)."""

    @property
    def staged(self) -> Sequence[Staged]:
        """What the reader's transaction staged in that history and reads as published."""

    def seller(self, seller_id: str) -> SellerRecord | None: ...
    def latest_metrics(self, seller_id: str) -> LatestRecord | None: ...
    def violations(self, seller_id: str) -> Iterable[ViolationRecord]: ...
    def eligibility(self, seller_id: str) -> RecordedEligibility | None: ...


def read_facts(
    records: FactRecords, policy: Policy, seller: SellerRecord, as_of: date
) -> SellerFacts:
    """What the policy looks at for ``seller`` on ``as_of`` — reads only, never writes.
    ``policy`` says what Account Health Assurance asks of the seller."""
    instant = end_of_day(as_of, seller.marketplace.time_zone)
    latest, events_dir, staged = (
        records.latest_metrics(seller.id),
        records.events_dir,
        records.staged,
    )
    snapshot_day = seller_values.latest_as_of(latest, events_dir, seller.id, as_of, staged=staged)
    eligibility = recorded_eligibility(
        records.eligibility(seller.id),
        policy.document.assurance,
        has_emergency_phone=seller.emergency_phone is not None,
    )
    return SellerFacts(
        seller_id=seller.id,
        as_of=as_of,
        instant=instant,
        account_status=seller.status,
        metrics=(
            seller_values.seller_metrics(latest, events_dir, seller.id, snapshot_day, staged=staged)
            if snapshot_day
            else []
        ),
        violations=violation_facts(records.violations(seller.id), instant),
        fulfilled_orders=seller_values.fulfilled_orders(
            latest, events_dir, seller.id, as_of, staged=staged
        ),
        assured=eligibility is not None and eligibility.eligible,
    )


def assess_seller(
    records: FactRecords, policy: Policy, seller: SellerRecord, as_of: date
) -> Assessment:
    """What the policy demands for ``seller`` on ``as_of``, changing nothing."""
    return assess(policy, read_facts(records, policy, seller, as_of))
