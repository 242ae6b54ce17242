"""Reactions, announcements and mention notifications in a real browser, against the demo community.

sam, noor and milan are members of "Young people"; youthworker (Ravi) moderates it. These tests need the
reactions and announcements tables in the live server's migrations.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, OriginLog, sign_in, wait_until_live
from tests.browser.test_pages import assert_no_wcag_violations

pytestmark = pytest.mark.browser

GROUP = "/g/young-people"
TOPIC = "Exams while in and out of hospital"


def watch(context: BrowserContext, live_server: LiveServer) -> OriginLog:
    log = OriginLog(server_url=live_server.url)
    log.watch(context)
    return log


def test_sam_gives_a_hug_without_the_page_reloading(
    sam_context: BrowserContext, sam_page: Page, live_server: LiveServer
) -> None:
    log = watch(sam_context, live_server)
    sam_page.goto(GROUP)
    sam_page.get_by_role("link", name=TOPIC).click()
    sam_page.wait_for_load_state()
    opening = sam_page.locator("#posts > li").first
    # The reaction buttons are checkable items of the post's actions menu; the counts show small under the post.
    actions = opening.get_by_role("button", name=re.compile(r"^Actions for the post by "))
    hug = opening.get_by_role("menuitemcheckbox", name=re.compile(r"^Hug \d+$"))
    count = opening.locator('[data-reaction-item="hug"] [data-reaction-count]')
    actions.click()
    expect(hug).to_have_attribute("aria-checked", "false")
    before = int(hug.inner_text().split()[-1])
    url = sam_page.url
    sam_page.evaluate("() => { window.stillTheSamePage = true; }")

    hug.click()
    expect(actions).to_be_focused()  # the menu closes; the focus is back on its button
    expect(count).to_have_text(str(before + 1))
    actions.click()
    expect(hug).to_have_attribute("aria-checked", "true")
    expect(hug).to_have_text(re.compile(rf"Hug\s+{before + 1}"))
    assert sam_page.url == url and sam_page.evaluate("() => window.stillTheSamePage === true")

    sam_page.reload()
    opening = sam_page.locator("#posts > li").first
    opening.get_by_role("button", name=re.compile(r"^Actions for the post by ")).click()
    hug = opening.get_by_role("menuitemcheckbox", name=re.compile(r"^Hug \d+$"))
    expect(hug).to_have_attribute("aria-checked", "true")
    sam_page.keyboard.press("Escape")
    who = opening.locator("details.reactions__who")
    who.locator("summary").click()
    expect(who.get_by_text("Sam")).to_be_visible()
    assert_no_wcag_violations(sam_page)

    opening.get_by_role("button", name=re.compile(r"^Actions for the post by ")).click()
    hug.click()  # and take it back
    expect(opening.locator('[data-reaction-item="hug"] [data-reaction-count]')).to_have_text(str(before))
    opening.get_by_role("button", name=re.compile(r"^Actions for the post by ")).click()
    expect(hug).to_have_attribute("aria-checked", "false")
    log.assert_nothing_left_the_server()
    assert not log.failed_responses and not log.console_errors, (log.failed_responses, log.console_errors)


def test_an_announcement_shows_until_sam_dismisses_it(sam_page: Page, new_context: Any) -> None:
    ravi_context = new_context()
    ravi = ravi_context.new_page()
    sign_in(ravi, "youthworker")
    ravi.goto(GROUP)
    ravi.get_by_role("link", name="Make or end announcements").click()
    expect(ravi.get_by_role("heading", level=1, name="Announcements")).to_be_visible()
    assert_no_wcag_violations(ravi)
    ravi.get_by_label("Title").fill("Group video call on Friday")
    ravi.get_by_label("What you want every member to read").fill("We meet at **7 pm**. Join if you like!")
    ravi.get_by_role("button", name="Show it to every member").click()
    expect(ravi.get_by_role("status").filter(has_text="shown at the top of the group page")).to_be_visible()

    sam_page.goto(GROUP)
    announcement = sam_page.locator("article.announcement", has_text="Group video call on Friday")
    expect(announcement).to_be_visible()
    expect(announcement.locator("strong", has_text="7 pm")).to_be_visible()
    expect(announcement.get_by_text("Coach", exact=True)).to_be_visible()
    assert_no_wcag_violations(sam_page)
    announcement.get_by_role("button", name=re.compile(r"^Dismiss")).click()
    expect(sam_page.get_by_role("status").filter(has_text="The announcement is put away.")).to_be_visible()
    expect(sam_page.locator("article.announcement", has_text="Group video call on Friday")).to_have_count(0)

    ravi.goto(GROUP)  # still there for everyone else, until Ravi ends it
    expect(ravi.locator("article.announcement", has_text="Group video call on Friday")).to_be_visible()
    ravi.get_by_role("link", name="Make or end announcements").click()
    ravi.get_by_role("button", name=re.compile(r"^End it for everyone.*Group video call on Friday")).click()
    ravi.goto(GROUP)
    expect(ravi.locator("article.announcement", has_text="Group video call on Friday")).to_have_count(0)


def test_a_mention_reaches_sams_navigation_live(sam_page: Page, new_context: Any) -> None:
    sam_page.goto("/")
    wait_until_live(sam_page)
    link = sam_page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile(r"^Notifications"))
    text = link.inner_text()
    count = int(re.search(r"\((\d+)\)", text).group(1)) if "(" in text else 0

    noor_context = new_context()
    noor = noor_context.new_page()
    sign_in(noor, "noor")
    noor.goto(GROUP)
    noor.get_by_role("link", name=TOPIC).click()
    noor.get_by_label("Your reply").fill("@Sam did your school give you extra time?")
    noor.get_by_role("button", name="Post the reply").click()
    expect(noor.get_by_role("link", name="@Sam")).to_have_attribute("href", re.compile(r"^/people/\d+$"))

    expect(link).to_have_text(f"Notifications ({count + 1})")
    expect(sam_page.get_by_role("status").filter(has_text="You have a new notification.")).to_be_attached()
    link.click()
    expect(sam_page.get_by_role("heading", level=1, name="Notifications")).to_be_visible()
    expect(sam_page.get_by_text(f"Noor mentioned you in “{TOPIC}” in Young people.")).to_be_visible()
    assert_no_wcag_violations(sam_page)
    sam_page.get_by_role("button", name="Open the post").first.click()
    expect(sam_page.get_by_text("did your school give you extra time?")).to_be_visible()
