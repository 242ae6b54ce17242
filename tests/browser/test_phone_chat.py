"""The chat and a topic on a phone (Chromium's mobile emulation, 390 x 844 and 320 wide): the conversation is one
screen (messages between a slim heading and the message box at the bottom), nothing scrolls sideways, and each
message's or post's actions open from ONE menu button, by touch and by keyboard (arrow keys, Escape back to the
button). axe finds no WCAG 2.2 A/AA violation at phone size. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.browser.a11y_support import ARTIFACTS, axe_violations, describe
from tests.browser.conftest import unique

pytestmark = pytest.mark.browser

ROOM = "/g/young-people/chat"
GROUP = "/g/young-people"
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 320, "height": 640}
LIVE_TIMEOUT_MS = 15_000


@pytest.fixture
def phone_context(
    browser: Browser, browser_context_args: dict, sam_storage_state: str
) -> Iterator[Callable[..., BrowserContext]]:
    """Sam on a phone: a small touch screen with the mobile viewport rules (the viewport meta tag applies)."""
    contexts: list[BrowserContext] = []

    def make(**extra: object) -> BrowserContext:
        settings = {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}
        contexts.append(browser.new_context(**settings, storage_state=sam_storage_state, **extra))
        return contexts[-1]

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def phone(phone_context: Callable[..., BrowserContext]) -> BrowserContext:
    return phone_context()


def open_room(page: Page) -> None:
    page.goto(ROOM)
    expect(page.locator("#chat")).to_have_attribute("data-joined", "true", timeout=LIVE_TIMEOUT_MS)


def send_ten_short_messages(page: Page, base_url: str) -> list[str]:
    """Ten short messages through the form that works without JavaScript (one request each, the page's token)."""
    page.goto(ROOM)
    token = page.locator('#chat-form input[name="csrf_token"]').get_attribute("value") or ""
    texts = [unique(f"Short {number}") for number in range(10)]
    for text in texts:
        response = page.request.post(
            f"{base_url}{ROOM}/send",
            form={"csrf_token": token, "client_id": unique("phone").replace(" ", "-"), "body": text},
            max_redirects=0,
        )
        assert response.status == 303, response.text()
        page.wait_for_timeout(1100)  # well inside the send rate (10 per 10 seconds)
    return texts


def fully_in_view(locator: Locator, page: Page) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    assert size is not None
    return (
        bool(box)
        and box["y"] >= 0
        and box["x"] >= 0
        and box["y"] + box["height"] <= size["height"] + 0.5
        and (box["x"] + box["width"] <= size["width"] + 0.5)
    )


def no_sideways_scroll(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def assert_no_wcag_violations_here(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, describe(page.url, violations)


def test_the_chat_is_one_screen_on_a_phone_with_six_messages_and_the_message_box_in_view(
    phone: BrowserContext, base_url: str
) -> None:
    page = phone.new_page()
    texts = send_ten_short_messages(page, base_url)
    open_room(page)
    page.wait_for_timeout(300)  # the scroll to the newest message
    box = page.get_by_role("textbox", name="Message", exact=True)
    assert fully_in_view(box, page), "the message box is not on the screen"
    assert fully_in_view(page.get_by_role("button", name="Send"), page)
    seen = [text for text in texts if fully_in_view(page.locator("#chat-days li.chat-msg", has_text=text), page)]
    assert len(seen) >= 6, f"only {len(seen)} of the last ten messages are on the screen: {seen}"
    assert texts[-1] in seen, "the newest message is not on the screen"
    assert no_sideways_scroll(page)
    shoot(page, "phone-chat-390")
    assert_no_wcag_violations_here(page)

    page.set_viewport_size(SMALL_PHONE)
    page.wait_for_timeout(200)
    assert no_sideways_scroll(page), "the chat scrolls sideways at 320 px"
    assert fully_in_view(page.get_by_role("textbox", name="Message", exact=True), page)
    shoot(page, "phone-chat-320")
    assert_no_wcag_violations_here(page)


def test_a_message_s_actions_open_by_touch_and_by_keyboard_from_one_menu_button(
    phone: BrowserContext, base_url: str
) -> None:
    page = phone.new_page()
    texts = send_ten_short_messages(page, base_url)[-2:]
    open_room(page)
    message = page.locator("#chat-days li.chat-msg", has_text=texts[-1])
    # One button per message, named after the message; the menu's items are hidden until it opens.
    menu_button = message.get_by_role("button", name=re.compile(r"^Actions for the message from Sam at \d\d?:\d\d"))
    expect(menu_button).to_have_attribute("aria-haspopup", "menu")
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    assert message.get_by_role("button").count() == 1
    expect(message.get_by_role("menu")).to_be_hidden()

    # By touch: open, react (a checkable item), the count shows small under the text.
    box = menu_button.bounding_box()
    assert box and box["width"] >= 44 and box["height"] >= 44
    menu_button.tap()
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    menu = message.get_by_role("menu")
    expect(menu).to_be_visible()
    hug = menu.get_by_role("menuitemcheckbox", name=re.compile(r"^Hug"))
    expect(hug).to_be_focused()
    shoot(page, "phone-chat-menu-390")
    for item in menu.locator("[role^=menuitem]").all():
        item_box = item.bounding_box()
        assert item_box and item_box["height"] >= 44 and item_box["width"] >= 44, item.inner_text()
    hug.tap()
    expect(menu).to_be_hidden()
    expect(message.locator(".chat-msg__reactions-text")).to_have_text("Hug 1")
    expect(page.locator("#chat-days li.chat-msg", has_text=texts[-1]).get_by_role("button")).to_be_focused()
    page.locator("#chat-days li.chat-msg", has_text=texts[-1]).get_by_role("button").tap()
    expect(page.get_by_role("menuitemcheckbox", name="Hug 1")).to_have_attribute("aria-checked", "true")

    # By keyboard: Escape closes and gives the focus back to the menu button.
    page.keyboard.press("Escape")
    again = page.locator("#chat-days li.chat-msg", has_text=texts[-1]).get_by_role("button")
    expect(again).to_be_focused()
    expect(again).to_have_attribute("aria-expanded", "false")
    # Enter opens on the first item; the arrow keys move (wrapping), End goes to the last.
    other = page.locator("#chat-days li.chat-msg", has_text=texts[-2]).get_by_role("button")
    other.focus()
    page.keyboard.press("Enter")
    items = page.locator("#chat-days li.chat-msg", has_text=texts[-2]).get_by_role("menu").locator("[role^=menuitem]")
    expect(items.first).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(items.last).to_be_focused()
    page.keyboard.press("Home")
    expect(items.first).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(items.nth(1)).to_be_focused()
    # "Reply" from the menu: the message box says to whom, and has the focus.
    reply = page.locator("#chat-days li.chat-msg", has_text=texts[-2]).get_by_role("menuitem", name="Reply")
    for _ in range(10):
        if reply.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#chat-replying-text")).to_have_text("Replying to Sam")
    expect(page.get_by_role("textbox", name="Message", exact=True)).to_be_focused()
    expect(other).to_have_attribute("aria-expanded", "false")
    answer = unique("A reply")
    page.keyboard.type(answer)
    page.keyboard.press("Enter")
    sent = page.locator("#chat-days li.chat-msg", has_text=answer)
    expect(sent.locator(".chat-msg__reply")).to_contain_text(f"Reply to Sam: {texts[-2]}", timeout=LIVE_TIMEOUT_MS)


def test_without_javascript_the_menu_is_a_disclosure_with_working_links(
    phone_context: Callable[..., BrowserContext],
) -> None:
    page = phone_context(java_script_enabled=False).new_page()
    page.goto(ROOM)
    # The message box stays at the bottom of the screen while the page scrolls (sticky).
    assert fully_in_view(page.get_by_role("textbox", name="Message", exact=True), page)
    theirs = page.locator("#chat-days li.chat-msg:not(.chat-msg--mine)").last
    name = theirs.locator(".chat-msg__author").inner_text()
    theirs_id = theirs.get_attribute("id")
    summary = theirs.locator("summary")
    expect(summary).to_have_accessible_name(re.compile(rf"^Actions for the message from {re.escape(name)} at "))
    summary.tap()
    expect(theirs.get_by_role("link", name=re.compile(r"^I'm worried about this person"))).to_be_visible()
    # Reply: a link that opens the page with the message box answering that message.
    theirs.get_by_role("link", name="Reply").tap()
    expect(page.locator("#chat-replying-text")).to_have_text(f"Replying to {name}")
    answer = unique("A reply without scripts")
    page.get_by_role("textbox", name="Message", exact=True).fill(answer)
    page.get_by_role("button", name="Send").tap()
    sent = page.locator("#chat-days li.chat-msg", has_text=answer)
    expect(sent.locator(".chat-msg__reply a")).to_have_attribute("href", f"#{theirs_id}")
    expect(page.locator("#chat-replying")).to_be_hidden()
    # Report: a link to its own page.
    theirs = page.locator(f"#{theirs_id}")
    theirs.locator("summary").tap()
    report = theirs.get_by_role("link", name=re.compile(r"^Report the message by"))
    report.tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Report")
    assert no_sideways_scroll(page)


def open_a_topic(page: Page) -> None:
    page.goto(GROUP)
    page.locator('main a[href*="/t/"]').first.click()
    page.wait_for_load_state()


def test_a_topic_on_a_phone_has_one_actions_menu_per_post(phone: BrowserContext) -> None:
    page = phone.new_page()
    open_a_topic(page)
    assert no_sideways_scroll(page)
    post = page.locator("#posts > li").first
    expect(post.locator(".post__body")).to_have_attribute("dir", "auto")
    assert post.locator("bdi.post__author").count() == 1
    menu_button = post.get_by_role("button", name=re.compile(r"^Actions for the post by "))
    expect(menu_button).to_have_attribute("aria-haspopup", "menu")
    shoot(page, "phone-topic-390")
    assert_no_wcag_violations_here(page)

    # By touch: react from the menu; the count under the post follows without a reload.
    menu_button.tap()
    menu = post.get_by_role("menu")
    expect(menu).to_be_visible()
    hug = menu.get_by_role("menuitemcheckbox", name=re.compile(r"^Hug \d+$"))
    expect(hug).to_be_focused()
    shoot(page, "phone-topic-menu-390")
    was_checked = hug.get_attribute("aria-checked") == "true"
    before = int(hug.inner_text().split()[-1])
    after = before - 1 if was_checked else before + 1
    hug.tap()
    expect(menu).to_be_hidden()
    expect(menu_button).to_be_focused()
    count = post.locator('[data-reaction-item="hug"] [data-reaction-count]')
    expect(count).to_have_text(str(after))
    hug_count = post.locator('[data-reaction-item="hug"]')
    if after:
        expect(hug_count).to_be_visible()
    else:
        expect(hug_count).to_be_hidden()

    # By keyboard: Down opens on the first item, Escape closes and returns the focus.
    page.keyboard.press("ArrowDown")
    expect(hug).to_be_focused()
    expect(hug).to_have_attribute("aria-checked", "false" if was_checked else "true")
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(menu_button).to_be_focused()
    # "Quote" copies the post into the reply box and takes the focus there.
    page.keyboard.press("Enter")
    quote = menu.get_by_role("menuitem", name=re.compile(r"^Quote"))
    for _ in range(10):
        if quote.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    reply_box = page.locator("#reply textarea[name=body]")
    expect(reply_box).to_be_focused()
    expect(reply_box).to_have_value(re.compile(r"^.+:\n> ", re.S))
    expect(menu).to_be_hidden()
    if after != before:  # take the hug back: the demo topic stays as it was
        menu_button.tap()
        hug.tap()
        expect(count).to_have_text(str(before))

    page.set_viewport_size(SMALL_PHONE)
    page.wait_for_timeout(200)
    assert no_sideways_scroll(page), "the topic scrolls sideways at 320 px"
    shoot(page, "phone-topic-320")
    assert_no_wcag_violations_here(page)


def test_the_arabic_chat_keeps_an_english_message_whole(phone: BrowserContext, base_url: str) -> None:
    page = phone.new_page()
    page.goto("/preferences")  # the language is the member's choice: set it, look, set it back
    token = page.locator('input[name="lang-csrf_token"]').first.get_attribute("value") or ""
    switch = {"lang-csrf_token": token, "lang-language": "ar"}
    assert page.request.post(f"{base_url}/language", form=switch, max_redirects=0).status == 302
    try:
        open_room(page)
        assert page.evaluate("() => document.documentElement.dir") == "rtl"
        body = page.locator("#chat-days li.chat-msg .chat-msg__body").last
        expect(body).to_have_attribute("dir", "auto")
        assert body.evaluate("el => getComputedStyle(el).direction") == "ltr"  # an English message, dir=auto
        assert no_sideways_scroll(page)
        shoot(page, "phone-chat-390-arabic")
    finally:
        switch["lang-language"] = "en"
        page.request.post(f"{base_url}/language", form=switch, max_redirects=0)
