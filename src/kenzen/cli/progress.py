"""Progress of an import or a metric run on a terminal: share done, rows, rows per second.

Both are a few large statements inside DuckDB, which counts their progress itself; a thread
asks it a few times a second (``EventStore.track_progress``) and Rich draws the line. Each
statement counts from 0 to 100 %, so the line shows the furthest any has reached
(:class:`Furthest`): it never moves back when the next statement starts. Work that runs
elsewhere (a Spark cluster) has no share to ask: the line then pulses with the time
elapsed. When the work is done the line shows the rows and the average rate, and the
command prints its summary below it. Scripts and pipes get the summary alone: nothing is
drawn, nothing polled.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

#: How often the running statement's progress is read (DuckDB answers in microseconds).
POLL_SECONDS = 0.1


class Furthest:
    """The share a line shows: the furthest any statement has reached, 0–100.

    Readings are the running statement's share (negative between statements); a new
    statement starts again at 0 %, which would move the line and its rows back."""

    def __init__(self) -> None:
        self.share = 0.0

    def advance(self, reading: float) -> float:
        if reading >= 0:
            self.share = max(self.share, min(reading, 100.0))
        return self.share


class _Rows(ProgressColumn):
    """Rows done of the rows expected (unknown in advance for a text file until the end)."""

    def render(self, task: Task) -> Text:
        if task.fields["rows"] is None or task.total is None:
            return Text("")
        return Text(f"{int(task.completed):,}/{int(task.total):,} {task.fields['unit']}")


class _RowsPerSecond(ProgressColumn):
    """The average rate so far: rows done over the time elapsed."""

    def render(self, task: Task) -> Text:
        elapsed = task.elapsed
        if task.fields["rows"] is None or task.total is None or not elapsed:
            return Text("")
        return Text(f"{task.completed / elapsed:,.0f} {task.fields['unit']}/s")


@contextmanager
def statement_progress(
    console: Console,
    label: str,
    share_done: Callable[[], float] | None,
    rows: int | None,
    unit: str = "rows",
) -> Iterator[Callable[[int], None]]:
    """Draw ``label``'s progress on ``console`` while the block runs, if it is a terminal.

    ``share_done`` is the running statement's percentage (negative between statements),
    or None for work whose share cannot be asked (the line pulses); ``rows`` the rows the
    work reads, when known in advance, counted in ``unit``. Call the yielded function with
    the rows actually done when the work is over, so the line ends on the true figure."""
    if not console.is_terminal:
        yield lambda _done: None
        return
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(text_format_no_percentage=""),
        _Rows(),
        _RowsPerSecond(),
        TimeElapsedColumn(),
        console=console,
    )
    scale = float(rows) if rows else 100.0
    task = progress.add_task(
        label, total=None if share_done is None else scale, rows=rows, unit=unit
    )
    stop = threading.Event()
    furthest = Furthest()

    def poll() -> None:
        while share_done is not None and not stop.wait(POLL_SECONDS):
            progress.update(task, completed=furthest.advance(share_done()) / 100.0 * scale)

    def finish(done: int) -> None:
        stop.set()  # no reading taken before this may overwrite the true figure
        polling.join()
        progress.update(task, total=done, completed=done, rows=done)

    polling = threading.Thread(target=poll, name="progress", daemon=True)
    with progress:
        polling.start()
        try:
            yield finish
        finally:
            stop.set()
            polling.join()
