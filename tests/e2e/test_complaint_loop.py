"""The complaint's whole life through the browser, in Japanese and in English: the rights
owner searches its brand, which finds the seller's listings however they spell it (the
demo seller writes ｿﾗﾉ and そらの for ソラノ), and files against the two; the seller
disputes one with an invoice and asks for the other to be retracted, and reads when each
answer is due; the owner retracts; a specialist finds the disputed one invalid; the
seller's rating comes back up and the transparency report counts the loop."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.e2e.conftest import RIGHTS, SELLER, SPECIALIST, log_in, shoot
from tests.evidence import pdf


@pytest.fixture
def contexts() -> Iterator[list[BrowserContext]]:
    made: list[BrowserContext] = []
    yield made
    for context in made:
        context.close()


def _as(browser: Browser, made: list[BrowserContext], server: str, email: str, locale: str) -> Page:
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    made.append(context)
    page = context.new_page()
    log_in(page, server, email)
    # each person reads Kenzen in the run's language, whatever its account said before
    language = locale[:2]
    switch = page.locator(f'[data-testid="switch-language"][value="{language}"]')
    if switch.count():
        switch.click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    return page


def _rating(page: Page, server: str) -> int:
    page.goto(f"{server}/")
    number = page.locator("svg .gauge-number")
    expect(number).to_have_text(re.compile(r"^\d+$"))
    return int(number.text_content() or "")


def _file_against(page: Page, server: str, nth: int) -> None:
    page.goto(f"{server}/rights")
    page.locator("#search-brand").select_option(label="Sorano")
    page.locator("form[role=search] button[type=submit]").click()
    found = page.get_by_test_id("search-result").filter(has_text="S0001")
    expect(found).to_have_count(2)
    # the brand's term is ソラノ; the seller wrote it in half-width katakana and in hiragana
    for spelled in ("ｿﾗﾉ", "そらの"):
        expect(found.get_by_test_id("finding").filter(has_text=f"«{spelled}»")).to_have_count(1)
    picks = page.locator('input[name="listing"][value$=" S0001"]')
    picks.nth(nth).check()
    page.locator("#ckind").select_option("trademark")
    page.locator("#evidence").fill(f"Test buy {nth + 1}: the goods carry our registered mark.")
    page.locator('form[action="/rights/complaints"] button[type=submit]').click()
    expect(page.get_by_test_id("complaint").first).to_contain_text("S0001")


#: The transparency report's figures the loop moves, as the staff page tables them.
FIGURES = {
    "notices": '[data-testid="notice-row"][data-kind="trademark"][data-notifier="rights_owner"]',
    "retracted": '[data-testid="ended-row"][data-outcome="RETRACTED"]',
    "invalid": '[data-testid="ended-row"][data-outcome="INVALID"]',
    "disputes_invalid": '[data-testid="dispute-row"][data-outcome="COMPLAINT_INVALID"]',
}


def _report(page: Page, server: str) -> dict[str, Locator]:
    """The staff page of the transparency report (the last 30 days), its figures' rows."""
    page.goto(f"{server}/staff/transparency")
    expect(page.get_by_test_id("notifiers-held")).to_be_visible()
    return {name: page.locator(selector) for name, selector in FIGURES.items()}


def _counts(rows: dict[str, Locator]) -> dict[str, int]:
    """The figures now (a figure not in the table yet is 0)."""
    return {
        name: int(row.get_attribute("data-count") or 0) if row.count() else 0
        for name, row in rows.items()
    }


@pytest.mark.parametrize("locale", ["ja-JP", "en-US"])
def test_the_complaint_loop(
    browser: Browser,
    server: str,
    contexts: list[BrowserContext],
    locale: str,
    artifacts: Path,
    tmp_path: Path,
) -> None:
    seller = _as(browser, contexts, server, SELLER, locale)
    before = _rating(seller, server)
    specialist = _as(browser, contexts, server, SPECIALIST, locale)
    counted = _counts(_report(specialist, server))
    owner = _as(browser, contexts, server, RIGHTS, locale)
    _file_against(owner, server, 0)
    _file_against(owner, server, 1)
    assert _rating(seller, server) < before

    # the two newest cases are the two complaints: dispute the first, ask to retract the other
    seller.goto(f"{server}/cases")
    links = seller.locator('a[href^="/cases/"]')
    expect(links.first).to_be_visible()
    disputed, asked = (links.nth(i).get_attribute("href") for i in (1, 0))
    seller.goto(f"{server}{disputed}")
    seller.locator("#dispute-reason").select_option("authentic_with_invoices")
    seller.locator("#dispute-statement").fill("Bought from the brand's distributor.")
    seller.locator('form[action$="/complaint/dispute"] button[type=submit]').click()
    invoice = tmp_path / "invoice.pdf"
    invoice.write_bytes(pdf())
    seller.locator("#dispute-file").set_input_files(str(invoice))
    seller.locator('form[action$="/complaint/dispute/files"] button[type=submit]').click()
    expect(seller.get_by_test_id("dispute")).to_contain_text("invoice.pdf")
    expect(seller.get_by_test_id("dispute").get_by_test_id("decision-due")).to_be_visible()
    shoot(seller, artifacts, f"complaint-dispute-due-{locale}")
    seller.goto(f"{server}{asked}")
    seller.locator("#retraction-message").fill(f"Genuine goods ({locale}); please retract.")
    seller.locator('form[action$="/complaint/retraction"] button[type=submit]').click()
    expect(seller.get_by_test_id("retraction-request")).to_contain_text("PENDING")
    expect(
        seller.get_by_test_id("retraction-request").get_by_test_id("decision-due")
    ).to_be_visible()

    owner.goto(f"{server}/rights")
    request = owner.get_by_test_id("retraction-request").filter(has_text=f"({locale})")
    expect(request.get_by_test_id("decision-due")).to_be_visible()  # when its answer is due
    request.locator('input[name="reason"]').fill("We checked the invoice.")
    request.locator('button[value="retract"]').click()
    expect(request).to_contain_text("RETRACTED")

    specialist.goto(f"{server}/staff/disputes")
    queued = specialist.get_by_test_id("queued-dispute").filter(has_text="invoice.pdf").first
    expect(queued.get_by_test_id("decision-due")).to_be_visible()
    queued.locator('textarea[name="reason"]').fill("The invoices show genuine goods.")
    queued.locator('button[value="invalid"]').click()
    expect(
        specialist.get_by_test_id("queued-dispute").filter(has_text="invoice.pdf")
    ).to_have_count(0)

    seller.goto(f"{server}{disputed}")
    expect(seller.get_by_test_id("complaint-status")).to_have_text("INVALID")
    seller.goto(f"{server}{asked}")
    expect(seller.get_by_test_id("complaint-status")).to_have_text("RETRACTED")
    shoot(seller, artifacts, f"complaint-loop-{locale}")
    assert _rating(seller, server) == before

    after = _report(specialist, server)
    moved = {"notices": 2, "retracted": 1, "invalid": 1, "disputes_invalid": 1}
    for name, by in moved.items():
        expect(after[name]).to_have_attribute("data-count", str(counted[name] + by))
    shoot(specialist, artifacts, f"complaint-loop-report-{locale}")
