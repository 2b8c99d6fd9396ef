"""Each role logs in and sees its own menus; a seller cannot reach another seller by
editing the URL; the language switch is remembered; the main pages pass axe-core and work
at phone width."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import (
    ADMIN,
    AHS,
    RIGHTS,
    SELLER,
    SPECIALIST,
    log_in,
    serious_accessibility_violations,
    shoot,
)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.mark.parametrize(
    ("email", "menu"),
    [
        (
            SELLER,
            [
                "アカウントヘルス",
                "ケース",
                "電話サポート",
                "アカウントヘルス保証",
                "アプリと権限の管理",
                "通知の確認",
            ],
        ),
        (AHS, ["Callback queue", "Seller search", "Transparency report", "Overview"]),
        (
            SPECIALIST,
            [
                "Review queue",
                "Disputes",
                "Deactivation reviews",
                "Seller search",
                "Transparency report",
                "Overview",
            ],
        ),
        (RIGHTS, ["Brands and complaints"]),
        (ADMIN, ["Audit log", "Overview", "Apps", "Transparency report"]),
    ],
)
def test_each_role_sees_only_its_menus(
    page: Page, server: str, email: str, menu: list[str]
) -> None:
    log_in(page, server, email)
    expect(page.get_by_test_id("menu").get_by_role("link")).to_have_text(menu)
    assert not serious_accessibility_violations(page)


def test_a_seller_editing_the_url_gets_404(page: Page, server: str) -> None:
    log_in(page, server, SELLER)
    for path in ("/sellers/S0002", "/staff/sellers?q=S", "/staff/audit"):
        response = page.goto(f"{server}{path}")
        assert response is not None
        expected = 404 if path.startswith("/sellers") else 403
        assert response.status == expected, path
    page.goto(f"{server}/sellers/S0002")
    expect(page.get_by_test_id("error-status")).to_have_text("見つかりません")
    expect(page.locator("main")).not_to_contain_text("S0002 Shop")


def test_the_language_switch_is_remembered_per_user(browser: Browser, server: str) -> None:
    first = browser.new_context(locale="ja-JP")
    page = first.new_page()
    log_in(page, server, SELLER)
    expect(page.locator("h1")).to_contain_text("アカウントヘルス")
    page.get_by_test_id("switch-language").click()
    expect(page.locator("h1")).to_contain_text("Account Health")
    expect(page.get_by_test_id("account-status")).to_contain_text("Deactivated")
    first.close()
    second = browser.new_context(locale="ja-JP")  # another browser, same user
    page = second.new_page()
    log_in(page, server, SELLER)
    expect(page.locator("h1")).to_contain_text("Account Health")
    page.get_by_test_id("switch-language").click()
    expect(page.locator("h1")).to_contain_text("アカウントヘルス")
    second.close()


def test_account_health_at_phone_width(browser: Browser, server: str, artifacts: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    log_in(page, server, SELLER)
    expect(page.get_by_test_id("account-status")).to_contain_text("停止")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways: {width}px"
    shoot(page, artifacts, "seller-health-phone-ja")
    context.close()


def test_account_health_shows_rating_metrics_and_violations(page: Page, server: str) -> None:
    log_in(page, server, SELLER)
    expect(page.get_by_test_id("account-status")).to_contain_text("DEACTIVATED")
    expect(page.get_by_test_id("rating-band")).to_have_text(re.compile("不良|リスクあり|良好"))
    expect(page.get_by_test_id("metric").first).to_be_visible()
    expect(page.get_by_test_id("violation").first).to_contain_text("対応方法")
    assert page.locator("canvas.trend").count() >= 1
    # Chart.js drew into the canvas (a blank canvas means the trend is missing)
    drawn = page.evaluate(
        "() => { const c = document.querySelector('canvas.trend');"
        " return c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some(v => v); }"
    )
    assert drawn
    # the 180-day rating history beside the gauge, drawn once Chart.js has loaded
    expect(page.get_by_test_id("rating-history")).to_be_visible()
    page.wait_for_function(
        "() => { const c = document.querySelector('canvas.rating-history');"
        " return c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some(v => v); }"
    )
    assert not serious_accessibility_violations(page)


def test_the_transparency_report_charts_the_demo(page: Page, server: str, artifacts: Path) -> None:
    log_in(page, server, SPECIALIST)
    page.get_by_test_id("menu").get_by_role("link", name="Transparency report").click()
    expect(page.get_by_role("heading", name="Appeals by outcome")).to_be_visible()
    expect(page.get_by_test_id("appeal-row").first).to_be_visible()
    # Chart.js drew the appeals' bars once it loaded (never assume it already has)
    page.wait_for_function(
        "() => { const c = document.querySelector('canvas[data-bars]');"
        " return c && c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some(v => v); }"
    )
    assert not serious_accessibility_violations(page)
    shoot(page, artifacts, "transparency-en")
    page.goto(f"{server}/staff/transparency?from=2026-03-05&to=2026-03-04")
    expect(page.get_by_test_id("report-error")).to_have_text(
        "to: 2026-03-04 is before from (2026-03-05)"
    )
