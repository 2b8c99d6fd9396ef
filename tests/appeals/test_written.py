"""One plan, many inputs: each gives the structured view and keeps the seller's words."""

from __future__ import annotations

import pytest

from kenzen.appeals.poa import PlanOfAction
from kenzen.appeals.reader import read_text
from kenzen.appeals.written import (
    PlanSource,
    Tie,
    WrittenPlan,
    from_boxes,
    from_file,
    from_text,
)
from kenzen.errors import InvalidInput

TEXT = (
    "【根本原因】\n1. 商標を確認しなかった\n2. 請求書を確認しなかった\n"
    "【是正措置】\n・出品を削除した"
)


def test_text_is_kept_verbatim_and_causes_take_the_sellers_picks() -> None:
    plan = from_text(TEXT, [Tie(2, violation_id=7), Tie(1, metric="late_shipment_rate_30d")], (3,))
    assert (plan.text, plan.source, plan.filename) == (TEXT, PlanSource.TEXT, None)
    first, second = plan.plan.root_causes
    assert (first.violation_id, first.metric) == (None, "late_shipment_rate_30d")
    assert (second.violation_id, second.metric) == (7, None)
    assert plan.plan.actions == ("出品を削除した",)
    assert plan.plan.attachment_ids == (3,)


def test_a_pick_for_a_cause_the_plan_does_not_have_names_the_tie() -> None:
    with pytest.raises(
        InvalidInput, match=r"ties\[1\]\.cause: the plan has 2 root cause\(s\), not 3"
    ):
        from_text(TEXT, [Tie(1, violation_id=1), Tie(3, violation_id=2)])
    with pytest.raises(InvalidInput, match="violation_id"):
        from_text(TEXT, [Tie(1, violation_id=0)])


def test_the_three_boxes_are_kept_under_their_names() -> None:
    plan = from_boxes("The handling time was 1 day.", "- Set it to 2 days.", "- A daily report.")
    assert plan.source is PlanSource.BOXES
    assert plan.text == (
        "Root cause:\nThe handling time was 1 day.\n\nActions taken:\n- Set it to 2 days.\n\n"
        "Preventive measures:\n- A daily report."
    )
    [cause] = plan.plan.root_causes
    assert (cause.actions, cause.preventive_measures) == (
        ("Set it to 2 days.",),
        ("A daily report.",),
    )


def test_a_file_keeps_its_name_and_its_text() -> None:
    plan = from_file("改善計画書.txt", TEXT.encode("cp932"))
    assert (plan.text, plan.source, plan.filename) == (TEXT, PlanSource.FILE, "改善計画書.txt")


def test_a_structured_plan_is_written_out_as_its_words() -> None:
    structured = PlanOfAction.model_validate(
        {"language": "en", "root_causes": [{"text": "No brand check", "actions": ["Deleted"]}]}
    )
    plan = WrittenPlan.structured(structured)
    assert plan.source is PlanSource.STRUCTURED
    assert plan.text == "## Root cause: No brand check\n### Actions taken\n- Deleted"
    assert read_text(plan.text) == structured
