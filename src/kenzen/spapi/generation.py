"""Report generation, run by ``kenzen worker``: never in the request that asked for it.

A report is claimed with a guarded ``UPDATE`` (IN_QUEUE → IN_PROGRESS, or an IN_PROGRESS one
whose lease ran out), generated in a transaction of its own, and finished as DONE with its
document, or FATAL with a document describing the error. Either way subscribers to
``REPORT_PROCESSING_FINISHED`` are notified in the same transaction.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, and_, or_, select, update
from sqlalchemy.orm import Session

from kenzen.access import SYSTEM
from kenzen.db import Database, utcnow
from kenzen.health import service as health
from kenzen.outbox.queue import Event, queue_notification
from kenzen.policy.document import Policy
from kenzen.spapi.models import App, ProcessingStatus, Report, ReportDocument
from kenzen.spapi.reports import pack

log = logging.getLogger("kenzen.spapi")

REPORT_FINISHED = "REPORT_PROCESSING_FINISHED"


def _document_id() -> str:
    return "kenzen.doc." + secrets.token_hex(16)


def finished_payload(report: Report) -> dict[str, Any]:
    """The payload of ``REPORT_PROCESSING_FINISHED`` (Amazon's schema, vendored here)."""
    body: dict[str, Any] = {
        "sellerId": report.seller_id,
        "accountId": report.seller_id,
        "reportId": str(report.id),
        "reportType": report.report_type,
        "processingStatus": report.status.value,
    }
    if report.document_id:
        body["reportDocumentId"] = report.document_id
    return {"reportProcessingFinishedNotification": body}


@dataclass
class ReportWorker:
    database: Database
    policy: Callable[[], Policy]
    clock: Callable[[], datetime] = utcnow
    lease: timedelta = timedelta(minutes=10)
    batch: int = 10

    def claim(self) -> list[int]:
        """Take due reports: queued ones, and started ones whose worker stopped."""
        now = self.clock()
        claimable = or_(
            Report.status == ProcessingStatus.IN_QUEUE,
            and_(Report.status == ProcessingStatus.IN_PROGRESS, Report.claimed_until < now),
        )
        claimed = []
        with self.database.transaction() as session:
            ids = session.scalars(
                select(Report.id).where(claimable).order_by(Report.id).limit(self.batch)
            ).all()
            for report_id in ids:
                result = cast(
                    CursorResult[Any],
                    session.execute(
                        update(Report)
                        .where(Report.id == report_id, claimable)
                        .values(
                            status=ProcessingStatus.IN_PROGRESS,
                            processing_started_at=now,
                            claimed_until=now + self.lease,
                        )
                        .execution_options(synchronize_session=False)
                    ),
                )
                if result.rowcount == 1:
                    claimed.append(report_id)
        return claimed

    def generate(self, report_id: int) -> ProcessingStatus:
        """Build the document and finish the report; an error makes it FATAL, not lost."""
        try:
            with self.database.transaction() as session:
                report = session.get_one(Report, report_id)
                if report.status is not ProcessingStatus.IN_PROGRESS:
                    return report.status
                document = health.performance_report(
                    session, SYSTEM, self.policy(), report.seller_id, report.as_of
                )
                self._finish(session, report, ProcessingStatus.DONE, document)
                return ProcessingStatus.DONE
        except Exception as error:
            log.exception("report %s: generation failed", report_id)
            with self.database.transaction() as session:
                report = session.get_one(Report, report_id)
                failure = {"errorDetails": f"the report could not be generated: {error}"}
                self._finish(session, report, ProcessingStatus.FATAL, failure)
            return ProcessingStatus.FATAL

    def _finish(
        self, session: Session, report: Report, status: ProcessingStatus, body: dict[str, Any]
    ) -> None:
        content, compression = pack(json.dumps(body, ensure_ascii=False).encode())
        document = ReportDocument(
            id=_document_id(),
            report_id=report.id,
            app_id=report.app_id,
            seller_id=report.seller_id,
            content=content,
            compression=compression,
            created_at=self.clock(),
        )
        session.add(document)
        report.status = status
        report.document_id = document.id
        report.processing_ended_at = self.clock()
        report.claimed_until = None
        session.flush()
        queue_notification(
            session,
            Event(
                seller_id=report.seller_id,
                marketplace_id=report.marketplace_id,
                notification_type=REPORT_FINISHED,
                payload_version="2020-09-04",
                at=self.clock(),
                payload=finished_payload(report),
                application_id=session.get_one(App, report.app_id).client_id,
            ),
        )

    def run_once(self) -> int:
        """Generate whatever is queued; returns how many reports were handled."""
        handled = 0
        for report_id in self.claim():
            status = self.generate(report_id)
            log.info("report %s: %s", report_id, status.value)
            handled += 1
        return handled
