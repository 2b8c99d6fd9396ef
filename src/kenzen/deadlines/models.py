"""The one record that makes an overdue item's staff notice happen once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kenzen.db import Base, UTCDateTime


class DeadlineAlert(Base):
    """An overdue item staff were told about. The primary key (queue, item) is what keeps a
    second worker, or the next round, from telling them again."""

    __tablename__ = "deadline_alerts"

    queue: Mapped[str] = mapped_column(String(32), primary_key=True)
    item_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
