"""The safeguarding leads pages on the smallest phone (320 px), without JavaScript needed: the admin names the
youth worker as the tier-1 lead of "Young people" with a reason, puts him on call, is refused a period that ends
before it starts, and sees him on call now. axe finds nothing on the group's page (also with the error shown) and
the installation's page, no page scrolls sideways, and nothing leaves the server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.a11y_support import axe_violations, describe, use_axe
from tests.browser.conftest import LiveServer, OriginLog, sign_in

pytestmark = pytest.mark.browser

SMALLEST = {"viewport": {"width": 320, "height": 640}, "is_mobile": True, "has_touch": True}
GROUP_LEADS = "/moderation/g/young-people/safeguarding-leads"


@pytest.fixture
def admin_phone(browser: Browser, browser_context_args: dict) -> Iterator[BrowserContext]:
    context = browser.new_context(**{**browser_context_args, **SMALLEST})
    use_axe(context)
    yield context
    context.close()


def _check(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], describe(page.url, violations)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320, f"{page.url} scrolls sideways ({width} px)"


def test_the_admin_names_a_lead_and_puts_him_on_call_on_a_phone(admin_phone: BrowserContext, live_server: LiveServer):
    log = OriginLog(server_url=live_server.url)
    log.watch(admin_phone)
    page = admin_phone.new_page()
    sign_in(page, "admin")

    page.goto(GROUP_LEADS)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Safeguarding leads of Young people")
    _check(page)
    page.get_by_label("Username").fill("youthworker")
    page.get_by_label("Tier 1: told first").check()
    page.locator("form[action$='/safeguarding-leads/add']").get_by_label("Why (kept in the audit log)").fill(
        "Trained lead"
    )
    page.get_by_role("button", name="Add the lead").click()
    expect(page.get_by_text("The lead is added.")).to_be_visible()
    expect(page.locator("section[aria-labelledby=leads]").get_by_text("Youth worker Ravi").first).to_be_visible()

    # A period that ends before it starts is refused beside the field, and the page stays usable.
    start = datetime.now() + timedelta(days=400)
    rota = page.locator("form[action$='/safeguarding-rota/add']")
    rota.get_by_label("On call from").fill(start.strftime("%Y-%m-%dT%H:%M"))
    rota.get_by_label("Until").fill((start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    rota.get_by_label("Why (kept in the audit log)").fill("Rota")
    rota.get_by_role("button", name="Add the period").click()
    expect(page.get_by_text("The period must end after it starts.")).to_be_visible()
    _check(page)

    rota = page.locator("form[action$='/safeguarding-rota/add']")
    rota.get_by_label("On call from").fill(start.strftime("%Y-%m-%dT%H:%M"))
    rota.get_by_label("Until").fill((start + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    rota.get_by_label("Why (kept in the audit log)").fill("Rota")
    rota.get_by_role("button", name="Add the period").click()
    expect(page.get_by_text("The period is on the rota.")).to_be_visible()
    expect(page.locator("#on-call").locator("..")).to_contain_text("Youth worker Ravi")
    _check(page)

    page.goto("/moderation/safeguarding/leads")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Safeguarding leads of the installation")
    _check(page)
    log.assert_nothing_left_the_server()
