"""The seller performance report (SP-API's ``GET_V2_SELLER_PERFORMANCE_REPORT``) of one
seller, from the facts of its assessment read through any reader
(:class:`~kenzen.policy.facts.FactRecords`): the API and the report worker read through the
ORM, ``kenzen report sp-api`` on SQLite with the standard library."""

from __future__ import annotations

from datetime import date
from typing import Any

from kenzen import access
from kenzen.access import Action, Actor
from kenzen.errors import NotFound
from kenzen.health.assessments import current_assessment, local_today
from kenzen.i18n import N_
from kenzen.metrics.report import POLICY_COUNTERS, build_report
from kenzen.policy.document import Policy
from kenzen.policy.facts import FactRecords


def performance_report(
    records: FactRecords, actor: Actor, policy: Policy, seller_id: str, as_of: date | None = None
) -> dict[str, Any]:
    """The SP-API-shaped report of the latest snapshot on or before ``as_of``, with the
    rating's status and the policy counters of the last 180 days."""
    access.authorize(actor, Action.GET_SELLER_PERFORMANCE_REPORT, seller_id=seller_id)
    seller = records.seller(seller_id)
    if seller is None:
        raise NotFound(N_("error.seller_not_found"), seller_id=seller_id)
    day = as_of or local_today(seller)
    assessment = current_assessment(records, policy, seller, day)
    # the assessment read the latest snapshot on or before ``day``: its metrics' date
    metrics = assessment.facts.metrics
    return build_report(
        seller_id=seller.id,
        marketplace_id=seller.marketplace_id,
        as_of=metrics[0].as_of if metrics else day,
        metrics=metrics,
        account_status=seller.status.value,
        time_zone=seller.marketplace.time_zone,
        policy_violations={c: n for c, n in assessment.counts.items() if c in POLICY_COUNTERS},
        ahr_status=assessment.rating.ahr_status,
    )
