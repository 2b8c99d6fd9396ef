"""Hand-computed fixtures, one per rule. As-of 2024-11-30 in Asia/Tokyo (UTC+9), so the
as-of day ends at 2024-11-30T15:00Z and the 60-day ODR window starts 2024-10-01T15:00Z."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.metrics.conftest import US, Compute, defect, order


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


END = utc("2024-11-30T15:00")  # end of the as-of day in Tokyo
ODR_START = utc("2024-10-01T15:00")
DAY = timedelta(days=1)


def test_window_edges_in_tokyo_around_midnight_utc(metrics: Compute) -> None:
    m = metrics(
        [
            order("in-last-minute", END - timedelta(minutes=1)),
            order("after-as-of", END),
            order("first-minute", ODR_START),
            order("before-window", ODR_START - timedelta(minutes=1)),
        ]
    )
    odr = m["order_defect_rate_mfn"]
    assert (odr.numerator, odr.denominator) == (0, 2)
    assert (str(odr.window_from), str(odr.window_to)) == ("2024-10-02", "2024-11-30")
    cancel = m["pre_fulfillment_cancel_rate"]  # 7 days: from 2024-11-23T15:00Z
    assert cancel.denominator == 1


def test_later_updated_at_replaces_and_older_is_ignored(metrics: Compute) -> None:
    t = END - 3 * DAY
    m = metrics(
        [
            order("O1", t, shipped_at=t + DAY, updated_at=t),  # late
            order("O1", t, shipped_at=t, updated_at=t + DAY),  # corrected: on time
            order("O1", t, shipped_at=t + 2 * DAY, updated_at=t + DAY),  # equal: ignored
            order("O1", t, shipped_at=t + 2 * DAY, updated_at=t),  # older: ignored
        ]
    )
    lsr = m["late_shipment_rate_10d"]
    assert (lsr.numerator, lsr.denominator, lsr.status) == (0, 1, "GOOD")


def test_duplicate_rows_count_once(metrics: Compute) -> None:
    t = END - 2 * DAY
    m = metrics([order("O1", t), order("O1", t), order("O2", t)])
    assert m["order_defect_rate_mfn"].denominator == 2


def test_order_with_feedback_and_claim_counts_once(metrics: Compute) -> None:
    t = END - 5 * DAY
    m = metrics(
        [order("O1", t), *(order(f"O{i}", t) for i in range(2, 5))],
        [
            defect("F1", "O1", "feedback", t + DAY, rating=2),
            defect("C1", "O1", "a_to_z_claim", t + DAY),
        ],
    )
    odr = m["order_defect_rate_mfn"]
    assert (odr.numerator, odr.denominator, odr.rate, odr.status) == (1, 4, 0.25, "BAD")
    assert odr.breakdown == {"claims": 1, "chargebacks": 0, "negative_feedback": 1}


def test_defects_that_do_not_count(metrics: Compute) -> None:
    t = END - 10 * DAY
    orders = [order(f"O{i}", t) for i in range(1, 8)]
    defects = [
        defect("D1", "O1", "a_to_z_claim", t, status="denied"),
        defect("D2", "O2", "a_to_z_claim", t, status="withdrawn"),
        defect("D3", "O3", "feedback", t, status="removed"),
        defect("D4", "O4", "feedback", t, rating=3),
        defect("D5", "O5", "chargeback", t, status="reversed"),
        defect("D6", "O6", "a_to_z_claim", END),  # after the as-of day
        defect("D7", "O7", "chargeback", t, status="lost"),  # counts
    ]
    odr = metrics(orders, defects)["order_defect_rate_mfn"]
    assert (odr.numerator, odr.denominator) == (1, 7)
    assert odr.breakdown == {"claims": 0, "chargebacks": 1, "negative_feedback": 0}


def test_claim_granted_then_denied_stops_counting(metrics: Compute) -> None:
    t = END - 10 * DAY
    defects = [
        defect("D1", "O1", "a_to_z_claim", t, status="granted"),
        defect("D1", "O1", "a_to_z_claim", t, status="denied", updated_at=t + DAY),
    ]
    assert metrics([order("O1", t)], defects)["order_defect_rate_mfn"].numerator == 0


def test_buyer_versus_seller_cancellation(metrics: Compute) -> None:
    t = END - 2 * DAY
    unshipped = {"shipped_at": None, "cancelled_at": t + timedelta(hours=1)}
    m = metrics(
        [
            order("seller", t, cancelled_by="seller", **unshipped),
            order("system", t, cancelled_by="system", **unshipped),
            order("buyer", t, cancelled_by="buyer", **unshipped),
            order("after-shipment", t, cancelled_by="seller", cancelled_at=t + DAY),
            order("fine", t),
        ]
    )
    cancel = m["pre_fulfillment_cancel_rate"]
    assert (cancel.numerator, cancel.denominator, cancel.status) == (2, 5, "BAD")
    # cancelled before shipment (any canceller) leaves the late shipment population
    assert m["late_shipment_rate_10d"].denominator == 2


def test_merchant_versus_marketplace_fulfilment(metrics: Compute) -> None:
    t = END - 2 * DAY
    m = metrics(
        [
            order("afn", t, fulfillment="marketplace", ship_by=None, shipped_at=None),
            order("mfn", t),
        ],
        [defect("F", "afn", "feedback", t)],
    )
    afn, mfn = m["order_defect_rate_afn"], m["order_defect_rate_mfn"]
    assert (afn.numerator, afn.denominator, afn.status) == (1, 1, "BAD")
    assert (mfn.numerator, mfn.denominator, mfn.status) == (0, 1, "GOOD")
    assert m["late_shipment_rate_10d"].denominator == 1


def test_unshipped_overdue_and_shipped_after_as_of_are_late(metrics: Compute) -> None:
    t = END - 3 * DAY
    m = metrics(
        [
            order("unshipped-overdue", t, ship_by=t + DAY, shipped_at=None),
            order("shipped-after-as-of", t, ship_by=t + DAY, shipped_at=END + DAY),
            order("shipped-late", t, ship_by=t + DAY, shipped_at=t + 2 * DAY),
            order("on-time", t, ship_by=t + DAY, shipped_at=t + DAY),
            order("not-due-yet", t, ship_by=END + DAY, shipped_at=None),
        ]
    )
    lsr = m["late_shipment_rate_10d"]
    assert (lsr.numerator, lsr.denominator) == (3, 4)


def test_valid_tracking_needs_tracking_id_and_first_scan_by_as_of(metrics: Compute) -> None:
    t = END - 3 * DAY
    m = metrics(
        [
            order("valid", t, tracking_id="T1", first_scan_at=t + DAY),
            order("no-scan", t, tracking_id="T2"),
            order("scan-after-as-of", t, tracking_id="T3", first_scan_at=END),
            order("no-tracking", t),
            order("not-shipped", t, shipped_at=None),
        ]
    )
    vtr = m["valid_tracking_rate"]
    assert (vtr.numerator, vtr.denominator, vtr.status) == (1, 4, "BAD")


def test_on_time_delivery_lag_and_units(metrics: Compute) -> None:
    # window: 2024-11-10 .. 2024-11-23 in Tokyo = [2024-11-09T15:00Z, 2024-11-23T15:00Z)
    last_minute = utc("2024-11-23T14:59")
    t = last_minute - 5 * DAY
    shipped = {"tracking_id": "T", "shipped_at": t + DAY}
    m = metrics(
        [
            order(
                "late-3",
                t,
                units=3,
                deliver_by=last_minute,
                delivered_at=last_minute + DAY,
                **shipped,
            ),
            order(
                "on-time-2", t, units=2, deliver_by=last_minute, delivered_at=last_minute, **shipped
            ),
            order("outside-lag", t, units=5, deliver_by=last_minute + DAY, **shipped),
            order("untracked", t, units=7, deliver_by=last_minute),
        ]
    )
    otdr = m["on_time_delivery_rate"]
    assert (str(otdr.window_from), str(otdr.window_to)) == ("2024-11-10", "2024-11-23")
    assert (otdr.numerator, otdr.denominator, otdr.rate, otdr.status) == (2, 5, 0.4, "BAD")
    assert otdr.breakdown == {"tracked_orders": 2, "on_time_orders": 1}


def test_no_orders_in_window_is_none(metrics: Compute) -> None:
    m = metrics([order("old", END - 40 * DAY)])
    assert m["late_shipment_rate_10d"].status == "NONE"
    assert m["late_shipment_rate_10d"].rate is None
    assert m["order_defect_rate_mfn"].status == "GOOD"


def test_each_marketplace_uses_its_own_time_zone(metrics: Compute) -> None:
    # 2024-12-01T07:30Z is still 2024-11-30 in Los Angeles but 2024-12-01 in Tokyo.
    t = utc("2024-12-01T07:30")
    m = metrics([order("tokyo", t), order("us", t, marketplace_id=US)], marketplace=US)
    assert m["order_defect_rate_mfn"].denominator == 1
