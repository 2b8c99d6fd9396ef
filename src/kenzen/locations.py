"""Where Kenzen keeps its database and files: ``KENZEN_HOME``, ``KENZEN_DATABASE_URL``,
``KENZEN_POLICY`` and ``KENZEN_EVENT_STORE``.

Read straight from the environment, without the settings model, so a command that needs only
the database, the keys and the policy (``kenzen verify``, ``kenzen report sp-api``) starts
without pydantic-settings. ``Settings``
answers the same questions through this class, so the two cannot disagree.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

DEFAULT_HOME: Final = Path("var")


@dataclass(frozen=True, slots=True)
class Locations:
    home: Path = DEFAULT_HOME
    database_url: str | None = None
    policy: Path | None = None
    """The enforcement policy file; None: Kenzen's own."""
    event_store: str | None = None
    """Where the event store's segments live when not under ``events_dir``: a path, a
    ``file://`` URI or an ``s3://bucket/prefix``."""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Locations:
        """As the settings model reads them: names in any case, an empty URL is no URL."""
        named = {name.upper(): value for name, value in environ.items()}
        home, policy = named.get("KENZEN_HOME"), named.get("KENZEN_POLICY")
        return cls(
            Path(home) if home else DEFAULT_HOME,
            named.get("KENZEN_DATABASE_URL") or None,
            Path(policy) if policy is not None else None,
            named.get("KENZEN_EVENT_STORE") or None,
        )

    @property
    def resolved_database_url(self) -> str:
        """The configured URL, else SQLite in the home folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'kenzen.db').resolve()}"

    @property
    def events_dir(self) -> Path:
        """The columnar event store, kept apart from the operational database: the metric
        and rating history, and the orders and defects unless ``event_store`` says where."""
        return self.home / "events"

    @property
    def mail_dir(self) -> Path:
        """Where notices go as signed .eml files when no SMTP server is configured."""
        return self.home / "mail"

    @property
    def attachments_dir(self) -> Path:
        """Appeal evidence, stored once by content hash."""
        return self.home / "attachments"

    @property
    def keys_dir(self) -> Path:
        """DKIM private keys (kept out of the database and of every log)."""
        return self.home / "keys"

    @property
    def metrics_dir(self) -> Path:
        """The counters the processes of one `kenzen serve` share, emptied at each start."""
        return self.home / "run" / "metrics"
