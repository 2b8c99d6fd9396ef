"""The transparency report as the API, the command and the page give it."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from pydantic import BaseModel


class NoticeCount(BaseModel):
    kind: str
    """The complaint kind (trademark, copyright, …)."""
    notifier_type: str
    """The role of the user who filed it (``rights_owner``; ``system`` for the operator)."""
    count: int


class ActionCount(BaseModel):
    action: str
    """What was done: a policy action (WARN, DEACTIVATE, …), RECORD_VIOLATION, or an
    account status a person set (ACCOUNT_STATUS_<STATUS>)."""
    category: str
    """The violation category for a violation; the policy rule (or case topic) otherwise."""
    automated: bool
    count: int


class DurationsOut(BaseModel):
    count: int
    median_hours: float | None
    p90_hours: float | None
    """Nearest-rank 90th percentile."""


class OutcomeCount(BaseModel):
    outcome: str
    count: int


class ReversalCount(BaseModel):
    rule: str
    """The rule whose deactivation an accepted appeal reversed."""
    count: int


class TransparencyReport(BaseModel):
    period_from: date
    period_to: date
    """Both days included, in UTC."""
    generated_at: datetime
    notices: list[NoticeCount]
    actions: list[ActionCount]
    notice_to_action: DurationsOut
    appeal_to_decision: DurationsOut
    appeals: list[OutcomeCount]
    deactivations_reversed: list[ReversalCount]
    notifiers_held: int
    notices_ended: list[OutcomeCount]
    """Notices that stopped counting in the period: ``RETRACTED`` by their notifier or
    found ``INVALID`` by a specialist."""
    dispute_to_decision: DurationsOut
    """From a seller's dispute of a notice to the specialist's decision."""
    disputes: list[OutcomeCount]
    """Disputes decided in the period: ``COMPLAINT_UPHELD`` or ``COMPLAINT_INVALID``."""

    def csv(self) -> str:
        """One row per figure: section, name, detail, automated (actions only), value."""
        rows: list[tuple[str, str, str, str, object]] = [
            ("period", "from", "", "", self.period_from.isoformat()),
            ("period", "to", "", "", self.period_to.isoformat()),
        ]
        rows += [("notices", n.kind, n.notifier_type, "", n.count) for n in self.notices]
        rows += [
            ("actions", a.action, a.category, "yes" if a.automated else "no", a.count)
            for a in self.actions
        ]
        for name, durations in (
            ("notice_to_action", self.notice_to_action),
            ("appeal_to_decision", self.appeal_to_decision),
            ("dispute_to_decision", self.dispute_to_decision),
        ):
            rows += [
                (name, "count", "", "", durations.count),
                (name, "median_hours", "", "", _blank(durations.median_hours)),
                (name, "p90_hours", "", "", _blank(durations.p90_hours)),
            ]
        rows += [("appeals", a.outcome, "", "", a.count) for a in self.appeals]
        rows += [
            ("deactivations_reversed", r.rule, "", "", r.count) for r in self.deactivations_reversed
        ]
        rows.append(("notifiers_held", "count", "", "", self.notifiers_held))
        rows += [("notices_ended", n.outcome, "", "", n.count) for n in self.notices_ended]
        rows += [("disputes", d.outcome, "", "", d.count) for d in self.disputes]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("section", "name", "detail", "automated", "value"))
        writer.writerows(rows)
        return out.getvalue()


def _blank(value: float | None) -> object:
    return "" if value is None else value
