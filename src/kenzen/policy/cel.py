"""Operators' CEL conditions, compiled once and checked against the names Kenzen provides.

A rule sees ``metrics.<metric key>.status`` (``"GOOD"``/``"BAD"``/``"NONE"``) and
``.rate`` (a double, ``0.0`` when nothing was measured, as in the SP-API report),
``counts.<category>`` (active violations within memory), ``rating`` (int), ``band`` and
``account_status`` (strings). Every name always exists, so a condition never fails on a
seller who simply has no data; a misspelt key is a load error, not a silent ``false``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import Literal

import celpy
import lark
from celpy import celtypes
from celpy.adapter import json_to_cel
from celpy.celparser import CELParseError, CELParser
from celpy.evaluation import CELEvalError

from kenzen.errors import InvalidInput
from kenzen.i18n import N_
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
            raise InvalidInput(
                N_("error.policy.evaluation_failed"), key=self.key, reason=e.args[0]
            ) from e
        if not isinstance(result, celtypes.BoolType):
            raise InvalidInput(
                N_("error.policy.not_a_condition"), key=self.key, kind=type(result).__name__
            )
        return bool(result)


#: CEL's parser (cel-python's grammar, Lark's LALR tables) as ``make cel-parser`` saved it:
#: building it costs a process about a tenth of a second of CPU, loading it a hundredth.
#: It is used only if it was built from the installed Lark and cel-python (:func:`parser_key`);
#: otherwise cel-python builds its own, as it always did.
SAVED_PARSER = Path(__file__).with_name("cel_parser.pickle")


def parser_key() -> bytes:
    """The first line of a saved parser: what it was built from."""
    grammar = resources.files(celpy).joinpath("cel.lark").read_bytes()
    return (
        f"lark {lark.__version__}, cel-python {metadata.version('cel-python')}, "
        f"grammar sha256 {hashlib.sha256(grammar).hexdigest()}\n"
    ).encode()


def save_parser(path: Path = SAVED_PARSER) -> None:
    """Build cel-python's parser afresh and save it under its key (``make cel-parser``)."""
    CELParser.CEL_PARSER = None  # cel-python's way to have its parser built again
    CELParser()
    assert CELParser.CEL_PARSER is not None
    with path.open("wb") as saved:
        saved.write(parser_key())
        CELParser.CEL_PARSER.save(saved)


def saved_parser(path: Path = SAVED_PARSER) -> lark.Lark | None:
    """The saved parser, if there is one built from the installed libraries. It is package
    data, shipped and trusted like the code (Lark saves with pickle)."""
    try:
        with path.open("rb") as saved:
            if saved.readline() != parser_key():
                return None
            return lark.Lark.load(saved)
    except FileNotFoundError:
        return None


@cache
def _environment() -> celpy.Environment:
    """One environment for every rule. cel-python keeps one parser per process
    (``CELParser.CEL_PARSER``) and builds it only if there is none: the saved one, when it
    fits, spares that."""
    if CELParser.CEL_PARSER is None:
        CELParser.CEL_PARSER = saved_parser()
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
        raise InvalidInput(N_("error.policy.not_valid_cel"), key=key, reason=e.args[0]) from e
    unknown = sorted(_member_names(tree, "metrics") - set(DEFINITIONS)) + sorted(
        _member_names(tree, "counts") - set(categories)
    )
    if unknown:
        raise InvalidInput(N_("error.policy.unknown_names"), key=key, unknown=", ".join(unknown))
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
