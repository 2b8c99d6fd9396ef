"""Each rule of the default policy, the strongest-status rule and the legal transitions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pytest

from kenzen.errors import InvalidInput
from kenzen.metrics.values import MetricValue
from kenzen.policy.cel import MetricStatus
from kenzen.policy.decide import Decision, decide, metric_statuses
from kenzen.policy.document import ActionKind, Band, Policy, parse_policy
from kenzen.sellers.status import AccountStatus
from tests.policy.conftest import edit

IP = "receivedIntellectualPropertyComplaints"
NORMAL, AT_RISK, DEACTIVATED = (
    AccountStatus.NORMAL,
    AccountStatus.AT_RISK,
    AccountStatus.DEACTIVATED,
)
W, R = ActionKind.WARN, ActionKind.RESTRICT_MERCHANT_LISTINGS
SET_AT_RISK, DEACTIVATE = ActionKind.SET_AT_RISK, ActionKind.DEACTIVATE


def run(
    policy: Policy,
    *,
    status: AccountStatus = NORMAL,
    bad: Mapping[str, float] | None = None,
    counts: Mapping[str, int] | None = None,
    rating: int = 250,
) -> Decision:
    metrics = {key: MetricStatus("BAD", rate) for key, rate in (bad or {}).items()}
    return decide(
        policy, account_status=status, metrics=metrics, counts=counts or {}, rating=rating
    )


def kinds(d: Decision) -> list[tuple[ActionKind, str]]:
    return [(a.kind, a.rule) for a in d.actions]


def test_a_healthy_seller_needs_nothing(policy: Policy) -> None:
    good = {
        "order_defect_rate_mfn": MetricStatus("GOOD", 0.001),
        "valid_tracking_rate": MetricStatus("NONE"),
    }
    d = decide(policy, account_status=NORMAL, metrics=good, counts={}, rating=200)
    assert d.actions == ()
    assert (d.demanded_status, d.band, d.policy_version) == (NORMAL, Band.HEALTHY, policy.version)


def test_odr_bad_sets_at_risk_and_warns(policy: Policy) -> None:
    d = run(policy, bad={"order_defect_rate_mfn": 0.0312})
    assert kinds(d) == [
        (W, "metrics.order_defect_rate_mfn"),
        (SET_AT_RISK, "metrics.order_defect_rate_mfn"),
    ]
    at_risk = d.actions[1]
    assert at_risk.status is AT_RISK
    (ev,) = at_risk.evidence
    assert ev.detail == "order_defect_rate_mfn is BAD (rate 0.0312)"
    assert ev.facts == {"metric": "order_defect_rate_mfn", "rate": 0.0312}
    assert d.demanded_status is AT_RISK


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("late_shipment_rate_30d", [W, R]),
        ("late_shipment_rate_10d", [W]),
        ("pre_fulfillment_cancel_rate", [W, R]),
        ("valid_tracking_rate", [W, R]),
        ("on_time_delivery_rate", [W]),
        ("order_defect_rate_afn", [W, SET_AT_RISK]),
    ],
)
def test_each_metric_rule(policy: Policy, metric: str, expected: list[ActionKind]) -> None:
    d = run(policy, bad={metric: 0.5})
    assert kinds(d) == [(k, f"metrics.{metric}") for k in expected]


def test_at_risk_band(policy: Policy) -> None:
    d = run(policy, rating=150)
    assert kinds(d) == [(W, "rating.bands.AT_RISK"), (SET_AT_RISK, "rating.bands.AT_RISK")]
    assert d.actions[1].evidence[0].facts == {"rating": 150}
    assert d.band is Band.AT_RISK


def test_unhealthy_band_deactivates_and_supersedes_warnings(policy: Policy) -> None:
    d = run(policy, rating=99, bad={"late_shipment_rate_30d": 0.2})
    assert kinds(d) == [(DEACTIVATE, "rating.bands.UNHEALTHY")]
    assert d.actions[0].status is DEACTIVATED


@pytest.mark.parametrize(
    ("category", "cap", "at_least"),
    [
        (IP, "caps.ip_complaints", 5),
        ("restrictedProductPolicyViolations", "caps.restricted_products", 2),
    ],
)
def test_hard_caps_ignore_the_rating(
    policy: Policy, category: str, cap: str, at_least: int
) -> None:
    assert DEACTIVATE not in [a.kind for a in run(policy, counts={category: at_least - 1}).actions]
    d = run(policy, counts={category: at_least}, rating=900)
    assert kinds(d) == [(DEACTIVATE, cap)]
    assert d.actions[0].evidence[0].facts == {
        "category": category,
        "count": at_least,
        "at_least": at_least,
    }


def test_default_cel_rule(policy: Policy) -> None:
    d = run(policy, counts={IP: 1, "suspectedIntellectualPropertyViolations": 1}, rating=210)
    assert kinds(d) == [
        (W, "rules.received_and_suspected_ip"),
        (SET_AT_RISK, "rules.received_and_suspected_ip"),
    ]
    assert run(policy, counts={IP: 1}).actions == ()


def test_cel_rule_over_metrics_and_counts(default_text: str) -> None:
    when = (
        "metrics.order_defect_rate_mfn.rate > 0.02"
        " && counts.receivedIntellectualPropertyComplaints >= 1"
    )
    default_rule = (
        '"counts.receivedIntellectualPropertyComplaints >= 1 && '
        'counts.suspectedIntellectualPropertyViolations >= 1"\nactions = ["SET_AT_RISK", "WARN"]'
    )
    text = edit(default_text, default_rule, f'"{when}"\nactions = ["DEACTIVATE"]')
    policy = parse_policy(text)
    d = run(policy, bad={"order_defect_rate_mfn": 0.03}, counts={IP: 1})
    assert [a.kind for a in d.actions] == [DEACTIVATE]
    assert d.actions[0].evidence[0].rule == "rules.received_and_suspected_ip"
    assert d.actions[0].evidence[0].facts == {"when": when}
    # the rule does not hold at 2 %: ODR BAD still demands AT_RISK
    d = run(policy, bad={"order_defect_rate_mfn": 0.02}, counts={IP: 1})
    assert [a.kind for a in d.actions] == [W, SET_AT_RISK]


def test_the_strongest_status_wins_with_all_its_causes(policy: Policy) -> None:
    d = run(
        policy,
        bad={"order_defect_rate_mfn": 0.05},
        counts={IP: 5, "restrictedProductPolicyViolations": 2},
        rating=50,
    )
    assert kinds(d) == [(DEACTIVATE, "caps.ip_complaints")]
    rules = [ev.rule for ev in d.actions[0].evidence]
    assert rules == ["caps.ip_complaints", "caps.restricted_products", "rating.bands.UNHEALTHY"]


def test_never_an_illegal_transition(policy: Policy) -> None:
    # already deactivated: no AT_RISK, no second deactivation, no warnings
    d = run(policy, status=DEACTIVATED, bad={"order_defect_rate_mfn": 0.05}, rating=150)
    assert d.actions == ()
    assert d.demanded_status is AT_RISK
    assert run(policy, status=DEACTIVATED, counts={IP: 5}).actions == ()
    # already at risk: the warning stays, the status does not change again
    d = run(policy, status=AT_RISK, bad={"order_defect_rate_mfn": 0.05})
    assert kinds(d) == [(W, "metrics.order_defect_rate_mfn")]
    # at risk → deactivated is legal
    assert kinds(run(policy, status=AT_RISK, counts={IP: 5})) == [
        (DEACTIVATE, "caps.ip_complaints")
    ]


def test_deterministic_and_idempotent(policy: Policy) -> None:
    bad = {"late_shipment_rate_30d": 0.1, "order_defect_rate_mfn": 0.05, "valid_tracking_rate": 0.5}
    first = run(policy, bad=bad, rating=150)
    again = run(policy, bad=dict(reversed(bad.items())), rating=150)
    assert first == again
    assert [a.kind for a in first.actions] == [W, W, W, W, R, R, SET_AT_RISK]
    assert [a.rule for a in first.actions][:4] == sorted(a.rule for a in first.actions[:4])


def test_a_metric_can_count_as_a_violation(default_text: str) -> None:
    text = edit(
        default_text,
        '[metrics.valid_tracking_rate]\non_bad = ["WARN", "RESTRICT_MERCHANT_LISTINGS"]',
        '[metrics.valid_tracking_rate]\non_bad = []\ncounts_as = "otherPolicyViolations"',
    )
    d = run(parse_policy(text), bad={"valid_tracking_rate": 0.8})
    assert [(a.kind, a.category) for a in d.actions] == [
        (ActionKind.RECORD_VIOLATION, "otherPolicyViolations")
    ]


def test_unknown_counts_are_rejected(policy: Policy) -> None:
    with pytest.raises(InvalidInput, match=r"counts: unknown category.*ipComplaints"):
        run(policy, counts={"ipComplaints": 1})


def test_metric_statuses_adapts_metric_values() -> None:
    def value(metric: str, status: str, rate: float | None) -> MetricValue:
        day = date(2025, 6, 30)
        return MetricValue(
            "S1", "JP", metric, day, day, day, 1, 10, rate, status, 0.01, "LESS_THAN", False, {}
        )

    got = metric_statuses(
        [value("order_defect_rate_mfn", "BAD", 0.1), value("valid_tracking_rate", "NONE", None)]
    )
    assert got == {
        "order_defect_rate_mfn": MetricStatus("BAD", 0.1),
        "valid_tracking_rate": MetricStatus("NONE", None),
    }
    with pytest.raises(InvalidInput, match="unknown status 'UGLY'"):
        metric_statuses([value("order_defect_rate_mfn", "UGLY", 0.1)])
