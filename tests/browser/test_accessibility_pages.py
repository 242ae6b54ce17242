"""axe-core (WCAG 2.x A and AA rules) on every page each role can reach, in every display mode and in Arabic.

Roles: a visitor (signed out), a member (milan, "Young people"), a moderator (nurse, "Parents of children with
intensive care needs") and the admin. The page list comes from the url_map and the demo data
(a11y_support.crawl). Every page is checked with all WCAG A/AA rules in the default mode and in Arabic (right
to left, set through the language picker). High contrast, dark and easy-read change only the data-* attributes
of <html> (the markup is the same; test_accessibility_journeys proves the server renders them and the
preferences form switches them live), so on the same loaded page each of those modes is switched on and the
rules that depend on the stylesheet (contrast, target size, ...) run again: four modes for one page load.
Screenshots of the main pages in Arabic and in high contrast are kept in tests/artifacts/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.a11y_support import (
    LIVE_ATTRIBUTES,
    STYLE_RULES,
    axe_violations,
    crawl,
    describe,
    screenshot,
    set_mode,
    switch_live,
    use_axe,
)
from tests.browser.conftest import LiveServer, sign_in

pytestmark = pytest.mark.browser

ROLES = {"visitor": None, "member": "milan", "moderator": "nurse", "admin": "admin"}
# Pages worth a picture (where the role can open them): the start, a group, a topic, the chat, the settings.
MAIN_ENDPOINTS = {
    "auth.login",
    "groups.home",
    "groups.group_page",
    "forum.topic_page",
    "chat.room_page",
    "accessibility.preferences",
    "moderation.queue_all",
    "admin.overview",
}

Pages = dict[str, tuple[Page, dict[str, str]]]
# The theme passes are the slow part. KRING_A11Y_THEMES=main limits them to MAIN_ENDPOINTS (a quick local run);
# the default, "all", checks every page in every mode.
THEMES_ON_EVERY_PAGE = os.environ.get("KRING_A11Y_THEMES", "all") != "main"
# A mode changes only colours, fonts and spacing, which come from the same stylesheet for every role: each page
# (endpoint) gets its mode passes once, as the first role that reaches it; default and Arabic run for every role.
_THEMED: set[str] = set()


@pytest.fixture(scope="module")
def role_pages(browser: Browser, browser_context_args: dict, live_server: LiveServer) -> Iterator[Pages]:
    """One signed-in page per role (one browser for the module) and the pages that role can open."""
    contexts: list[BrowserContext] = []
    result: Pages = {}
    for role, username in ROLES.items():
        context = browser.new_context(**browser_context_args)
        use_axe(context)
        contexts.append(context)
        page = context.new_page()
        if username:
            sign_in(page, username)
        result[role] = (page, crawl(context, live_server.url))
    yield result
    for (page, _pages), context in zip(result.values(), contexts, strict=True):
        set_mode(page, live_server.url, "default")  # the demo accounts as the other tests expect them
        context.close()


def test_every_role_reaches_its_main_pages(role_pages: Pages) -> None:
    """The crawl itself: without it the axe tests below could pass by checking nothing."""
    endpoints = {role: set(pages) for role, (_page, pages) in role_pages.items()}
    assert {"auth.login", "accessibility.preferences", "accessibility.statement"} <= endpoints["visitor"]
    assert {"groups.home", "groups.group_page", "forum.topic_page", "chat.room_page"} <= endpoints["member"]
    assert {"groups.group_page", "forum.topic_page", "moderation.queue_all"} <= endpoints["moderator"]
    assert {"admin.overview", "admin.group_list", "admin.account_list", "admin.audit_log"} <= endpoints["admin"]
    assert not {endpoint for endpoint in endpoints["member"] if endpoint.startswith("admin.")}


def _check(page: Page, path: str, endpoint: str, role: str, *, arabic: bool) -> list[str]:
    response = page.goto(path, wait_until="load")
    assert response is not None and response.status < 500, f"{path} answered {response and response.status}"
    failures = []
    if arabic:
        assert page.locator("html").get_attribute("dir") == "rtl", f"{path} is not right to left in Arabic"
        assert page.locator("html").get_attribute("lang") == "ar"
    violations = axe_violations(page)
    if violations:
        failures.append(describe(f"{path} ({'arabic' if arabic else 'default'})", violations))
    if endpoint in MAIN_ENDPOINTS and arabic:
        screenshot(page, f"arabic-{role}-{endpoint}")
    if arabic or not (THEMES_ON_EVERY_PAGE or endpoint in MAIN_ENDPOINTS):
        return failures
    if endpoint in _THEMED and endpoint not in MAIN_ENDPOINTS:
        return failures
    _THEMED.add(endpoint)
    for mode, attributes in LIVE_ATTRIBUTES.items():
        switch_live(page, attributes)
        violations = axe_violations(page, STYLE_RULES)
        if violations:
            failures.append(describe(f"{path} ({mode})", violations))
        if mode == "high_contrast" and endpoint in MAIN_ENDPOINTS:
            screenshot(page, f"high-contrast-{role}-{endpoint}")
    return failures


@pytest.mark.parametrize("role", list(ROLES))
def test_no_wcag_violations_in_default_high_contrast_dark_and_easy_read(
    role_pages: Pages, live_server: LiveServer, role: str
) -> None:
    page, pages = role_pages[role]
    failures = [
        failure for endpoint, path in pages.items() for failure in _check(page, path, endpoint, role, arabic=False)
    ]
    assert not failures, f"axe found WCAG A/AA violations for the {role}:\n" + "\n".join(failures)


@pytest.mark.parametrize("role", list(ROLES))
def test_no_wcag_violations_in_arabic(role_pages: Pages, live_server: LiveServer, role: str) -> None:
    page, pages = role_pages[role]
    set_mode(page, live_server.url, "arabic")
    try:
        failures = [
            failure for endpoint, path in pages.items() for failure in _check(page, path, endpoint, role, arabic=True)
        ]
    finally:
        set_mode(page, live_server.url, "default")
    assert not failures, f"axe found WCAG A/AA violations for the {role} in Arabic:\n" + "\n".join(failures)
