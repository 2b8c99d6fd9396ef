"""The Plan of Action as plain data (the structured view of what a seller wrote).

Amazon asks three questions (reference §5.1): the root cause, the actions taken, the
steps to prevent it happening again. Here each root cause carries its own actions and
preventive measures, so "a cause nobody acted on" is visible in the data itself; each
cause names the violation or metric of the case it explains. Sellers often give several
causes and one list of actions: those actions are kept on the plan itself, untied.
``kenzen.appeals.reader`` reads the plan from the text sellers actually write.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kenzen.errors import InvalidInput
from kenzen.i18n import N_
from kenzen.ids import RowId

MAX_ITEMS = 50
MAX_TEXT = 5_000


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Text = Field(min_length=1, max_length=MAX_TEXT)


class RootCause(_Model):
    text: str = Text
    violation_id: int | None = Field(default=None, ge=1)
    metric: str | None = Field(default=None, max_length=64)
    actions: tuple[str, ...] = Field(default=(), max_length=MAX_ITEMS)
    """What was done already to fix this cause."""
    preventive_measures: tuple[str, ...] = Field(default=(), max_length=MAX_ITEMS)
    """What keeps it from happening again."""


class ListingAnswer(_Model):
    listing_id: str = Field(min_length=1, max_length=32)
    text: str = Text


class PlanOfAction(_Model):
    language: str = Field(default="ja", pattern="^(ja|en)$")
    introduction: str = Field(default="", max_length=MAX_TEXT)
    """Text before the first section; Amazon's advice is to leave it out."""
    root_causes: tuple[RootCause, ...] = Field(default=(), max_length=MAX_ITEMS)
    actions: tuple[str, ...] = Field(default=(), max_length=MAX_ITEMS)
    """Actions the seller did not tie to one cause (one list for several causes)."""
    preventive_measures: tuple[str, ...] = Field(default=(), max_length=MAX_ITEMS)
    """Preventive measures not tied to one cause."""
    listings: tuple[ListingAnswer, ...] = Field(default=(), max_length=500)
    attachment_ids: tuple[RowId, ...] = Field(default=(), max_length=20)
    closing: str = Field(default="", max_length=MAX_TEXT)
    """Thanks, requests and the signature after the last section: set aside, not refused."""

    def counts(self) -> tuple[int, int, int]:
        """Root causes, actions taken and preventive measures, tied to a cause or not."""
        actions = len(self.actions) + sum(len(c.actions) for c in self.root_causes)
        prevention = len(self.preventive_measures) + sum(
            len(c.preventive_measures) for c in self.root_causes
        )
        return len(self.root_causes), actions, prevention


def from_json(text: str) -> PlanOfAction:
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(N_("error.appeals.poa_not_valid_json"), error=str(error)) from None
    return validated(data)


def validated(data: Any) -> PlanOfAction:
    """The plan, or an error naming the first field that is wrong."""
    try:
        return PlanOfAction.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidInput(
            N_("error.appeals.poa_invalid"), where=where, reason=first["msg"]
        ) from None


def full_text(poa: PlanOfAction) -> str:
    """Every sentence of the plan, for checks that read the whole text."""
    parts: list[str] = [poa.introduction] if poa.introduction else []
    for cause in poa.root_causes:
        parts += [cause.text, *cause.actions, *cause.preventive_measures]
    parts += [*poa.actions, *poa.preventive_measures]
    parts += [answer.text for answer in poa.listings]
    if poa.closing:
        parts.append(poa.closing)
    return "\n".join(parts)
