"""Marks: the sellers whose health may have changed and who wait to be evaluated.

Every use case that changes a fact the policy reads (a complaint, a violation, imported
events, a metric run, an appeal decision, a status set by hand) marks the seller in its
own transaction, so a mark exists exactly when the change was committed. The worker
(:mod:`kenzen.policy.continuous`) evaluates marked sellers, oldest mark first, and clears a
mark in the evaluation's own transaction — and only if no newer fact marked the seller
meanwhile (the mark's ``version`` is unchanged), so nothing is ever lost. Concurrent workers
on PostgreSQL claim a mark with ``FOR UPDATE SKIP LOCKED``, so one seller is evaluated by
one worker at a time (SQLite has one writer at a time). What the evaluation itself changes
(the status it sets) does not mark the seller again: it has just been evaluated.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Select, delete, literal, select, true, update
from sqlalchemy.orm import Session

from kenzen.db import UTCDateTime, upsert_into, utcnow
from kenzen.sellers.models import EvaluationMark, Seller, new_facts_stamp

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite

#: A failed evaluation is retried after 30 s, 1 min, 2 min, … at most an hour apart.
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
#: Sellers per statement renewing stamps (SQLite allows 32,766 parameters in one).
_STAMPS_PER_STATEMENT = 5000
#: ``Session.info`` key: the seller whose evaluation runs in this transaction.
_EVALUATING = "kenzen.evaluating"


def mark_for_evaluation(session: Session, seller_ids: Iterable[str], *, reason: str) -> None:
    """Mark the sellers for evaluation (a marked seller's mark is renewed, and it becomes
    due at once even if it was waiting to retry) and renew their facts stamps. The seller
    being evaluated in this transaction is not marked by its own evaluation's changes, but
    its stamp is renewed: what it changes (its status, its violations) is a fact too."""
    changed = set(seller_ids)
    renew_facts_stamp(session, changed)
    ids = sorted(changed - {session.info.get(_EVALUATING)})
    if not ids:
        return
    now = utcnow()
    # One statement run for every row (executemany): compiling a VALUES list of thousands
    # of rows cost a metric run over 50,000 sellers most of its time.
    session.connection().execute(
        _renewing(_insert(session)),
        [
            {"seller_id": i, "marked_at": now, "version": 1, "reason": reason, "attempts": 0}
            for i in ids
        ],
    )


def mark_selected(
    session: Session, seller_ids: Select[tuple[str]], *, reason: str, renew_stamps: bool = True
) -> None:
    """:func:`mark_for_evaluation` of the sellers a query selects, in one statement that
    never brings them into Python (a metric run marks tens of thousands at once), and one
    that renews their facts stamps — unless ``renew_stamps`` is false because the caller
    renews the stamps of a larger selection in this transaction anyway."""
    if renew_stamps:
        renew_selected_stamps(session, seller_ids)
    evaluating = session.info.get(_EVALUATING)
    chosen = seller_ids.subquery()
    rows = select(
        chosen.c[0],
        literal(utcnow(), UTCDateTime()),
        literal(1),
        literal(reason),
        literal(0),
    ).where(chosen.c[0] != evaluating if evaluating else true())
    statement = _insert(session).from_select(
        ["seller_id", "marked_at", "version", "reason", "attempts"], rows
    )
    session.connection().execute(_renewing(statement))


def _insert(session: Session) -> postgresql.Insert | sqlite.Insert:
    table = EvaluationMark.metadata.tables[EvaluationMark.__tablename__]
    return upsert_into(table, session.get_bind().dialect.name)


def _renewing(statement: postgresql.Insert | sqlite.Insert) -> postgresql.Insert | sqlite.Insert:
    """A mark that exists is renewed: a new version, the new reason, due at once."""
    return statement.on_conflict_do_update(
        index_elements=[EvaluationMark.seller_id],
        set_={
            "version": EvaluationMark.version + 1,
            "reason": statement.excluded.reason,
            "not_before": None,
        },
    )


def renew_facts_stamp(session: Session, seller_ids: Iterable[str]) -> None:
    """Give the sellers a new :attr:`Seller.facts_stamp` in this transaction: a fact the
    policy reads about them changed, so what any process kept of their assessment is never
    used again. :func:`mark_for_evaluation` calls it; a change that needs no evaluation
    (a daily Assurance eligibility, an emergency phone) calls it alone."""
    ids = sorted(set(seller_ids))
    stamp = new_facts_stamp()
    for start in range(0, len(ids), _STAMPS_PER_STATEMENT):
        session.execute(
            update(Seller)
            .where(Seller.id.in_(ids[start : start + _STAMPS_PER_STATEMENT]))
            .values(facts_stamp=stamp)
        )


def renew_selected_stamps(session: Session, seller_ids: Select[tuple[str]]) -> None:
    """:func:`renew_facts_stamp` of the sellers a query selects, in one statement (the
    identity map is not searched for them: a use case changing facts in bulk reads no stamp
    afterwards)."""
    session.execute(
        update(Seller).where(Seller.id.in_(seller_ids)).values(facts_stamp=new_facts_stamp()),
        execution_options={"synchronize_session": False},
    )


def due_marks(session: Session, now: datetime, limit: int) -> list[str]:
    """The sellers whose marks are due at ``now``, oldest mark first."""
    return list(
        session.scalars(
            select(EvaluationMark.seller_id)
            .where(_due(now))
            .order_by(EvaluationMark.marked_at, EvaluationMark.seller_id)
            .limit(limit)
        )
    )


def claim_mark(session: Session, seller_id: str, now: datetime) -> int | None:
    """Lock the seller's due mark for an evaluation in this transaction; its version, or
    None when it is not due any more or another worker holds it."""
    version: int | None = session.scalar(
        select(EvaluationMark.version)
        .where(EvaluationMark.seller_id == seller_id, _due(now))
        .with_for_update(skip_locked=True)
    )
    return version


@contextmanager
def evaluating(session: Session, seller_id: str) -> Iterator[None]:
    """While the seller is evaluated, its own changes do not mark it again."""
    session.info[_EVALUATING] = seller_id
    try:
        yield
    finally:
        del session.info[_EVALUATING]


def _due(now: datetime) -> ColumnElement[bool]:
    return (EvaluationMark.not_before.is_(None)) | (EvaluationMark.not_before <= now)


def clear_mark(session: Session, seller_id: str, version: int) -> bool:
    """Clear the mark evaluated at ``version``; False if a newer fact renewed it."""
    cleared = session.execute(
        delete(EvaluationMark).where(
            EvaluationMark.seller_id == seller_id, EvaluationMark.version == version
        )
    )
    return bool(cleared.rowcount)  # type: ignore[attr-defined]


def retry_later(session: Session, seller_id: str, error: str, now: datetime) -> datetime:
    """Keep the mark of a seller whose evaluation failed, and retry after a growing pause;
    return when."""
    mark = session.get(EvaluationMark, seller_id)
    if mark is None:  # pragma: no cover - a failed evaluation never clears its mark
        return now
    mark.attempts += 1
    mark.not_before = now + retry_pause(mark.attempts)
    mark.last_error = error[:2000]
    return mark.not_before


def retry_pause(attempts: int) -> timedelta:
    """The pause after the ``attempts``-th failure: 30 s, doubled each time, at most an hour."""
    return min(FIRST_RETRY * (1 << min(attempts - 1, 16)), LONGEST_RETRY)
