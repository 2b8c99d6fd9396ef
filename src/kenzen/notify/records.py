"""The records a mail check reads, through the ORM: the pages, the API and ``kenzen verify``
on any database but SQLite (``kenzen.notify.sqlite_records`` reads SQLite without it)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen.cases.models import Case, CaseEntry
from kenzen.outbox.models import Notice
from kenzen.sellers.models import Marketplace, Seller


class SessionRecords:
    """``NoticeRecords`` in one session: the case and entry are the ORM's rows."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def notice(self, notice_id: str) -> Notice | None:
        return self.session.get(Notice, notice_id)

    def marketplace(self, marketplace_id: str) -> Marketplace | None:
        return self.session.get(Marketplace, marketplace_id)

    def marketplace_of_seller(self, seller_id: str) -> Marketplace | None:
        seller = self.session.get(Seller, seller_id)
        return seller.marketplace if seller else None

    def marketplaces(self) -> Iterable[Marketplace]:
        return self.session.scalars(select(Marketplace))

    def case(self, case_id: int) -> Case | None:
        return self.session.get(Case, case_id)

    def entry(self, entry_id: int) -> CaseEntry | None:
        return self.session.get(CaseEntry, entry_id)
