"""The names of policy rules, built and read in this one place.

A rule is named by its kind and its key in the policy file (``caps.ip_complaints``,
``metrics.late_shipment_rate_30d``); enforcement files cases under that name. Other
domains never split the name: they ask :func:`parse_rule` for the typed reference.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class RuleKind(enum.StrEnum):
    METRIC = "metrics"
    CAP = "caps"
    BAND = "rating.bands"
    CEL = "rules"
    VIOLATION = "violations"
    """A violation category recorded by review, not by a rule."""


#: Rules about the whole account: an appeal against them answers for every active violation.
ACCOUNT_WIDE = frozenset({RuleKind.CAP, RuleKind.BAND, RuleKind.CEL})


@dataclass(frozen=True)
class RuleRef:
    kind: RuleKind
    key: str

    def __str__(self) -> str:
        return f"{self.kind.value}.{self.key}"

    @property
    def account_wide(self) -> bool:
        return self.kind in ACCOUNT_WIDE

    @property
    def metric(self) -> str | None:
        """The metric a metric rule is about."""
        return self.key if self.kind is RuleKind.METRIC else None


def parse_rule(name: str | None) -> RuleRef | None:
    """The rule ``name`` refers to; None for anything else (a complaint's case, say)."""
    if name is None:
        return None
    for kind in sorted(RuleKind, key=lambda k: -len(k.value)):
        key = name.removeprefix(f"{kind.value}.")
        if key != name and key:
            return RuleRef(kind, key)
    return None
