"""The demo's complaints and violations, then one policy evaluation over every seller.

Statuses in the demo are not assigned: they follow from the policy applied to real
evidence — metrics from the generated events, complaints filed by the rights owner
(five against S0001, the seed's story, one disputed and one with a retraction request
pending; another infringer's two ended, one retracted and one found invalid on an accepted
letter of authorisation; a second owner held for its unfounded notices), and violations an
Account Specialist recorded.
The deactivations the policy proposes wait for specialists, as they would: S0001's was
confirmed (the seed's story), the busiest seller's needs four eyes and has one confirmation,
and the others are pending.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen.access import Actor, Role
from kenzen.complaints import disputes
from kenzen.complaints import service as complaints
from kenzen.complaints.brand_check import screen
from kenzen.complaints.catalogue import ListingRef
from kenzen.complaints.models import ComplaintKind, ComplaintStatus, DisputeReason
from kenzen.demo.accounts import (
    DEMO_PASSWORD,
    DEMO_REVIEWER,
    DEMO_SELLER,
    HELD_NOTIFIER,
    DemoAccounts,
    Profile,
)
from kenzen.identity import service as identity
from kenzen.metrics import service as metrics
from kenzen.policy import enforcement, proposals
from kenzen.policy.document import Policy, ReviewMode
from kenzen.policy.models import Verdict
from kenzen.sellers.models import Listing

#: (category, days ago) of the violations an Account Specialist found in review.
FEW_VIOLATIONS = (
    ("productSafetyCustomerComplaints", 40),
    ("productAuthenticityCustomerComplaints", 12),
)
MANY_VIOLATIONS = (
    *(("productSafetyCustomerComplaints", d) for d in (150, 110, 70, 30)),
    *(("productAuthenticityCustomerComplaints", d) for d in (120, 60, 20)),
    *(("customerProductReviewsPolicyViolations", d) for d in (90, 45)),
    *(("listingPolicyViolations", d) for d in (100, 50, 10)),
)
_REASONS = {
    "productSafetyCustomerComplaints": "購入者から製品の安全性に関する苦情がありました。",
    "productAuthenticityCustomerComplaints": "購入者から真正性に関する苦情がありました。",
    "customerProductReviewsPolicyViolations": "見返りを伴うレビュー依頼が確認されました。",
    "listingPolicyViolations": "商品ページに禁止されたキーワードが含まれています。",
}


def _branded_listings(session: Session, seller_id: str) -> list[Listing]:
    """The seller's listings screening flags, however they spell the brand."""
    listings = list(
        session.scalars(select(Listing).where(Listing.seller_id == seller_id).order_by(Listing.id))
    )
    flagged = {finding.sku for finding in screen(session, listings)}
    return [x for x in listings if x.sku in flagged]


def apply_enforcement(
    session: Session, actor: Actor, policy: Policy, accounts: DemoAccounts, today: date
) -> int:
    """File the complaints, record the violations, evaluate; return the sellers changed."""
    rights = accounts.users[Role.RIGHTS_OWNER]
    specialist = accounts.users[Role.ACCOUNT_SPECIALIST]
    brand = complaints.list_brands(session, rights)[0]
    noon = datetime.combine(today, time(12), tzinfo=UTC)
    for seller_id, profile in sorted(accounts.sellers.items()):
        if profile is Profile.IP_INFRINGER:
            listings = _branded_listings(session, seller_id)
            count = 5 if seller_id == DEMO_SELLER else 2
            kinds = (ComplaintKind.TRADEMARK, ComplaintKind.COUNTERFEIT)
            for n in range(count):
                complaints.file_complaint(
                    session,
                    rights,
                    policy,
                    brand_id=brand.id,
                    kind=kinds[n % 2],
                    listings=[ListingRef.of(listings[n % len(listings)])],
                    evidence=f"Test buy #{n + 1}: the product carries the {brand.name} mark "
                    f"(registration {brand.registration_number}); the seller is not licensed.",
                )
            if seller_id == DEMO_SELLER:
                _answer(session, accounts, brand.name)
        found = {Profile.POLICY_VIOLATOR: FEW_VIOLATIONS, Profile.REPEAT_OFFENDER: MANY_VIOLATIONS}
        for category, days_ago in found.get(profile, ()):
            enforcement.record_reviewed_violation(
                session,
                specialist,
                policy,
                seller_id,
                category=category,
                reason=_REASONS[category],
                occurred_at=noon - timedelta(days=days_ago),
            )
    infringers = [s for s, p in sorted(accounts.sellers.items()) if p is Profile.IP_INFRINGER]
    if len(infringers) > 1:
        _settle(session, actor, accounts, infringers[1])
    _held_notifier(session, actor, policy, accounts)
    busiest = _busiest_good_seller(session, policy, accounts, today)
    if busiest is not None:
        for days_ago in (20, 6):
            enforcement.record_reviewed_violation(
                session,
                specialist,
                policy,
                busiest,
                category="restrictedProductPolicyViolations",
                reason="出品中の商品が販売禁止品目（リコール対象のモバイルバッテリー）に該当します。",
                occurred_at=noon - timedelta(days=days_ago),
            )
    outcomes = [
        enforcement.enforce_seller(session, actor, policy, seller_id, today)
        for seller_id in sorted(accounts.sellers)
    ]
    _review_proposals(session, policy, accounts)
    return sum(1 for outcome in outcomes if outcome.actions)


def _answer(session: Session, accounts: DemoAccounts, brand: str) -> None:
    """The demo seller answers two of its complaints: one disputed (pending a specialist),
    one with a retraction request (pending the rights owner)."""
    seller = accounts.users[Role.SELLER]
    oldest, second = sorted(
        complaints.list_complaints(
            session, accounts.users[Role.RIGHTS_OWNER], seller_id=DEMO_SELLER
        ),
        key=lambda c: c.id,
    )[:2]
    disputes.dispute_complaint(
        session,
        seller,
        oldest.id,
        reason=DisputeReason.AUTHENTIC,
        statement=f"We bought these {brand} goods from the brand's Japanese distributor; "
        "the invoices are attached to our appeal.",
    )
    disputes.request_retraction(
        session,
        seller,
        second.id,
        message="This listing is a cable of our own make; it does not carry your mark.",
    )


def _settle(session: Session, actor: Actor, accounts: DemoAccounts, seller_id: str) -> None:
    """Another infringer's two complaints, ended both ways: the first retracted by the
    rights owner on the seller's request, the second found invalid on a letter of
    authorisation a specialist accepted (the brand no longer flags that seller)."""
    rights = accounts.users[Role.RIGHTS_OWNER]
    retracted, authorised = sorted(
        complaints.list_complaints(session, rights, seller_id=seller_id), key=lambda c: c.id
    )[:2]
    request = disputes.request_retraction(
        session,
        actor,
        retracted.id,
        message="当店の商品は正規代理店から仕入れたものです。請求書をお送りします。",
    )
    disputes.answer_retraction_request(
        session, rights, request.id, retract=True, reason="請求書を確認しました。正規品です。"
    )
    dispute = disputes.dispute_complaint(
        session,
        actor,
        authorised.id,
        reason=DisputeReason.AUTHORISED,
        statement="ブランドの日本総代理店から販売許諾書を受けています（添付）。",
    )
    disputes.decide_dispute(
        session,
        accounts.users[Role.ACCOUNT_SPECIALIST],
        dispute.id,
        complaint_valid=False,
        reason="許諾書は真正で、有効期間内です。",
    )


def _held_notifier(session: Session, actor: Actor, policy: Policy, accounts: DemoAccounts) -> None:
    """A second rights owner whose complaints were found invalid often enough: its newest
    complaint waits for a specialist before it counts (EU DSA Art. 23)."""
    notifier = identity.add_user(
        session,
        actor,
        email=HELD_NOTIFIER,
        role=Role.RIGHTS_OWNER,
        password=DEMO_PASSWORD,
    ).as_actor()
    brand = complaints.register_brand(
        session, notifier, name="Kumo Audio", registration_number="JP-T-7000001", country="JP"
    )
    target = session.scalars(
        select(Listing).where(Listing.seller_id != DEMO_SELLER).order_by(Listing.id)
    ).first()
    assert target is not None
    specialist = accounts.users[Role.ACCOUNT_SPECIALIST]
    for n in range(policy.document.notifiers.hold_after_invalid + 1):
        complaint = complaints.file_complaint(
            session,
            notifier,
            policy,
            brand_id=brand.id,
            kind=ComplaintKind.TRADEMARK,
            listings=[ListingRef.of(target)],
            evidence=f"Notice #{n + 1}: the listing uses our name.",
        )
        if complaint.status is ComplaintStatus.HELD:
            return
        dispute = disputes.dispute_complaint(
            session,
            actor,
            complaint.id,
            reason=DisputeReason.NO_INFRINGEMENT,
            statement="The listing does not name Kumo Audio anywhere.",
        )
        disputes.decide_dispute(
            session,
            specialist,
            dispute.id,
            complaint_valid=False,
            reason="Neither the title nor the goods carry the mark.",
        )


def _busiest_good_seller(
    session: Session, policy: Policy, accounts: DemoAccounts, today: date
) -> str | None:
    """The good seller with the most orders, if it sells enough to need four eyes."""
    volumes = {
        seller_id: metrics.fulfilled_orders(session, seller_id, today)
        for seller_id, profile in accounts.sellers.items()
        if profile is Profile.GOOD
    }
    if not volumes:
        return None
    busiest = max(sorted(volumes), key=volumes.__getitem__)
    return busiest if volumes[busiest] >= policy.document.review.four_eyes_orders else None


def _review_proposals(session: Session, policy: Policy, accounts: DemoAccounts) -> None:
    """S0001's deactivation confirmed; a four-eyes proposal confirmed once, by a second
    specialist, so the demo specialist can give the second confirmation."""
    specialist = accounts.users[Role.ACCOUNT_SPECIALIST]
    reviewer = identity.find_user(session, DEMO_REVIEWER).as_actor()
    for proposal in proposals.list_proposals(session, specialist):
        if proposal.seller_id == DEMO_SELLER:
            enforcement.decide_enforcement_proposal(
                session,
                specialist,
                policy,
                proposal.id,
                verdict=Verdict.CONFIRM,
                reasons="五件の申し立てはいずれもテスト購入で確認済みです。",
            )
        elif proposal.review is ReviewMode.FOUR_EYES:
            enforcement.decide_enforcement_proposal(
                session,
                reviewer,
                policy,
                proposal.id,
                verdict=Verdict.CONFIRM,
                reasons="販売禁止品目の出品が二件、記録どおりです。",
            )
