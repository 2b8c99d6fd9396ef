from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from kenzen.errors import InvalidInput
from kenzen.i18n import Message
from kenzen.metrics.definitions import DEFINITIONS
from kenzen.metrics.report import POLICY_COUNTERS
from kenzen.policy.document import (
    CATEGORIES,
    ActionKind,
    Band,
    Policy,
    Severity,
    load_policy,
    parse_policy,
)
from tests.policy.conftest import edit

IP = "receivedIntellectualPropertyComplaints"


def test_default_policy_covers_every_metric_and_category(policy: Policy) -> None:
    assert set(policy.document.metrics) == set(DEFINITIONS)
    assert set(policy.violations) == set(CATEGORIES)
    assert set(POLICY_COUNTERS) < set(CATEGORIES)
    assert len(CATEGORIES) == 12
    for category in policy.violations.values():
        assert category.memory_days == 180
        assert {"ja", "en"} == set(category.text)


def test_default_policy_holds_the_documented_defaults(policy: Policy) -> None:
    r = policy.rating
    assert (r.start, r.order_bonus_points, r.order_bonus_per, r.order_window_days) == (
        200,
        4,
        200,
        180,
    )
    assert [policy.band_for(v) for v in (200, 199, 100, 99, 0)] == [
        Band.HEALTHY,
        Band.AT_RISK,
        Band.AT_RISK,
        Band.UNHEALTHY,
        Band.UNHEALTHY,
    ]
    assert policy.band_rule(Band.UNHEALTHY).actions == ("DEACTIVATE",)
    caps = {(c.category, c.at_least, c.actions) for c in policy.document.caps.values()}
    assert caps == {
        (IP, 5, ("DEACTIVATE",)),
        ("restrictedProductPolicyViolations", 2, ("DEACTIVATE",)),
    }
    odr = policy.document.metrics["order_defect_rate_mfn"]
    assert set(odr.on_bad) == {ActionKind.SET_AT_RISK, ActionKind.WARN}
    assert "RESTRICT_MERCHANT_LISTINGS" in policy.document.metrics["late_shipment_rate_30d"].on_bad
    ip = policy.violations[IP]
    assert ip.severity is Severity.CRITICAL
    assert ip.suppresses_listing
    callbacks = policy.document.callbacks
    assert (callbacks.open_per_case, callbacks.open_per_seller) == (1, 2)


def test_version_is_the_content_hash(default_text: str, policy: Policy) -> None:
    assert policy.version == hashlib.sha256(default_text.encode("utf-8")).hexdigest()
    assert policy.short_version == policy.version[:12]
    changed = parse_policy(default_text + "\n# a comment\n")
    assert changed.version != policy.version


def test_load_from_a_path(tmp_path: Path, default_text: str) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(default_text, encoding="utf-8")
    assert load_policy(path).version == load_policy().version
    assert load_policy(str(path)).version == load_policy().version


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"cannot read .*nope\.toml"):
        load_policy(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "points = 8\nrepeat_multiplier = 1.5\nsuppresses_listing = true\n"
            f"[violations.{IP}.text.en]",
            "points = -1\nrepeat_multiplier = 1.5\nsuppresses_listing = true\n"
            f"[violations.{IP}.text.en]",
            f"violations.{IP}.points: Input should be greater than or equal to 0",
        ),
        (
            "[caps.ip_complaints]\n",
            "[caps.ip_complaints]\nwithin = 3\n",
            "caps.ip_complaints.within: Extra inputs are not permitted",
        ),
        (
            'severity = "low"\npoints = 0',
            'severity = "trivial"\npoints = 0',
            "violations.policyWarnings.severity: Input should be 'critical', 'high'",
        ),
        (
            "[violations.policyWarnings.text.ja]",
            "[violations.policyWarnings.text.fr]",
            "violations.policyWarnings.text.fr: Input should be 'ja' or 'en'",
        ),
        (
            'on_bad = ["SET_AT_RISK", "WARN"]\n\n[metrics.order_defect_rate_afn]',
            'on_bad = ["SUSPEND"]\n\n[metrics.order_defect_rate_afn]',
            "metrics.order_defect_rate_mfn.on_bad.0: Input should be 'WARN'",
        ),
        (
            "[metrics.valid_tracking_rate]",
            "[metrics.valid_tracking_ratio]",
            "metrics: unknown metric(s) valid_tracking_ratio",
        ),
        (
            'category = "restrictedProductPolicyViolations"',
            'category = "restrictedProducts"',
            "caps.restricted_products: category: unknown violation category",
        ),
        (
            'title = { ja = "制限対象商品の違反が上限に達しました", en = ',
            'title = { ja = "制限対象商品の違反が上限に達しました", fr = ',
            "caps.restricted_products.title.fr: Input should be 'ja' or 'en'",
        ),
        (
            'title = { ja = "制限対象商品の違反が上限に達しました", en = "Limit of restricted '
            'product violations reached" }',
            'title = { ja = "制限対象商品の違反が上限に達しました" }',
            "caps.restricted_products.title: missing language(s) en",
        ),
        (
            "[rating.bands.AT_RISK]\nmin = 100",
            "[rating.bands.AT_RISK]\nmin = 250",
            "rating: bands: need HEALTHY.min > AT_RISK.min",
        ),
        (
            "open_per_seller = 2",
            "open_per_seller = 0",
            "callbacks.open_per_seller: Input should be greater than or equal to 1",
        ),
        (
            "max_days_below = 10",
            "max_days_below = 180",
            "assurance: max_days_below: must be less than window_days",
        ),
        (
            "min_rating = 250",
            "min_rating = 1001",
            "assurance.min_rating: must lie between the rating's minimum and maximum",
        ),
        (
            "response_hours = 72",
            "response_hours = 0",
            "assurance.response_hours: Input should be greater than 0",
        ),
        (
            'bypass_categories = ["productSafetyCustomerComplaints", "foodAndProductSafetyIssues"]',
            'bypass_categories = ["fraud"]',
            "assurance: bypass_categories: unknown violation category(ies) fraud",
        ),
        (
            "require_emergency_phone = true",
            "require_emergency_phone = true\nphone = true",
            "assurance.phone: Extra inputs are not permitted",
        ),
        (
            "repeat_multiplier = 1\n",
            "repeat_multiplier = 0.5\n",
            "violations.policyWarnings.repeat_multiplier: Input should be greater than or equal",
        ),
    ],
)
def test_invalid_policy_names_key_and_reason(
    default_text: str, old: str, new: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=r"^policy: ") as caught:
        parse_policy(edit(default_text, old, new))
    assert message in caught.value.message


def test_missing_category_and_language_are_load_errors(default_text: str) -> None:
    start = default_text.index("[violations.documentRequests]")
    end = default_text.index("[violations.customerProductReviewsPolicyViolations]")
    with pytest.raises(InvalidInput, match=r"violations: missing category.*documentRequests"):
        parse_policy(default_text[:start] + default_text[end:])
    start = default_text.index("[violations.policyWarnings.text.ja]")
    with pytest.raises(InvalidInput, match=r"violations\.policyWarnings: text: missing .*ja"):
        parse_policy(default_text[:start])


def test_not_toml_is_a_load_error() -> None:
    with pytest.raises(InvalidInput, match="policy: not valid TOML"):
        parse_policy("[rating\n")


RULE = '[rules.received_and_suspected_ip]\nwhen = "{}"'
DEFAULT_WHEN = (
    "counts.receivedIntellectualPropertyComplaints >= 1 && "
    "counts.suspectedIntellectualPropertyViolations >= 1"
)


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ("counts.receivedIntellectualPropertyComplaints >=", "not valid CEL"),
        ("metrics.order_defect_rate.rate > 0.01", "unknown name(s) order_defect_rate"),
        ("counts.ipComplaints >= 1 || rating < 0", "unknown name(s) ipComplaints"),
        ("rating + 1", "must be a boolean condition"),
        ("sellers.size() > 0", "evaluation failed"),
        ("counts.documentRequests / counts.otherPolicyViolations > 1", "evaluation failed"),
        ("counts.documentRequests >= 1.0", "evaluation failed"),
    ],
)
def test_a_broken_cel_rule_fails_the_load_naming_the_rule(
    default_text: str, when: str, message: str
) -> None:
    text = edit(default_text, RULE.format(DEFAULT_WHEN), RULE.format(when))
    with pytest.raises(
        InvalidInput, match=r"^policy: rules\.received_and_suspected_ip\.when: "
    ) as e:
        parse_policy(text)
    assert message in e.value.message


def test_every_rule_has_a_title_that_is_not_its_id(policy: Policy) -> None:
    """Sellers read these as case subjects: no rule id (``caps.ip_complaints``) ever shows."""
    doc = policy.document
    rules = [
        *(f"metrics.{m}" for m in doc.metrics),
        *(f"violations.{v}" for v in doc.violations),
        *(f"caps.{c}" for c in doc.caps),
        *(f"rules.{r}" for r in doc.rules),
        *(f"rating.bands.{b.value}" for b in Band),
    ]
    for rule in rules:
        title = Message("case.policy.title", {"topic": policy.rule_title(rule)})
        for language in ("ja", "en"):
            words = title.render(language)
            assert rule.split(".")[-1] not in words, f"{rule} in {language}: {words}"
            empty = Message("case.policy.title", {"topic": ""}).render(language)
            assert len(words) > len(empty), f"{rule} has no title in {language}"
