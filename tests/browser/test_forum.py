"""The forum in a real browser: writing a topic with a content warning, drafts, quoting, a live reply.

Runs against the demo community (see conftest.py): sam and noor are members of "Young people".
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


def watch(context: BrowserContext, live_server: LiveServer) -> OriginLog:
    log = OriginLog(server_url=live_server.url)
    log.watch(context)
    return log


def open_topic(page: Page, title: str) -> None:
    page.goto(GROUP)
    page.get_by_role("link", name=title).click()
    page.wait_for_load_state()  # forum.js (deferred) is listening from here on


def test_the_new_topic_page_has_no_wcag_violations(sam_page: Page) -> None:
    sam_page.goto(f"{GROUP}/topics/new")
    expect(sam_page.get_by_role("heading", level=1, name="Start a new topic")).to_be_visible()
    assert_no_wcag_violations(sam_page)


def test_sam_writes_a_topic_with_a_warning_and_a_reply_appears_live(
    sam_context: BrowserContext, sam_page: Page, new_context: Any, live_server: LiveServer
) -> None:
    sam_log = watch(sam_context, live_server)
    sam_page.goto(GROUP)
    sam_page.get_by_role("link", name="New topic").click()
    sam_page.get_by_label("Title", exact=True).fill("Waiting for test results")
    sam_page.get_by_label("Your post").fill("The waiting is the **worst** part. How do you cope?")
    sam_page.get_by_label("Content warning").select_option(label="Medical detail")
    sam_page.get_by_role("button", name="Post the topic").click()

    expect(sam_page.get_by_role("heading", level=1, name="Waiting for test results")).to_be_visible()
    expect(sam_page.get_by_role("status").filter(has_text="Your topic is published.")).to_be_visible()
    opening = sam_page.locator("#posts > li").first
    warning = opening.locator("details.content-warning")
    expect(warning.locator("summary")).to_have_text("Content warning: medical detail. Show the post")
    expect(opening.get_by_text("part. How do you cope?")).to_be_hidden()  # collapsed until opened
    warning.locator("summary").click()
    expect(opening.locator("strong", has_text="worst")).to_be_visible()
    topic_url = sam_page.url.split("#")[0]

    # Noor has the topic open; sam's reply reaches her without a reload.
    noor_context = new_context()
    noor_log = watch(noor_context, live_server)
    noor = noor_context.new_page()
    sign_in(noor, "noor")
    noor.goto(topic_url)
    wait_until_live(noor)

    reply_box = sam_page.get_by_label("Your reply")
    reply_box.fill("Also: I write my questions down before the appointment.")
    sam_page.get_by_role("button", name="Post the reply").click()
    expect(sam_page.get_by_text("I write my questions down before the appointment.")).to_be_visible()
    expect(sam_page.get_by_role("status").filter(has_text="Your reply is published.")).to_be_visible()

    expect(noor.get_by_role("status").filter(has_text="There are new replies.")).to_be_visible()
    noor.get_by_role("button", name="Show the new replies").click()
    expect(noor.get_by_text("I write my questions down before the appointment.")).to_be_visible()
    expect(noor.get_by_role("status").filter(has_text="The new replies are shown below.")).to_be_visible()

    for log in (sam_log, noor_log):
        log.assert_nothing_left_the_server()
        assert not log.failed_responses, f"failed requests: {log.failed_responses}"
        assert not log.console_errors, f"the browser console reported errors: {log.console_errors}"
    assert any(url.startswith(("ws://", "wss://")) for url in noor_log.urls), "live updates came over WebSocket"


def test_a_draft_survives_a_reload_and_goes_once_posted(sam_page: Page) -> None:
    open_topic(sam_page, "Welcome! Start here")
    box = sam_page.get_by_label("Your reply")
    box.fill("Half a thought I do not want to lose")
    expect(sam_page.get_by_role("status").filter(has_text="Draft saved on this device.")).to_be_visible()

    sam_page.reload()
    expect(box).to_have_value("Half a thought I do not want to lose")
    expect(sam_page.get_by_role("status").filter(has_text="Your unsent text was put back")).to_be_visible()

    sam_page.get_by_role("button", name="Post the reply").click()
    expect(sam_page.get_by_role("status").filter(has_text="Your reply is published.")).to_be_visible()
    sam_page.wait_for_load_state()  # forum.js has read the server's "accepted" and forgotten the draft
    expect(box).to_have_value("")
    sam_page.reload()
    expect(box).to_have_value("")


def test_quote_copies_a_post_into_the_reply_box_in_place(sam_page: Page) -> None:
    open_topic(sam_page, "Welcome! Start here")
    url = sam_page.url
    # "Quote" is an item of the post's actions menu.
    ravi = sam_page.locator("#posts > li", has=sam_page.locator("bdi.post__author", has_text="Youth worker Ravi")).first
    ravi.get_by_role("button", name=re.compile(r"^Actions for the post by Youth worker Ravi")).click()
    ravi.get_by_role("menuitem", name=re.compile(r"^Quote the post by Youth worker Ravi")).click()
    assert sam_page.url == url, "quoting in place does not load another page"
    value = sam_page.get_by_label("Your reply").input_value()
    assert value.startswith("Youth worker Ravi wrote:\n> Hi everyone"), value
    expect(sam_page.get_by_label("Your reply")).to_be_focused()

    # From the keyboard (the menu opens on its first item, the arrow keys move), Space works as on any menu item;
    # the second quote goes below the first.
    noor = sam_page.locator("#posts > li", has=sam_page.locator("bdi.post__author", has_text="Noor")).first
    noor.get_by_role("button", name=re.compile(r"^Actions for the post by Noor")).focus()
    sam_page.keyboard.press("Enter")
    quote = noor.get_by_role("menuitem", name=re.compile(r"^Quote the post by Noor"))
    for _ in range(10):
        if quote.evaluate("el => el === document.activeElement"):
            break
        sam_page.keyboard.press("ArrowDown")
    sam_page.keyboard.press("Space")
    value = sam_page.get_by_label("Your reply").input_value()
    assert value.index("Youth worker Ravi wrote:") < value.index("Noor wrote:\n> Same."), value
