"""Safeguarding in real browsers: Sam (a member of "Young people") posts crisis language in the forum and at
once sees the calm helpline message; Ravi (the group's youth worker), with a page open in his own browser, sees
the urgent alert arrive live, opens the case from it and takes it. axe finds nothing on the case page and the
helplines page, and nothing leaves the server."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import LiveServer, OriginLog, sign_in, unique, wait_until_live
from tests.browser.test_pages import assert_no_wcag_violations

pytestmark = pytest.mark.browser

GROUP = "/g/young-people"
LIVE_TIMEOUT_MS = 10_000


def moderator_page_live(new_context, log: OriginLog):
    """Ravi, the group's moderator, signed in on an ordinary page whose live connection is up."""
    context = new_context()
    log.watch(context)
    page = context.new_page()
    sign_in(page, "youthworker")
    page.goto("/")
    wait_until_live(page)
    return page


def test_crisis_post_shows_the_helplines_and_the_moderator_gets_the_urgent_alert_live(
    sam_context: BrowserContext, new_context, live_server: LiveServer
) -> None:
    log = OriginLog(server_url=live_server.url)
    log.watch(sam_context)
    ravi = moderator_page_live(new_context, log)  # Ravi, the group's moderator, has an ordinary page open

    # Sam writes about wanting to die.
    sam = sam_context.new_page()
    sam.goto(f"{GROUP}/topics/new")
    title = unique("I can't anymore")
    sam.get_by_label("Title", exact=True).fill(title)
    sam.get_by_label("Your post").fill("Everything is too much. I want to kill myslef.")
    sam.get_by_role("button", name="Post the topic").click()

    # Sam sees the calm message with the helplines at once, and the post waits for a moderator.
    notice = sam.locator(".flashes").get_by_text("113 Zelfmoordpreventie")
    expect(notice).to_be_visible()
    expect(sam.locator(".flashes")).to_contain_text("0800-0113")
    expect(sam.locator(".flashes")).to_contain_text("112")
    expect(sam.locator(".flashes").get_by_text("A moderator will look at your post")).to_be_visible()

    # Ravi's open page announces the urgent alert (an assertive live region) with a link to the case.
    alert = ravi.get_by_role("alert").filter(has_text="Young people")
    expect(alert).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(alert).to_have_attribute("aria-live", "assertive")
    alert.get_by_role("link", name="Open the case").click()
    expect(ravi.get_by_role("heading", level=1)).to_contain_text("Sam in Young people")
    expect(ravi.locator("blockquote").get_by_text("I want to kill myslef")).to_be_visible()
    expect(ravi.get_by_text("To be taken within")).to_be_visible()
    assert_no_wcag_violations(ravi)
    ravi.get_by_role("button", name="Take this case").click()
    expect(ravi.get_by_text("You have taken this case.")).to_be_visible()

    # The list shows it, in progress, taken by Ravi.
    ravi.goto("/moderation/safeguarding")
    expect(ravi.get_by_role("row").filter(has_text="Case").filter(has_text="In progress").first).to_be_visible()

    # Sam follows the notice's link to every helpline.
    sam.locator(".flashes").get_by_role("link", name="All places to get help").click()
    expect(sam.get_by_role("heading", level=1, name="Where to get help")).to_be_visible()
    expect(sam.get_by_role("heading", level=3, name="De Kindertelefoon")).to_be_visible()
    expect(sam.get_by_role("heading", level=3, name="Veilig Thuis")).to_be_visible()
    assert_no_wcag_violations(sam)

    log.assert_nothing_left_the_server()


def test_in_the_chat_the_writer_sees_the_helplines_and_a_member_can_raise_a_worry(
    sam_context: BrowserContext, new_context, live_server: LiveServer
) -> None:
    log = OriginLog(server_url=live_server.url)
    log.watch(sam_context)
    ravi = moderator_page_live(new_context, log)

    sam = sam_context.new_page()
    sam.goto(f"{GROUP}/chat")
    expect(sam.locator("#chat")).to_have_attribute("data-joined", "true", timeout=LIVE_TIMEOUT_MS)

    # A crisis message: held, and the helplines open at once in a dialog that is announced.
    sam.get_by_role("textbox", name="Message", exact=True).fill(unique("ik wil niet meer leven"))
    sam.get_by_role("textbox", name="Message", exact=True).press("Enter")
    dialog = sam.get_by_role("dialog", name="You are not alone")
    expect(dialog).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(dialog.get_by_role("alert")).to_contain_text("0800-0113")
    expect(dialog.get_by_role("link", name="All places to get help")).to_be_visible()
    assert_no_wcag_violations(sam)
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_have_count(0)
    expect(ravi.get_by_role("alert").filter(has_text="Young people")).to_be_visible(timeout=LIVE_TIMEOUT_MS)

    # "I'm worried about this person" on someone else's message (its actions menu), in a dialog.
    other = sam.locator("li.chat-msg:not(.chat-msg--mine)").last
    actions = other.get_by_role("button", name=re.compile(r"^Actions for the message from "))
    actions.click()
    other.get_by_role("menuitem", name="I'm worried about this person").click()
    worry = sam.get_by_role("dialog")
    expect(worry.get_by_label("What worries you? (optional)")).to_be_focused()
    worry.get_by_label("What worries you? (optional)").fill("They have been very quiet lately.")
    worry.get_by_role("button", name="Tell the moderators").click()
    expect(worry.get_by_role("alert")).to_contain_text("Thank you for telling us")
    worry.get_by_role("button", name="Close").click()
    expect(sam.get_by_role("dialog")).to_have_count(0)
    expect(actions).to_be_focused()  # back on the menu button the action came from

    log.assert_nothing_left_the_server()
