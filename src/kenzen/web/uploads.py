"""File uploads are read only after the caller is authorised for the operation.

FastAPI reads a form body before it solves any dependency, so a route with ``File()``
parameters takes a 500 MB upload from anyone before it can answer 401. Upload routes
therefore declare no body parameters: ``authorised_upload`` builds a dependency that first
runs the operation's gate (authentication and permission) and only then parses the body —
counted against the route's ``max_body_size`` while it streams, the file spooled to a
temporary file — and validates its text fields with a Pydantic model. ``multipart_body``
documents that body in the OpenAPI document, where FastAPI can no longer see it. The pages
use the same dependency with the login session as their gate.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from kenzen.access import Action, Actor, authorize
from kenzen.evidence import MAX_FILE_BYTES
from kenzen.web.deps import CurrentActor, Db

#: Form fields besides the file: a handful of short values.
MAX_FORM_FIELDS = 10
MAX_FIELD_BYTES = 1024
#: An evidence upload's body: the file and the multipart framing around it.
MAX_ATTACHMENT_BODY = MAX_FILE_BYTES + 1024 * 1024

FieldsT = TypeVar("FieldsT", bound=BaseModel)


class NoFields(BaseModel):
    """An upload with no form fields besides its file."""


@dataclass(frozen=True)
class Upload(Generic[FieldsT]):
    """One uploaded file (spooled to a temporary file) and the form's validated fields."""

    file: UploadFile
    fields: FieldsT


def permitted(action: Action) -> Callable[[CurrentActor, Db], Actor]:
    """A gate: the caller's role may perform ``action`` (ownership is checked later, by the
    use case, before anything reaches storage). A refusal is audited like any other."""

    def gate(actor: CurrentActor, db: Db) -> Actor:
        with db.transaction():
            authorize(actor, action)
        return actor

    return gate


def authorised_upload(
    gate: Callable[..., Actor], fields: type[FieldsT], file_field: str = "file"
) -> Callable[..., Any]:
    """A dependency that runs ``gate`` and then reads the multipart body: one ``file_field``
    part and the text fields of ``fields``."""

    async def read(
        request: Request, authorised: Annotated[Actor, Depends(gate)]
    ) -> Upload[FieldsT]:
        form = await request.form(
            max_files=1, max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FIELD_BYTES
        )
        upload = form.get(file_field)
        if not isinstance(upload, UploadFile):
            raise RequestValidationError(
                [{"type": "missing", "loc": ("body", file_field), "msg": "Field required"}]
            )
        values = {key: value for key, value in form.items() if isinstance(value, str)}
        try:
            return Upload(upload, fields.model_validate(values))
        except ValidationError as error:
            raise RequestValidationError(
                [{**e, "loc": ("body", *e["loc"])} for e in error.errors()]
            ) from error

    return read


def multipart_body(fields: type[BaseModel], file_description: str) -> dict[str, Any]:
    """``openapi_extra`` for an upload route: the body ``authorised_upload`` reads."""
    schema = fields.model_json_schema()
    schema.setdefault("properties", {})["file"] = {
        "type": "string",
        "format": "binary",
        "description": file_description,
    }
    schema["required"] = ["file", *schema.get("required", [])]
    schema["title"] = fields.__name__
    return {
        "requestBody": {
            "required": True,
            "content": {"multipart/form-data": {"schema": schema}},
        }
    }
