"""Text event files are UTF-8; anything else gets one clear line, or is converted on request.

A Shift_JIS export read as UTF-8 once gave a traceback from the command line and a 500 from
the API. ``check_utf8`` names the first line that is not UTF-8 and says what to do;
``to_utf8`` converts a file from the encoding its owner names (``--encoding cp932``) into a
UTF-8 copy beside it, which is then read as usual.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from kenzen.events.formats import EventFormatError
from kenzen.i18n import N_

CHUNK = 1 << 20


def check_utf8(path: Path) -> None:
    """Raise EventFormatError naming the first line that is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                raise _not_utf8(path, line + chunk.count(b"\n", 0, error.start)) from None
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise _not_utf8(path, line) from None


def _not_utf8(path: Path, line: int) -> EventFormatError:
    return EventFormatError(N_("error.events.line_not_utf_8"), path=path.name, line=line)


def to_utf8(path: Path, encoding: str, folder: Path) -> Path:
    """A UTF-8 copy of ``path`` read as ``encoding``, under the same name in ``folder``."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise EventFormatError(
            N_("error.events.encoding_not_known_encoding"), encoding=encoding[:40]
        ) from None
    target = folder / path.name
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as out:
        while chunk := source.read(CHUNK):
            try:
                out.write(decoder.decode(chunk))
            except UnicodeDecodeError as error:
                at = line + chunk.count(b"\n", 0, error.start)
                raise EventFormatError(
                    N_("error.events.line_not_in_encoding"),
                    path=path.name,
                    at=at,
                    encoding=encoding,
                ) from None
            line += chunk.count(b"\n")
        out.write(decoder.decode(b"", final=True))
    return target
