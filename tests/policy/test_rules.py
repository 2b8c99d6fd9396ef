"""Rule names: built and read back by the policy alone."""

from __future__ import annotations

import pytest

from kenzen.policy.rules import RuleKind, RuleRef, parse_rule


@pytest.mark.parametrize(
    ("name", "kind", "key", "account_wide", "metric"),
    [
        ("caps.ip_complaints", RuleKind.CAP, "ip_complaints", True, None),
        ("rating.bands.UNHEALTHY", RuleKind.BAND, "UNHEALTHY", True, None),
        ("rules.repeat_ip", RuleKind.CEL, "repeat_ip", True, None),
        (
            "metrics.order_defect_rate",
            RuleKind.METRIC,
            "order_defect_rate",
            False,
            "order_defect_rate",
        ),
        (
            "violations.listingPolicyViolations",
            RuleKind.VIOLATION,
            "listingPolicyViolations",
            False,
            None,
        ),
    ],
)
def test_a_rule_name_reads_back_as_what_built_it(
    name: str, kind: RuleKind, key: str, account_wide: bool, metric: str | None
) -> None:
    rule = parse_rule(name)
    assert rule == RuleRef(kind, key)
    assert str(rule) == name
    assert (rule.account_wide, rule.metric) == (account_wide, metric)


@pytest.mark.parametrize("name", [None, "complaint:12", "brand-screening", "caps.", "capsule.x"])
def test_other_topics_are_not_rules(name: str | None) -> None:
    assert parse_rule(name) is None
