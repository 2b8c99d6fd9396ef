"""The seed's journey by clicking: the deactivated demo seller reads the notice, books a
call, pastes a Plan of Action as sellers write it while the checker's findings and the
reading update without a reload, picks which violation a cause explains, and submits; the
Account Specialist reads the seller's words beside the structured view and accepts; the
seller sees NORMAL.
The screenshots for docs/screenshots/ are taken along the way, in Japanese and English."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import SELLER, SPECIALIST, log_in, serious_accessibility_violations, shoot

VAGUE_PLAN = """【根本原因】
確認不足でした。

【是正措置】
1. 今後気をつけます。

【再発防止策】
1. 二度と起こらないように徹底します。
"""
PLAN = """アカウントスペシャリスト 御中

【根本原因】
1. ノーブランド品と思い込み、商標データベースでブランドを確認せずに仕入れ、出品しました。
2. 仕入先から正規品であることを示す請求書を受け取っていませんでした。

【是正措置】
1. 出品 {listings} を削除し、在庫を仕入先に返品しました。

【再発防止策】
1. 出品前に商標データベースでブランドを確認するチェックリストを使い、担当者2名で確認します。
2. 仕入先からは請求書と正規代理店の証明書を受け取り、台帳に保管します。

以上、よろしくお願いいたします。
"""


def _switch_language(page: Page) -> None:
    page.get_by_test_id("switch-language").click()
    page.wait_for_load_state("networkidle")


def _seller_books_a_call_and_writes_the_plan(page: Page, server: str, artifacts: Path) -> None:
    log_in(page, server, SELLER)
    expect(page.get_by_test_id("account-status")).to_contain_text("DEACTIVATED")
    shoot(page, artifacts, "seller-health-ja")
    _switch_language(page)
    expect(page.get_by_test_id("account-status")).to_contain_text("Deactivated")
    shoot(page, artifacts, "seller-health-en")
    _switch_language(page)

    # the notice: the deactivation case and its timeline, newest first
    page.get_by_role(
        "link", name=re.compile("知的財産権の申し立てが上限に達しました")
    ).first.click()
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("正常 から 停止")
    case_url = page.url

    # the callback, shown in the seller's time zone; then moved once
    page.get_by_role("link", name="電話を予約").click()
    expect(page.locator("#slot option").first).to_contain_text("JST")
    page.get_by_label("電話番号").fill("03-1234-5678")
    page.get_by_test_id("book-call").click()
    booked = page.get_by_test_id("booked-call")
    expect(booked).to_have_count(1)
    first_time = booked.locator("strong").inner_text()
    booked.get_by_role("link", name="変更").click()
    # the move form, loaded: counting options before would count the booking page's
    expect(page.locator('input[name="replaces"]')).to_have_count(1)
    # the last slot offered: the demo's calls (today and tomorrow morning) never hold it,
    # whatever the hour, so the move cannot fall back to the seller's own freed slot
    last_slot = page.locator("#slot option").last.get_attribute("value")
    assert last_slot is not None
    page.locator("#slot").select_option(value=last_slot)
    page.get_by_label("電話番号").fill("03-1234-5678")
    page.get_by_test_id("book-call").click()
    expect(page.get_by_test_id("booked-call")).to_have_count(1)
    assert page.get_by_test_id("booked-call").locator("strong").inner_text() != first_time

    # the plan, pasted in the shape sellers use: the checker reads along without a reload
    page.goto(case_url)
    page.get_by_role("link", name="改善計画書").click()
    page.evaluate("window.__sameDocument = true")
    findings = page.get_by_test_id("findings")
    expect(findings.locator('[data-code="no_root_cause"]')).to_be_visible()
    plan = page.get_by_label("改善計画書の本文")
    plan.fill(VAGUE_PLAN)
    expect(findings.locator('[data-code="vague_cause"]')).to_be_visible()
    expect(findings.locator('[data-code="vague_promise"]')).to_have_count(2)
    listings = re.findall(r"B0[A-Z0-9]{8}", page.locator("#plan-text-hint").inner_text())
    plan.fill(PLAN.format(listings="、".join(listings)))
    expect(page.get_by_test_id("read-as")).to_contain_text(
        "根本原因 2 件、実施した対策 1 件、再発防止策 2 件"
    )
    expect(findings.locator('[data-code="tie_causes"]')).to_be_visible()
    expect(findings.locator('[data-code="vague_cause"]')).to_have_count(0)
    # the seller says which violation the first cause explains; the second explains the rest
    page.get_by_label("根本原因 1 が説明する対象").select_option(index=1)
    expect(findings.locator('[data-code="tie_causes"]')).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True
    shoot(page, artifacts, "appeal-findings-ja")
    assert not serious_accessibility_violations(page)
    page.get_by_test_id("submit-plan").click()
    expect(page.get_by_test_id("appeal-status")).to_have_text("提出済み")
    _switch_language(page)
    expect(page.get_by_test_id("appeal-status")).to_have_text("Submitted")
    shoot(page, artifacts, "appeal-findings-en")
    _switch_language(page)


def _specialist_accepts(page: Page, server: str, artifacts: Path) -> None:
    log_in(page, server, SPECIALIST)
    page.get_by_test_id("queued-appeal").filter(has_text="S0001").get_by_role("link").click()
    expect(page.get_by_test_id("packet-plan")).to_contain_text("ノーブランド品と思い込み")
    words = page.get_by_test_id("packet-words")
    expect(words).to_contain_text("アカウントスペシャリスト 御中")
    expect(words).to_contain_text("以上、よろしくお願いいたします。")
    expect(page.locator("main")).not_to_contain_text("AHS内部")
    shoot(page, artifacts, "review-packet-ja")
    _switch_language(page)
    shoot(page, artifacts, "review-packet-en")
    assert not serious_accessibility_violations(page)
    page.get_by_label("Accepted", exact=True).check()
    page.get_by_label("Reasons:", exact=True).fill("The root cause and prevention are concrete.")
    page.get_by_test_id("decide").click()
    expect(page.get_by_test_id("appeal-status")).to_have_text("Accepted")


def test_the_appeal_journey_by_clicking(browser: Browser, server: str, artifacts: Path) -> None:
    for act in (_seller_books_a_call_and_writes_the_plan, _specialist_accepts):
        context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
        act(context.new_page(), server, artifacts)
        context.close()
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    log_in(page, server, SELLER)
    expect(page.get_by_test_id("account-status")).to_contain_text("NORMAL")
    expect(page.get_by_test_id("account-status")).to_contain_text("正常")
    context.close()
