"""What the operational database keeps for the event store's dated tables: the files a
committed transaction staged and has not published yet (:mod:`kenzen.events.staging`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from kenzen.db import Base, UTCDateTime


class PendingPublication(Base):
    """One file a transaction staged in a dated table, inserted by that transaction: once
    it commits, the row says the file must be published (the transaction publishes it right
    after its commit; a later one publishes it if that failed or the process stopped, and
    deletes the row). Published in the order of ``id``."""

    __tablename__ = "pending_publications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    table: Mapped[str] = mapped_column(Text)
    """JSON: the dated table (:meth:`kenzen.events.dated.DatedTable.description`)."""
    staged: Mapped[str] = mapped_column(Text)
    """JSON: the staged file (:meth:`kenzen.events.dated.Staged.as_json`)."""
    staged_at: Mapped[datetime] = mapped_column(UTCDateTime)
