"""The browser suite: a real Kenzen server on a loopback port, over a compact demo
marketplace, driven by Debian's Chromium through Playwright.

Without /usr/bin/chromium the tests skip with the reason, except under ``CI=true``, where a
missing browser is a failure (``scripts/browser`` installs it). The demo is loaded once per
worker into a template; every test module gets a fresh copy and a server of its own, so the
appeal journey cannot change what another module sees.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import uvicorn

from kenzen.access import SYSTEM
from kenzen.config import Settings
from kenzen.db import Database
from kenzen.demo import load_demo
from kenzen.events.store import EventStore
from kenzen.policy.document import load_policy
from kenzen.web.app import create_app

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IN_CI = os.environ.get("CI") == "true"
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts" / "e2e"
AXE = Path(__file__).parent / "vendor" / "axe-4.11.1.min.js"
PASSWORD = "kenzen-demo"
SELLER = "seller@demo.kenzen.test"
AHS = "ahs@demo.kenzen.test"
SPECIALIST = "specialist@demo.kenzen.test"
RIGHTS = "rights@demo.kenzen.test"
ADMIN = "admin@demo.kenzen.test"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests are the slow lane's; without Chromium they skip, except in CI."""
    reason = f"needs Debian's Chromium at {CHROMIUM} (run scripts/browser)"
    for item in items:
        if "tests/e2e/" not in str(item.path).replace(os.sep, "/"):
            continue
        item.add_marker(pytest.mark.slow)
        if not CHROMIUM.exists() and not IN_CI:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with a 12-seller demo (S0001 deactivated by IP complaints)."""
    home = tmp_path_factory.mktemp("demo")
    database = Database(f"sqlite:///{home / 'kenzen.db'}")
    database.upgrade()
    with database.transaction() as session, EventStore(home / "events") as store:
        load_demo(session, SYSTEM, store, load_policy(), sellers_count=12)
    database.dispose()
    return home


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(settings: Settings, database: Database) -> Iterator[str]:
    """A real server on a loopback port for the block; its base URL."""
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, database), host="127.0.0.1", port=port, log_level="warning"
    )
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not runner.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        runner.should_exit = True
        thread.join(10)


def demo_copy(demo_template: Path, home: Path) -> tuple[Settings, Database]:
    """A fresh copy of the demo in ``home``: its settings and database."""
    shutil.copytree(demo_template, home, dirs_exist_ok=True)
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'kenzen.db'}")
    return settings, Database(settings.resolved_database_url, events_dir=settings.events_dir)


@pytest.fixture(scope="module")
def server(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a real server over a fresh copy of the demo."""
    settings, database = demo_copy(demo_template, tmp_path_factory.mktemp("home"))
    with serving(settings, database) as url:
        yield url
    database.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Chromium for the whole session; under CI=true a missing browser fails every test."""
    if not CHROMIUM.exists():
        pytest.fail(f"CI=true and no browser at {CHROMIUM}: run scripts/browser")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def log_in(page: Page, server: str, email: str) -> None:
    """Through the login form, as a person does."""
    page.goto(f"{server}/login")
    page.get_by_label(re.compile("Email|メールアドレス")).fill(email)
    page.get_by_label(re.compile("Password|パスワード")).fill(PASSWORD)
    page.locator("form.card button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def serious_accessibility_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page (vendored, injected here)."""
    # evaluated through the DevTools protocol: the page's CSP rightly refuses inline scripts
    page.evaluate(AXE.read_text("utf-8"))
    results = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {v['nodes'][0]['target']})"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def shoot(page: Page, artifacts: Path, name: str) -> Path:
    target = artifacts / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target
