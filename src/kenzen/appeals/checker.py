"""Deterministic feedback on a Plan of Action before it is submitted.

The checker guides the seller; it never decides (an Account Specialist does). Its rules —
phrases, limits, messages in Japanese and English — live in ``checker.toml``.
"""

from __future__ import annotations

import re
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
    """The phrases the text contains, English ones as whole words ("each" is not in
    "reach"); a phrase inside a longer one found too is not counted twice."""
    lowered = text.casefold()
    found = [p for p in phrases if _pattern(p.casefold()).search(lowered)]
    return [p for p in found if not any(p != q and p.casefold() in q.casefold() for q in found)]


@cache
def _pattern(phrase: str) -> re.Pattern[str]:
    start = r"(?<![a-z0-9])" if phrase[:1].isascii() and phrase[:1].isalnum() else ""
    end = r"(?![a-z0-9])" if phrase[-1:].isascii() and phrase[-1:].isalnum() else ""
    return re.compile(start + re.escape(phrase) + end)


def _vague(item: str, phrases: list[str], data: dict[str, Any]) -> bool:
    """A vague phrase with nothing concrete beside it: no number, frequency or tool."""
    concrete = _found(item, data["concrete"]) or any(ch.isdigit() for ch in item)
    return bool(_found(item, phrases)) and not concrete


def check(
    poa: PlanOfAction, context: CaseContext | None = None, text: str | None = None
) -> list[Finding]:
    """Every finding, most serious first (errors, warnings, then advice).

    ``text`` is the plan as the seller wrote it; the wording rules read it whole, so they
    fire whatever the plan's shape (the structured view's sentences when it is absent)."""
    data = rules()
    written = text if text is not None else full_text(poa)
    findings = _sections(poa, data)
    if context is not None:
        findings += _case(poa, context, written, data)
    for code in ("blame", "emotive", "business_intro"):
        findings += [_finding(code, "plan", phrase=p) for p in _found(written, data[code])]
    limit = data["max_characters"][poa.language]
    if len(written) > limit:
        findings.append(_finding("too_long", "plan", length=len(written), limit=limit))
    return sorted(findings, key=lambda f: _SEVERITY_ORDER[f.severity])


def _sections(poa: PlanOfAction, data: dict[str, Any]) -> list[Finding]:
    """The three questions answered, for every cause, and concretely."""
    findings: list[Finding] = []
    if not poa.root_causes:
        findings.append(_finding("no_root_cause", "root_causes"))
    for index, cause in enumerate(poa.root_causes):
        n, part = index + 1, f"root_causes[{index}]"
        if _vague(cause.text, data["vague_cause"], data):
            findings.append(_finding("vague_cause", part, n=n, text=_quote(cause.text)))
        if not cause.actions and not poa.actions:
            findings.append(_finding("no_action", f"{part}.actions", n=n))
        if not cause.preventive_measures and not poa.preventive_measures:
            findings.append(_finding("no_prevention", f"{part}.preventive_measures", n=n))
        findings += _vague_items(cause.actions, f"{part}.actions", data)
        findings += _vague_items(cause.preventive_measures, f"{part}.preventive_measures", data)
    findings += _vague_items(poa.actions, "actions", data)
    findings += _vague_items(poa.preventive_measures, "preventive_measures", data)
    if len(poa.root_causes) > 1 and (poa.actions or poa.preventive_measures):
        findings.append(_finding("actions_not_tied", "actions", causes=len(poa.root_causes)))
    return findings


def _vague_items(items: tuple[str, ...], part: str, data: dict[str, Any]) -> list[Finding]:
    return [
        _finding("vague_promise", f"{part}[{number}]", text=_quote(item))
        for number, item in enumerate(items)
        if _vague(item, data["vague"], data)
    ]


def _quote(text: str) -> str:
    """A sentence quoted back to the seller, cut to a readable length."""
    line = " ".join(text.split())
    return line if len(line) <= 80 else line[:79] + "…"


def _case(
    poa: PlanOfAction, context: CaseContext, written: str, data: dict[str, Any]
) -> list[Finding]:
    """What the case needs: every violation explained, every listing answered, invoices.

    A cause that names nothing is taken to explain what no other cause names; only when
    several causes name nothing and several violations or metrics are left is it unclear
    which explains which — then the checker asks, it never refuses."""
    findings: list[Finding] = []
    for index, cause in enumerate(poa.root_causes):
        reference = _unknown_reference(cause.violation_id, cause.metric, context)
        if reference:
            findings.append(
                _finding(
                    "unknown_reference", f"root_causes[{index}]", n=index + 1, reference=reference
                )
            )
    untied = [c for c in poa.root_causes if c.violation_id is None and c.metric is None]
    unexplained = sorted(
        context.violation_ids - {c.violation_id for c in poa.root_causes if c.violation_id}
    )
    metrics = sorted(context.metrics - {c.metric for c in poa.root_causes if c.metric})
    if len(untied) > 1 and len(unexplained) + len(metrics) > 1:
        subjects = [f"#{v}" for v in unexplained] + metrics
        findings.append(_finding("tie_causes", "root_causes", subjects=", ".join(subjects)))
    elif poa.root_causes and not untied:
        findings += [
            _finding("violation_not_explained", "root_causes", violation=violation)
            for violation in unexplained
        ]
    answered = {answer.listing_id for answer in poa.listings}
    mentioned = written.casefold()
    for listing in sorted(context.listing_ids - answered):
        if listing.casefold() not in mentioned:
            findings.append(_finding("listing_not_addressed", "listings", listing=listing))
    if set(data["needs_invoice"]) & context.categories and not context.invoice_attached:
        findings.append(_finding("invoice_missing", "attachments"))
    return findings


def _unknown_reference(violation_id: int | None, metric: str | None, context: CaseContext) -> str:
    if violation_id is not None and violation_id not in context.violation_ids:
        return f"#{violation_id}"
    if metric is not None and metric not in context.metrics:
        return metric
    return ""
