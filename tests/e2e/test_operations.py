"""The operator's pages in a browser: the work queues at a glance, then the audit log paged,
walked back and forth, and a bad filter answered with its field."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ADMIN, log_in, serious_accessibility_violations, shoot

QUEUES = (
    *("appeals", "proposals", "disputes", "callbacks_today"),
    *("notices", "webhooks", "evaluation"),
)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_an_operator_reads_the_queues_and_pages_through_the_audit_log(
    page: Page, server: str, artifacts: Path
) -> None:
    log_in(page, server, ADMIN)
    page.get_by_test_id("menu").get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Work queues")
    for key in QUEUES:
        depth = page.get_by_test_id(f"queue-{key}").get_by_test_id("depth")
        expect(depth).to_have_text(re.compile(r"^\d+$"))
    assert not serious_accessibility_violations(page)
    shoot(page, artifacts, "staff-overview-en")

    page.get_by_test_id("menu").get_by_role("link", name="Audit log").click()
    page.get_by_label("Entries per page").fill("5")
    page.get_by_role("button", name="Filter").click()
    rows = page.get_by_test_id("audit-row")
    expect(rows).to_have_count(5)
    newest = rows.first.get_attribute("data-id")
    assert newest is not None
    page.get_by_test_id("audit-older").click()
    expect(rows).to_have_count(5)
    expect(rows.first).not_to_have_attribute("data-id", newest)
    page.get_by_test_id("audit-newer").click()
    expect(rows.first).to_have_attribute("data-id", newest)
    assert not serious_accessibility_violations(page)
    shoot(page, artifacts, "staff-audit-en")

    page.get_by_label("From", exact=True).fill("yesterday")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("audit-error")).to_contain_text("since: not a date or time")
    expect(rows).to_have_count(0)
