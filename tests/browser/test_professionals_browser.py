"""Choosing a professional in real browsers: sam (a member of "Young people") filters the professionals by
language, opens Ravi's profile and asks to talk with him; Ravi (the youth worker) accepts in his own browser,
and both chat live in the private conversation that opens. axe finds nothing on the list and profile pages,
and nothing leaves the server."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, OriginLog, sign_in, unique
from tests.browser.test_pages import assert_no_wcag_violations

pytestmark = pytest.mark.browser

LIVE_TIMEOUT_MS = 10_000
DELIVERY_TIMEOUT_MS = 5_000


def message_box(page: Page):
    return page.get_by_role("textbox", name="Message", exact=True)


def test_member_filters_chooses_and_both_chat_after_acceptance(
    sam_context: BrowserContext, new_context, live_server: LiveServer
) -> None:
    log = OriginLog(server_url=live_server.url)
    log.watch(sam_context)
    sam = sam_context.new_page()

    # The list, filtered by language with the plain GET form (no JavaScript needed).
    sam.goto("/")
    sam.get_by_role("link", name="Professionals", exact=True).click()
    expect(sam.get_by_role("heading", level=1, name="Professionals")).to_be_visible()
    assert_no_wcag_violations(sam)
    filters = sam.get_by_role("search", name="Filter professionals")
    filters.get_by_label("Language").select_option("nl")
    filters.get_by_role("button", name="Show professionals").click()
    expect(sam.get_by_text("0 professionals found.")).to_be_visible()
    filters.get_by_label("Language").select_option("tr")
    filters.get_by_role("button", name="Show professionals").click()
    assert "language=tr" in sam.url
    cards = sam.locator("ul.professional-list > li")
    expect(cards).to_have_count(1)
    expect(cards.get_by_role("heading", level=2, name="Ravi")).to_be_visible()

    # The profile: how soon an answer can be expected, and the request.
    cards.get_by_role("link", name="Ravi").click()
    expect(sam.get_by_role("heading", level=1, name="Ravi")).to_be_visible()
    expect(sam.get_by_role("heading", level=2, name="When you can expect an answer")).to_be_visible()
    assert_no_wcag_violations(sam)
    sam.get_by_label("A short message (optional)").fill("Could we talk about exams?")
    sam.get_by_role("button", name="Send the request").click()
    expect(sam.get_by_text("Your request has been sent.")).to_be_visible()
    expect(sam.get_by_text("Waiting for an answer")).to_be_visible()
    request_url = sam.url

    # Ravi accepts in his own browser.
    ravi_context = new_context()
    log.watch(ravi_context)
    ravi = ravi_context.new_page()
    sign_in(ravi, "youthworker")
    ravi.goto("/professionals/requests")
    ravi.get_by_role("link", name="From Sam").first.click()
    expect(ravi.get_by_text("Could we talk about exams?")).to_be_visible()
    ravi.get_by_role("button", name="Accept and open a private conversation").click()
    expect(ravi.locator("#chat")).to_have_attribute("data-joined", "true", timeout=LIVE_TIMEOUT_MS)

    # Sam finds the open conversation from the request, and both chat live.
    sam.goto(request_url)
    expect(sam.get_by_text("Accepted")).to_be_visible()
    sam.get_by_role("link", name="Open the private conversation").click()
    expect(sam.locator("#chat")).to_have_attribute("data-joined", "true", timeout=LIVE_TIMEOUT_MS)
    hello = unique("Hi Ravi, thanks for accepting")
    message_box(sam).fill(hello)
    message_box(sam).press("Enter")
    expect(ravi.locator("#chat-days li.chat-msg", has_text=hello)).to_have_count(1, timeout=DELIVERY_TIMEOUT_MS)
    answer = unique("Hi Sam, happy to talk")
    message_box(ravi).fill(answer)
    message_box(ravi).press("Enter")
    expect(sam.locator("#chat-days li.chat-msg", has_text=answer)).to_have_count(1, timeout=DELIVERY_TIMEOUT_MS)
    log.assert_nothing_left_the_server()
