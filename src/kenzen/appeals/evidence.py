"""What an attachment really is: a PDF that parses, a PNG or JPEG that decodes.

The first bytes only say what a file claims to be; a reviewer opens the whole file, so the
whole file is checked, with the maintained libraries that read these formats (pypdf,
Pillow). Pure: bytes in, a content type or a refusal naming the file out.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from kenzen.errors import InvalidInput

SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
_IMAGE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}
#: Larger images are refused rather than decoded (a small file can expand enormously).
MAX_IMAGE_PIXELS = 50_000_000


def content_type_of(filename: str, data: bytes) -> str:
    """The file's content type once the whole file has been read as that type."""
    content_type = next((t for sig, t in SIGNATURES.items() if data.startswith(sig)), None)
    if content_type is None:
        raise InvalidInput(f"file: {filename} is not a PDF, PNG or JPEG (checked by content)")
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
                raise InvalidInput(f"file: {filename} is an encrypted PDF; attach it unlocked")
            pages = len(reader.pages)
            for page in reader.pages:
                page.get_contents()
    except InvalidInput:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise InvalidInput(f"file: {filename} is not a readable PDF") from None
    if pages == 0:
        raise InvalidInput(f"file: {filename} is a PDF without pages")


def _check_image(filename: str, data: bytes, expected: str) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[expected]) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise InvalidInput(f"file: {filename} has more than {MAX_IMAGE_PIXELS} pixels")
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
        raise InvalidInput(f"file: {filename} is not a readable {expected} image") from None
