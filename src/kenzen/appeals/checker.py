"""Deterministic feedback on a Plan of Action before it is submitted.

The checker guides the seller; it never decides (an Account Specialist does). Its rules —
phrases, limits, messages in Japanese and English — live in ``checker.toml``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

from kenzen.appeals.poa import PlanOfAction, full_text

Severity = Literal["error", "warning", "info"]
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    part: str
    """Where in the plan: ``root_causes[0].actions[1]``, ``listings``, ``plan``."""
    message: dict[str, str]
    """The advice in ``ja`` and ``en``."""


@dataclass(frozen=True)
class CaseContext:
    """What the plan must answer: the case's violations, metrics and listings."""

    violation_ids: frozenset[int] = frozenset()
    metrics: frozenset[str] = frozenset()
    listing_ids: frozenset[str] = frozenset()
    categories: frozenset[str] = field(default_factory=frozenset)
    """Violation categories and complaint kinds, to know when invoices are needed."""
    invoice_attached: bool = False


@cache
def rules() -> dict[str, Any]:
    text = resources.files("kenzen.appeals").joinpath("checker.toml").read_text("utf-8")
    return tomllib.loads(text)


def _finding(code: str, part: str, **values: object) -> Finding:
    spec = rules()["messages"][code]
    return Finding(
        code=code,
        severity=spec["severity"],
        part=part,
        message={lang: spec[lang].format(**values) for lang in ("ja", "en")},
    )


def _found(text: str, phrases: Collection[str]) -> list[str]:
    lowered = text.casefold()
    return [p for p in phrases if p.casefold() in lowered]


def _vague(item: str, data: dict[str, Any]) -> bool:
    """A vague phrase with nothing concrete beside it: no number, frequency or tool."""
    concrete = _found(item, data["concrete"]) or any(ch.isdigit() for ch in item)
    return bool(_found(item, data["vague"])) and not concrete


def check(poa: PlanOfAction, context: CaseContext | None = None) -> list[Finding]:
    """Every finding, most serious first (errors, warnings, then advice)."""
    data = rules()
    findings: list[Finding] = []
    if not poa.root_causes:
        findings.append(_finding("no_root_cause", "root_causes"))
    for index, cause in enumerate(poa.root_causes):
        n, part = index + 1, f"root_causes[{index}]"
        if not cause.actions:
            findings.append(_finding("no_action", f"{part}.actions", n=n))
        if not cause.preventive_measures:
            findings.append(_finding("no_prevention", f"{part}.preventive_measures", n=n))
        for kind in ("actions", "preventive_measures"):
            for number, item in enumerate(getattr(cause, kind)):
                if _vague(item, data):
                    findings.append(
                        _finding("vague_promise", f"{part}.{kind}[{number}]", text=item)
                    )
        if context is not None:
            findings += _references(cause.violation_id, cause.metric, context, n, part)
    if context is not None:
        explained = {c.violation_id for c in poa.root_causes if c.violation_id is not None}
        for violation in sorted(context.violation_ids - explained):
            findings.append(_finding("violation_not_explained", "root_causes", violation=violation))
        answered = {answer.listing_id for answer in poa.listings}
        for listing in sorted(context.listing_ids - answered):
            findings.append(_finding("listing_not_addressed", "listings", listing=listing))
        if set(data["needs_invoice"]) & context.categories and not context.invoice_attached:
            findings.append(_finding("invoice_missing", "attachments"))
    text = full_text(poa)
    for code, key in (
        ("blame", "blame"),
        ("emotive", "emotive"),
        ("business_intro", "business_intro"),
    ):
        findings += [_finding(code, "plan", phrase=phrase) for phrase in _found(text, data[key])]
    limit = data["max_characters"][poa.language]
    if len(text) > limit:
        findings.append(_finding("too_long", "plan", length=len(text), limit=limit))
    return sorted(findings, key=lambda f: _SEVERITY_ORDER[f.severity])


def _references(
    violation_id: int | None, metric: str | None, context: CaseContext, n: int, part: str
) -> list[Finding]:
    if violation_id is None and metric is None:
        return [_finding("cause_not_linked", part, n=n)]
    if violation_id is not None and violation_id not in context.violation_ids:
        return [_finding("unknown_reference", part, n=n, reference=f"violation {violation_id}")]
    if metric is not None and metric not in context.metrics:
        return [_finding("unknown_reference", part, n=n, reference=f"metric {metric}")]
    return []
