"""Evidence files (an appeal's invoices, a complaint's proof, a dispute's letter of
authorisation): what a file really is, and where it is kept.

The first bytes only say what a file claims to be; a reviewer opens the whole file, so the
whole file is checked, with the maintained libraries that read these formats (pypdf,
Pillow). A file that passes is kept once by its content hash under the attachments folder.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from kenzen.errors import InvalidInput
from kenzen.i18n import N_

SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
_IMAGE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}
#: Larger images are refused rather than decoded (a small file can expand enormously).
MAX_IMAGE_PIXELS = 50_000_000
MAX_FILE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    filename: str
    content_type: str
    size: int
    sha256: str


def store(folder: Path, filename: str, data: bytes) -> StoredFile:
    """Check a PDF, PNG or JPEG (read in full first) and keep it under ``folder`` by its
    hash; a file already kept is not written again."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(
            N_("error.evidence.file_larger_bytes"), filename=filename, max_file_bytes=MAX_FILE_BYTES
        )
    content_type = content_type_of(filename, data)
    digest = hashlib.sha256(data).hexdigest()
    target = folder / digest[:2] / digest
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(target)
    return StoredFile(Path(filename).name[:200] or "attachment", content_type, len(data), digest)


def content_type_of(filename: str, data: bytes) -> str:
    """The file's content type once the whole file has been read as that type."""
    content_type = next((t for sig, t in SIGNATURES.items() if data.startswith(sig)), None)
    if content_type is None:
        raise InvalidInput(N_("error.evidence.file_not_pdf_png_jpeg_checked"), filename=filename)
    if content_type == "application/pdf":
        _check_pdf(filename, data)
    else:
        _check_image(filename, data, _IMAGE_FORMATS[content_type])
    return content_type


def _check_pdf(filename: str, data: bytes) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=True)
            if reader.is_encrypted:
                raise InvalidInput(N_("error.evidence.file_encrypted_pdf"), filename=filename)
            pages = len(reader.pages)
            for page in reader.pages:
                page.get_contents()
    except InvalidInput:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise InvalidInput(N_("error.evidence.file_not_readable_pdf"), filename=filename) from None
    if pages == 0:
        raise InvalidInput(N_("error.evidence.file_pdf_without_pages"), filename=filename)


def _check_image(filename: str, data: bytes, expected: str) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[expected]) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise InvalidInput(
                        N_("error.evidence.file_has_more_pixels"),
                        filename=filename,
                        max_image_pixels=MAX_IMAGE_PIXELS,
                    )
                image.load()
    except InvalidInput:
        raise
    except (
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise InvalidInput(
            N_("error.evidence.file_not_readable_image"), filename=filename, expected=expected
        ) from None
