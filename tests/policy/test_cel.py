"""The CEL parser Kenzen ships (``make cel-parser``) is the one cel-python would build."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import lark
import pytest
from celpy.celparser import CELParser
from lark.exceptions import UnexpectedInput

from kenzen.policy.cel import SAVED_PARSER, parser_key, save_parser, saved_parser
from kenzen.policy.document import Policy

#: Every kind of CEL syntax, beyond what the shipped policy's rules use.
SYNTAX = (
    "metrics.late_shipment_rate_10d.status == 'BAD' && counts.policyWarnings > 2",
    "rating < 100 ? band == 'UNHEALTHY' : account_status != 'NORMAL'",
    "!(rating >= 200) || -rating < -1.5e2",
    "[1, 2, 3].exists(x, x > 2) && {'a': 1u}['a'] in [1u]",
    "size(\"abc\") == 3 && b'\\x00' != bytes('') && r'raw\\n' + '''tri''' == 'x'",
    "a.b.c(1, 2)[0].d && .top.level && Msg{field: null, other: true}.field == false",
    "timestamp('2026-11-30T00:00:00Z') - duration('1h') < now % 7 * 2 / 1",
)
BROKEN = ("1 +", "metrics.", "rating ? 1", "'unterminated", "a.b(", "[1, 2", "1 === 2")


@pytest.fixture
def fresh() -> Iterator[lark.Lark]:
    """The parser cel-python builds (its way: empty the class's parser, make a new one)."""
    kept = CELParser.CEL_PARSER
    CELParser.CEL_PARSER = None
    try:
        CELParser()
        assert CELParser.CEL_PARSER is not None
        yield CELParser.CEL_PARSER
    finally:
        CELParser.CEL_PARSER = kept


def test_the_shipped_parser_was_built_from_the_installed_libraries() -> None:
    """Fails after an upgrade of Lark or cel-python: run ``make cel-parser``."""
    assert SAVED_PARSER.read_bytes().startswith(parser_key())
    assert saved_parser() is not None


def test_the_shipped_parser_parses_as_cel_python_does(fresh: lark.Lark, policy: Policy) -> None:
    shipped = saved_parser()
    assert shipped is not None
    sources = [rule.when for rule in policy.document.rules.values()] + list(SYNTAX)
    for source in sources:
        assert shipped.parse(source) == fresh.parse(source), source
    for source in BROKEN:
        assert _failure(shipped, source) == _failure(fresh, source), source


def _failure(parser: lark.Lark, source: str) -> tuple[str, int, int, frozenset[str]]:
    """Where and how parsing ``source`` fails: what a policy author's error message says."""
    with pytest.raises(UnexpectedInput) as failed:
        parser.parse(source)
    error = failed.value
    expected: Iterable[str] = (
        getattr(error, "expected", None) or getattr(error, "allowed", None) or ()
    )
    return type(error).__name__, error.line, error.column, frozenset(expected)


@pytest.mark.usefixtures("fresh")  # saving builds cel-python's parser again
def test_a_parser_saved_from_other_libraries_is_not_used(tmp_path: Path) -> None:
    assert saved_parser(tmp_path / "missing.pickle") is None
    stale = tmp_path / "stale.pickle"
    save_parser(stale)
    assert saved_parser(stale) is not None
    _, _, body = stale.read_bytes().partition(b"\n")
    stale.write_bytes(b"lark 0.0.1, cel-python 0.5.0\n" + body)
    assert saved_parser(stale) is None
