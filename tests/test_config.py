"""Settings from the environment: a login limit the throttle could not read is refused when
it is set, and the defaults are limits it reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from limits import parse
from pydantic import ValidationError

from kenzen.config import Settings


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
