"""The complaint's whole life through the browser, in Japanese and in English: the rights
owner searches its brand and files against two of the seller's listings; the seller
disputes one with an invoice and asks for the other to be retracted; the owner retracts;
a specialist finds the disputed one invalid; the seller's rating comes back up."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

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
    picks = page.locator('input[name="listing"][value$=" S0001"]')
    expect(picks).to_have_count(2)
    picks.nth(nth).check()
    page.locator("#ckind").select_option("trademark")
    page.locator("#evidence").fill(f"Test buy {nth + 1}: the goods carry our registered mark.")
    page.locator('form[action="/rights/complaints"] button[type=submit]').click()
    expect(page.get_by_test_id("complaint").first).to_contain_text("S0001")


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
    seller.goto(f"{server}{asked}")
    seller.locator("#retraction-message").fill(f"Genuine goods ({locale}); please retract.")
    seller.locator('form[action$="/complaint/retraction"] button[type=submit]').click()
    expect(seller.get_by_test_id("retraction-request")).to_contain_text("PENDING")

    owner.goto(f"{server}/rights")
    request = owner.get_by_test_id("retraction-request").filter(has_text=f"({locale})")
    request.locator('input[name="reason"]').fill("We checked the invoice.")
    request.locator('button[value="retract"]').click()
    expect(request).to_contain_text("RETRACTED")

    specialist = _as(browser, contexts, server, SPECIALIST, locale)
    specialist.goto(f"{server}/staff/disputes")
    queued = specialist.get_by_test_id("queued-dispute").filter(has_text="invoice.pdf").first
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
