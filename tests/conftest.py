"""Fixtures shared by the suite: a fresh, migrated database per test, on SQLite by default
or on PostgreSQL when KENZEN_DATABASE_URL names one (as in CI's second run)."""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, inspect, make_url, text
from sqlalchemy.orm import Session

from kenzen import clock as kenzen_clock
from kenzen import models  # noqa: F401  (every table on Base.metadata)
from kenzen.access import SYSTEM, Actor, Role
from kenzen.config import Settings
from kenzen.db import Base, Database
from kenzen.events.store import EventStore
from kenzen.identity import service as identity
from kenzen.policy.document import Policy, PolicyHolder, load_policy
from kenzen.sellers import service as sellers
from kenzen.web.app import attach, create_app

POSTGRES_URL = os.environ.get("KENZEN_DATABASE_URL", "")
ON_POSTGRES = POSTGRES_URL.startswith("postgresql")
REQUIRE_POSTGRES = os.environ.get("KENZEN_REQUIRE_POSTGRES") == "1"
#: The commands the suite runs speak English whatever the locale of the machine running it
#: (``cli.support.language``); a test of another language sets its own.
os.environ["KENZEN_LANG"] = "en"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock",
        metavar="HH:MM ZONE",
        help="run the suite as if started at the latest HH:MM in ZONE (an IANA name, "
        "e.g. '23:30 Asia/Tokyo'): time-machine moves every clock in the test processes "
        "and sets TZ to ZONE; time then runs on as usual",
    )


def started_at(option: str, *, real_now: datetime) -> datetime:
    """The latest instant at or before ``real_now`` showing ``HH:MM`` in the zone named.

    Never in the future: certificates and other machines still judge by the real time.
    """
    try:
        hour_minute, zone_name = option.split()
        wall = time.fromisoformat(hour_minute)
        zone = ZoneInfo(zone_name)
    except (ValueError, KeyError) as error:
        raise pytest.UsageError(f"--clock: expected 'HH:MM Zone/Name', got {option!r}") from error
    local_now = real_now.astimezone(zone)
    start = datetime.combine(local_now.date(), wall, zone)
    return (
        start
        if start <= local_now
        else datetime.combine(local_now.date() - timedelta(days=1), wall, zone)
    )


def pytest_configure(config: pytest.Config) -> None:
    if REQUIRE_POSTGRES and not ON_POSTGRES:
        raise pytest.UsageError(
            "KENZEN_REQUIRE_POSTGRES=1 needs KENZEN_DATABASE_URL=postgresql+psycopg://…"
        )
    if option := config.getoption("--clock"):
        start = started_at(option, real_now=datetime.now(UTC))
        time_machine.travel(start, tick=True).start()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if ON_POSTGRES:
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL: set KENZEN_DATABASE_URL=postgresql+psycopg://… "
        "(scripts/postgres start prints one)"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def _postgres_test_url(worker_id: str) -> str:
    """A database of this xdist worker's own on the configured server, created afresh."""
    url = make_url(POSTGRES_URL)
    name = f"kenzen_test_{worker_id}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # the server must be there when it was asked for
        pytest.exit(f"PostgreSQL at {url.render_as_string()} is unreachable: {error}", 3)
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def migrated_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> str:
    """Migrated once per worker: a PostgreSQL database, or a SQLite file used as template."""
    if ON_POSTGRES:
        url = _postgres_test_url(worker_id)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'kenzen.db'}"
    database = Database(url)
    database.upgrade()
    database.dispose()
    return url


@cache
def _postgres_cleaner(url: str) -> tuple[Engine, list[str]]:
    engine = create_engine(url)
    metadata_order = [t.name for t in reversed(Base.metadata.sorted_tables)]
    present = set(inspect(engine).get_table_names())
    return engine, [t for t in metadata_order if t in present]


def _empty_postgres(url: str) -> None:
    """Delete every row, children first; replica mode skips the audit log's guard triggers."""
    engine, tables = _postgres_cleaner(url)
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        for table in tables:
            connection.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture
def empty_url(tmp_path: Path, worker_id: str) -> str:
    """A database of this test's own that was never migrated (a migration test brings it
    to the revision it starts from): a new SQLite file, or on PostgreSQL one created afresh."""
    if ON_POSTGRES:
        return _postgres_test_url(f"{worker_id}_empty")
    return f"sqlite:///{tmp_path / 'kenzen.db'}"


@pytest.fixture
def database(migrated_url: str, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database of this test's own."""
    if ON_POSTGRES:
        _empty_postgres(migrated_url)
        url = migrated_url
    else:
        source = make_url(migrated_url).database
        assert source is not None
        shutil.copyfile(source, tmp_path / "kenzen.db")
        url = f"sqlite:///{tmp_path / 'kenzen.db'}"
    database = Database(url, events_dir=tmp_path / "events")
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def policy() -> Policy:
    """Kenzen's default policy."""
    return load_policy()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EventStore]:
    """An empty columnar event store of this test's own."""
    with EventStore(tmp_path / "events") as event_store:
        yield event_store


@pytest.fixture
def settings(database: Database, tmp_path: Path) -> Settings:
    return Settings(home=tmp_path, database_url=database.url)


class Clock:
    """Kenzen's clock for one test: the real time plus however far the test moved it, so a
    test skips through backoff and leases without sleeping."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)

    def move_to(self, instant: datetime) -> None:
        """From now on the clock shows ``instant`` and runs on from there."""
        self.offset = instant - datetime.now(UTC)


@pytest.fixture
def clock() -> Iterator[Clock]:
    """Sets the clock every part of Kenzen reads (``kenzen.clock``) for this test."""
    moved = Clock()
    with kenzen_clock.use(moved):
        yield moved


@pytest.fixture(scope="session")
def shared_app(migrated_url: str, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """One app per test process: building it costs more than most API tests."""
    home = tmp_path_factory.mktemp("app")
    template = Database(migrated_url)
    app = create_app(Settings(home=home, database_url=migrated_url), template)
    template.dispose()
    return app


@pytest.fixture(scope="session")
def default_policy_holder() -> PolicyHolder:
    """The default policy, loaded once: reloading it reads the same packaged file."""
    return PolicyHolder(None)


@pytest.fixture
def client(
    shared_app: FastAPI,
    settings: Settings,
    database: Database,
    default_policy_holder: PolicyHolder,
) -> Iterator[TestClient]:
    """A client of the shared app, pointed at this test's own database and home; the app
    keeps no other state between requests, so nothing passes from one test to the next."""
    holder = default_policy_holder if settings.policy is None else None
    attach(shared_app, settings, database, holder)
    with TestClient(shared_app) as test_client:
        yield test_client


@dataclass
class World:
    """A small marketplace: sellers S1 and S2, one user and API token per role."""

    database: Database
    actors: dict[Role, Actor] = field(default_factory=dict)
    tokens: dict[Role, str] = field(default_factory=dict)

    def headers(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def session(self) -> Session:
        return self.database._sessions()


EMAILS = {
    role: f"{role.value}@example.test"
    for role in Role
    if role not in (Role.SYSTEM, Role.SELLING_PARTNER_APP)
}


def build_world(database: Database) -> World:
    world = World(database)
    with database.transaction() as session:
        sellers.add_marketplace(
            session,
            SYSTEM,
            marketplace_id="JP",
            name="Japan",
            time_zone="Asia/Tokyo",
            currency="JPY",
            language="ja",
        )
        for seller_id, language in (("S1", "ja"), ("S2", "en")):
            sellers.add_seller(
                session,
                SYSTEM,
                seller_id=seller_id,
                marketplace_id="JP",
                display_name=f"Seller {seller_id}",
                email=f"{seller_id.lower()}@sellers.example.test",
                language=language,
                registered_at=datetime(2025, 1, 1, tzinfo=UTC),
            )
        for role, email in EMAILS.items():
            user = identity.add_user(
                session,
                SYSTEM,
                email=email,
                role=role,
                password=None,
                seller_id="S1" if role is Role.SELLER else None,
            )
            world.actors[role] = user.as_actor()
            world.tokens[role] = identity.create_api_token(session, SYSTEM, email=email)
    return world


@pytest.fixture
def world(database: Database) -> World:
    return build_world(database)


def confirm_proposals(world: World, policy: Policy, seller_id: str) -> list[int]:
    """The Account Specialist confirms every proposal pending for the seller (the actions
    the default policy has a specialist decide, such as a deactivation); their ids."""
    from kenzen.policy import proposals
    from kenzen.policy.enforcement import decide_enforcement_proposal
    from kenzen.policy.models import Verdict

    specialist = world.actors[Role.ACCOUNT_SPECIALIST]
    with world.database.transaction() as session:
        ids = [p.id for p in proposals.pending(session, seller_id)]
        for proposal_id in ids:
            decide_enforcement_proposal(
                session,
                specialist,
                policy,
                proposal_id,
                verdict=Verdict.CONFIRM,
                reasons="the evidence holds",
            )
    return ids


# An S3 service on loopback (moto's server) for the event store at an s3:// URI.
@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on 127.0.0.1 at a free port, for the whole session."""
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new, empty bucket; the AWS client settings in the environment, as in production
    (the values are moto's, which accepts any)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "kenzen-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "kenzen-test-secret")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    for unwanted in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(unwanted, raising=False)
    import s3fs

    name = f"kenzen-{uuid.uuid4().hex[:12]}"
    s3fs.S3FileSystem(skip_instance_cache=True).mkdir(name)
    return name
