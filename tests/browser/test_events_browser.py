"""Events in a real browser, against the demo community: Ravi (youthworker, moderator of "Young people") plans
an event with the form; sam answers "yes" with the event page's buttons (a plain form, no script needed), and
the counts change. axe-core checks each new page (the list, the form, the event, the calendar feed page)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in, unique
from tests.browser.test_pages import assert_no_wcag_violations

pytestmark = pytest.mark.browser

GROUP = "/g/young-people"


def test_ravi_plans_an_event_and_sam_says_he_is_coming(sam_page: Page, new_context: Any) -> None:
    title = unique("Games evening")
    start = datetime.now(ZoneInfo("Europe/Amsterdam")).replace(second=0, microsecond=0) + timedelta(days=3)
    ravi = new_context().new_page()
    sign_in(ravi, "youthworker")
    ravi.goto(GROUP)
    ravi.get_by_role("link", name="Plan an event").click()
    expect(ravi.get_by_role("heading", level=1, name="Plan an event")).to_be_visible()
    assert_no_wcag_violations(ravi)
    ravi.get_by_label("Title").fill(title)
    ravi.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    ravi.get_by_label("Ends").fill((start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    ravi.get_by_label("Link to the online meeting").fill("javascript:alert(1)")
    ravi.get_by_role("button", name="Plan the event").click()
    expect(ravi.get_by_text("starting with https://").first).to_be_visible()  # refused, the input kept
    expect(ravi.get_by_label("Title")).to_have_value(title)
    assert_no_wcag_violations(ravi)
    ravi.get_by_label("Link to the online meeting").fill("https://meet.example.org/games")
    ravi.get_by_role("button", name="Plan the event").click()
    expect(ravi.get_by_role("heading", level=1, name=title)).to_be_visible()

    sam_page.goto(GROUP)
    sam_page.get_by_role("link", name=title).click()
    expect(sam_page.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(sam_page.locator("#answer-counts")).to_contain_text("0 people are coming")
    assert_no_wcag_violations(sam_page)
    sam_page.get_by_role("button", name="Yes, I am coming").click()
    expect(sam_page.get_by_role("status").filter(has_text="Your answer is saved.")).to_be_visible()
    expect(sam_page.locator("#answer-counts")).to_contain_text("1 person is coming")
    expect(sam_page.get_by_role("button", name="Yes, I am coming")).to_have_attribute("aria-pressed", "true")
    expect(sam_page.locator("#my-answer")).to_contain_text("Yes, I am coming")
    assert_no_wcag_violations(sam_page)

    ravi.reload()  # staff see who is coming
    expect(ravi.get_by_role("heading", name="Who said yes or maybe")).to_be_visible()
    expect(ravi.locator(".people").get_by_text("Sam")).to_be_visible()

    sam_page.goto(f"{GROUP}/events")
    expect(sam_page.get_by_role("link", name=title)).to_be_visible()
    assert_no_wcag_violations(sam_page)
    sam_page.get_by_role("link", name="See the events of your groups in your own calendar app").click()
    expect(sam_page.get_by_role("heading", level=1, name="Calendar feed")).to_be_visible()
    assert_no_wcag_violations(sam_page)
    sam_page.get_by_role("button", name="Make my calendar address").click()
    expect(sam_page.locator("#calendar-address")).to_contain_text("/calendar/")
    assert_no_wcag_violations(sam_page)


def test_ravi_schedules_an_announcement_changes_it_and_cancels_it(new_context: Any) -> None:
    title = unique("Holiday opening hours")
    later = datetime.now(ZoneInfo("Europe/Amsterdam")).replace(second=0, microsecond=0) + timedelta(days=2)
    ravi = new_context().new_page()
    sign_in(ravi, "youthworker")
    ravi.goto(f"{GROUP}/announcements")
    ravi.get_by_label("Title").fill(title)
    ravi.get_by_label("What you want every member to read").fill("We close at 4 pm on Friday.")
    ravi.get_by_label("Show it from (optional)").fill(later.strftime("%Y-%m-%dT%H:%M"))
    ravi.get_by_role("button", name="Show it to every member").click()
    expect(ravi.get_by_role("status").filter(has_text="Your announcement is scheduled.")).to_be_visible()
    item = ravi.locator("li.announcement", has_text=title)
    expect(item.get_by_text("Scheduled for")).to_be_visible()
    assert_no_wcag_violations(ravi)
    item.get_by_role("link", name=re.compile(r"^Change it")).click()
    expect(ravi.get_by_role("heading", level=1, name="Change the announcement")).to_be_visible()
    assert_no_wcag_violations(ravi)
    ravi.get_by_label("Title").fill(f"{title} (changed)")
    ravi.get_by_role("button", name="Save the announcement").click()
    item = ravi.locator("li.announcement", has_text=f"{title} (changed)")
    item.get_by_role("button", name=re.compile(r"^Cancel it")).click()
    expect(ravi.locator("li.announcement", has_text=f"{title} (changed)").get_by_text("Ended")).to_be_visible()
    ravi.goto(GROUP)
    expect(ravi.locator("article.announcement", has_text=title)).to_have_count(0)
