"""Progress of imports and metric runs: drawn on a terminal, nothing in a pipe."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from rich.console import Console

from kenzen.cli.progress import statement_progress
from tests.cli.test_commands import ORDERS
from tests.conftest import World

_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _screen(text: str) -> list[str]:
    """The lines a terminal showed, escape sequences and redrawn lines resolved to text."""
    return [line for line in _ESCAPES.sub("", text).replace("\r", "\n").split("\n") if line]


def test_on_a_terminal_the_running_statement_is_polled_and_the_line_ends_on_the_rows() -> None:
    screen = io.StringIO()
    polled = threading.Event()

    def share_done() -> float:
        polled.set()
        return 40.0

    console = Console(file=screen, force_terminal=True, width=120)
    with statement_progress(console, "importing orders", share_done, 2_000) as finish:
        assert polled.wait(timeout=10)
        finish(2_000)
    last = _screen(screen.getvalue())[-1]
    assert last.startswith("importing orders")
    assert "100%" in last
    assert "2,000/2,000 rows" in last
    assert re.search(r"[\d,]+ rows/s", last)


def test_in_a_pipe_nothing_is_drawn_and_nothing_polled() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=False)

    def share_done() -> float:
        raise AssertionError("polled without a terminal")

    with statement_progress(console, "computing metrics", share_done, 10) as finish:
        finish(10)
    assert screen.getvalue() == ""


def _on_a_terminal(env: dict[str, str], *args: str) -> str:
    """``kenzen ARGS`` with its output on a pseudo-terminal; everything it showed."""
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "kenzen", *args],
        stdin=subprocess.DEVNULL,
        stdout=secondary,
        stderr=secondary,
        env={**env, "TERM": "xterm", "COLUMNS": "120"},
    )
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        shown += chunk
    os.close(primary)
    assert process.wait(timeout=120) == 0, shown.decode(errors="replace")
    return shown.decode()


@pytest.mark.slow
def test_import_and_metrics_show_progress_then_the_summary_on_a_terminal(
    world: World, tmp_path: Path
) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS, encoding="utf-8")
    env = {
        **os.environ,
        "KENZEN_DATABASE_URL": world.database.url,
        "KENZEN_HOME": str(tmp_path),
    }
    *progress, summary = _screen(_on_a_terminal(env, "import", "orders", str(orders)))
    assert progress[-1].startswith("importing orders")
    assert "1/1 rows" in progress[-1]
    assert "rows/s" in progress[-1]
    assert summary.startswith("orders: 1 rows read, 1 inserted")
    *progress, summary = _screen(_on_a_terminal(env, "metrics", "--as-of", "2026-11-20"))
    assert progress[-1].startswith("computing metrics")
    assert "1/1 orders" in progress[-1]
    assert "orders/s" in progress[-1]
    assert summary.startswith("metrics 2026-11-20: 1 sellers (all sellers), 7 rows from 1 orders")
