"""The text of a plan uploaded as a file: Word (.docx, read with python-docx) or plain text.

What the seller wrote is kept word for word; Word's headings become ``#`` lines and its
list paragraphs ``-`` items, so the reader sees the shape Word showed. The kind of file
is told by its content, never by its name.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import docx
from docx.document import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

from kenzen.errors import InvalidInput
from kenzen.i18n import N_

#: A plan's Word file is tens of kilobytes; pictures belong in the evidence, not the plan.
MAX_PLAN_FILE_BYTES = 768 * 1024
#: The most a .docx may unpack to: a small file that unpacks to gigabytes is refused.
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
_ZIP = b"PK\x03\x04"
_OLD_WORD = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TEXT_ENCODINGS = ("utf-8", "cp932")


def text_of_file(filename: str, data: bytes) -> str:
    """The plan's text, or an error naming the file and what is wrong with it."""
    if len(data) > MAX_PLAN_FILE_BYTES:
        raise InvalidInput(
            N_("error.appeals.file_larger_bytes"),
            filename=filename,
            max_plan_file_bytes=MAX_PLAN_FILE_BYTES,
        )
    if not data.strip():
        raise InvalidInput(N_("error.appeals.file_empty"), filename=filename)
    if data.startswith(_OLD_WORD):
        raise InvalidInput(N_("error.appeals.file_old_word_doc_file"), filename=filename)
    if data.startswith(_ZIP):
        return _docx_text(filename, data)
    return _plain_text(filename, data)


def _plain_text(filename: str, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decoded(filename, data, "utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        return _decoded(filename, data[3:], "utf-8")
    if b"\x00" in data:
        raise InvalidInput(N_("error.appeals.file_neither_docx_nor_text_file"), filename=filename)
    for encoding in _TEXT_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(N_("error.appeals.file_text_unknown_encoding"), filename=filename)


def _decoded(filename: str, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise InvalidInput(
            N_("error.appeals.file_not_valid_text"), filename=filename, encoding=encoding
        ) from None


def _docx_text(filename: str, data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if "word/document.xml" not in archive.namelist():
                raise InvalidInput(
                    N_("error.appeals.file_zip_archive_but_not_word"), filename=filename
                )
        if unpacked > MAX_UNPACKED_BYTES:
            raise InvalidInput(
                N_("error.appeals.file_unpacks_more_bytes"),
                filename=filename,
                max_unpacked_bytes=MAX_UNPACKED_BYTES,
            )
        document = docx.Document(io.BytesIO(data))
    except InvalidInput:
        raise
    except Exception:  # python-docx raises many kinds on a broken file
        raise InvalidInput(
            N_("error.appeals.file_not_readable_word_document"), filename=filename
        ) from None
    return "\n".join(_lines(document))


def _lines(document: Document) -> Iterator[str]:
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            yield _paragraph(block)
        else:
            yield from _table(block)


def _paragraph(paragraph: Paragraph) -> str:
    """Word's heading and list paragraphs keep their shape as ``#`` and ``-``."""
    text = paragraph.text.strip()
    if not text:
        return ""
    style = paragraph.style.name if paragraph.style is not None and paragraph.style.name else ""
    if style == "Title":
        return f"# {text}"
    for prefix in ("Heading ", "見出し "):
        if style.startswith(prefix) and style.removeprefix(prefix).isdigit():
            return "#" * min(int(style.removeprefix(prefix)) or 1, 6) + f" {text}"
    numbered = bool(paragraph._p.xpath("./w:pPr/w:numPr"))
    if numbered or "List" in style:
        levels = paragraph._p.xpath("./w:pPr/w:numPr/w:ilvl/@w:val")
        level = int(levels[0]) if levels and str(levels[0]).isdigit() else 0
        return "  " * min(level, 8) + f"- {text}"
    return text


def _table(table: Table) -> Iterator[str]:
    """A template's table ("Root cause | …"): each cell's paragraphs in reading order."""
    for row in table.rows:
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            for paragraph in cell.paragraphs:
                if line := _paragraph(paragraph):
                    yield line
        yield ""
