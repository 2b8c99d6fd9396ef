"""Schemathesis against the live server as every identity: no answer is a server error, and
every answer is one the OpenAPI document states, in the shape it states.

The server is a real uvicorn on loopback over a database of its own (SQLite, whatever the
suite runs on: the fuzzing is about the HTTP boundary), with two sellers, a case, an appeal
and one user and token per role. Examples are bounded so the run stays within minutes; it is
in the slow lane (`make test-slow`, run by .ci/run).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from kenzen.access import SYSTEM, Role
from kenzen.appeals import service as appeals
from kenzen.appeals.poa import PlanOfAction
from kenzen.cases import account_status
from kenzen.config import Settings
from kenzen.db import Database
from kenzen.sellers.status import AccountStatus
from kenzen.web.app import create_app
from tests.conftest import build_world

#: Per operation and identity; 6 identities × ~50 operations.
EXAMPLES = 6
IDENTITIES = [
    None,
    Role.SELLER,
    Role.AHS_AGENT,
    Role.ACCOUNT_SPECIALIST,
    Role.RIGHTS_OWNER,
    Role.ADMIN,
]
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@dataclass(frozen=True)
class Live:
    url: str
    tokens: dict[Role, str]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _populate(database: Database) -> dict[Role, str]:
    world = build_world(database)
    with database.transaction() as session:
        change = account_status.set_account_status(
            session, SYSTEM, "S1", status=AccountStatus.DEACTIVATED, reason="IP complaints"
        )
        appeals.submit_appeal(session, SYSTEM, change.case_id, PlanOfAction(), draft=True)
    return world.tokens


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    home: Path = tmp_path_factory.mktemp("fuzz")
    database = Database(f"sqlite:///{home / 'kenzen.db'}")
    database.upgrade()
    tokens = _populate(database)
    app = create_app(Settings(home=home, database_url=database.url), database)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield Live(f"http://127.0.0.1:{port}", tokens)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        database.dispose()


@pytest.fixture(scope="module")
def api(live: Live) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{live.url}/openapi.json")


@pytest.mark.slow
@pytest.mark.fuzz
@pytest.mark.parametrize("identity", IDENTITIES, ids=lambda r: r.value if r else "anonymous")
def test_every_answer_is_documented_and_none_is_a_server_error(
    identity: Role | None, api: schemathesis.BaseSchema, live: Live
) -> None:
    headers = {"Authorization": f"Bearer {live.tokens[identity]}"} if identity else {}
    operations = []
    for result in api.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    assert len(operations) >= 35

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=True,
        )
        def fuzz(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        fuzz()
