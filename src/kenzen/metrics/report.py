"""The seller performance report in the shape of Amazon's ``GET_V2_SELLER_PERFORMANCE_REPORT``.

Pure: metric rows in, a JSON-ready dict out, valid against the vendored schema
(``schemas/accountHealthReport-2020-11-18.json``), so tools sellers already use can read
Kenzen's numbers. What Kenzen does not measure (invoice defects) is reported with
status ``NONE``. Schema quirk kept on purpose: ``accountHealthRating`` requires
``ahrStatus`` but defines ``accountHealthRatingStatus``, so both are written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from functools import cache
from importlib import resources
from typing import Any, Literal
from zoneinfo import ZoneInfo

from kenzen.metrics.definitions import Target, targets_for
from kenzen.metrics.values import MetricValue, window

AccountStatus = Literal["NORMAL", "AT_RISK", "DEACTIVATED"]
AhrStatus = Literal["GREAT", "WARNED"]
POLICY_COUNTERS = (
    "listingPolicyViolations",
    "productAuthenticityCustomerComplaints",
    "productConditionCustomerComplaints",
    "productSafetyCustomerComplaints",
    "receivedIntellectualPropertyComplaints",
    "restrictedProductPolicyViolations",
    "suspectedIntellectualPropertyViolations",
    "foodAndProductSafetyIssues",
    "otherPolicyViolations",
    "documentRequests",
)
#: Policy counters and the rating look back 180 days (reference §1.1, "last 180 days").
POLICY_DAYS = 180
#: Amazon's IDR target; Kenzen has no invoices, so the metric is always NONE.
INVOICE_DEFECT_TARGET = 0.05


@cache
def report_schema() -> dict[str, Any]:
    """The vendored JSON Schema of the report (Apache-2.0, see schemas/NOTICE.txt)."""
    text = (
        resources.files("kenzen.metrics")
        .joinpath("schemas/accountHealthReport-2020-11-18.json")
        .read_text("utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


def _range(first: date, last: date, zone: ZoneInfo) -> dict[str, str]:
    """The window as local minutes of the marketplace, like Amazon's ``…T00:00`` / ``…T23:59``."""
    return {
        "reportingDateFrom": datetime.combine(first, time(), zone).isoformat(timespec="minutes"),
        "reportingDateTo": datetime.combine(last, time(23, 59), zone).isoformat(timespec="minutes"),
    }


def _empty(metric: str, seller_id: str, marketplace_id: str, as_of: date, t: Target) -> MetricValue:
    first, last = window(as_of, t)
    return MetricValue(
        seller_id, marketplace_id, metric, as_of, first, last, 0, 0, None, "NONE",
        t.value, t.condition, t.inclusive, {},
    )  # fmt: skip


def build_report(
    *,
    seller_id: str,
    marketplace_id: str,
    as_of: date,
    metrics: Iterable[MetricValue],
    account_status: AccountStatus = "NORMAL",
    time_zone: str = "UTC",
    policy_violations: Mapping[str, int] | None = None,
    ahr_status: AhrStatus = "GREAT",
) -> dict[str, Any]:
    """The report of one seller in one marketplace on ``as_of``.

    ``metrics`` are the seller's rows for that marketplace and date (missing ones are
    reported as NONE); ``policy_violations`` maps counter names of :data:`POLICY_COUNTERS`
    to counts (zero when absent).
    """
    zone = ZoneInfo(time_zone)
    targets = targets_for(as_of)
    rows = {m.metric: m for m in metrics if m.marketplace_id == marketplace_id}
    unknown = set(policy_violations or {}) - set(POLICY_COUNTERS)
    if unknown:
        raise ValueError(f"unknown policy counter(s): {', '.join(sorted(unknown))}")

    def row(key: str) -> MetricValue:
        return rows.get(key) or _empty(key, seller_id, marketplace_id, as_of, targets[key])

    def common(m: MetricValue) -> dict[str, Any]:
        return {
            "reportingDateRange": _range(m.window_from, m.window_to, zone),
            "status": m.status,
            "rate": m.rate if m.rate is not None else 0.0,
            "targetValue": m.target_value,
            "targetCondition": m.target_condition,
        }

    def odr(key: str, fulfillment: str) -> dict[str, Any]:
        m = row(key)
        return {
            **common(m),
            "orderCount": m.denominator,
            "orderWithDefects": {"count": m.numerator, "status": m.status},
            "claims": {"count": m.breakdown.get("claims", 0), "status": "NONE"},
            "chargebacks": {"count": m.breakdown.get("chargebacks", 0), "status": "NONE"},
            "negativeFeedback": {
                "count": m.breakdown.get("negative_feedback", 0),
                "status": "NONE",
            },
            "fulfillmentType": fulfillment,
        }

    lsr, pfcr, vtr, otdr = (
        row(k)
        for k in (
            "late_shipment_rate_30d",
            "pre_fulfillment_cancel_rate",
            "valid_tracking_rate",
            "on_time_delivery_rate",
        )
    )
    tracked = otdr.breakdown.get("tracked_orders", 0)
    on_time = otdr.breakdown.get("on_time_orders", 0)
    shipment_rate = on_time / tracked if tracked else None
    otdr_target = targets["on_time_delivery_rate"]
    idr_first, idr_last = as_of - timedelta(days=13), as_of - timedelta(days=7)
    policy_range = _range(as_of - timedelta(days=POLICY_DAYS - 1), as_of, zone)
    counters = {
        name: {
            "reportingDateRange": policy_range,
            "defectsCount": (count := (policy_violations or {}).get(name, 0)),
            "status": "GOOD" if count == 0 else "BAD",
            "targetValue": 0,
            "targetCondition": "EQUALS",
        }
        for name in POLICY_COUNTERS
    }
    metrics_doc = {
        "marketplaceId": marketplace_id,
        "orderDefectRate": {
            "mfn": odr("order_defect_rate_mfn", "mfn"),
            "afn": odr("order_defect_rate_afn", "afn"),
        },
        "lateShipmentRate": {
            **common(lsr),
            "orderCount": lsr.denominator,
            "lateShipmentCount": lsr.numerator,
        },
        "preFulfillmentCancellationRate": {
            **common(pfcr),
            "orderCount": pfcr.denominator,
            "cancellationCount": pfcr.numerator,
        },
        "validTrackingRate": {
            **common(vtr),
            "shipmentCount": vtr.denominator,
            "validTrackingCount": vtr.numerator,
        },
        "onTimeDeliveryRate": {
            **common(otdr),
            "shipmentCountWithValidTracking": tracked,
            "onTimeDeliveryCount": on_time,
            "status": otdr_target.status(shipment_rate),
            "rate": shipment_rate if shipment_rate is not None else 0.0,
        },
        "unitOnTimeDeliveryRate": {
            **common(otdr),
            "unitOnTimeDeliveryCount": otdr.numerator,
            "totalUnitCount": otdr.denominator,
        },
        "invoiceDefectRate": {
            "reportingDateRange": _range(idr_first, idr_last, zone),
            "orderCount": 0,
            "invoiceDefect": {"count": 0, "status": "NONE"},
            "missingInvoice": {"count": 0, "status": "NONE"},
            "lateInvoice": {"count": 0, "status": "NONE"},
            "status": "NONE",
            "rate": 0.0,
            "targetValue": INVOICE_DEFECT_TARGET,
            "targetCondition": "LESS_THAN",
        },
        "warningStates": [],
        "accountHealthRating": {
            "ahrStatus": ahr_status,
            "accountHealthRatingStatus": ahr_status,
            "reportingDateRange": policy_range,
        },
        **counters,
    }
    return {
        "accountStatuses": [{"marketplaceId": marketplace_id, "status": account_status}],
        "performanceMetrics": [metrics_doc],
    }
