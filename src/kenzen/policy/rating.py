"""The Account Health Rating (0–1000), computed as a list of contributions.

The rating is never stored as a bare number: it is the sum of its lines, so Account Health
Support can show the seller every point and its cause, and ``what_if`` answers "what if I
fixed these?" with the same arithmetic.

Formula (constants from the policy's ``[rating]`` and ``[violations.*]``)::

    counted  = violations with status ACTIVE and as_of - memory_days < occurred_at <= as_of
    cost(v)  = round_half_up(points × repeat_multiplier^(n - 1))
               where v is the n-th counted violation of its category (by occurred_at, id)
    raw      = start + order_bonus_points × (fulfilled_orders // order_bonus_per)
               - Σ cost(v)
    floored  = max(raw, floor_without_violations) if nothing is counted, else raw
    rating   = clamp(floored, minimum, maximum)

A violation exactly ``memory_days`` old has expired. RESOLVED (an accepted appeal, a
retracted complaint), DISMISSED and EXPIRED violations count nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from kenzen.errors import InvalidInput
from kenzen.i18n import N_, Message
from kenzen.policy.document import Band, Policy

ViolationStatus = Literal["ACTIVE", "RESOLVED", "DISMISSED", "EXPIRED"]
Cause = Literal["start", "orders", "violation", "floor", "clamp"]
AhrStatus = Literal["GREAT", "WARNED"]


@dataclass(frozen=True)
class ViolationFact:
    """What the rating needs to know about one violation."""

    id: str
    category: str
    occurred_at: datetime
    status: ViolationStatus


@dataclass(frozen=True)
class Contribution:
    """One line of the rating: its points and what caused them."""

    points: int
    cause: Cause
    text: Message
    """The line in words, for the reader's language (never a category's id)."""
    violation_id: str | None = None
    category: str | None = None
    occurred_at: datetime | None = None
    repeat: int | None = None


@dataclass(frozen=True)
class Rating:
    value: int
    band: Band
    lines: tuple[Contribution, ...]
    policy_version: str

    @property
    def ahr_status(self) -> AhrStatus:
        return ahr_status(self.band)


def ahr_status(band: Band) -> AhrStatus:
    """SP-API ``accountHealthRating.ahrStatus``: ``GREAT`` when healthy, else ``WARNED``."""
    return "GREAT" if band is Band.HEALTHY else "WARNED"


def _check_instant(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(N_("error.policy.must_time_zone_aware"), name=name)


def counted(
    policy: Policy, violations: Iterable[ViolationFact], as_of: datetime
) -> list[ViolationFact]:
    """The violations that count on ``as_of``, oldest first (ties by id)."""
    _check_instant("as_of", as_of)
    chosen = []
    for v in violations:
        category = policy.violations.get(v.category)
        if category is None:
            raise InvalidInput(
                N_("error.policy.violation_unknown_category"),
                violation_id=v.id,
                category=v.category,
            )
        _check_instant(f"violation {v.id}: occurred_at", v.occurred_at)
        memory = timedelta(days=category.memory_days)
        if v.status == "ACTIVE" and as_of - memory < v.occurred_at <= as_of:
            chosen.append(v)
    return sorted(chosen, key=lambda v: (v.occurred_at, v.id))


def active_counts(
    policy: Policy, violations: Iterable[ViolationFact], as_of: datetime
) -> dict[str, int]:
    """Counted violations per category, every category present (the policy counters)."""
    counts = dict.fromkeys(policy.violations, 0)
    for v in counted(policy, violations, as_of):
        counts[v.category] += 1
    return counts


def _cost(points: int, multiplier: Decimal, repeat: int) -> int:
    exact = Decimal(points) * multiplier ** (repeat - 1)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def compute_rating(
    policy: Policy,
    violations: Iterable[ViolationFact],
    *,
    fulfilled_orders: int,
    as_of: datetime,
) -> Rating:
    """The rating on ``as_of``; ``fulfilled_orders`` counts the last ``order_window_days``."""
    if fulfilled_orders < 0:
        raise InvalidInput(N_("error.policy.fulfilled_orders_must_0"))
    rules = policy.rating
    lines = [Contribution(rules.start, "start", Message(N_("rating.start")))]
    bonus = rules.order_bonus_points * (fulfilled_orders // rules.order_bonus_per)
    if bonus:
        said = Message(
            N_("rating.orders"),
            {
                "orders": fulfilled_orders,
                "days": rules.order_window_days,
                "points": rules.order_bonus_points,
                "per": rules.order_bonus_per,
            },
        )
        lines.append(Contribution(bonus, "orders", said))
    seen: dict[str, int] = defaultdict(int)
    active = counted(policy, violations, as_of)
    for v in active:
        category = policy.violations[v.category]
        seen[v.category] += 1
        n = seen[v.category]
        cost = _cost(category.points, category.repeat_multiplier, n)
        if cost:
            lines.append(
                Contribution(
                    -cost,
                    "violation",
                    Message(
                        N_("rating.violation"),
                        {
                            "id": v.id,
                            "category": {str(lang): t.title for lang, t in category.text.items()},
                            "date": v.occurred_at.date().isoformat(),
                            "repeat": n,
                            "points": category.points,
                            "multiplier": str(category.repeat_multiplier),
                            "power": n - 1,
                        },
                    ),
                    violation_id=v.id,
                    category=v.category,
                    occurred_at=v.occurred_at,
                    repeat=n,
                )
            )
    total = sum(line.points for line in lines)
    if not active and total < rules.floor_without_violations:
        lines.append(
            Contribution(
                rules.floor_without_violations - total,
                "floor",
                Message(N_("rating.floor"), {"floor": rules.floor_without_violations}),
            )
        )
        total = rules.floor_without_violations
    bounded = min(max(total, rules.minimum), rules.maximum)
    if bounded != total:
        lines.append(
            Contribution(
                bounded - total,
                "clamp",
                Message(N_("rating.clamp"), {"minimum": rules.minimum, "maximum": rules.maximum}),
            )
        )
    return Rating(
        value=bounded,
        band=policy.band_for(bounded),
        lines=tuple(lines),
        policy_version=policy.version,
    )


def explain(
    policy: Policy,
    violations: Iterable[ViolationFact],
    *,
    fulfilled_orders: int,
    as_of: datetime,
) -> tuple[Contribution, ...]:
    """Every contribution with its cause; the points sum exactly to the rating."""
    return compute_rating(policy, violations, fulfilled_orders=fulfilled_orders, as_of=as_of).lines


def what_if(
    policy: Policy,
    violations: Iterable[ViolationFact],
    *,
    fulfilled_orders: int,
    as_of: datetime,
    resolved: Collection[str],
) -> Rating:
    """The rating if the violations ``resolved`` (by id) were resolved."""
    facts = list(violations)
    unknown = sorted(set(resolved) - {v.id for v in facts})
    if unknown:
        raise InvalidInput(
            N_("error.policy.resolved_unknown_violation_id"), unknown=", ".join(unknown)
        )
    changed = [
        ViolationFact(v.id, v.category, v.occurred_at, "RESOLVED") if v.id in resolved else v
        for v in facts
    ]
    return compute_rating(policy, changed, fulfilled_orders=fulfilled_orders, as_of=as_of)
