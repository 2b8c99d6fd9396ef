"""Fixtures for the policy tests: the shipped policy as text."""

from __future__ import annotations

from importlib import resources

import pytest


@pytest.fixture(scope="session")
def default_text() -> str:
    return resources.files("kenzen.policy").joinpath("policy.toml").read_text("utf-8")


def edit(text: str, old: str, new: str) -> str:
    """The policy text with one passage replaced (failing loudly if it is not there)."""
    assert text.count(old) == 1, old
    return text.replace(old, new)
