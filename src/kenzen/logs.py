"""JSON log lines on standard error, each with the request id of the request it belongs to.

`configure` is called once by the process (`kenzen serve`, `kenzen worker`). A line is one
JSON object: time, level, logger, message, ``request_id`` (echoed to the client as
``X-Request-ID``), and the fields a caller passed as ``extra``. Secrets never reach a line:
Kenzen logs no request bodies, headers or query strings, and `RedactSecrets` masks anything
shaped like a credential in the message and its fields as a second line of defence.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

from asgi_correlation_id import CorrelationIdFilter
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_FIELD = "request_id"

#: Kenzen's tokens and sessions (``kz_…``), bearer credentials, and key=value secrets.
_SECRET = re.compile(
    r"kz_[A-Za-z0-9_\-]+"
    r"|(?i:bearer)\s+[A-Za-z0-9._~+/\-]+=*"
    r"|(?i:(password|passwd|secret|token|api_key)[\"']?\s*[=:]\s*)[\"']?[^\s\"'&,;]+"
)
MASK = "[redacted]"


def redact(text: str) -> str:
    """``text`` with every credential-shaped part masked."""
    return _SECRET.sub(
        lambda m: f"{m.group(1)}={MASK}" if m.group(1) else MASK,
        text,
    )


class RedactSecrets(logging.Filter):
    """Masks credentials in the message, its arguments and string fields of a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        for name, value in vars(record).items():
            if isinstance(value, str) and name not in {"msg", "levelname", "name"}:
                setattr(record, name, redact(value))
        return True


class _RequestIdFilter(CorrelationIdFilter):
    """asgi-correlation-id's filter, under Kenzen's field name."""

    def filter(self, record: logging.LogRecord) -> bool:
        super().filter(record)
        setattr(record, REQUEST_ID_FIELD, record.__dict__.pop("correlation_id", None))
        return True


def handler(stream: Any = None) -> logging.Handler:
    """A handler writing JSON lines to ``stream`` (standard error by default)."""
    out = logging.StreamHandler(stream or sys.stderr)
    out.addFilter(_RequestIdFilter())
    out.addFilter(RedactSecrets())
    out.setFormatter(
        JsonFormatter(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
        )
    )
    return out


def configure(level: int = logging.INFO) -> None:
    """Send every logger's lines, uvicorn's included, through one JSON handler."""
    root = logging.getLogger()
    root.handlers[:] = [handler()]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Alembic tells of its SQL dialect each time the schema's revision is read (startup, /readyz).
    logging.getLogger("alembic").setLevel(logging.WARNING)
