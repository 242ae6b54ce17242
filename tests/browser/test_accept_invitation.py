"""Accepting an invitation end to end in Chromium: the admin makes a code in the page, a new person opens the
link, fills in the form with the keyboard-reachable labels, and lands in the group, signed in."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import OriginLog, sign_in
from tests.browser.test_pages import assert_no_wcag_violations

pytestmark = pytest.mark.browser

YOUNG_PEOPLE = "Young people"
YOUNG_PEOPLE_SLUG = "young-people"


def create_code_as_admin(page: Page) -> tuple[str, str]:
    sign_in(page, "admin")
    page.goto(f"/g/{YOUNG_PEOPLE_SLUG}/invitations")
    expect(page.get_by_role("heading", level=1, name="Invite people")).to_be_visible()
    section = page.get_by_role("region", name="Create a code")
    section.get_by_label("How many people may use it (optional)").fill("1")
    section.get_by_role("button", name="Create a code").click()
    expect(page.get_by_role("heading", name="Your new invitation code")).to_be_visible()
    assert_no_wcag_violations(page)  # the staff page, with its three forms, the new code and the list
    link = page.get_by_label("Invitation link").input_value()
    code = page.locator("code.invite-code").inner_text()
    return link, code


def test_a_new_person_accepts_a_code_invitation_and_lands_in_the_group(
    page: Page, new_context, origin_log: OriginLog
) -> None:
    link, code = create_code_as_admin(page)
    assert code in link

    newcomer: BrowserContext = new_context()
    origin_log.watch(newcomer)
    visitor = newcomer.new_page()
    response = visitor.goto(link)
    assert response is not None and response.status == 200
    expect(visitor.get_by_role("heading", level=1, name=f"Join {YOUNG_PEOPLE}")).to_be_visible()
    assert_no_wcag_violations(visitor)

    username = f"river_{uuid.uuid4().hex[:6]}"
    visitor.get_by_label("Username").fill(username)
    visitor.get_by_label("Display name").fill("River")
    visitor.get_by_label("Password").fill("a long and private password")
    visitor.locator("main").get_by_label("Language").select_option("en")
    visitor.get_by_label("Year of birth (optional)").fill("2009")
    visitor.get_by_label("I agree to the terms of use and the privacy notice").check()
    visitor.get_by_role("button", name="Create my account and join").click()

    visitor.wait_for_url(f"**/g/{YOUNG_PEOPLE_SLUG}")
    expect(visitor.get_by_role("heading", level=1, name=YOUNG_PEOPLE)).to_be_visible()
    expect(visitor.get_by_role("navigation", name="Main")).to_be_visible()  # signed in
    expect(visitor.locator(".people")).to_contain_text("River")

    # The code was for one person: the link now says so, and nothing else happens.
    again = newcomer.new_page()
    answer = again.goto(link)
    assert answer is not None and answer.status == 410
    expect(again.get_by_role("heading", level=1, name="This invitation cannot be used")).to_be_visible()
    assert urlsplit(again.url).path == urlsplit(link).path

    origin_log.assert_nothing_left_the_server()
    assert not origin_log.console_errors, f"the browser console reported errors: {origin_log.console_errors}"
