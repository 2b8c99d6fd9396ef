import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, Field

from kenzen.access import Action
from kenzen.config import Settings
from kenzen.events import service
from kenzen.events.readers import detect_format
from kenzen.events.service import ImportKind
from kenzen.events.store import EventStore
from kenzen.web.deps import CurrentActor, Db
from kenzen.web.uploads import Upload, authorised_upload, multipart_body, permitted

router = APIRouter(prefix="/events", tags=["events"])

#: Event files may be far larger than the general 1 MiB body limit.
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


class ImportForm(BaseModel):
    skip_invalid: bool = False
    encoding: str | None = Field(
        default=None, max_length=40, description="A text file's encoding if not UTF-8 (cp932)."
    )


ImportUpload = Annotated[
    Upload[ImportForm],
    Depends(authorised_upload(permitted(Action.IMPORT_EVENTS), ImportForm)),
]


@router.post(
    "/{kind}",
    operation_id="importEvents",
    status_code=status.HTTP_200_OK,
    max_body_size=MAX_EVENT_FILE_BYTES,
    openapi_extra=multipart_body(ImportForm, "CSV (header row), JSON Lines or Parquet."),
)
def import_events(
    kind: ImportKind, request: Request, actor: CurrentActor, db: Db, upload: ImportUpload
) -> ImportOut:
    """Import a file of events; idempotent, and all-or-nothing unless ``skip_invalid``."""
    settings: Settings = request.app.state.settings
    name = Path(upload.file.filename or "upload")
    detect_format(name)
    suffix = name.suffix.lower()
    settings.home.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.home, prefix="upload-") as folder:
        path = Path(folder) / f"{kind}{suffix}"
        with path.open("wb") as target:
            shutil.copyfileobj(upload.file.file, target)
        with db.transaction() as session, EventStore.of(settings.locations) as store:
            report = service.import_events(
                session,
                actor,
                store,
                kind,
                path,
                skip_invalid=upload.fields.skip_invalid,
                encoding=upload.fields.encoding,
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
