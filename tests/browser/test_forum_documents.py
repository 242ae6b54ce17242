"""A PDF leaflet in a real browser: sam posts a topic with a parking map, sees the download link with its title,
"PDF", size and page count (axe-clean), and the link downloads the file as an attachment."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.attachments import pdfs
from tests.browser.conftest import LiveServer, OriginLog
from tests.browser.test_pages import assert_no_wcag_violations

pytestmark = pytest.mark.browser

GROUP = "/g/young-people"


def test_sam_posts_a_topic_with_a_pdf_and_sees_the_download_link(
    sam_context: BrowserContext, sam_page: Page, live_server: LiveServer
) -> None:
    log = OriginLog(server_url=live_server.url)
    log.watch(sam_context)
    title = f"Parking at the hospital {int(time.time())}"
    page = sam_page
    page.goto(f"{GROUP}/topics/new")
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Your post").fill("Where to park when you visit: see the map.")
    page.get_by_text("Add a PDF document (optional)").click()
    page.get_by_label("PDF document").set_input_files(
        {"name": "parking.pdf", "mimeType": "application/pdf", "buffer": pdfs.leaflet(pages=2)}
    )
    page.get_by_label("Title of the document").fill("Parking map")
    assert_no_wcag_violations(page)
    page.get_by_role("button", name="Post the topic").click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()

    link = page.get_by_role("link", name="Parking map")
    expect(link).to_be_visible()
    expect(page.locator(".attached-document__facts").first).to_contain_text("PDF")
    expect(page.locator(".attached-document__facts").first).to_contain_text("2 pages")
    assert_no_wcag_violations(page)

    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "Parking map.pdf"
    served = page.request.get(link.get_attribute("href") or "")
    assert served.status == 200 and served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"].startswith("attachment")
    assert served.headers["x-content-type-options"] == "nosniff"

    log.assert_nothing_left_the_server()
    assert not log.console_errors, f"the browser console reported errors: {log.console_errors}"
