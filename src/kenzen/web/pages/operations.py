"""The operators' pages: the overview of every work queue and the audit log (paged on the
server, filtered, exported as CSV). The services decide who may see them."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Annotated

from defusedcsv import csv
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse

from kenzen import audit, clock
from kenzen.audit import AuditEntry, AuditFilter, Outcome
from kenzen.errors import InvalidInput
from kenzen.identity import service as identity
from kenzen.ids import MAX_ID
from kenzen.operations.queues import may_work, queue_overview
from kenzen.web.deps import Db
from kenzen.web.pages.common import PageRoute, language_of, refusal, render, require_actor

router = APIRouter(include_in_schema=False, route_class=PageRoute)

#: A keyset position in the log: out of range is 422, never a lookup the database cannot make.
EntryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]

CSV_COLUMNS = ("id", "at", "actor", "actor_role", "action", "target", "outcome", "detail")


@router.get("/staff/overview", response_class=HTMLResponse)
def overview(request: Request, db: Db) -> Response:
    """Each queue's depth and oldest item, the figures /metrics exports."""
    actor = require_actor(request)
    now = clock.now()
    with db.transaction() as session:
        figures = queue_overview(session, actor, now)
    return render(
        request,
        "staff_overview.html",
        language_of(request, actor),
        actor=actor,
        figures=figures,
        now=now,
        linked={f.queue.key for f in figures if may_work(actor, f.queue)},
    )


@router.get("/staff/audit", response_class=HTMLResponse)
def audit_log(request: Request, db: Db, before: EntryId = None, after: EntryId = None) -> Response:
    """A page of the log; a bad filter shows the form again with what is wrong (422)."""
    actor = require_actor(request)
    values = dict(request.query_params)
    page, error = None, None
    try:
        with db.transaction() as session:
            page = identity.audit_log(session, actor, values, before=before, after=after)
    except InvalidInput as refused:
        error = refusal(request, refused)
    links = {**page.chosen.query_values(), "size": str(page.size)} if page else {}
    return render(
        request,
        "audit.html",
        language_of(request, actor),
        status_code=422 if error else 200,
        actor=actor,
        page=page,
        values=values,
        links=links,
        outcomes=list(Outcome),
        max_size=audit.MAX_PAGE_SIZE,
        error=error,
    )


@router.get("/staff/audit.csv")
def export_audit_log(request: Request, db: Db) -> Response:
    """Every matching entry as CSV, newest first; a cell that a spreadsheet would read as a
    formula is quoted (defusedcsv), since actors and targets can be typed by anyone."""
    actor = require_actor(request)
    with db.transaction() as session:
        chosen = identity.export_audit_log(session, actor, dict(request.query_params))
    stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
    return StreamingResponse(
        _csv_lines(db, chosen),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="kenzen-audit-{stamp}.csv"'},
    )


def _csv_lines(db: Db, chosen: AuditFilter) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    with db.transaction() as session:
        for number, entry in enumerate(audit.iterate(session, chosen), start=1):
            writer.writerow(_csv_row(entry))
            if number % 500 == 0:
                yield _drain(buffer)
    yield _drain(buffer)


def _csv_row(entry: AuditEntry) -> tuple[object, ...]:
    return (
        entry.id,
        entry.at.isoformat(),
        entry.actor,
        entry.actor_role,
        entry.action,
        entry.target,
        entry.outcome.value,
        json.dumps(entry.detail, ensure_ascii=False, sort_keys=True),
    )


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
