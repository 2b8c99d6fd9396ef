"""Apps and authorisations by clicking: the administrator registers a tool, the seller
authorises it, copies its refresh token, and revokes it — in Japanese and English."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ADMIN, SELLER, log_in, serious_accessibility_violations, shoot


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_a_seller_authorises_and_revokes_a_tool(page: Page, server: str, artifacts: Path) -> None:
    log_in(page, server, ADMIN)
    page.get_by_test_id("menu").get_by_role("link", name="Apps").click()
    page.get_by_label("Name").fill("Health monitor")
    page.get_by_test_id("add-app").click()
    expect(page.get_by_test_id("new-app")).to_contain_text("client_secret: kzsec_")
    page.context.clear_cookies()

    log_in(page, server, SELLER)
    page.get_by_test_id("menu").get_by_role("link", name="アプリと権限の管理").click()
    expect(page.get_by_label("アプリ", exact=True)).to_contain_text("Health monitor")
    page.get_by_test_id("authorize-app").click()
    expect(page.get_by_test_id("refresh-token")).to_contain_text("Atzr|")
    expect(page.get_by_test_id("grant")).to_have_count(1)
    assert not serious_accessibility_violations(page)
    shoot(page, artifacts, "seller-apps-ja")
    page.get_by_test_id("switch-language").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", level=1)).to_have_text("Apps and authorisations")
    shoot(page, artifacts, "seller-apps-en")
    page.get_by_test_id("grant").get_by_role("button", name="Revoke").click()
    expect(page.get_by_test_id("grant")).to_have_count(0)
    page.get_by_test_id("switch-language").click()
