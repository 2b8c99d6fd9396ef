"""The Reports API 2021-06-30: ask for a report, follow it, fetch its document.

A request only queues the report (``IN_QUEUE``); the worker generates it
(``spapi.generation``). A document is fetched through a pre-signed URL that works without
a token for five minutes: the URL's random part is the credential, stored as a digest.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen import access
from kenzen.access import Action, Actor
from kenzen.db import utcnow
from kenzen.errors import Forbidden, InvalidInput
from kenzen.i18n import N_
from kenzen.outbox.queue import iso_time
from kenzen.sellers.models import Seller
from kenzen.spapi.credentials import digest
from kenzen.spapi.models import DocumentLink, ProcessingStatus, Report, ReportDocument

PERFORMANCE_REPORT = "GET_V2_SELLER_PERFORMANCE_REPORT"
SUPPORTED_REPORT_TYPES = frozenset({PERFORMANCE_REPORT})
DOCUMENT_URL_SECONDS = 300
#: Documents larger than this are gzipped (``compressionAlgorithm: GZIP``), as Amazon does.
GZIP_THRESHOLD_BYTES = 1024
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 10
MAX_FILTER_VALUES = 10
#: Reports are kept, and listed by default, for 90 days.
RETENTION_DAYS = 90
#: Amazon's answer to anything a token may not reach, whether it exists or not.
DENIED = N_("error.spapi.denied")


def acting_seller(actor: Actor) -> str:
    """The seller an app's token speaks for; a grantless token speaks for none."""
    if actor.seller_id is None:
        raise Forbidden(N_("error.spapi.operation_needs_seller_authorisation_refresh_token"))
    return actor.seller_id


def pack(document: bytes) -> tuple[bytes, str | None]:
    """The bytes to store and their compression: GZIP above the threshold, else none."""
    if len(document) > GZIP_THRESHOLD_BYTES:
        return gzip.compress(document, mtime=0), "GZIP"
    return document, None


def create_report(
    session: Session,
    actor: Actor,
    *,
    report_type: str,
    marketplace_ids: Sequence[str],
    data_start_time: datetime | None = None,
    data_end_time: datetime | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Report:
    """Queue a report of the acting seller; the day it describes is the marketplace's local
    day of ``dataEndTime`` (default: today)."""
    seller_id = acting_seller(actor)
    access.authorize(actor, Action.CREATE_REPORT, seller_id=seller_id)
    seller = session.get_one(Seller, seller_id)
    if report_type not in SUPPORTED_REPORT_TYPES:
        raise InvalidInput(
            N_("error.spapi.reporttype_not_supported"),
            report_type=report_type,
            supported=", ".join(sorted(SUPPORTED_REPORT_TYPES)),
        )
    _check_marketplaces(seller, marketplace_ids)
    now = clock()
    for name, value in (("dataStartTime", data_start_time), ("dataEndTime", data_end_time)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput(N_("error.spapi.give_time_zone_iso_8601_e"), name=name)
        if value is not None and value > now:
            raise InvalidInput(N_("error.spapi.must_not_future"), name=name)
    if data_start_time and data_end_time and data_start_time > data_end_time:
        raise InvalidInput(N_("error.spapi.datastarttime_must_not_after_dataendtime"))
    zone = ZoneInfo(seller.marketplace.time_zone)
    report = Report(
        app_id=actor.app_id,
        seller_id=seller.id,
        marketplace_id=seller.marketplace_id,
        report_type=report_type,
        as_of=(data_end_time or now).astimezone(zone).date(),
        data_start_time=data_start_time,
        data_end_time=data_end_time,
        status=ProcessingStatus.IN_QUEUE,
        created_at=now,
    )
    session.add(report)
    session.flush()
    session.add(
        access.record(
            actor,
            Action.CREATE_REPORT,
            f"seller:{seller.id}",
            {"report": report.id, "reportType": report_type},
        )
    )
    return report


def _check_marketplaces(seller: Seller, marketplace_ids: Sequence[str]) -> None:
    if not marketplace_ids:
        raise InvalidInput(N_("error.spapi.marketplaceids_give_seller_marketplace"))
    foreign = sorted(set(marketplace_ids) - {seller.marketplace_id})
    if foreign:
        raise InvalidInput(
            N_("error.spapi.marketplaceids_not_marketplace_seller"), foreign=", ".join(foreign)
        )


def get_report(session: Session, actor: Actor, report_id: str) -> Report:
    return _load(session, actor, Action.GET_REPORT, report_id)


def _load(session: Session, actor: Actor, action: Action, report_id: str) -> Report:
    key = int(report_id) if report_id.isdigit() and len(report_id) < 18 else 0
    return access.load(
        session,
        actor,
        action,
        Report,
        key,
        missing=N_("error.not_found.report"),
        owned_by="app",
        hidden=DENIED,
    )


def cancel_report(session: Session, actor: Actor, report_id: str) -> None:
    """Only a report still waiting in the queue can be cancelled."""
    report = _load(session, actor, Action.CANCEL_REPORT, report_id)
    if report.status is not ProcessingStatus.IN_QUEUE:
        raise InvalidInput(
            N_("error.spapi.report_not_cancellable"),
            report_id=report_id,
            status=report.status.value,
        )
    report.status = ProcessingStatus.CANCELLED
    report.processing_ended_at = utcnow()
    session.add(
        access.record(
            actor, Action.CANCEL_REPORT, f"seller:{report.seller_id}", {"report": report.id}
        )
    )


@dataclass(frozen=True, slots=True)
class ReportFilter:
    report_types: tuple[str, ...]
    statuses: tuple[str, ...] = ()
    marketplace_ids: tuple[str, ...] = ()
    created_since: datetime | None = None
    created_until: datetime | None = None
    page_size: int = DEFAULT_PAGE_SIZE


@dataclass(frozen=True, slots=True)
class ReportPage:
    reports: list[Report]
    next_token: str | None


def _encode_token(page: ReportFilter, after: int) -> str:
    state = {
        "t": page.report_types,
        "s": page.statuses,
        "m": page.marketplace_ids,
        "a": page.created_since.isoformat() if page.created_since else None,
        "u": page.created_until.isoformat() if page.created_until else None,
        "p": page.page_size,
        "after": after,
    }
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode()


def _decode_token(token: str) -> tuple[ReportFilter, int]:
    try:
        state = json.loads(base64.urlsafe_b64decode(token.encode()))
        page = ReportFilter(
            report_types=tuple(state["t"]),
            statuses=tuple(state["s"]),
            marketplace_ids=tuple(state["m"]),
            created_since=datetime.fromisoformat(state["a"]) if state["a"] else None,
            created_until=datetime.fromisoformat(state["u"]) if state["u"] else None,
            page_size=int(state["p"]),
        )
        return page, int(state["after"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise InvalidInput(N_("error.spapi.nexttoken_not_token_operation_returned")) from None


def check_filter(page: ReportFilter) -> None:
    if not page.report_types:
        raise InvalidInput(N_("error.spapi.reporttypes_required_unless_nexttoken_given"))
    for name, values in (
        ("reportTypes", page.report_types),
        ("marketplaceIds", page.marketplace_ids),
    ):
        if len(values) > MAX_FILTER_VALUES:
            raise InvalidInput(
                N_("error.spapi.most_values"), name=name, max_filter_values=MAX_FILTER_VALUES
            )
    unknown = sorted(set(page.statuses) - set(ProcessingStatus))
    if unknown:
        raise InvalidInput(
            N_("error.spapi.processingstatuses_unknown_status"), unknown=", ".join(unknown)
        )
    if not 1 <= page.page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(N_("error.spapi.pagesize_between_1"), max_page_size=MAX_PAGE_SIZE)
    if page.created_since and page.created_until and page.created_since > page.created_until:
        raise InvalidInput(N_("error.spapi.createdsince_must_not_after_createduntil"))


def list_reports(
    session: Session,
    actor: Actor,
    page: ReportFilter | None = None,
    *,
    next_token: str | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> ReportPage:
    """The app's reports of the acting seller, newest first, a page at a time."""
    seller_id = acting_seller(actor)
    access.authorize(actor, Action.GET_REPORTS, seller_id=seller_id)
    after: int | None = None
    if next_token is not None:
        page, after = _decode_token(next_token)
    if page is None:
        raise InvalidInput(N_("error.spapi.reporttypes_required_unless_nexttoken_given"))
    check_filter(page)
    since = page.created_since or clock() - timedelta(days=RETENTION_DAYS)
    query = select(Report).where(
        Report.seller_id == seller_id,
        Report.app_id == actor.app_id,
        Report.report_type.in_(page.report_types),
        Report.created_at >= since,
    )
    if page.statuses:
        query = query.where(Report.status.in_(page.statuses))
    if page.marketplace_ids:
        query = query.where(Report.marketplace_id.in_(page.marketplace_ids))
    if page.created_until:
        query = query.where(Report.created_at <= page.created_until)
    if after is not None:
        query = query.where(Report.id < after)
    rows = list(session.scalars(query.order_by(Report.id.desc()).limit(page.page_size + 1)))
    more = len(rows) > page.page_size
    rows = rows[: page.page_size]
    return ReportPage(rows, _encode_token(page, rows[-1].id) if more else None)


def report_json(report: Report) -> dict[str, Any]:
    """Amazon's ``Report`` object."""
    body: dict[str, Any] = {
        "reportId": str(report.id),
        "reportType": report.report_type,
        "marketplaceIds": [report.marketplace_id],
        "createdTime": iso_time(report.created_at),
        "processingStatus": report.status.value,
    }
    optional = {
        "dataStartTime": report.data_start_time,
        "dataEndTime": report.data_end_time,
        "processingStartTime": report.processing_started_at,
        "processingEndTime": report.processing_ended_at,
    }
    body.update({name: iso_time(value) for name, value in optional.items() if value})
    if report.document_id:
        body["reportDocumentId"] = report.document_id
    return body


@dataclass(frozen=True, slots=True)
class DocumentAccess:
    document_id: str
    token: str
    compression: str | None


def get_report_document(
    session: Session,
    actor: Actor,
    document_id: str,
    *,
    clock: Callable[[], datetime] = utcnow,
) -> DocumentAccess:
    """A fresh link to the document, valid for five minutes; the caller makes it a URL."""
    document = access.load(
        session,
        actor,
        Action.GET_REPORT_DOCUMENT,
        ReportDocument,
        document_id[:64],
        missing=N_("error.not_found.report_document"),
        owned_by="app",
        hidden=DENIED,
    )
    token = secrets.token_urlsafe(32)
    session.add(
        DocumentLink(
            digest=digest(token),
            document_id=document.id,
            expires_at=clock() + timedelta(seconds=DOCUMENT_URL_SECONDS),
        )
    )
    return DocumentAccess(document.id, token, document.compression)


def download(
    session: Session, token: str, *, clock: Callable[[], datetime] = utcnow
) -> ReportDocument:
    """The document a pre-signed link names, while the link is fresh; the link is the
    credential, so an unknown and an expired one are refused alike."""
    link = session.get(DocumentLink, digest(token))
    if link is None or link.expires_at <= clock():
        raise Forbidden(N_("error.spapi.document_link_invalid"))
    return session.get_one(ReportDocument, link.document_id)
