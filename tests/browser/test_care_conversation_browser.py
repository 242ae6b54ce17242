"""A care conversation in real browsers: Nurse Ingrid starts one with two parents of her group (Alex and Fatima),
both accept the request, and all three see each other's messages live, each in their own browser; the nurse
shares a PDF leaflet there, which both parents see arrive and download; the pages for starting and for the
conversation are axe-clean and nothing leaves the server.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.attachments import pdfs
from tests.browser.conftest import LiveServer, OriginLog, sign_in, unique
from tests.browser.test_pages import assert_no_wcag_violations

pytestmark = pytest.mark.browser

LIVE_TIMEOUT_MS = 10_000
DELIVERY_TIMEOUT_MS = 5_000


def message_box(page: Page):
    return page.get_by_role("textbox", name="Message", exact=True)


def messages_with(page: Page, text: str):
    return page.locator("#chat-days li.chat-msg", has_text=text)


def signed_in(new_context, username: str, log: OriginLog) -> Page:
    context: BrowserContext = new_context()
    log.watch(context)
    page = context.new_page()
    sign_in(page, username)
    return page


def test_a_nurses_care_conversation_with_two_parents_is_live_for_all_three(new_context, live_server: LiveServer):
    log = OriginLog(server_url=live_server.url)
    nurse, alex, fatima = (signed_in(new_context, name, log) for name in ("nurse", "alex", "fatima"))
    title = unique("Home care plan")

    nurse.goto("/conversations")
    nurse.get_by_role(
        "link", name="Talk privately with someone in Parents of children with intensive care needs"
    ).click()
    nurse.get_by_role("link", name="Start a care conversation with several people").click()
    expect(nurse.get_by_role("heading", level=1)).to_contain_text("Start a care conversation")
    assert_no_wcag_violations(nurse)
    start_page = nurse.url
    nurse.get_by_label("Name of the conversation").fill(title)
    nurse.get_by_role("checkbox", name="Alex", exact=True).check()
    nurse.get_by_role("checkbox", name="Fatima", exact=True).check()
    nurse.get_by_role("button", name="Start the conversation").click()
    expect(nurse.get_by_role("heading", level=1)).to_have_text(title)
    address = nurse.url

    for parent in (alex, fatima):
        parent.goto(address)
        expect(parent.get_by_role("heading", name="Do you want to join this conversation?")).to_be_visible()
        parent.get_by_role("button", name="Accept", exact=True).click()
        expect(message_box(parent)).to_be_visible()
    for page in (nurse, alex, fatima):
        page.goto(address)
        expect(page.locator("#chat")).to_have_attribute("data-joined", "true", timeout=LIVE_TIMEOUT_MS)
    assert_no_wcag_violations(alex)

    for writer, readers, words in (
        (nurse, (alex, fatima), unique("How did the night go")),
        (alex, (nurse, fatima), unique("Better than last week")),
    ):
        message_box(writer).fill(words)
        message_box(writer).press("Enter")
        for reader in readers:
            expect(messages_with(reader, words)).to_have_count(1, timeout=DELIVERY_TIMEOUT_MS)
    expect(messages_with(fatima, "Alex accepted the invitation")).to_have_count(1)

    # The nurse shares the care plan as a PDF from the message box; both parents see it arrive and download it.
    leaflet = unique("Care plan")
    nurse.get_by_text("Add an image or a PDF document").click()
    nurse.get_by_label("PDF document").set_input_files(
        {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": pdfs.leaflet(pages=3)}
    )
    nurse.get_by_label("Title of the document").fill(leaflet)
    message_box(nurse).fill(unique("The plan we talked about"))
    nurse.get_by_role("button", name="Send", exact=True).click()
    expect(nurse.get_by_role("link", name=leaflet)).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    for parent in (alex, fatima):
        link = parent.get_by_role("link", name=leaflet)
        expect(link).to_be_visible(timeout=DELIVERY_TIMEOUT_MS)
        with parent.expect_download() as download_info:
            link.click()
        assert download_info.value.suggested_filename == f"{leaflet}.pdf"
        served = parent.request.get(link.get_attribute("href") or "")
        assert served.status == 200 and served.headers["content-disposition"].startswith("attachment")
        assert served.headers["x-content-type-options"] == "nosniff"
    nurse.get_by_role("link", name="People and name").click()
    expect(nurse.get_by_role("heading", name="Add people")).to_be_visible()
    assert_no_wcag_violations(nurse)
    people = nurse.url
    nurse.set_viewport_size({"width": 320, "height": 640})  # phone first: nothing scrolls sideways
    for path in (start_page, people, address):
        nurse.goto(path)
        width = nurse.evaluate("() => Math.max(document.documentElement.scrollWidth, window.innerWidth)")
        assert width <= 320, f"{path} is {width} px wide at 320 px"
    log.assert_nothing_left_the_server()
