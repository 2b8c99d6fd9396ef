"""Evaluation against the database: actions, evidence, idempotency, expiry, shadow runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kenzen.access import SYSTEM, Role
from kenzen.audit import AuditEntry
from kenzen.cases.models import Case, CaseEntry, CaseStatus
from kenzen.cases.service import set_case_status
from kenzen.complaints import service as complaints
from kenzen.complaints.brand_check import ListingRow, upsert_listing
from kenzen.complaints.catalogue import ListingRef
from kenzen.complaints.models import ComplaintKind
from kenzen.errors import InvalidInput
from kenzen.events.service import import_events
from kenzen.events.store import EventStore
from kenzen.metrics.service import compute_snapshots
from kenzen.policy import enforcement, proposals, violations
from kenzen.policy.document import Policy, PolicyHolder, load_policy, parse_policy
from kenzen.policy.evaluation import SellerFailure, evaluate
from kenzen.policy.models import EnforcementAction, Violation, ViolationStatus
from kenzen.policy.shadow import shadow
from kenzen.sellers.models import AccountStatusChange, Listing, ListingStatus, Seller
from kenzen.sellers.status import AccountStatus
from tests.conftest import World, confirm_proposals
from tests.policy.conftest import edit, retired_category_violation
from tests.seller_words import leaks

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # noon in Tokyo


def _listings(world: World) -> list[int]:
    ids = []
    with world.database.transaction() as session:
        for sku, fulfillment in (("M1", "merchant"), ("M2", "merchant"), ("F1", "marketplace")):
            row = ListingRow(1, "S1", sku, f"B0{sku}", "ソラノ イヤホン", "", "", fulfillment)
            ids.append(upsert_listing(session, SYSTEM, row)[0].id)
    return ids


def _violations(world: World, policy: Policy, category: str, days_ago: list[int]) -> None:
    with world.database.transaction() as session:
        for days in days_ago:
            enforcement.record_reviewed_violation(
                session,
                world.actors[Role.ACCOUNT_SPECIALIST],
                policy,
                "S1",
                category=category,
                reason="found in review",
                occurred_at=NOW - timedelta(days=days),
            )


def _counts(world: World) -> tuple[int, ...]:
    with world.database.transaction() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(table)) or 0
            for table in (Case, CaseEntry, AccountStatusChange, EnforcementAction, Violation)
        )


def test_cap_deactivates_with_evidence_and_a_second_run_changes_nothing(
    world: World, policy: Policy
) -> None:
    listing_ids = _listings(world)
    _violations(world, policy, "restrictedProductPolicyViolations", [30, 3])
    report = evaluate(world.database, SYSTEM, policy, TODAY)
    assert [o.seller_id for o in report.changed] == ["S1"]
    with world.database.transaction() as session:  # proposed: a specialist decides
        assert session.get(Seller, "S1").status is AccountStatus.NORMAL  # type: ignore[union-attr]
    assert len(confirm_proposals(world, policy, "S1")) == 1
    with world.database.transaction() as session:
        seller = session.get(Seller, "S1")
        assert seller is not None
        assert seller.status is AccountStatus.DEACTIVATED
        listings = session.scalars(select(Listing).where(Listing.id.in_(listing_ids))).all()
        assert {x.status for x in listings} == {ListingStatus.INACTIVE}
        action = session.scalars(select(EnforcementAction)).one()
        assert (action.kind, action.rule, action.policy_version) == (
            "DEACTIVATE",
            "caps.restricted_products",
            policy.version,
        )
        assert action.evidence[0]["facts"] == {
            "category": "restrictedProductPolicyViolations",
            "count": 2,
            "at_least": 2,
        }
        case = session.get(Case, action.case_id)
        assert case is not None
        # The cap's title from the policy file, never its id (caps.restricted_products).
        assert case.title_in("ja") == "アカウントヘルス: 制限対象商品の違反が上限に達しました"
        assert case.title_in("en") == (
            "Account health: Limit of restricted product violations reached"
        )
        # The seller reads the rule's title as the reason; staff keep the evidence.
        told = session.scalars(  # the status change, after the review that proposed it
            select(CaseEntry)
            .where(CaseEntry.kind == "account_status")
            .order_by(CaseEntry.id.desc())
        ).first()
        assert told is not None
        assert told.text_in("en").endswith("Reason: Limit of restricted product violations reached")
        assert leaks(session, policy, "S1") == []
        change = session.scalars(select(AccountStatusChange)).one()
        assert "restrictedProductPolicyViolations" in change.reason
    before = _counts(world)
    again = evaluate(world.database, SYSTEM, policy, TODAY)
    assert again.changed == []
    assert _counts(world) == before
    with world.database.transaction() as session:
        status_changes = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "setAccountStatus")
        ).all()
        assert len(status_changes) == 1


def _cancelling_seller(world: World, store: EventStore, tmp_path: Path) -> None:
    """S1 cancelled 2 of its 10 merchant orders: the cancellation rate warns and restricts."""
    _listings(world)
    orders = tmp_path / "orders.csv"
    rows = [
        "order_id,seller_id,marketplace_id,purchased_at,fulfillment,ship_by,cancelled_at,"
        "cancelled_by,shipped_at,tracking_id,first_scan_at,updated_at"
    ]
    for n in range(10):
        cancelled = (
            ",2026-11-18T12:00:00+09:00,seller,,,"
            if n < 2
            else f",,,2026-11-18T11:00:00+09:00,T{n},2026-11-18T15:00:00+09:00"
        )
        rows.append(
            f"O{n},S1,JP,2026-11-18T10:00:00+09:00,merchant,2026-11-19T23:00:00+09:00"
            f"{cancelled},2026-11-18T12:00:00+09:00"
        )
    orders.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with world.database.transaction() as session:
        import_events(session, SYSTEM, store, "orders", orders)
        compute_snapshots(session, SYSTEM, store, TODAY)


def test_bad_metric_warns_and_restricts_once(
    world: World, policy: Policy, store: EventStore, tmp_path: Path
) -> None:
    _listings(world)
    _cancelling_seller(world, store, tmp_path)
    for _ in range(2):
        evaluate(world.database, SYSTEM, policy, TODAY)
    with world.database.transaction() as session:
        seller = session.get(Seller, "S1")
        assert seller is not None
        assert seller.status is AccountStatus.NORMAL  # cancellations warn and restrict only
        actions = sorted(
            session.execute(select(EnforcementAction.kind, EnforcementAction.rule)).all()
        )
        assert actions == [
            ("RESTRICT_MERCHANT_LISTINGS", "metrics.pre_fulfillment_cancel_rate"),
            ("WARN", "metrics.pre_fulfillment_cancel_rate"),
        ]
        statuses = dict(
            session.execute(
                select(Listing.sku, Listing.status).where(Listing.seller_id == "S1")
            ).all()
        )
        assert statuses == {
            "M1": ListingStatus.INACTIVE,
            "M2": ListingStatus.INACTIVE,
            "F1": ListingStatus.ACTIVE,
        }
        warning = session.scalars(select(CaseEntry).where(CaseEntry.kind == "warning")).one()
        assert "出荷前キャンセル率は 20.00%" in warning.text_in("ja")


def test_a_warning_whose_case_was_closed_warns_again_the_same_day_without_failing(
    world: World, policy: Policy, store: EventStore, tmp_path: Path
) -> None:
    _cancelling_seller(world, store, tmp_path)
    evaluate(world.database, SYSTEM, policy, TODAY)
    with world.database.transaction() as session:
        [case] = session.scalars(select(Case).where(Case.seller_id == "S1")).all()
        set_case_status(session, case, CaseStatus.CLOSED)
    report = evaluate(world.database, SYSTEM, policy, TODAY)
    assert report.failed == []
    with world.database.transaction() as session:
        warnings = session.scalars(select(CaseEntry).where(CaseEntry.kind == "warning")).all()
        assert len({w.case_id for w in warnings}) == 2  # a new case, warned again
        [record] = session.scalars(
            select(EnforcementAction).where(EnforcementAction.kind == "WARN")
        ).all()
        assert record.case_id == warnings[-1].case_id


def test_policy_at_risk_is_lifted_when_no_rule_demands_it(world: World, policy: Policy) -> None:
    _violations(world, policy, "productSafetyCustomerComplaints", [10])
    evaluate(world.database, SYSTEM, policy, TODAY)
    with world.database.transaction() as session:
        violation = session.scalars(select(Violation)).one()
    with world.database.transaction() as session:
        assert session.get(Seller, "S1").status is AccountStatus.AT_RISK  # type: ignore[union-attr]
        stored = session.get(Violation, violation.id)
        assert stored is not None
        violations.resolve_violation(session, stored, reason="appeal accepted", at=NOW)
    report = evaluate(world.database, SYSTEM, policy, TODAY)
    assert report.changed[0].status_after is AccountStatus.NORMAL
    with world.database.transaction() as session:
        lifted = session.scalars(select(CaseEntry).order_by(CaseEntry.id.desc())).first()
        assert lifted is not None
        assert lifted.text_in("ja").endswith("「リスクあり」を求めなくなりました")
        assert lifted.text_in("en").endswith("the marketplace policy no longer calls for At risk")
        assert leaks(session, policy, "S1") == []


def test_a_rule_of_the_operator_warns_by_its_title_in_the_sellers_language(
    world: World, policy: Policy
) -> None:
    """``rules.received_and_suspected_ip``: its English description and its CEL stay with
    staff; the seller reads the rule's title, as every text about enforcement."""
    _violations(world, policy, "receivedIntellectualPropertyComplaints", [3])
    _violations(world, policy, "suspectedIntellectualPropertyViolations", [2])
    evaluate(world.database, SYSTEM, policy, TODAY)
    with world.database.transaction() as session:
        action = session.scalars(
            select(EnforcementAction).where(
                EnforcementAction.rule == "rules.received_and_suspected_ip",
                EnforcementAction.kind == "WARN",
            )
        ).one()
        warning = session.scalars(
            select(CaseEntry).where(
                CaseEntry.case_id == action.case_id, CaseEntry.kind == "warning"
            )
        ).one()
        assert warning.text_in("ja") == (
            "マーケットプレイスのポリシーによる警告: "
            "知的財産権の申し立てと審査での指摘が重なっています。"
        )
        assert leaks(session, policy, "S1") == []
        assert "sourcing problem" in action.evidence[0]["detail"]


def test_violations_expire_after_their_memory(world: World, policy: Policy) -> None:
    _violations(world, policy, "listingPolicyViolations", [180, 179])
    evaluate(world.database, SYSTEM, policy, TODAY)
    with world.database.transaction() as session:
        statuses = sorted(v.status.value for v in session.scalars(select(Violation)))
    assert statuses == ["ACTIVE", "EXPIRED"]


def test_deactivating_a_listing_does_not_resolve_its_violation(
    world: World, policy: Policy
) -> None:
    listing_id = _listings(world)[0]
    with world.database.transaction() as session:
        brand = complaints.register_brand(
            session,
            world.actors[Role.RIGHTS_OWNER],
            name="Sorano",
            registration_number="R",
            country="JP",
        )
        complaints.file_complaint(
            session,
            world.actors[Role.RIGHTS_OWNER],
            policy,
            brand_id=brand.id,
            kind=ComplaintKind.TRADEMARK,
            listings=[ListingRef("B0M1")],
            evidence="x",
        )
    with world.database.transaction() as session:
        listing = session.get(Listing, listing_id)
        assert listing is not None
        listing.status = ListingStatus.INACTIVE
    evaluate(world.database, SYSTEM, policy, TODAY + timedelta(days=10))
    with world.database.transaction() as session:
        assert session.scalars(select(Violation.status)).one() is ViolationStatus.ACTIVE


def test_shadow_run_reports_differences_and_changes_nothing(
    world: World, policy: Policy, default_text: str
) -> None:
    _violations(world, policy, "listingPolicyViolations", [5])
    stricter = parse_policy(
        edit(
            default_text,
            "points = 4\nrepeat_multiplier = 1.25\nsuppresses_listing = true",
            "points = 150\nrepeat_multiplier = 1.25\nsuppresses_listing = true",
        )
    )
    before = _counts(world)
    with world.database.transaction() as session:
        report = shadow(session, SYSTEM, policy, stricter, [TODAY, TODAY + timedelta(1)])
    assert _counts(world) == before
    assert {(d.seller_id, d.as_of) for d in report.differences} == {
        ("S1", TODAY),
        ("S1", TODAY + timedelta(1)),
    }
    first = report.differences[0]
    assert (first.live_status, first.candidate_status) == (
        AccountStatus.AT_RISK,
        AccountStatus.DEACTIVATED,
    )
    assert (first.live_rating, first.candidate_rating) == (196, 50)


def test_a_bad_policy_file_is_refused_and_the_previous_stays(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("[rating]\nstart = 200\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="policy:"):
        PolicyHolder(path)
    good = load_policy()
    holder = PolicyHolder(None)
    holder.path = path
    with pytest.raises(InvalidInput):
        holder.reload()
    assert holder.current.version == good.version


def test_a_failing_seller_is_reported_and_the_others_proceed(world: World, policy: Policy) -> None:
    _violations(world, policy, "restrictedProductPolicyViolations", [30, 3])
    retired = retired_category_violation(world, "S2")
    report = evaluate(world.database, SYSTEM, policy, TODAY)
    assert [o.seller_id for o in report.changed] == ["S1"]
    assert report.failed == [
        SellerFailure(
            "S2",
            f"violation {retired}: category 'retiredCategory' is not a category of the policy",
        )
    ]
    assert report.evaluated == 1
    with world.database.transaction() as session:
        assert [p.kind for p in proposals.pending(session, "S1")] == ["DEACTIVATE"]
        assert session.get(Seller, "S2").status is AccountStatus.NORMAL  # type: ignore[union-attr]
        run = session.scalars(select(AuditEntry).where(AuditEntry.action == "evaluatePolicy")).one()
        assert run.detail["failed"] == ["S2"]
