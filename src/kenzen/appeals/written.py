"""One plan, many inputs: the structured plan, the whole text, Amazon's three boxes or a file.

Whatever the input, the result is the structured view *and* the seller's own words, kept
verbatim; the specialist reads the words beside the view. Which violation or metric a
cause explains may be picked afterwards ("ties"), since sellers rarely write it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from kenzen.appeals.documents import text_of_file
from kenzen.appeals.poa import PlanOfAction, validated
from kenzen.appeals.reader import boxes_text, plan_text, read_text
from kenzen.errors import InvalidInput
from kenzen.i18n import N_


class PlanSource(enum.StrEnum):
    STRUCTURED = "structured"
    TEXT = "text"
    BOXES = "boxes"
    FILE = "file"


@dataclass(frozen=True)
class Tie:
    """Cause ``cause`` (counted from 1) explains this violation or this metric."""

    cause: int
    violation_id: int | None = None
    metric: str | None = None


@dataclass(frozen=True)
class WrittenPlan:
    plan: PlanOfAction
    text: str
    """The seller's words: as pasted, typed in the boxes, or read from the file."""
    source: PlanSource
    filename: str | None = None

    @classmethod
    def structured(cls, plan: PlanOfAction) -> WrittenPlan:
        """A plan sent as structure: its words are the fields, written out in order."""
        return cls(plan, plan_text(plan), PlanSource.STRUCTURED)


def from_text(
    text: str, ties: Iterable[Tie] = (), attachment_ids: tuple[int, ...] = ()
) -> WrittenPlan:
    plan = _with(read_text(text), ties, attachment_ids)
    return WrittenPlan(plan, text, PlanSource.TEXT)


def from_boxes(
    root_cause: str,
    actions: str,
    preventive_measures: str,
    ties: Iterable[Tie] = (),
    attachment_ids: tuple[int, ...] = (),
) -> WrittenPlan:
    text = boxes_text(root_cause, actions, preventive_measures)
    plan = _with(read_text(text), ties, attachment_ids)
    return WrittenPlan(plan, text, PlanSource.BOXES)


def from_file(
    filename: str, data: bytes, ties: Iterable[Tie] = (), attachment_ids: tuple[int, ...] = ()
) -> WrittenPlan:
    text = text_of_file(filename, data)
    plan = _with(read_text(text), ties, attachment_ids)
    return WrittenPlan(plan, text, PlanSource.FILE, filename[-200:] or "plan")


def _with(plan: PlanOfAction, ties: Iterable[Tie], attachment_ids: tuple[int, ...]) -> PlanOfAction:
    """The plan with the seller's picks: what each cause explains, and the evidence."""
    causes = [cause.model_dump() for cause in plan.root_causes]
    for number, tie in enumerate(ties):
        if not 1 <= tie.cause <= len(causes):
            raise InvalidInput(
                N_("error.appeals.tie_cause_unknown"),
                number=number,
                causes=len(causes),
                cause=tie.cause,
            )
        causes[tie.cause - 1] |= {"violation_id": tie.violation_id, "metric": tie.metric}
    ids = list(dict.fromkeys((*plan.attachment_ids, *attachment_ids)))
    return validated({**plan.model_dump(), "root_causes": causes, "attachment_ids": ids})
