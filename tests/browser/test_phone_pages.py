"""Kring on a phone (390 x 844 and 320 px wide, touch, mobile emulation): the header's one menu button, pages
that never scroll sideways, axe's WCAG A/AA rules, the notification settings by touch and keyboard, and member
text that keeps its own direction in the Arabic interface.

Pictures of the start page, a group page, the notification settings and the open menu at 390 px are kept in
tests/artifacts/ (phone-*.png).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.browser.a11y_support import axe_violations, describe, screenshot, set_mode, tab_to, use_axe
from tests.browser.conftest import LiveServer, sign_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SMALLEST = {"viewport": {"width": 320, "height": 640}, "is_mobile": True, "has_touch": True}
YOUNG_PEOPLE = "/g/young-people"
PARENTS = "/g/parents-of-children-with-intensive-care-needs"
ENGLISH_TITLE = "Night care: how do you get enough sleep?"  # a topic of the demo's parents group
MENU_BUTTON = "details.nav-menu > summary"
MIN_TARGET = 44


@pytest.fixture
def phone(browser: Browser, browser_context_args: dict, sam_storage_state: str) -> Iterator[BrowserContext]:
    """Sam (a member of "Young people") on a phone."""
    context = browser.new_context(**{**browser_context_args, **PHONE}, storage_state=sam_storage_state)
    use_axe(context)
    yield context
    context.close()


@pytest.fixture
def phone_page(phone: BrowserContext) -> Page:
    return phone.new_page()


def _menu(page: Page) -> Locator:
    return page.locator("details.nav-menu")


def _button(page: Page) -> Locator:
    return page.locator(MENU_BUTTON)


def _main_nav(page: Page) -> Locator:
    return page.locator("#nav-menu-body nav")  # "Main" in English: named in the page's language


def _scrolls_sideways(page: Page) -> int | None:
    """The page's width when it is wider than the phone's screen, else None. Compared with the emulated screen, not
    with window.innerWidth: a mobile browser widens its layout viewport to fit content that sticks out (and zooms
    out), so innerWidth grows with the page and the comparison would always pass."""
    viewport = page.viewport_size
    assert viewport
    sizes = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    width = max(sizes)
    return width if width > viewport["width"] else None


def _assert_target(locator: Locator) -> None:
    box = locator.bounding_box()
    assert box, f"{locator} is not shown"
    assert box["width"] >= MIN_TARGET and box["height"] >= MIN_TARGET - 0.5, f"{locator} is too small: {box}"


def _has_focus(locator: Locator) -> bool:
    return bool(locator.evaluate("el => el === document.activeElement"))


def test_the_header_is_slim_with_one_menu_button(phone_page: Page) -> None:
    page = phone_page
    page.goto("/")
    header = page.locator("header.site-header").bounding_box()
    assert header and header["height"] <= 70, f"the header takes {header} on a phone"
    expect(page.get_by_role("link", name="Kring")).to_be_visible()
    expect(_main_nav(page)).to_be_hidden()
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    button = _button(page)
    expect(button).to_be_visible()
    _assert_target(button)
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_have_attribute("aria-controls", "nav-menu-body")
    expect(page.locator("#nav-menu-body")).to_have_count(1)
    assert _scrolls_sideways(page) is None


def test_the_menu_button_shows_a_dot_while_a_count_shows(phone_page: Page) -> None:
    """notifications.js and chat-unread.js show and hide the counts' spans live; the dot follows them."""
    page = phone_page
    page.goto("/")
    counts = "nav[aria-label='Main'] a > span"
    dot = page.locator(".nav-menu__news")
    page.evaluate("s => document.querySelectorAll(s).forEach(span => { span.hidden = true; })", counts)
    expect(dot).to_be_hidden()
    page.evaluate("() => { document.querySelector('[data-notification-count]').hidden = false; }")
    expect(dot).to_be_visible()
    assert page.locator(MENU_BUTTON).evaluate("el => el.innerText").startswith("Menu")
    expect(dot.locator(".visually-hidden")).to_have_text("(something new)")
    page.evaluate("() => { document.querySelector('[data-notification-count]').hidden = true; }")
    page.evaluate("() => { document.querySelector('[data-chat-unread-count]').hidden = false; }")
    expect(dot).to_be_visible()


def test_the_menu_by_keyboard_escape_closes_it_and_gives_the_focus_back(phone_page: Page) -> None:
    page = phone_page
    page.goto("/")
    button = _button(page)
    tab_to(page, MENU_BUTTON)
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(_main_nav(page)).to_be_visible()
    for link in _main_nav(page).get_by_role("link").all():
        _assert_target(link)
    _assert_target(page.get_by_role("button", name="Sign out"))
    _assert_target(page.locator(".nav-menu .display-panel > summary"))
    assert _scrolls_sideways(page) is None, "the open menu scrolls sideways"
    screenshot(page, "phone-menu-open")

    tab_to(page, 'nav[aria-label="Main"] a[href="/notifications"]')
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(_main_nav(page)).to_be_hidden()
    assert _has_focus(button), "Escape did not give the focus back to the menu button"

    # The display panel inside the menu: opened with the keyboard, and Escape closes both.
    page.keyboard.press("Enter")
    tab_to(page, ".nav-menu .display-panel > summary")
    page.keyboard.press("Enter")
    expect(page.locator("#panel-theme")).to_be_visible()
    tab_to(page, "#panel-theme")
    page.keyboard.press("Escape")
    expect(_menu(page)).not_to_have_attribute("open", "")
    assert _has_focus(button)
    page.keyboard.press("Enter")
    expect(page.locator("#panel-theme")).to_be_hidden()  # the panel closed with the menu

    # A link in the menu, by keyboard.
    tab_to(page, 'nav[aria-label="Main"] a[href="/notifications"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Notifications")).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")  # a new page starts with the menu closed


def test_the_menu_by_touch_a_link_works_and_a_tap_outside_closes_it(phone_page: Page) -> None:
    page = phone_page
    page.goto("/")
    _button(page).tap()
    expect(_main_nav(page)).to_be_visible()
    page.locator("main h1").tap()
    expect(_main_nav(page)).to_be_hidden()
    _button(page).tap()
    _main_nav(page).get_by_role("link", name="Search").tap()
    page.wait_for_url("**/search")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search in your groups")
    _button(page).tap()
    expect(_main_nav(page).get_by_role("link", name="Search")).to_have_attribute("aria-current", "page")


def test_sign_out_is_in_the_menu(browser: Browser, browser_context_args: dict) -> None:
    context = browser.new_context(**{**browser_context_args, **PHONE})
    try:
        page = context.new_page()
        sign_in(page, "jordan")  # a session of its own: signing out ends only this one
        expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
        _button(page).tap()
        sign_out = page.get_by_role("button", name="Sign out")
        expect(sign_out).to_be_visible()
        expect(page.locator(".nav-menu .signed-in-as")).to_have_text("Jordan")
        sign_out.tap()
        page.wait_for_url("**/login**")
        expect(page.locator(MENU_BUTTON)).to_have_count(0)
        assert urlsplit(page.goto("/").url).path == "/login"
    finally:
        context.close()


def test_the_menu_works_without_javascript(
    browser: Browser, browser_context_args: dict, sam_storage_state: str
) -> None:
    context = browser.new_context(
        **{**browser_context_args, **PHONE}, storage_state=sam_storage_state, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto("/")
        expect(_main_nav(page)).to_be_hidden()
        _button(page).tap()
        expect(_main_nav(page)).to_be_visible()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        page.locator(".nav-menu .display-panel > summary").tap()
        expect(page.locator("#panel-theme")).to_be_visible()
        _main_nav(page).get_by_role("link", name="My account").tap()
        page.wait_for_url("**/account/profile")
    finally:
        context.close()


def test_wider_screens_keep_the_navigation_in_the_header(sam_page: Page) -> None:
    """Above the phone breakpoint nothing folds: the links, sign-out and the display panel are in the header."""
    sam_page.goto("/")
    expect(sam_page.locator(MENU_BUTTON)).to_be_hidden()
    expect(_main_nav(sam_page)).to_be_visible()
    expect(_main_nav(sam_page).get_by_role("link", name="Search")).to_be_visible()
    expect(sam_page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(sam_page.locator(".display-panel > summary")).to_be_visible()
    sam_page.keyboard.press("Tab")  # the skip link
    sam_page.keyboard.press("Tab")  # the brand
    sam_page.keyboard.press("Tab")
    assert sam_page.evaluate("() => document.activeElement.getAttribute('href')") == "/", "a hidden stop in the row"


def test_no_page_scrolls_sideways_at_320_px(
    browser: Browser, browser_context_args: dict, sam_storage_state: str
) -> None:
    """WCAG 1.4.10 on a small phone: the start page, a group, the notifications and their settings, the account."""
    context = browser.new_context(**{**browser_context_args, **SMALLEST}, storage_state=sam_storage_state)
    try:
        page = context.new_page()
        page.goto("/account/profile")
        account_pages = [
            urlsplit(href).path
            for href in page.locator(".account-nav a").evaluate_all("links => links.map(a => a.href)")
        ]
        assert len(account_pages) >= 3, account_pages
        paths = ["/", YOUNG_PEOPLE, "/notifications", "/notifications/settings", "/conversations", *account_pages]
        too_wide = []
        for path in paths:
            response = page.goto(path)
            assert response and response.ok, f"{path}: {response and response.status}"
            for state in ("closed", "open"):
                if state == "open":
                    _button(page).tap()
                width = _scrolls_sideways(page)
                if width:
                    too_wide.append(f"{path} (menu {state}): {width}px")
                    screenshot(page, f"phone-320-too-wide-{path.strip('/').replace('/', '-') or 'home'}-{state}")
        assert not too_wide, "pages scroll sideways at 320 px:\n" + "\n".join(too_wide)
    finally:
        context.close()


@pytest.mark.parametrize("attribute", ["data-text-size=200", "data-easy-read=on"])
def test_the_header_holds_its_button_with_big_text_at_320_px(
    browser: Browser, browser_context_args: dict, sam_storage_state: str, attribute: str
) -> None:
    """Text at 200 % and easy-read (56 px targets) make the brand and the button bigger: they never overlap (the
    button takes a line of its own when the brand leaves no room), and the open menu does not scroll sideways."""
    context = browser.new_context(**{**browser_context_args, **SMALLEST}, storage_state=sam_storage_state)
    try:
        page = context.new_page()
        page.goto("/")
        name, value = attribute.split("=")
        page.evaluate("([name, value]) => document.documentElement.setAttribute(name, value)", [name, value])
        brand = page.get_by_role("link", name="Kring").bounding_box()
        button = _button(page).bounding_box()
        assert brand and button
        apart = (
            brand["x"] + brand["width"] <= button["x"]
            or button["x"] + button["width"] <= brand["x"]
            or brand["y"] + brand["height"] <= button["y"]
        )
        assert apart, f"the brand {brand} runs into the button {button}"
        assert button["x"] + button["width"] <= 320, f"the button {button} sticks out"
        assert button["y"] + button["height"] <= page.locator("main").bounding_box()["y"], "the button covers main"
        _button(page).tap()
        expect(_main_nav(page)).to_be_visible()
        assert _scrolls_sideways(page) is None
        screenshot(page, f"phone-320-{name}-{value}-menu-open")
    finally:
        context.close()


def test_no_wcag_violations_on_the_start_and_group_pages_at_phone_size(phone_page: Page) -> None:
    page = phone_page
    failures = []
    for path, name in (("/", "start-page"), (YOUNG_PEOPLE, "group-page")):
        page.goto(path)
        screenshot(page, f"phone-{name}")
        for state in ("closed", "open"):
            if state == "open":
                _button(page).tap()
                expect(_main_nav(page)).to_be_visible()
            violations = axe_violations(page)
            if violations:
                failures.append(describe(f"{path} (menu {state})", violations))
    assert not failures, "axe found WCAG A/AA violations at phone size:\n" + "\n".join(failures)


@pytest.fixture
def arabic_phone(browser: Browser, browser_context_args: dict, live_server: LiveServer) -> Iterator[Page]:
    """Fatima (parents group) on a phone, reading Kring in Arabic; back to English afterwards."""
    context = browser.new_context(**{**browser_context_args, **PHONE})
    use_axe(context)
    page = context.new_page()
    sign_in(page, "fatima")
    set_mode(page, live_server.url, "arabic")
    try:
        yield page
    finally:
        set_mode(page, live_server.url, "default")
        context.close()


def test_no_wcag_violations_in_arabic_at_phone_size(arabic_phone: Page) -> None:
    page = arabic_phone
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    failures = []
    for state in ("closed", "open"):
        if state == "open":
            _button(page).tap()
            expect(_main_nav(page)).to_be_visible()
            screenshot(page, "phone-arabic-menu-open")
        assert _scrolls_sideways(page) is None, f"the Arabic start page scrolls sideways (menu {state})"
        violations = axe_violations(page)
        if violations:
            failures.append(describe(f"/ in Arabic (menu {state})", violations))
    button = _button(page).bounding_box()
    assert button and button["x"] < 390 / 2, "in Arabic the menu button belongs at the left end of the header"
    assert not failures, "axe found WCAG A/AA violations in Arabic at phone size:\n" + "\n".join(failures)


def test_an_english_topic_title_reads_left_to_right_in_the_arabic_interface(arabic_phone: Page) -> None:
    page = arabic_phone
    page.goto(PARENTS)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    title = page.locator("main .topic-list a", has_text=ENGLISH_TITLE)
    expect(title).to_have_attribute("dir", "auto")
    assert title.evaluate("el => getComputedStyle(el).direction") == "ltr"
    assert page.locator("main .topic-list").evaluate("el => getComputedStyle(el).direction") == "rtl"
    # The question mark stays at the end of the title: the title's text ends further right than it starts.
    ends = title.evaluate(
        """el => { const range = document.createRange(); const text = el.firstChild;
                  range.setStart(text, 0); range.setEnd(text, 1); const first = range.getBoundingClientRect().left;
                  range.setStart(text, text.length - 1); range.setEnd(text, text.length);
                  return [first, range.getBoundingClientRect().left]; }"""
    )
    assert ends[1] > ends[0], f"the title is laid out right to left: {ends}"
    title.tap()
    heading = page.locator("main h1")
    expect(heading).to_have_text(ENGLISH_TITLE)
    assert heading.evaluate("el => getComputedStyle(el).direction") == "ltr"


def test_the_notification_settings_on_a_phone_by_touch_and_keyboard(phone_page: Page) -> None:
    page = phone_page
    page.goto("/notifications/settings")
    assert _scrolls_sideways(page) is None, "the notification settings scroll sideways"
    screenshot(page, "phone-notification-settings")
    checkbox = page.locator("#in-app-mention")
    email = page.locator("#email-mention")
    was_checked, was_email = checkbox.is_checked(), email.input_value()
    _assert_target(page.get_by_role("button", name="Save settings"))
    try:
        checkbox.tap()  # by touch
        tab_to(page, "#email-mention")  # by keyboard
        page.keyboard.press("End" if was_email != "never" else "Home")
        chosen = email.input_value()
        assert chosen != was_email, "the keyboard did not change the email choice"
        page.get_by_role("button", name="Save settings").tap()
        expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()
        expect(checkbox).to_be_checked(checked=not was_checked)
        expect(email).to_have_value(chosen)
        assert _scrolls_sideways(page) is None
    finally:
        page.goto("/notifications/settings")
        checkbox.set_checked(was_checked)
        email.select_option(was_email)
        page.get_by_role("button", name="Save settings").click()
        expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()
