"""The POA checker on real-looking plans in both languages, good and bad."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kenzen.appeals.checker import CaseContext, check
from kenzen.appeals.poa import PlanOfAction, from_json
from kenzen.appeals.reader import read_text
from kenzen.errors import InvalidInput

SAMPLES = Path(__file__).parent / "samples"
IP_CASE = CaseContext(
    violation_ids=frozenset({1}),
    listing_ids=frozenset({"B0SORANO1"}),
    categories=frozenset({"receivedIntellectualPropertyComplaints", "trademark"}),
)


def _read(name: str) -> PlanOfAction:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    return from_json(text) if name.endswith(".json") else read_text(text)


def codes(poa: PlanOfAction, context: CaseContext | None = None) -> list[str]:
    return [f.code for f in check(poa, context)]


def test_markdown_is_read_into_causes_actions_prevention_and_listings() -> None:
    poa = _read("good_ja.md")
    assert poa.language == "ja"
    [cause] = poa.root_causes
    assert (cause.violation_id, len(cause.actions), len(cause.preventive_measures)) == (1, 2, 2)
    assert cause.text.startswith("仕入れた商品のブランドを確認せず")
    assert [answer.listing_id for answer in poa.listings] == ["B0SORANO1"]


def test_a_good_japanese_plan_has_no_findings() -> None:
    assert codes(_read("good_ja.md"), IP_CASE) == []


def test_a_good_english_plan_for_a_metric_has_no_findings() -> None:
    context = CaseContext(metrics=frozenset({"late_shipment_rate_30d"}))
    poa = _read("good_en.md")
    assert poa.root_causes[0].metric == "late_shipment_rate_30d"
    assert codes(poa, context) == []


def test_a_vague_emotive_japanese_plan_gets_concrete_advice() -> None:
    findings = check(_read("vague_ja.md"), IP_CASE)
    assert [f.code for f in findings] == [
        "listing_not_addressed",
        "vague_cause",
        "vague_promise",
        "vague_promise",
        "blame",
        "emotive",
        "emotive",
        "business_intro",
        "business_intro",
    ]
    vague = next(f for f in findings if f.code == "vague_promise")
    assert vague.part == "root_causes[0].actions[0]"
    assert vague.message["ja"].startswith("「今後気をつけます。」は具体的な対策のない約束です")
    assert vague.message["en"].startswith('"今後気をつけます。" is a promise without a concrete')


def test_a_blaming_english_plan_without_prevention() -> None:
    context = CaseContext(
        violation_ids=frozenset({1}),
        categories=frozenset({"productConditionCustomerComplaints"}),
    )
    assert codes(_read("blaming_en.json"), context) == [
        "no_prevention",
        "invoice_missing",
        "vague_promise",
        "blame",
        "blame",
        "blame",
    ]


def test_a_counterfeit_case_needs_an_invoice_attached() -> None:
    context = CaseContext(violation_ids=frozenset({1}), categories=frozenset({"counterfeit"}))
    poa = _read("good_ja.md")
    assert "invoice_missing" in codes(poa, context)
    attached = CaseContext(
        violation_ids=frozenset({1}), categories=frozenset({"counterfeit"}), invoice_attached=True
    )
    assert "invoice_missing" not in codes(poa, attached)


def test_empty_and_overlong_plans() -> None:
    assert codes(PlanOfAction()) == ["no_root_cause"]
    cause = {
        "text": "x" * 4000,
        "actions": ["Changed handling time to 2 days"],
        "preventive_measures": ["Daily report at 15:00: " + "y" * 2000],
    }
    long = from_json(json.dumps({"language": "en", "root_causes": [cause]}))
    assert codes(long) == ["too_long"]


def test_references_outside_the_case_are_errors() -> None:
    poa = from_json(
        '{"root_causes": [{"text": "x", "violation_id": 9, "actions": ["a 1"], '
        '"preventive_measures": ["b 2"]}]}'
    )
    assert codes(poa, CaseContext(violation_ids=frozenset({1}))) == [
        "unknown_reference",
        "violation_not_explained",
    ]


def test_unreadable_json_names_the_field() -> None:
    with pytest.raises(InvalidInput, match=r"root_causes\.0\.text"):
        from_json('{"root_causes": [{"text": ""}]}')
