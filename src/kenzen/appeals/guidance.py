"""The three things Account Health Support explains, per kind of violation (guidance.toml)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from kenzen.i18n import pick


@dataclass(frozen=True)
class Guidance:
    topic: str
    why: str
    how: str
    after: str


@cache
def _topics() -> dict[str, Any]:
    text = resources.files("kenzen.appeals").joinpath("guidance.toml").read_text("utf-8")
    return tomllib.loads(text)


def topic_for(subject: str) -> str:
    """The guidance topic of a violation category or metric key."""
    return next(
        (name for name, topic in _topics().items() if subject in topic["covers"]), "default"
    )


def guidance_for(subjects: Iterable[str], language: str) -> list[Guidance]:
    """Guidance for the case's violation categories and metrics, each topic once."""
    names = list(dict.fromkeys(topic_for(s) for s in subjects)) or ["default"]
    topics = _topics()
    return [
        Guidance(
            name,
            pick(topics[name]["why"], language),
            pick(topics[name]["how"], language),
            pick(topics[name]["after"], language),
        )
        for name in names
    ]
