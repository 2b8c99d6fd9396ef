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

from kenzen.cli.progress import Furthest, statement_progress
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


def test_the_share_shown_is_the_furthest_any_statement_reached() -> None:
    furthest = Furthest()
    readings = [10.0, 98.0, -1.0, 0.0, 76.0, 100.0, 130.0, 5.0]
    shown = [furthest.advance(r) for r in readings]
    assert shown == [10.0, 98.0, 98.0, 98.0, 98.0, 100.0, 100.0, 100.0]


def test_on_a_terminal_the_rows_never_go_back_when_the_next_statement_starts() -> None:
    """An import runs statements one after another, each counted from 0 %."""
    screen = io.StringIO()
    readings = iter([30.0, 98.0, -1.0, 0.0, 40.0, 76.0])
    done = threading.Event()

    def share_done() -> float:
        reading = next(readings, None)
        if reading is None:
            done.set()
            return 76.0
        return reading

    console = Console(file=screen, force_terminal=True, width=120)
    with statement_progress(console, "importing orders", share_done, 1_000) as finish:
        assert done.wait(timeout=30)
        finish(1_000)
    rows = [int(m.group(1).replace(",", "")) for m in re.finditer(r"([\d,]+)/1,000 rows",
            "\n".join(_screen(screen.getvalue())))]  # fmt: skip
    assert rows[-1] == 1_000
    assert rows == sorted(rows)


def test_work_that_cannot_be_asked_pulses_with_the_time_elapsed() -> None:
    """Spark computes elsewhere: no share, no 0 %, the time elapsed; then the rows."""
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120)
    with statement_progress(console, "computing metrics", None, 500, unit="orders") as finish:
        console.file.flush()
        running = _screen(screen.getvalue())
        finish(500)
    assert running
    assert all("%" not in line and "orders" not in line for line in running)
    assert all(re.search(r"\d:\d\d:\d\d", line) for line in running)
    last = _screen(screen.getvalue())[-1]
    assert "100%" in last
    assert "500/500 orders" in last


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
