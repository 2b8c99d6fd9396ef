"""The transparency report as a staff page: the period's figures, charted and tabled."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from kenzen import clock
from kenzen.errors import InvalidInput
from kenzen.transparency.schemas import TransparencyReport
from kenzen.transparency.service import transparency_report
from kenzen.web.deps import Db
from kenzen.web.pages.common import PageRoute, language_of, refusal, render, require_actor

router = APIRouter(include_in_schema=False, route_class=PageRoute)

#: Without a period asked for, the page shows the last 30 days up to today (UTC).
DEFAULT_DAYS = 30


def _bars(labels: list[str], values: list[int], label: str) -> str:
    """A bar chart's data for static/transparency.js (the CSP forbids inline scripts)."""
    return json.dumps({"labels": labels, "values": values, "label": label}, ensure_ascii=False)


def _charts(report: TransparencyReport) -> dict[str, str]:
    automated = {a.action: 0 for a in report.actions}
    by_people = dict(automated)
    for a in report.actions:
        (automated if a.automated else by_people)[a.action] += a.count
    return {
        "notices": _bars(
            [f"{n.kind} · {n.notifier_type}" for n in report.notices],
            [n.count for n in report.notices],
            "notices",
        ),
        "actions": json.dumps(
            {
                "labels": list(automated),
                "stacks": [list(automated.values()), list(by_people.values())],
            },
            ensure_ascii=False,
        ),
        "appeals": _bars(
            [a.outcome for a in report.appeals], [a.count for a in report.appeals], "appeals"
        ),
        "reversals": _bars(
            [r.rule for r in report.deactivations_reversed],
            [r.count for r in report.deactivations_reversed],
            "reversals",
        ),
    }


@router.get("/staff/transparency", response_class=HTMLResponse)
def transparency_page(
    request: Request,
    db: Db,
    first: Annotated[str | None, Query(alias="from", max_length=32)] = None,
    last: Annotated[str | None, Query(alias="to", max_length=32)] = None,
) -> Response:
    """``?from=YYYY-MM-DD&to=YYYY-MM-DD`` (both days included, UTC); a bad period is shown
    with the field named."""
    actor = require_actor(request)
    today = clock.now().date()
    first = first or (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
    last = last or today.isoformat()
    language = language_of(request, actor)
    with db.transaction() as session:
        try:
            report = transparency_report(session, actor, first, last)
        except InvalidInput as error:
            return render(
                request,
                "staff_transparency.html",
                language,
                status_code=422,
                actor=actor,
                first=first,
                last=last,
                error=refusal(request, error),
                report=None,
            )
    return render(
        request,
        "staff_transparency.html",
        language,
        actor=actor,
        first=first,
        last=last,
        error=None,
        report=report,
        charts=_charts(report),
    )
