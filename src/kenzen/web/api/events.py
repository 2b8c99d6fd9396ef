import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile, status
from pydantic import BaseModel

from kenzen.config import Settings
from kenzen.events import service
from kenzen.events.readers import detect_format
from kenzen.events.service import ImportKind
from kenzen.events.store import EventStore
from kenzen.web.deps import CurrentActor, Db

router = APIRouter(prefix="/events", tags=["events"])

#: Event files are the one kind of body allowed past the general 1 MiB limit.
MAX_EVENT_FILE_BYTES = 512 * 1024 * 1024


class RowErrorOut(BaseModel):
    line: int
    column: str
    reason: str


class ImportOut(BaseModel):
    kind: ImportKind
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    errors: list[RowErrorOut]


@router.post("/{kind}", operation_id="importEvents", status_code=status.HTTP_200_OK)
def import_events(
    kind: ImportKind,
    request: Request,
    actor: CurrentActor,
    db: Db,
    file: Annotated[UploadFile, File(description="CSV (header row), JSON Lines or Parquet.")],
    skip_invalid: Annotated[bool, Form()] = False,
) -> ImportOut:
    """Import a file of events; idempotent, and all-or-nothing unless ``skip_invalid``."""
    settings: Settings = request.app.state.settings
    name = Path(file.filename or "upload")
    detect_format(name)
    suffix = name.suffix.lower()
    settings.home.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.home, prefix="upload-") as folder:
        path = Path(folder) / f"{kind}{suffix}"
        with path.open("wb") as target:
            shutil.copyfileobj(file.file, target)
        with db.transaction() as session, EventStore(settings.events_dir) as store:
            report = service.import_events(
                session, actor, store, kind, path, skip_invalid=skip_invalid
            )
    return ImportOut(
        kind=report.kind,
        rows_read=report.rows_read,
        inserted=report.inserted,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=report.error_count,
        errors=[RowErrorOut(line=e.line, column=e.column, reason=e.reason) for e in report.errors],
    )
