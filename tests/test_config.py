"""Settings from the environment: a login limit the throttle could not read is refused when
it is set, the defaults are limits it reads, and the locations a command reads without the
settings model are the settings' own."""

from __future__ import annotations

from pathlib import Path

import pytest
from limits import parse
from pydantic import ValidationError

from kenzen.config import Settings
from kenzen.locations import Locations


def test_the_default_login_limits_parse() -> None:
    settings = Settings()
    assert parse(settings.login_failures_per_account).amount == 5
    assert parse(settings.login_failures_per_client).amount == 20


def test_a_login_limit_that_does_not_parse_is_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KENZEN_LOGIN_FAILURES_PER_CLIENT", "twenty a while")
    with pytest.raises(ValidationError, match="login_failures_per_client"):
        Settings(home=tmp_path)


@pytest.mark.parametrize(
    "environment",
    [
        {},
        {"KENZEN_HOME": "/srv/kenzen"},
        {"kenzen_home": "/srv/lower-case"},
        {"KENZEN_HOME": "/srv/kenzen", "KENZEN_DATABASE_URL": "postgresql+psycopg://k@db/k"},
        {"KENZEN_DATABASE_URL": ""},
        {"KENZEN_POLICY": "/srv/kenzen/policy.toml"},
        {"KENZEN_EVENT_STORE": "s3://bucket/kenzen/events"},
        {"kenzen_event_store": "file:///srv/events", "KENZEN_HOME": "/srv/kenzen"},
        {"KENZEN_EVENT_STORE": ""},
    ],
)
def test_commands_that_skip_the_settings_find_the_same_database_and_keys(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str]
) -> None:
    """``kenzen verify`` and ``kenzen report sp-api`` read their locations without the
    settings model: they must agree."""
    for name in ("KENZEN_HOME", "KENZEN_DATABASE_URL", "KENZEN_POLICY", "KENZEN_EVENT_STORE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings, locations = Settings(), Locations.from_environment()
    assert locations == settings.locations
    assert locations.resolved_database_url == settings.resolved_database_url
    assert (locations.keys_dir, locations.events_dir) == (settings.keys_dir, settings.events_dir)
