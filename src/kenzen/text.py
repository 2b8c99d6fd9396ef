"""Names people type, checked once at the boundary.

A name travels into mail headers (a brand becomes part of a case title, the case title the
Subject), log lines and pages. Control characters, line and paragraph separators and the
bidirectional overrides have no place in any of them: a CR/LF in a brand name once broke
every notice of the seller it was filed against. ``Name`` refuses them in request bodies;
``check_name`` does the same in the services, which the command line calls directly.
"""

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator

from kenzen.errors import InvalidInput
from kenzen.i18n import N_

_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def forbidden_character(value: str) -> str | None:
    """The first character a name may not contain, as ``U+XXXX``, or None."""
    for character in value:
        category = unicodedata.category(character)
        if category in {"Cc", "Zl", "Zp"} or _BIDI_CONTROLS.match(character):
            return f"U+{ord(character):04X}"
    return None


def _refuse_controls(value: str) -> str:
    if found := forbidden_character(value):
        raise ValueError(f"must not contain control characters or line breaks ({found})")
    return value


Name = Annotated[str, AfterValidator(_refuse_controls)]
"""A single-line name: no control characters, line breaks or bidirectional overrides."""


def check_name(value: str, field: str) -> str:
    """``value`` unchanged, or InvalidInput naming ``field`` and the offending character."""
    if found := forbidden_character(value):
        raise InvalidInput(
            N_("error.text.must_not_contain_control_characters_line"), field=field, found=found
        )
    return value


def header_text(value: str) -> str:
    """One line for a mail header: every run of control or separator characters becomes one
    space. Stored data from before names were checked must not break a notice."""
    cleaned = "".join(" " if forbidden_character(character) else character for character in value)
    return re.sub(r" {2,}", " ", cleaned).strip()
