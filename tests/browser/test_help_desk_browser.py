"""The help desk in a real browser on a 320 px phone: the admin opens the scheduled jobs, the helplines (with a
refused entry: nothing stored, the error tied to its field), a member's help-desk page and a one-time sign-in
link. axe finds nothing on any of them, and none scrolls sideways."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.a11y_support import axe_violations, describe, use_axe
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

SMALLEST = {"viewport": {"width": 320, "height": 640}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def admin_phone(browser: Browser, browser_context_args: dict) -> Iterator[Page]:
    context = browser.new_context(**{**browser_context_args, **SMALLEST})
    use_axe(context)
    page = context.new_page()
    sign_in(page, "admin")
    yield page
    context.close()


def _check(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], describe(page.url, violations)
    width = page.evaluate("() => Math.max(document.documentElement.scrollWidth, window.innerWidth)")
    assert width <= 320, f"{page.url} scrolls sideways: {width}px"


def test_the_admin_tours_the_help_desk_pages_on_a_small_phone(admin_phone: Page) -> None:
    page = admin_phone
    page.goto("/admin/jobs")
    expect(page.get_by_role("heading", level=1, name="Scheduled jobs")).to_be_visible()
    expect(page.get_by_role("heading", name="safeguarding.escalate")).to_be_visible()
    _check(page)

    page.goto("/admin/helplines")
    expect(page.get_by_role("heading", level=1, name="Helplines")).to_be_visible()
    page.get_by_label("Name").fill("Luisterlijn")
    page.get_by_label("Web address (optional)").fill("javascript:alert(1)")
    page.get_by_label("Reason (staff only; the member does not see it)").fill("Trying a bad address")
    page.get_by_role("button", name="Add the helpline").click()
    expect(page.get_by_label("Web address (optional)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Give a web address that starts with https://")).to_be_visible()
    expect(page.get_by_text("the installation's default helplines are shown")).to_be_visible()
    _check(page)

    page.goto("/admin/accounts?q=noor")
    page.get_by_role("link", name="Noor", exact=True).click()
    page.get_by_role("link", name="Help this person get back in, or change their admin rights").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Help desk for")
    expect(page.get_by_text("Two-step sign-in is off for this account")).to_be_visible()
    _check(page)

    section = page.get_by_role("region", name="One-time sign-in link")
    section.get_by_role("button", name="Make a sign-in link").click()
    reason = section.get_by_label("Reason (staff only; the member does not see it)")
    expect(reason).to_have_attribute("aria-invalid", "true")
    _check(page)
    reason.fill("Called back on the known number")
    section.get_by_role("button", name="Make a sign-in link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("One-time sign-in link for")
    expect(page.locator(".one-time-link code")).to_contain_text("/reset-password/")
    _check(page)
