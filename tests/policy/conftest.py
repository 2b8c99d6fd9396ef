"""Fixtures for the policy tests: the shipped policy, as text and loaded."""

from __future__ import annotations

from importlib import resources

import pytest

from kenzen.policy.document import Policy, load_policy


@pytest.fixture(scope="session")
def default_text() -> str:
    return resources.files("kenzen.policy").joinpath("policy.toml").read_text("utf-8")


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


def edit(text: str, old: str, new: str) -> str:
    """The policy text with one passage replaced (failing loudly if it is not there)."""
    assert text.count(old) == 1, old
    return text.replace(old, new)
