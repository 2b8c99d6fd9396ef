"""What the policy demands for one seller, as plain data: no database, no side effects.

The same function serves the live evaluation, shadow runs and backtests. It is
deterministic and idempotent: it lists what the policy demands now, and the caller compares
that with what already exists (open cases, the current status) before acting. The account
status it proposes is the strongest one demanded, and only if the transition is legal
(:data:`kenzen.sellers.status.LEGAL_TRANSITIONS`): never AT_RISK for a deactivated seller,
never a reinstatement (that is an Account Specialist's decision on an appeal).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from kenzen.errors import InvalidInput
from kenzen.i18n import N_
from kenzen.policy import cel
from kenzen.policy.cel import MetricState, MetricStatus
from kenzen.policy.document import ActionKind, Band, Policy
from kenzen.policy.rules import RuleKind, RuleRef
from kenzen.sellers.status import LEGAL_TRANSITIONS, AccountStatus

Fact = str | int | float | None

_STATUS_OF: dict[ActionKind, AccountStatus] = {
    ActionKind.SET_AT_RISK: AccountStatus.AT_RISK,
    ActionKind.DEACTIVATE: AccountStatus.DEACTIVATED,
}
#: Superseded by a deactivation: the seller's listings all become inactive anyway.
_SUPERSEDED = frozenset({ActionKind.WARN, ActionKind.RESTRICT_MERCHANT_LISTINGS})
_ORDER = {kind: i for i, kind in enumerate(ActionKind)}


@dataclass(frozen=True)
class Evidence:
    """Why a rule fired: the rule's key in the policy and the facts it looked at."""

    rule: str
    detail: str
    facts: dict[str, Fact] = field(default_factory=dict)


@dataclass(frozen=True)
class PolicyAction:
    """One thing to do. ``rule`` is the first cause; ``evidence`` lists every cause."""

    kind: ActionKind
    rule: str
    evidence: tuple[Evidence, ...]
    category: str | None = None
    """The violation category, for ``RECORD_VIOLATION``."""

    @property
    def status(self) -> AccountStatus | None:
        """The account status this action sets, if it sets one."""
        return _STATUS_OF.get(self.kind)


@dataclass(frozen=True)
class Decision:
    policy_version: str
    account_status: AccountStatus
    demanded_status: AccountStatus
    """The strongest status the policy demands (``NORMAL`` if none), whether or not it is
    a legal move from ``account_status``: the caller may lift an AT_RISK it set itself."""
    rating: int
    band: Band
    actions: tuple[PolicyAction, ...]


class Measured(Protocol):
    """What :func:`metric_statuses` reads (e.g. :class:`kenzen.metrics.engine.MetricValue`)."""

    @property
    def metric(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def rate(self) -> float | None: ...


def metric_statuses(values: Iterable[Measured]) -> dict[str, MetricStatus]:
    """Adapt metric rows (one seller, one marketplace) to the policy's view of them."""
    states: dict[str, MetricState] = {"GOOD": "GOOD", "BAD": "BAD", "NONE": "NONE"}
    out = {}
    for v in values:
        if v.status not in states:
            raise InvalidInput(
                N_("error.policy.metric_unknown_status"), metric=v.metric, status=v.status
            )
        out[v.metric] = MetricStatus(states[v.status], v.rate)
    return out


def _demands(
    policy: Policy,
    *,
    metrics: Mapping[str, MetricStatus],
    counts: Mapping[str, int],
    rating: int,
    band: Band,
    account_status: AccountStatus,
) -> list[tuple[ActionKind, Evidence, str | None]]:
    doc = policy.document
    found: list[tuple[ActionKind, Evidence, str | None]] = []
    for key, metric_rule in doc.metrics.items():
        m = metrics.get(key)
        if m is None or m.status != "BAD":
            continue
        rate = "n/a" if m.rate is None else f"{m.rate:.4f}"
        ev = Evidence(
            str(RuleRef(RuleKind.METRIC, key)),
            f"{key} is BAD (rate {rate})",
            {"metric": key, "rate": m.rate},
        )
        found += [(ActionKind(kind), ev, None) for kind in metric_rule.on_bad]
        if metric_rule.counts_as is not None:
            found.append((ActionKind.RECORD_VIOLATION, ev, metric_rule.counts_as))
    for name, cap in doc.caps.items():
        count = counts[cap.category]
        if count >= cap.at_least:
            ev = Evidence(
                str(RuleRef(RuleKind.CAP, name)),
                f"{count} active {cap.category} (cap: {cap.at_least})",
                {"category": cap.category, "count": count, "at_least": cap.at_least},
            )
            found += [(ActionKind(kind), ev, None) for kind in cap.actions]
    band_ev = Evidence(
        str(RuleRef(RuleKind.BAND, band.value)),
        f"rating {rating} is {band.value}",
        {"rating": rating},
    )
    found += [(ActionKind(kind), band_ev, None) for kind in policy.band_rule(band).actions]
    variables = cel.activation(
        metrics=metrics,
        counts=counts,
        rating=rating,
        band=band.value,
        account_status=account_status.value,
    )
    for name, rule in doc.rules.items():
        program = policy.programs[name]
        if program.holds(variables):
            ev = Evidence(
                str(RuleRef(RuleKind.CEL, name)), rule.description or rule.when, {"when": rule.when}
            )
            found += [(ActionKind(kind), ev, None) for kind in rule.actions]
    return found


def decide(
    policy: Policy,
    *,
    account_status: AccountStatus,
    metrics: Mapping[str, MetricStatus],
    counts: Mapping[str, int],
    rating: int,
) -> Decision:
    """The ordered actions the policy demands for one seller in one marketplace.

    ``counts`` are active violations within memory per category (missing ones are zero,
    see :func:`kenzen.policy.rating.active_counts`); the band is derived from ``rating``
    with the same policy, so the two cannot disagree.
    """
    unknown = sorted(set(counts) - set(policy.violations))
    if unknown:
        raise InvalidInput(
            N_("error.policy.counts_unknown_category_ies"), unknown=", ".join(unknown)
        )
    all_counts = {c: counts.get(c, 0) for c in policy.violations}
    band = policy.band_for(rating)
    found = _demands(
        policy,
        metrics=metrics,
        counts=all_counts,
        rating=rating,
        band=band,
        account_status=account_status,
    )

    status_kinds = [
        k
        for k in (ActionKind.DEACTIVATE, ActionKind.SET_AT_RISK)
        if any(kind is k for kind, _, _ in found)
    ]
    demanded = _STATUS_OF[status_kinds[0]] if status_kinds else AccountStatus.NORMAL
    actions: list[PolicyAction] = []
    final = account_status
    if status_kinds and demanded in LEGAL_TRANSITIONS[account_status]:
        kind = status_kinds[0]
        evidence = tuple(
            sorted(
                {ev.rule: ev for k, ev, _ in found if k is kind}.values(), key=lambda ev: ev.rule
            )
        )
        actions.append(PolicyAction(kind, evidence[0].rule, evidence))
        final = demanded

    others: dict[tuple[ActionKind, str], PolicyAction] = {}
    for kind, ev, category in found:
        if kind in _STATUS_OF or (final is AccountStatus.DEACTIVATED and kind in _SUPERSEDED):
            continue
        others.setdefault((kind, ev.rule), PolicyAction(kind, ev.rule, (ev,), category))
    actions += others.values()
    actions.sort(key=lambda a: (_ORDER[a.kind], a.rule))
    return Decision(
        policy_version=policy.version,
        account_status=account_status,
        demanded_status=demanded,
        rating=rating,
        band=band,
        actions=tuple(actions),
    )
