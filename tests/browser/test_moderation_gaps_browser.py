"""Two moderation journeys in a real browser: in the chat, Sam types a phone number, is warned, chooses
"Publish anyway" and the message appears; and a moderator's open page shows a heated-conversation alert
(``moderation:conflict``) as an assertive banner that links to the queue item."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import REALTIME_MODULE, LiveServer, OriginLog, sign_in, unique, wait_until_live

pytestmark = pytest.mark.browser

LIVE_TIMEOUT_MS = 10_000


def test_a_phone_number_in_the_chat_warns_and_publish_anyway_sends_it(
    sam_context: BrowserContext, live_server: LiveServer
) -> None:
    log = OriginLog(server_url=live_server.url)
    log.watch(sam_context)
    sam = sam_context.new_page()
    sam.goto("/g/young-people/chat")
    expect(sam.locator("#chat")).to_have_attribute("data-joined", "true", timeout=LIVE_TIMEOUT_MS)
    text = unique("Bel me gerust op 06-12345678")
    box = sam.get_by_role("textbox", name="Message", exact=True)
    box.fill(text)
    box.press("Enter")

    warning = sam.get_by_role("alert").filter(has_text="Check for personal details")
    expect(warning).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(box).to_have_value(text)  # not sent: the text is back in the box
    expect(sam.locator("#chat-days li.chat-msg", has_text=text)).to_have_count(0)

    warning.get_by_role("button", name="Publish anyway").click()
    expect(sam.locator("#chat-days li.chat-msg", has_text=text)).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    expect(warning).to_have_count(0)
    expect(box).to_have_value("")
    log.assert_nothing_left_the_server()


def test_a_heated_conversation_alert_shows_a_banner_with_the_queue_item(new_context, live_server: LiveServer) -> None:
    """The event's shape is the server's (tests/moderation/test_conflict.py checks it); here it is handed to
    the page's own listener, as the socket would."""
    context = new_context()
    page = context.new_page()
    sign_in(page, "youthworker")
    page.goto("/")
    wait_until_live(page)
    delivered = page.evaluate(
        """async (module) => {
          const socket = (await import(module)).socket();
          const listeners = socket.listeners("moderation:conflict");
          const alert = {queue_item_id: 41, group_id: 1, place_type: "topic", place_id: 7, why: "back_and_forth",
                         slow_mode_seconds: 60, group: "Young people", url: "/moderation/items/41"};
          listeners.forEach((listener) => listener({...alert, queue_item_id: 40, url: "https://elsewhere.example/x"}));
          listeners.forEach((listener) => listener(alert));
          listeners.forEach((listener) => listener(alert));
          return listeners.length;
        }""",
        REALTIME_MODULE,
    )
    assert delivered == 1
    banner = page.get_by_role("alert").filter(has_text="Young people")
    expect(banner).to_have_attribute("aria-live", "assertive")
    expect(banner).to_contain_text("is getting heated; it is in slow mode now.")
    # One line per item (the same item replaces its line); a link off the site is never shown.
    expect(banner.locator("[data-alert-key]")).to_have_count(2)
    expect(banner.get_by_role("link")).to_have_count(1)
    banner.get_by_role("link", name="Open the queue item").click()
    expect(page).to_have_url(f"{live_server.url}/moderation/items/41")
