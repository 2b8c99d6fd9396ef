"""The seller performance metrics, each defined once, as portable SQL.

A definition is three SQL conditions over one order row of the ``facts`` relation
(the order's columns, its defect flags and its marketplace's window bounds): which
orders are in the population, which of them count in the numerator, and what is
counted (1 per order, or ``units``). ``window_start`` / ``window_end`` stand for the
metric's own bounds and ``as_of_end`` for the end of the as-of day, all UTC instants
computed from the marketplace's calendar; the engine (:mod:`kenzen.metrics.engine`)
substitutes them and, through SQLGlot, can emit the query for DuckDB or Apache Spark.

"Only events that happened by the end of the as-of day count": every timestamp a
definition reads is compared with ``as_of_end`` (a shipment after it is "not shipped
yet", a defect after it is ignored), and orders purchased after it do not exist yet.
Defect and order *states* (a claim's status, a removed feedback) are the latest stored
version, since the store keeps no history.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Literal

from kenzen.i18n import N_

Anchor = Literal["purchased_at", "ship_by", "shipped_at", "deliver_by"]
Condition = Literal["LESS_THAN", "GREATER_THAN"]

#: Defect flags that the engine derives per order (true when such a defect counts).
NEGATIVE_FEEDBACK = "feedback"
CLAIM = "claim"
CHARGEBACK = "chargeback"
#: Which stored defects count, by kind (the flag is set if one occurred by as_of_end).
DEFECT_FLAGS: dict[str, str] = {
    NEGATIVE_FEEDBACK: "kind = 'feedback' AND rating <= 2 AND status <> 'removed'",
    CLAIM: "kind = 'a_to_z_claim' AND status NOT IN ('denied', 'withdrawn')",
    CHARGEBACK: "kind = 'chargeback' AND status <> 'reversed'",
}

_CANCELLED_BEFORE_SHIPMENT = (
    "(cancelled_at IS NOT NULL AND cancelled_at < as_of_end "
    "AND (shipped_at IS NULL OR cancelled_at < shipped_at))"
)
_HAS_DEFECT = f"(has_{NEGATIVE_FEEDBACK} OR has_{CLAIM} OR has_{CHARGEBACK})"


@dataclass(frozen=True)
class MetricDefinition:
    """One metric: population, numerator and measure as SQL over ``facts``."""

    key: str
    title: str
    anchor: Anchor
    population: str
    numerator: str
    measure: str = "1"
    #: Extra counts reported with the metric: name → (condition, measure).
    breakdown: dict[str, tuple[str, str]] = field(default_factory=dict)
    doc: str = ""


DEFINITIONS: dict[str, MetricDefinition] = {}


def _define(
    key: str, anchor: Anchor
) -> Callable[[Callable[[], MetricDefinition]], Callable[[], MetricDefinition]]:
    """Register the definition a function returns, with the function's docstring."""

    def register(fn: Callable[[], MetricDefinition]) -> Callable[[], MetricDefinition]:
        made = fn()
        DEFINITIONS[key] = MetricDefinition(
            key=key,
            title=made.title,
            anchor=anchor,
            population=made.population,
            numerator=made.numerator,
            measure=made.measure,
            breakdown=made.breakdown,
            doc=fn.__doc__ or "",
        )
        return fn

    return register


def _odr(fulfillment: str, title: str) -> MetricDefinition:
    return MetricDefinition(
        key="",
        title=title,
        anchor="purchased_at",
        population=f"fulfillment = '{fulfillment}'",
        numerator=_HAS_DEFECT,
        breakdown={
            "claims": (f"has_{CLAIM}", "1"),
            "chargebacks": (f"has_{CHARGEBACK}", "1"),
            "negative_feedback": (f"has_{NEGATIVE_FEEDBACK}", "1"),
        },
    )


@_define("order_defect_rate_mfn", "purchased_at")
def order_defect_rate_mfn() -> MetricDefinition:
    """Order defect rate, seller-fulfilled orders (SP-API ``orderDefectRate.mfn``).

    Rule: merchant orders purchased in the window; an order is defective if, by the end of
    the as-of day, it received negative feedback (rating 1–2, not removed), an A-to-z claim
    that is not denied or withdrawn, or a chargeback that is not reversed. An order with
    several defects counts once; ``claims``, ``chargebacks`` and ``negative_feedback``
    count the orders with each kind. Order-correlated: the purchase date places the order
    in the window, not the date of the defect.

    Amazon (wording as recorded in shared/reference/amazon-account-health.md §3): ODR =
    orders with ≥ 1 defect ÷ orders in the 60-day window, three components (negative
    feedback, A-to-z Guarantee claims, credit card chargebacks), order-correlated; a claim
    counts if it is "not denied"; "An ODR above 1% may result in account deactivation".
    Source: https://sellercentral.amazon.com/gp/help/external/G200285170?language=en_US
    """
    return _odr("merchant", "Order defect rate (seller-fulfilled)")


@_define("order_defect_rate_afn", "purchased_at")
def order_defect_rate_afn() -> MetricDefinition:
    """Order defect rate, marketplace-fulfilled orders (SP-API ``orderDefectRate.afn``).

    Rule: as ``order_defect_rate_mfn``, over orders with ``fulfillment = marketplace``.

    Amazon (reference §3): ODR applies to "seller-fulfilled and FBA (reported separately
    as mfn/afn)"; "An ODR above 1% may result in account deactivation".
    Source: https://sellercentral.amazon.com/gp/help/external/G200285170?language=en_US
    """
    return _odr("marketplace", "Order defect rate (marketplace-fulfilled)")


@_define("pre_fulfillment_cancel_rate", "purchased_at")
def pre_fulfillment_cancel_rate() -> MetricDefinition:
    """Pre-fulfilment cancel rate (SP-API ``preFulfillmentCancellationRate``).

    Rule: merchant orders purchased in the window (7 days); the numerator counts those
    cancelled by the seller or by the system (auto-cancelled for unconfirmed shipment)
    before shipment and by the end of the as-of day. Cancellations by the buyer or the
    marketplace do not count; the order stays in the denominator.

    Amazon (reference §3, paraphrased there): CR includes every seller-initiated order or
    item cancellation and orders auto-cancelled because shipment was not confirmed; it
    excludes cancellations the buyer requests through their account; target < 2.5 % over
    7 days; "may result in deactivation of seller-fulfilled offers".
    Source: https://sellercentral.amazon.ca/gp/help/external/200285210?language=en_CA&ref=efph_200285210_cont_RXAS2XTAYEF77BG
    """
    return MetricDefinition(
        key="",
        title="Pre-fulfilment cancel rate",
        anchor="purchased_at",
        population="fulfillment = 'merchant'",
        numerator=f"cancelled_by IN ('seller', 'system') AND {_CANCELLED_BEFORE_SHIPMENT}",
    )


def _late_shipment(days: int) -> MetricDefinition:
    return MetricDefinition(
        key="",
        title=f"Late shipment rate ({days} days)",
        anchor="ship_by",
        population=f"fulfillment = 'merchant' AND NOT {_CANCELLED_BEFORE_SHIPMENT}",
        numerator=("(shipped_at IS NULL OR shipped_at >= as_of_end OR shipped_at > ship_by)"),
    )


@_define("late_shipment_rate_10d", "ship_by")
def late_shipment_rate_10d() -> MetricDefinition:
    """Late shipment rate over 10 days (SP-API ``lateShipmentRate`` reports the 30-day one).

    Rule: merchant orders whose ``ship_by`` falls in the window and that were not
    cancelled before shipment; late if ship-confirmed after ``ship_by``, or not
    ship-confirmed by the end of the as-of day although ``ship_by`` has passed.

    Amazon (reference §3, paraphrased there): an order is late if ship-confirmation
    happens after the expected ship date; target < 4 % over 10-day and 30-day periods;
    "may result in deactivation of seller-fulfilled offers".
    Source: https://sellercentral.amazon.com.au/gp/help/external/help.html?itemID=200285190&language=en_AU&ref=efph_200285190_relt_201623610
    """
    return _late_shipment(10)


@_define("late_shipment_rate_30d", "ship_by")
def late_shipment_rate_30d() -> MetricDefinition:
    """Late shipment rate over 30 days (SP-API ``lateShipmentRate``).

    Rule: as ``late_shipment_rate_10d`` over a 30-day window.

    Amazon (reference §3, paraphrased there): an order is late if ship-confirmation
    happens after the expected ship date; target < 4 % over 10-day and 30-day periods;
    "may result in deactivation of seller-fulfilled offers".
    Source: https://sellercentral.amazon.com.au/gp/help/external/help.html?itemID=200285190&language=en_AU&ref=efph_200285190_relt_201623610
    """
    return _late_shipment(30)


@_define("valid_tracking_rate", "shipped_at")
def valid_tracking_rate() -> MetricDefinition:
    """Valid tracking rate (SP-API ``validTrackingRate``).

    Rule: merchant orders ship-confirmed in the window (by ``shipped_at``); valid if the
    order has a tracking id and a first carrier scan by the end of the as-of day.

    Amazon (reference §3, paraphrased there): VTR = packages with valid tracking ÷
    confirmed packages; a tracking number is valid only with ≥ 1 physical carrier scan;
    target ≥ 95 % over a rolling 30 days.
    Source: https://sellercentral.amazon.com/gp/help/external/help.html?itemID=202014610&language=en_US&ref=efph_202014610_cont_201817070
    """
    return MetricDefinition(
        key="",
        title="Valid tracking rate",
        anchor="shipped_at",
        population="fulfillment = 'merchant'",
        numerator=(
            "tracking_id IS NOT NULL AND first_scan_at IS NOT NULL AND first_scan_at < as_of_end"
        ),
    )


@_define("on_time_delivery_rate", "deliver_by")
def on_time_delivery_rate() -> MetricDefinition:
    """On-time delivery rate, in units (SP-API ``unitOnTimeDeliveryRate``).

    Rule: merchant orders with a tracking id, ship-confirmed by the end of the as-of day,
    whose ``deliver_by`` falls in the window (14 days ending 7 days before the as-of
    date); counts units: delivered on or before ``deliver_by`` (and by the end of the
    as-of day) ÷ all units. ``tracked_orders`` / ``on_time_orders`` count orders.

    Amazon (reference §3, paraphrased there): OTDR = tracked units delivered on or before
    the promised "Deliver-by" date ÷ tracked units, 14 days lagged 7 days, unit-based;
    ≥ 90 % minimum "without promise extensions" (US, since 2024-09-25).
    Source: https://sellercentral.amazon.com/seller-forums/discussions/t/b7169872-e601-4727-81b8-50362dc1aa5b?postId=266cdc42-fa32-4cf8-9fb6-c9a158ddb09a
    """
    on_time = "delivered_at IS NOT NULL AND delivered_at < as_of_end AND delivered_at <= deliver_by"
    return MetricDefinition(
        key="",
        title="On-time delivery rate (units)",
        anchor="deliver_by",
        population=(
            "fulfillment = 'merchant' AND tracking_id IS NOT NULL "
            "AND shipped_at IS NOT NULL AND shipped_at < as_of_end"
        ),
        numerator=on_time,
        measure="units",
        breakdown={"tracked_orders": ("TRUE", "1"), "on_time_orders": (on_time, "1")},
    )


BREAKDOWNS: tuple[str, ...] = tuple(
    dict.fromkeys(name for d in DEFINITIONS.values() for name in d.breakdown)
)


#: Each metric's name for people (message ids; the tests check every definition has one).
METRIC_NAMES: dict[str, str] = {
    "order_defect_rate_mfn": N_("metric.order_defect_rate_mfn"),
    "order_defect_rate_afn": N_("metric.order_defect_rate_afn"),
    "pre_fulfillment_cancel_rate": N_("metric.pre_fulfillment_cancel_rate"),
    "late_shipment_rate_10d": N_("metric.late_shipment_rate_10d"),
    "late_shipment_rate_30d": N_("metric.late_shipment_rate_30d"),
    "valid_tracking_rate": N_("metric.valid_tracking_rate"),
    "on_time_delivery_rate": N_("metric.on_time_delivery_rate"),
}


@dataclass(frozen=True)
class Target:
    """One version of a metric's target, window and lag."""

    metric: str
    effective_from: date
    window_days: int
    lag_days: int
    condition: Condition
    inclusive: bool
    value: float
    source: str

    def status(self, rate: float | None) -> str:
        """GOOD or BAD for a rate, NONE when there was nothing to measure."""
        if rate is None:
            return "NONE"
        if self.condition == "LESS_THAN":
            good = rate < self.value
        else:
            good = rate >= self.value if self.inclusive else rate > self.value
        return "GOOD" if good else "BAD"


def load_targets(text: str | None = None) -> list[Target]:
    """Parse ``targets.toml`` (the packaged one unless ``text`` is given)."""
    if text is None:
        text = resources.files("kenzen.metrics").joinpath("targets.toml").read_text("utf-8")
    entries = tomllib.loads(text)["target"]
    targets = [Target(**entry) for entry in entries]
    for t in targets:
        if t.metric not in DEFINITIONS:
            raise ValueError(f"targets.toml: unknown metric {t.metric!r}")
        if t.condition not in ("LESS_THAN", "GREATER_THAN"):
            raise ValueError(f"targets.toml: {t.metric}: unknown condition {t.condition!r}")
    return targets


def targets_for(as_of: date, targets: list[Target] | None = None) -> dict[str, Target]:
    """The target in force on ``as_of`` for every metric."""
    chosen: dict[str, Target] = {}
    for t in sorted(
        targets if targets is not None else load_targets(), key=lambda t: t.effective_from
    ):
        if t.effective_from <= as_of:
            chosen[t.metric] = t
    missing = sorted(set(DEFINITIONS) - set(chosen))
    if missing:
        raise ValueError(f"no target in force on {as_of} for {', '.join(missing)}")
    return chosen
