"""The rating against hand-computed cases (default policy: IP complaint 8 points × 1.5^(n−1),
listing policy 4 × 1.25^(n−1), start 200, +4 per 200 orders, bands 200 / 100)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kenzen.errors import InvalidInput
from kenzen.policy.document import Band, Policy, parse_policy
from kenzen.policy.rating import (
    Rating,
    ViolationFact,
    ViolationStatus,
    active_counts,
    ahr_status,
    compute_rating,
    explain,
    what_if,
)
from tests.policy.conftest import edit

AS_OF = datetime(2025, 6, 30, 12, tzinfo=UTC)
IP = "receivedIntellectualPropertyComplaints"
LISTING = "listingPolicyViolations"


def v(
    id: str, category: str = IP, days_ago: float = 10, status: ViolationStatus = "ACTIVE"
) -> ViolationFact:
    return ViolationFact(id, category, AS_OF - timedelta(days=days_ago), status)


def rate(policy: Policy, violations: list[ViolationFact], orders: int = 0) -> Rating:
    r = compute_rating(policy, violations, fulfilled_orders=orders, as_of=AS_OF)
    assert sum(line.points for line in r.lines) == r.value  # explain always adds up
    assert r.lines == explain(policy, violations, fulfilled_orders=orders, as_of=AS_OF)
    return r


def test_a_new_seller_starts_at_200(policy: Policy) -> None:
    r = rate(policy, [])
    assert (r.value, r.band, r.ahr_status) == (200, Band.HEALTHY, "GREAT")
    assert [(line.cause, line.points) for line in r.lines] == [("start", 200)]
    assert r.policy_version == policy.version


@pytest.mark.parametrize(("orders", "expected"), [(199, 200), (200, 204), (450, 208), (0, 200)])
def test_four_points_per_200_orders(policy: Policy, orders: int, expected: int) -> None:
    r = rate(policy, [], orders)
    assert r.value == expected
    if expected > 200:
        assert r.lines[1].cause == "orders"
        assert "orders fulfilled" in r.lines[1].text.render("en")


def test_one_violation_costs_its_points(policy: Policy) -> None:
    r = rate(policy, [v("V1")], 450)
    assert r.value == 200 + 8 - 8
    line = r.lines[-1]
    assert (line.points, line.cause, line.violation_id, line.category, line.repeat) == (
        -8,
        "violation",
        "V1",
        IP,
        1,
    )
    assert line.occurred_at == AS_OF - timedelta(days=10)
    assert "V1" in line.text.render("en")
    assert "2025-06-20" in line.text.render("ja")


def test_repeats_cost_more(policy: Policy) -> None:
    # 8, 12, 18, 27, 40.5 → 41 (half up)
    facts = [v(f"V{i}", days_ago=100 - i) for i in range(1, 6)]
    r = rate(policy, facts)
    assert [line.points for line in r.lines if line.cause == "violation"] == [
        -8,
        -12,
        -18,
        -27,
        -41,
    ]
    assert r.value == 200 - 106
    assert (r.band, r.ahr_status) == (Band.UNHEALTHY, "WARNED")


def test_repeats_count_per_category_in_date_order(policy: Policy) -> None:
    # listing policy: 4, 5, 6.25 → 6; the IP complaint is the first of its own category
    facts = [v("L3", LISTING, 1), v("L1", LISTING, 30), v("I1", IP, 20), v("L2", LISTING, 20)]
    r = rate(policy, facts)
    costs = {line.violation_id: (line.points, line.repeat) for line in r.lines if line.violation_id}
    assert costs == {"L1": (-4, 1), "L2": (-5, 2), "L3": (-6, 3), "I1": (-8, 1)}
    assert r.value == 200 - 23
    assert r.band is Band.AT_RISK


def test_expiry_at_exactly_180_days(policy: Policy) -> None:
    assert rate(policy, [v("OLD", days_ago=180)]).value == 200
    just_inside = ViolationFact(
        "NEW", IP, AS_OF - timedelta(days=180) + timedelta(seconds=1), "ACTIVE"
    )
    assert rate(policy, [just_inside]).value == 192
    # an expired violation does not make the next one a repeat
    r = rate(policy, [v("OLD", days_ago=200), v("NEW", days_ago=1)])
    assert [line.repeat for line in r.lines if line.cause == "violation"] == [1]


def test_only_active_violations_count(policy: Policy) -> None:
    facts = [v("R", status="RESOLVED"), v("D", status="DISMISSED"), v("E", status="EXPIRED")]
    assert rate(policy, facts).value == 200
    future = ViolationFact("F", IP, AS_OF + timedelta(hours=1), "ACTIVE")
    assert rate(policy, [future]).value == 200


def test_never_below_200_without_violations(default_text: str) -> None:
    low_start = parse_policy(edit(default_text, "start = 200 ", "start = 150 "))
    r = rate(low_start, [])
    assert r.value == 200
    assert [(line.cause, line.points) for line in r.lines] == [("start", 150), ("floor", 50)]
    # with a violation the floor no longer holds
    assert rate(low_start, [v("V1")]).value == 142


def test_the_default_floor_holds_as_orders_fall(policy: Policy) -> None:
    assert rate(policy, [], 1000).value == 220
    assert rate(policy, [], 0).value == 200
    assert rate(policy, [v("V1")], 0).value == 192


def test_retraction_gives_the_points_back(policy: Policy) -> None:
    facts = [v("V1", days_ago=20), v("V2", days_ago=10)]
    assert rate(policy, facts).value == 200 - 8 - 12
    after = what_if(policy, facts, fulfilled_orders=0, as_of=AS_OF, resolved=["V1"])
    # V2 becomes the first of its category again: 8 points, not 12
    assert after.value == 192
    assert [(line.violation_id, line.points) for line in after.lines[1:]] == [("V2", -8)]
    retracted = [ViolationFact("V1", IP, facts[0].occurred_at, "RESOLVED"), facts[1]]
    assert rate(policy, retracted) == after
    everything = what_if(policy, facts, fulfilled_orders=0, as_of=AS_OF, resolved={"V1", "V2"})
    assert (everything.value, everything.band) == (200, Band.HEALTHY)


def test_what_if_rejects_unknown_ids(policy: Policy) -> None:
    with pytest.raises(InvalidInput, match=r"resolved: unknown violation id.*NOPE"):
        what_if(policy, [v("V1")], fulfilled_orders=0, as_of=AS_OF, resolved=["NOPE"])


def test_clamped_to_0_and_1000(policy: Policy) -> None:
    high = rate(policy, [], 60_000)  # 200 + 1200
    assert high.value == 1000
    assert [(line.cause, line.points) for line in high.lines] == [
        ("start", 200),
        ("orders", 1200),
        ("clamp", -400),
    ]
    many = [v(f"R{i:02}", "restrictedProductPolicyViolations", days_ago=50 - i) for i in range(10)]
    low = rate(policy, many)
    assert low.value == 0
    assert low.lines[-1].cause == "clamp"
    costs = [-line.points for line in low.lines if line.cause == "violation"]
    # 8 × 1.5^(n−1), each rounded half up: 40.5 → 41, 60.75 → 61, 91.125 → 91, …
    assert costs == [8, 12, 18, 27, 41, 61, 91, 137, 205, 308]
    assert low.lines[-1].points == sum(costs) - 200


def test_active_counts_cover_every_category(policy: Policy) -> None:
    counts = active_counts(
        policy, [v("A"), v("B"), v("C", LISTING), v("D", status="RESOLVED")], AS_OF
    )
    assert counts[IP] == 2
    assert counts[LISTING] == 1
    assert set(counts) == set(policy.violations)
    assert sum(counts.values()) == 3


def test_ahr_status() -> None:
    assert ahr_status(Band.HEALTHY) == "GREAT"
    assert ahr_status(Band.AT_RISK) == "WARNED"
    assert ahr_status(Band.UNHEALTHY) == "WARNED"


def test_bad_inputs(policy: Policy) -> None:
    with pytest.raises(InvalidInput, match="unknown category 'ipComplaint'"):
        rate(policy, [v("V1", "ipComplaint")])
    naive = ViolationFact("V1", IP, datetime(2025, 6, 1), "ACTIVE")
    with pytest.raises(InvalidInput, match="occurred_at: must be time-zone aware"):
        rate(policy, [naive])
    with pytest.raises(InvalidInput, match="fulfilled_orders"):
        rate(policy, [], -1)


def test_the_worked_example_of_docs_policy_md(policy: Policy) -> None:
    def at(
        id: str, category: str, day: datetime, status: ViolationStatus = "ACTIVE"
    ) -> ViolationFact:
        return ViolationFact(id, category, day, status)

    as_of = datetime(2025, 6, 30, tzinfo=UTC)
    facts = [
        at("V1", IP, datetime(2025, 3, 1, tzinfo=UTC)),
        at("V2", IP, datetime(2025, 5, 1, tzinfo=UTC)),
        at("V3", IP, datetime(2025, 6, 1, tzinfo=UTC)),
        at("L1", LISTING, datetime(2025, 6, 10, tzinfo=UTC)),
        at("V0", IP, datetime(2024, 12, 1, tzinfo=UTC)),
        at("R1", IP, datetime(2025, 6, 2, tzinfo=UTC), "RESOLVED"),
    ]
    r = compute_rating(policy, facts, fulfilled_orders=450, as_of=as_of)
    assert [line.points for line in r.lines] == [200, 8, -8, -12, -18, -4]
    assert (r.value, r.band, r.ahr_status) == (166, Band.AT_RISK, "WARNED")
    one = what_if(policy, facts, fulfilled_orders=450, as_of=as_of, resolved=["V1"])
    assert one.value == 184
    every = what_if(
        policy, facts, fulfilled_orders=450, as_of=as_of, resolved=["V1", "V2", "V3", "L1"]
    )
    assert (every.value, every.band) == (208, Band.HEALTHY)
