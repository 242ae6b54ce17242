"""The group manager's settings page in a browser, on a phone: Coordinator Mira (the demo's manager of the parents'
group) finds it from the group page; it has no WCAG A/AA violations, fits 320 px and offers the outreach setting.
Nothing is saved: the demo group stays as the other browser tests expect it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer, OriginLog, sign_in
from tests.browser.test_pages import PARENTS, PARENTS_SLUG, assert_no_wcag_violations

pytestmark = pytest.mark.browser


def test_the_manager_opens_the_group_settings_on_a_phone(new_context, live_server: LiveServer) -> None:
    log = OriginLog(server_url=live_server.url)
    context = new_context()
    log.watch(context)
    page = context.new_page()
    page.set_viewport_size({"width": 320, "height": 720})
    sign_in(page, "coordinator")
    page.goto(f"/g/{PARENTS_SLUG}")
    page.locator(f'a[href="/g/{PARENTS_SLUG}/settings"]').first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("settings")
    expect(page.get_by_label("Name", exact=True)).to_have_value(PARENTS)
    expect(page.get_by_label("The group's staff may write to a member first (the member can decline)")).to_be_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320, f"the settings page scrolls sideways ({width} px)"
    assert_no_wcag_violations(page)
    log.assert_nothing_left_the_server()
