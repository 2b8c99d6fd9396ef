"""The records a mail check reads, straight from a SQLite database with the standard library.

``kenzen verify`` on the default database reads a notice, a marketplace and one case entry;
through SQLAlchemy's ORM and the models that would cost most of the command's start-up.
The rows are read-only views of the columns the check and its printout use; the ORM reader
(``kenzen.notify.records``) answers the same questions, and the CLI tests run both.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from kenzen.i18n import Message, in_words


@dataclass(frozen=True, slots=True)
class NoticeRow:
    id: str
    seller_id: str | None
    marketplace_id: str
    case_id: int | None
    case_entry_id: int | None
    language: str


@dataclass(frozen=True, slots=True)
class MarketplaceRow:
    id: str
    name: str
    mail_domain: str | None


@dataclass(frozen=True, slots=True)
class CaseTitle:
    id: int
    title: str | None
    title_message: Message | None

    def title_in(self, language: str) -> str:
        return in_words(self.title_message, self.title, language)


@dataclass(frozen=True, slots=True)
class EntryText:
    id: int
    text: str | None
    message: Message | None

    def text_in(self, language: str) -> str:
        return in_words(self.message, self.text, language)


def _message(stored: str | None) -> Message | None:
    """A message column as the ORM's ``StoredMessage`` writes it (JSON text in SQLite)."""
    return None if stored is None else Message.from_json(json.loads(stored))


class SqliteRecords:
    """``NoticeRecords`` over one SQLite connection (opened read-only by the caller)."""

    _MARKETPLACE = "SELECT id, name, mail_domain FROM marketplaces"

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def _one(self, sql: str, *params: Any) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self.connection.execute(sql, params).fetchone()
        return row

    def notice(self, notice_id: str) -> NoticeRow | None:
        row = self._one(
            "SELECT id, seller_id, marketplace_id, case_id, case_entry_id, language"
            " FROM notices WHERE id = ?",
            notice_id,
        )
        return NoticeRow(*row) if row else None

    def marketplace(self, marketplace_id: str) -> MarketplaceRow | None:
        row = self._one(f"{self._MARKETPLACE} WHERE id = ?", marketplace_id)
        return MarketplaceRow(*row) if row else None

    def marketplace_of_seller(self, seller_id: str) -> MarketplaceRow | None:
        row = self._one("SELECT marketplace_id FROM sellers WHERE id = ?", seller_id)
        return self.marketplace(row[0]) if row else None

    def marketplaces(self) -> list[MarketplaceRow]:
        return [MarketplaceRow(*row) for row in self.connection.execute(self._MARKETPLACE)]

    def case(self, case_id: int) -> CaseTitle | None:
        row = self._one("SELECT id, title, title_message FROM cases WHERE id = ?", case_id)
        return CaseTitle(row[0], row[1], _message(row[2])) if row else None

    def entry(self, entry_id: int) -> EntryText | None:
        row = self._one("SELECT id, text, message FROM case_entries WHERE id = ?", entry_id)
        return EntryText(row[0], row[1], _message(row[2])) if row else None
