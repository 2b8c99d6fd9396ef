"""The work queues at a glance, for staff tools (the same figures as the overview page
and /metrics)."""

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from kenzen import clock
from kenzen.operations.queues import queue_overview
from kenzen.web.deps import CurrentActor, Db

router = APIRouter(prefix="/queues", tags=["operations"])


class QueueOut(BaseModel):
    queue: str
    depth: int
    oldest: datetime | None
    """When the oldest waiting item entered the queue (a callback: its slot)."""
    oldest_age_seconds: float


@router.get("", operation_id="getQueueOverview")
def get_queue_overview(actor: CurrentActor, db: Db) -> list[QueueOut]:
    """Each work queue's depth and oldest item: counts and times, no seller's data."""
    now = clock.now()
    with db.transaction() as session:
        figures = queue_overview(session, actor, now)
    return [
        QueueOut(
            queue=f.queue.key,
            depth=f.depth,
            oldest=f.oldest,
            oldest_age_seconds=f.age_seconds(now),
        )
        for f in figures
    ]
