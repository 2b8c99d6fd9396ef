"""Who decides an action, and whether a proposal rests on facts a decision has not seen.

Pure: the live evaluation asks :func:`review_mode` for each demanded action, and compares
:func:`fact_keys` with those of the last rejected proposal before proposing again.
"""

from __future__ import annotations

from collections.abc import Iterable

from kenzen.policy.assessment import Assessment, SellerFacts
from kenzen.policy.decide import PolicyAction
from kenzen.policy.document import Policy, ReviewMode


def review_mode(policy: Policy, action: PolicyAction, facts: SellerFacts) -> ReviewMode:
    """The policy's mode for the action; a reviewed action needs four eyes for a seller at or
    over the volume threshold or under Account Health Assurance."""
    rules = policy.document.review
    mode = rules.mode_of(action.kind.value)
    if mode is ReviewMode.SPECIALIST and (
        facts.fulfilled_orders >= rules.four_eyes_orders or facts.assured
    ):
        return ReviewMode.FOUR_EYES
    return mode


def fact_keys(assessment: Assessment, action: PolicyAction) -> frozenset[str]:
    """What the action rests on: the rules that fired, the violations that count and the
    metrics that are bad."""
    facts = assessment.facts
    return frozenset(
        [
            *(f"rule:{e.rule}" for e in action.evidence),
            *(f"violation:{v.id}" for v in facts.violations if v.status == "ACTIVE"),
            *(f"metric:{m.metric}" for m in facts.metrics if m.status == "BAD"),
        ]
    )


def has_new_facts(current: Iterable[str], decided: Iterable[str]) -> bool:
    """Whether ``current`` holds a fact that the decision over ``decided`` did not see (a
    violation expiring or resolved is not a new fact)."""
    return not set(current) <= set(decided)
