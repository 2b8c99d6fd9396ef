"""The languages Kenzen writes to sellers in: a column type every domain may store."""

from __future__ import annotations

import enum


class Language(enum.StrEnum):
    JA = "ja"
    EN = "en"
