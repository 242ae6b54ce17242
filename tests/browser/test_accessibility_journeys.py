"""Keyboard-only journeys, display preferences applied without a reload, reflow at 320 px, and read-aloud.

Every journey uses only the keyboard (Tab, Shift+Tab, Enter, Space, typing): a control that cannot be
reached, or that shows no focus indicator when reached, fails the test (a11y_support.tab_to).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.a11y_support import screenshot, set_mode, tab_to
from tests.browser.conftest import DEMO_PASSWORD, LiveServer, unique

pytestmark = pytest.mark.browser

YOUNG_PEOPLE = "/g/young-people"


def keyboard_sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    tab_to(page, 'input[name="login"]')
    page.keyboard.type(username)
    tab_to(page, 'input[name="password"]')
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path != "/login", page.locator("main").inner_text()


def no_reload_marker(page: Page) -> None:
    page.evaluate("() => { window.__kringNoReload = true; }")


def still_same_document(page: Page) -> bool:
    return bool(page.evaluate("() => window.__kringNoReload === true"))


def test_a_member_reads_and_writes_a_topic_and_chats_with_the_keyboard_only(page: Page) -> None:
    keyboard_sign_in(page, "milan")

    # Read: from the start page to the group, then into a topic.
    tab_to(page, f'main a[href="{YOUNG_PEOPLE}"]')
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Young people")).to_be_visible()
    tab_to(page, 'main a[href*="/t/"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/t/" in page.url
    expect(page.locator("h1")).to_be_visible()

    # Write: a reply, typed and sent from the keyboard.
    reply = unique("Thank you, this helps")
    tab_to(page, 'form.write-form textarea[name="body"]')
    page.keyboard.type(reply)
    tab_to(page, 'form.write-form button[type="submit"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text(reply).first).to_be_visible()

    # Chat: the group's room, a message typed and sent with Enter.
    page.goto(f"{YOUNG_PEOPLE}/chat")
    expect(page.locator("#chat")).to_have_attribute("data-joined", "true", timeout=15_000)
    message = unique("Hello from the keyboard")
    tab_to(page, "#chat-form textarea")
    page.keyboard.type(message)
    page.keyboard.press("Enter")
    expect(page.locator("#chat-days li.chat-msg", has_text=message)).to_have_count(1, timeout=10_000)


def test_a_moderator_handles_an_item_with_the_keyboard_only(page: Page) -> None:
    keyboard_sign_in(page, "nurse")
    page.goto("/moderation/")
    expect(page.locator("h1")).to_be_visible()
    tab_to(page, 'main a[href*="/moderation/items/"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/moderation/items/" in page.url
    approve = page.get_by_role("button", name="Approve and publish")
    expect(approve).to_be_visible()
    tab_to(page, 'main button:has-text("Approve and publish")')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".flashes")).to_contain_text(re.compile(r"\S"))


def test_display_preferences_apply_at_once_and_stay_after_a_reload(page: Page) -> None:
    """A visitor: Space on a radio button changes the page without a reload; the next page keeps it."""
    page.goto("/preferences")
    no_reload_marker(page)
    html = page.locator("html")
    expect(html).to_have_attribute("data-theme", "system")

    # Tab reaches a radio group at its checked button; the arrow keys choose within it.
    tab_to(page, "#pref-text_size-1")  # 100 %, checked
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # 150 %
    expect(html).to_have_attribute("data-text-size", "150")
    tab_to(page, "#pref-theme-1")  # like my device, checked
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # dark
    expect(html).to_have_attribute("data-theme", "dark")
    tab_to(page, "#pref-easy_read")
    page.keyboard.press("Space")
    expect(html).to_have_attribute("data-easy-read", "on")
    expect(page.locator("[data-display-status]")).to_have_text("Display settings saved.")
    assert still_same_document(page), "changing a preference reloaded the page"
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(18, 20, 20)", f"the dark theme did not reach the page: {background}"

    page.goto("/accessibility")  # rendered by the server from the cookie: no flash of the default theme
    expect(html).to_have_attribute("data-theme", "dark")
    expect(html).to_have_attribute("data-easy-read", "on")
    assert page.evaluate("() => JSON.parse(localStorage.getItem('kring.display')).theme") == "dark"


def test_the_compact_panel_switches_to_high_contrast_for_a_member(page: Page, live_server: LiveServer) -> None:
    keyboard_sign_in(page, "alex")
    try:
        no_reload_marker(page)
        tab_to(page, ".display-panel > summary")
        page.keyboard.press("Enter")
        tab_to(page, "#panel-theme")
        page.keyboard.press("End")  # the last option: high contrast
        page.locator("#panel-theme").dispatch_event("change")
        html = page.locator("html")
        expect(html).to_have_attribute("data-theme", "high_contrast")
        expect(page.locator("[data-display-status]")).to_have_text("Display settings saved.")
        assert still_same_document(page)
        page.reload()  # stored on the account
        expect(html).to_have_attribute("data-theme", "high_contrast")
    finally:
        set_mode(page, live_server.url, "default")


@pytest.mark.parametrize("mode", ["default", "easy_read"])
def test_pages_reflow_at_320_css_pixels(browser: Browser, browser_context_args: dict, mode: str) -> None:
    """WCAG 1.4.10: at 320 px wide (1280 px at 400 % zoom) nothing needs scrolling sideways."""
    context = browser.new_context(**{**browser_context_args, "viewport": {"width": 320, "height": 640}})
    try:
        page = context.new_page()
        keyboard_sign_in(page, "noor")
        if mode == "easy_read":
            page.evaluate("() => document.documentElement.setAttribute('data-easy-read', 'on')")
        paths = ["/", YOUNG_PEOPLE, f"{YOUNG_PEOPLE}/chat", "/preferences", "/accessibility", "/account/profile"]
        topic = page.goto(YOUNG_PEOPLE) and page.locator('main a[href*="/t/"]').first.get_attribute("href")
        if topic:
            paths.append(topic)
        too_wide = []
        for path in paths:
            page.goto(path)
            if mode == "easy_read":
                page.evaluate("() => document.documentElement.setAttribute('data-easy-read', 'on')")
            width = page.evaluate("() => document.documentElement.scrollWidth")
            if width > 320:
                too_wide.append(f"{path}: {width}px")
                screenshot(page, f"reflow-{mode}-{path.strip('/').replace('/', '-') or 'home'}")
        assert not too_wide, "pages scroll sideways at 320 px:\n" + "\n".join(too_wide)
    finally:
        context.close()


def test_read_aloud_speaks_a_chat_message_in_the_page_language(page: Page) -> None:
    """speechSynthesis is replaced by a recorder, so the test hears what would be spoken (and in which language)."""
    page.add_init_script(
        """window.__spoken = [];
           window.speechSynthesis.speak = u => window.__spoken.push({text: u.text, lang: u.lang});
           window.speechSynthesis.cancel = () => {};"""
    )
    keyboard_sign_in(page, "sam")
    page.goto(f"{YOUNG_PEOPLE}/chat")
    # Joining the room renders the messages again (chat.js replaceAll): a click before that lands on a message
    # that is then replaced, and the "Stop reading" state goes with it (seen on a busy machine).
    expect(page.locator("#chat")).to_have_attribute("data-joined", "true", timeout=15_000)
    message = page.locator("#chat-days li.chat-msg").last
    # "Read aloud" is an item of the message's actions menu.
    actions = message.get_by_role("button", name=re.compile(r"^Actions for the message from "))
    actions.click()
    button = message.get_by_role("menuitem", name="Read aloud")
    expect(button).to_be_visible()
    body = message.locator(".chat-msg__body").inner_text().strip()
    button.click()
    spoken = page.evaluate("() => window.__spoken")
    assert spoken and spoken[-1]["lang"] == "en"
    assert " ".join(body.split()) in spoken[-1]["text"]
    actions.click()
    expect(message.get_by_role("menuitem", name="Stop reading")).to_be_visible()


def test_read_aloud_is_hidden_without_speech_synthesis(page: Page) -> None:
    page.add_init_script("delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;")
    keyboard_sign_in(page, "sam")
    page.goto(f"{YOUNG_PEOPLE}/chat")
    expect(page.locator("#chat-days li.chat-msg").first).to_be_visible()
    expect(page.locator(".read-aloud")).to_have_count(0)


def test_read_aloud_speaks_a_forum_post_and_is_reachable_by_keyboard(page: Page) -> None:
    page.add_init_script(
        """window.__spoken = [];
           window.speechSynthesis.speak = u => window.__spoken.push({text: u.text, lang: u.lang});
           window.speechSynthesis.cancel = () => {};"""
    )
    keyboard_sign_in(page, "sam")
    page.goto(YOUNG_PEOPLE)
    page.goto(page.locator('main a[href*="/t/"]').first.get_attribute("href"))
    post = page.locator("li.post article").first
    # From the keyboard: the post's actions menu button is in the tab order; "Read aloud" is one of its items.
    actions = post.get_by_role("button", name=re.compile(r"^Actions for the post by "))
    assert actions.get_attribute("tabindex") != "-1", "a forum post's menu button is in the tab order"
    actions.focus()
    page.keyboard.press("ArrowUp")  # opens the menu on its last item: Read aloud
    button = post.get_by_role("menuitem", name="Read aloud")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    spoken = page.evaluate("() => window.__spoken")
    body = " ".join(post.locator(".post__body").inner_text().split())
    assert spoken and spoken[-1]["lang"] == "en" and body[:60] in spoken[-1]["text"]
