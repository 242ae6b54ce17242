"""The group chat in real browsers: two members of "Young people" (sam and noor), each in their own browser
context, chatting live over WebSocket on the production-style server; the outbox keeps a message written
offline and delivers it once after the connection is back; axe finds nothing; nothing leaves the server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, OriginLog, sign_in, unique
from tests.browser.test_pages import assert_no_wcag_violations

pytestmark = pytest.mark.browser

ROOM = "/g/young-people/chat"
LIVE_TIMEOUT_MS = 10_000  # the room must be live (joined over WebSocket) well within this
DELIVERY_TIMEOUT_MS = 5_000
RECONNECT_TIMEOUT_MS = 20_000  # the client's reconnection back-off tops out at 10 s


@pytest.fixture(scope="session")
def noor_storage_state(browser: Browser, browser_context_args: dict, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("browser-state") / "noor.json"
    context = browser.new_context(**browser_context_args)
    try:
        sign_in(context.new_page(), "noor")
        context.storage_state(path=str(path))
    finally:
        context.close()
    return str(path)


@pytest.fixture
def two_members(
    sam_context: BrowserContext, new_context, noor_storage_state: str, live_server: LiveServer
) -> Iterator[tuple[Page, Page, OriginLog]]:
    """sam and noor, each with the room open and live; one log of everything both browsers asked for."""
    noor_context = new_context(storage_state=noor_storage_state)
    log = OriginLog(server_url=live_server.url)
    log.watch(sam_context)
    log.watch(noor_context)
    sam, noor = sam_context.new_page(), noor_context.new_page()
    for page in (sam, noor):
        page.goto(ROOM)
        expect(page.locator("#chat")).to_have_attribute("data-joined", "true", timeout=LIVE_TIMEOUT_MS)
    yield sam, noor, log


def message_box(page: Page):
    return page.get_by_role("textbox", name="Message", exact=True)


def messages_with(page: Page, text: str):
    return page.locator("#chat-days li.chat-msg", has_text=text)


def actions_button(page: Page, text: str):
    """The one button that opens a message's actions menu (static/js/action-menu.js)."""
    return messages_with(page, text).get_by_role("button", name=re.compile(r"^Actions for the message from "))


def choose(page: Page, text: str, role: str, name: str | re.Pattern[str]):
    """Open the message's actions menu and return the item (it is hidden until the menu opens)."""
    actions_button(page, text).click()
    return messages_with(page, text).get_by_role("menu").get_by_role(role, name=name)


def test_two_members_chat_live_without_reloading(two_members: tuple[Page, Page, OriginLog]) -> None:
    sam, noor, log = two_members
    hello = unique("Hi Noor, how was school")

    message_box(sam).fill(hello)
    message_box(sam).press("Enter")
    expect(messages_with(noor, hello)).to_have_count(1, timeout=DELIVERY_TIMEOUT_MS)
    expect(noor.locator("#chat-announcer")).to_contain_text(f"Sam: {hello}")  # the one polite live region
    expect(message_box(sam)).to_be_focused()  # focus stays in the box after sending
    expect(message_box(sam)).to_have_value("")
    expect(messages_with(sam, hello)).to_have_count(1)  # the ack and the broadcast make one message

    answer = unique("Long day.")
    message_box(noor).fill("First line")
    message_box(noor).press("Shift+Enter")  # a new line, not a send
    message_box(noor).press_sequentially(answer)
    expect(message_box(noor)).to_have_value(f"First line\n{answer}")
    message_box(noor).press("Enter")
    expect(messages_with(sam, answer)).to_have_count(1, timeout=DELIVERY_TIMEOUT_MS)
    expect(messages_with(sam, answer).locator(".chat-msg__author")).to_have_text("Noor")
    expect(messages_with(sam, answer).locator("time")).to_have_attribute(
        "datetime", re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    )

    # A supportive reaction: a labelled checkable item of the message's actions menu, seen by the other member
    # at once (the count, small under the text).
    hug = choose(sam, answer, "menuitemcheckbox", re.compile(r"^Hug"))
    expect(hug).to_have_attribute("aria-checked", "false")
    hug.click()
    expect(messages_with(sam, answer).locator(".chat-msg__reactions-text")).to_have_text("Hug 1")
    expect(choose(sam, answer, "menuitemcheckbox", "Hug 1")).to_have_attribute("aria-checked", "true")
    expect(messages_with(noor, answer).locator(".chat-msg__reactions-text")).to_have_text(
        "Hug 1", timeout=DELIVERY_TIMEOUT_MS
    )
    expect(choose(noor, answer, "menuitemcheckbox", "Hug 1")).to_have_attribute("aria-checked", "false")

    log.assert_nothing_left_the_server()
    assert [url for url in log.urls if url.startswith("ws")], "the chat did not use a WebSocket"
    assert not log.failed_responses, f"failed requests: {log.failed_responses}"
    assert not log.console_errors, f"the browser console reported errors: {log.console_errors}"


def test_edits_and_deletes_reach_the_other_member_at_once(two_members: tuple[Page, Page, OriginLog]) -> None:
    sam, noor, _log = two_members
    text = unique("I feel a bit lost")
    message_box(sam).fill(text)
    message_box(sam).press("Enter")
    expect(messages_with(noor, text)).to_have_count(1, timeout=DELIVERY_TIMEOUT_MS)

    choose(sam, text, "menuitem", "Edit").click()
    editor = sam.get_by_role("textbox", name="Edit your message")
    expect(editor).to_be_focused()
    edited = unique("I feel a bit lost, but better now")
    editor.fill(edited)
    editor.press("Enter")
    expect(messages_with(noor, edited)).to_have_count(1, timeout=DELIVERY_TIMEOUT_MS)
    expect(messages_with(noor, edited).locator(".chat-msg__edited")).to_have_text("(edited)")
    expect(actions_button(sam, edited)).to_be_focused()  # back where "Edit" was chosen

    sam.once("dialog", lambda dialog: dialog.accept())
    choose(sam, edited, "menuitem", "Delete").click()
    expect(messages_with(noor, edited)).to_have_count(0, timeout=DELIVERY_TIMEOUT_MS)
    expect(messages_with(sam, edited)).to_have_count(0)
    expect(message_box(sam)).to_be_focused()


def test_a_message_written_offline_waits_in_the_outbox_and_is_delivered_once(
    two_members: tuple[Page, Page, OriginLog],
) -> None:
    sam, noor, log = two_members
    text = unique("Written on the train")

    sam.context.set_offline(True)
    expect(sam.locator("#chat-status")).to_have_text("Reconnecting…", timeout=LIVE_TIMEOUT_MS)
    message_box(sam).fill(text)
    message_box(sam).press("Enter")
    outbox = sam.locator("#chat-outbox li", has_text=text)
    expect(outbox).to_contain_text("Not sent yet — will retry.")
    expect(message_box(sam)).to_be_focused()

    sam.context.set_offline(False)
    expect(messages_with(noor, text)).to_have_count(1, timeout=RECONNECT_TIMEOUT_MS)
    expect(outbox).to_have_count(0)
    expect(messages_with(sam, text)).to_have_count(1)
    expect(sam.locator("#chat-status")).to_have_text("Connected again.")

    noor.reload()  # what the server stored: exactly one copy
    expect(messages_with(noor, text)).to_have_count(1)
    log.assert_nothing_left_the_server()


def test_the_chat_page_has_no_wcag_violations(sam_page: Page) -> None:
    sam_page.goto(ROOM)
    expect(sam_page.get_by_role("heading", level=1, name="Chat in Young people")).to_be_visible()
    expect(sam_page.locator("#chat")).to_have_attribute("data-joined", "true", timeout=LIVE_TIMEOUT_MS)
    assert_no_wcag_violations(sam_page)
