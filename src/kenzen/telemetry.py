"""The server's own counters for Prometheus: what happened in this process, by kind.

Queue depths are not here: they are read from the database at each scrape
(`operations.queues`), so every process, the worker included, sees the same figures. Labels
are closed sets (import kinds, refusal reasons, route templates): never a seller, a user or
an id, so a scrape neither leaks data nor grows with it.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

IMPORT_ROWS = Counter(
    "kenzen_import_rows_total", "Rows read by imports of event files, by kind.", ["kind"]
)
IMPORT_SECONDS = Histogram(
    "kenzen_import_duration_seconds",
    "Time an import of an event file took, by kind.",
    ["kind"],
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600),
)
IMPORT_RATE = Gauge(
    "kenzen_import_last_rows_per_second",
    "Rows per second of the latest import, by kind.",
    ["kind"],
    # with several serving processes: the value of the latest import, whichever process ran it
    multiprocess_mode="mostrecent",
)
LOGIN_FAILURES = Counter(
    "kenzen_login_failures_total",
    "Refused logins: wrong email or password, or throttled before checking.",
    ["reason"],
)


def imported(kind: str, rows: int, seconds: float) -> None:
    """Count an import of ``rows`` rows that took ``seconds``."""
    IMPORT_ROWS.labels(kind).inc(rows)
    IMPORT_SECONDS.labels(kind).observe(seconds)
    IMPORT_RATE.labels(kind).set(rows / seconds if seconds > 0 else 0)
