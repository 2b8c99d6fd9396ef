"""The Plan of Action as plain data, read from JSON or from Markdown a seller wrote.

Amazon asks three questions (reference §5.1): the root cause, the actions taken, the
steps to prevent it happening again. Here each root cause carries its own actions and
preventive measures, so "a cause nobody acted on" is visible in the data itself; each
cause names the violation or metric of the case it explains.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kenzen.errors import InvalidInput

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
    listings: tuple[ListingAnswer, ...] = Field(default=(), max_length=500)
    attachment_ids: tuple[int, ...] = Field(default=(), max_length=20)


def from_json(text: str) -> PlanOfAction:
    try:
        data: Any = json.loads(text)
        return PlanOfAction.model_validate(data)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"poa: not valid JSON: {error}") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidInput(f"poa: {where}: {first['msg']}") from None


_CAUSE = re.compile(r"^##\s*(?:root cause|根本原因)\s*\d*\s*[:：]\s*(.+)$", re.IGNORECASE)
_LISTINGS = re.compile(r"^##\s*(?:affected listings|対象(?:の)?出品)\s*$", re.IGNORECASE)
_ACTIONS = re.compile(r"^###\s*(?:actions? taken|実施した(?:対策|対応))\s*$", re.IGNORECASE)
_PREVENT = re.compile(r"^###\s*(?:preventive measures?|再発防止策)\s*$", re.IGNORECASE)
_REF_VIOLATION = re.compile(r"[(（]\s*(?:violation|違反)\s*#?(\d+)\s*[)）]", re.IGNORECASE)
_REF_METRIC = re.compile(r"[(（]\s*(?:metric|指標)\s*[:：]\s*([a-z0-9_]+)\s*[)）]", re.IGNORECASE)
_BULLET = re.compile(r"^\s*[-*・]\s*(.+)$")
_LISTING_ITEM = re.compile(r"^([A-Za-z0-9_.-]+)\s*[:：]\s*(.+)$")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def from_markdown(text: str) -> PlanOfAction:
    """Headings ``## Root cause: …`` (``## 根本原因: …``) with ``### Actions taken`` and
    ``### Preventive measures`` lists under each, and ``## Affected listings`` with
    ``- LISTING_ID: what was done``. A cause may name ``(violation 12)`` or
    ``(metric: late_shipment_rate_30d)``."""
    causes: list[dict[str, Any]] = []
    listings: list[dict[str, str]] = []
    introduction: list[str] = []
    section: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("# "):
            continue
        if match := _CAUSE.match(line):
            title = match.group(1).strip()
            violation = _REF_VIOLATION.search(title)
            metric = _REF_METRIC.search(title)
            clean = _REF_METRIC.sub("", _REF_VIOLATION.sub("", title)).strip()
            causes.append(
                {
                    "text": clean or title,
                    "violation_id": int(violation.group(1)) if violation else None,
                    "metric": metric.group(1) if metric else None,
                    "actions": [],
                    "preventive_measures": [],
                }
            )
            section = "cause"
        elif _LISTINGS.match(line):
            section = "listings"
        elif _ACTIONS.match(line) or _PREVENT.match(line):
            if not causes:
                raise InvalidInput(f"poa: line {number}: '{line}' before any '## Root cause:'")
            section = "actions" if _ACTIONS.match(line) else "preventive_measures"
        elif bullet := _BULLET.match(line):
            item = bullet.group(1).strip()
            if section in ("actions", "preventive_measures"):
                causes[-1][section].append(item)
            elif section == "listings":
                entry = _LISTING_ITEM.match(item)
                if entry is None:
                    raise InvalidInput(f"poa: line {number}: write '- LISTING_ID: what was done'")
                listings.append({"listing_id": entry.group(1), "text": entry.group(2).strip()})
            elif section == "cause":
                causes[-1]["text"] += "\n" + item
            else:
                raise InvalidInput(f"poa: line {number}: a list item outside any section")
        elif section == "cause":
            causes[-1]["text"] += "\n" + line
        elif section in ("actions", "preventive_measures"):
            causes[-1][section].append(line)
        elif section is None:
            introduction.append(line)
    language = "ja" if _JAPANESE.search(text) else "en"
    plan = {
        "language": language,
        "introduction": "\n".join(introduction),
        "root_causes": causes,
        "listings": listings,
    }
    return from_json(json.dumps(plan))


def full_text(poa: PlanOfAction) -> str:
    """Every sentence of the plan, for checks that read the whole text."""
    parts: list[str] = [poa.introduction] if poa.introduction else []
    for cause in poa.root_causes:
        parts += [cause.text, *cause.actions, *cause.preventive_measures]
    parts += [answer.text for answer in poa.listings]
    return "\n".join(parts)
