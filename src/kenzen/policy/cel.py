"""Operators' CEL conditions, compiled once and checked against the names Kenzen provides.

A rule sees ``metrics.<metric key>.status`` (``"GOOD"``/``"BAD"``/``"NONE"``) and
``.rate`` (a double, ``0.0`` when nothing was measured, as in the SP-API report),
``counts.<category>`` (active violations within memory), ``rating`` (int), ``band`` and
``account_status`` (strings). Every name always exists, so a condition never fails on a
seller who simply has no data; a misspelt key is a load error, not a silent ``false``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

import celpy
import lark
from celpy import celtypes
from celpy.adapter import json_to_cel
from celpy.celparser import CELParseError
from celpy.evaluation import CELEvalError

from kenzen.errors import InvalidInput
from kenzen.metrics.definitions import DEFINITIONS

MetricState = Literal["GOOD", "BAD", "NONE"]


@dataclass(frozen=True)
class MetricStatus:
    """One metric of one seller as the policy sees it: its status and rate."""

    status: MetricState
    rate: float | None = None


def activation(
    *,
    metrics: Mapping[str, MetricStatus],
    counts: Mapping[str, int],
    rating: int,
    band: str,
    account_status: str,
) -> dict[str, celtypes.Value]:
    """The variables of one evaluation, with every metric present (``NONE`` if missing)."""
    metric_map = {
        key: {
            "status": metrics[key].status if key in metrics else "NONE",
            "rate": float(metrics[key].rate or 0.0) if key in metrics else 0.0,
        }
        for key in DEFINITIONS
    }
    return {
        "metrics": json_to_cel(metric_map),
        "counts": json_to_cel(dict(counts)),
        "rating": celtypes.IntType(rating),
        "band": celtypes.StringType(band),
        "account_status": celtypes.StringType(account_status),
    }


@dataclass(frozen=True)
class Program:
    """A compiled condition; ``key`` is where it sits in the policy (for messages)."""

    key: str
    source: str
    runner: celpy.Runner = field(repr=False, compare=False)

    def holds(self, variables: dict[str, celtypes.Value]) -> bool:
        try:
            result = self.runner.evaluate(variables)
        except CELEvalError as e:
            raise InvalidInput(f"policy: {self.key}: evaluation failed: {e.args[0]}") from e
        if not isinstance(result, celtypes.BoolType):
            raise InvalidInput(
                f"policy: {self.key}: must be a boolean condition, got {type(result).__name__}"
            )
        return bool(result)


@cache
def _environment() -> celpy.Environment:
    """One environment for every rule: building CEL's parser costs a fifth of a second."""
    return celpy.Environment()


def _member_names(tree: lark.Tree[lark.Token], variable: str) -> set[str]:
    """Names ``x`` in ``<variable>.x`` anywhere in the expression."""
    names = set()
    for node in tree.find_data("member_dot"):
        inner, name = node.children[0], node.children[1]
        if (
            isinstance(inner, lark.Tree)
            and isinstance(name, lark.Token)
            and len(inner.children) == 1
            and isinstance(primary := inner.children[0], lark.Tree)
            and primary.data == "primary"
            and isinstance(ident := primary.children[0], lark.Tree)
            and ident.data == "ident"
            and ident.children[0] == variable
        ):
            names.add(str(name))
    return names


def compile_rule(key: str, source: str, categories: Collection[str]) -> Program:
    """Compile and dry-run a condition, so a broken rule fails the load, naming ``key``."""
    env = _environment()
    try:
        tree = env.compile(source)
    except CELParseError as e:
        raise InvalidInput(f"policy: {key}: not valid CEL: {e.args[0]}") from e
    unknown = sorted(_member_names(tree, "metrics") - set(DEFINITIONS)) + sorted(
        _member_names(tree, "counts") - set(categories)
    )
    if unknown:
        raise InvalidInput(f"policy: {key}: unknown name(s) {', '.join(unknown)}")
    program = Program(key=key, source=source, runner=env.program(tree))
    program.holds(
        activation(
            metrics={},
            counts=dict.fromkeys(categories, 0),
            rating=0,
            band="HEALTHY",
            account_status="NORMAL",
        )
    )
    return program
