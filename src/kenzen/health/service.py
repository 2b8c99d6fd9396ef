"""The account health view: what a seller (or staff reading for one) sees at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen import i18n
from kenzen.access import Action, Actor
from kenzen.cases.models import OPEN_STATUSES, Case
from kenzen.metrics import service as metrics
from kenzen.metrics.engine import MetricValue
from kenzen.sellers.models import Seller
from kenzen.sellers.service import get_seller


@dataclass(frozen=True, slots=True)
class SellerHealth:
    seller: Seller
    status_meaning: str
    open_cases: list[Case]
    metrics_as_of: date | None
    metrics: list[MetricValue]


def get_seller_health(session: Session, actor: Actor, seller_id: str) -> SellerHealth:
    seller = get_seller(session, actor, seller_id, Action.GET_SELLER_HEALTH)
    open_cases = list(
        session.scalars(
            select(Case)
            .where(Case.seller_id == seller_id, Case.status.in_(OPEN_STATUSES))
            .order_by(Case.updated_at.desc())
        )
    )
    as_of = metrics.latest_as_of(session, seller_id)
    values = metrics.seller_metrics(session, seller_id, as_of) if as_of else []
    return SellerHealth(
        seller=seller,
        status_meaning=i18n.t(f"status.{seller.status.value}.meaning", seller.language.value),
        open_cases=open_cases,
        metrics_as_of=as_of,
        metrics=values,
    )
