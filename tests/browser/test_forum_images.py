"""Images and search in a real browser: sam writes a topic with a content warning and a photo, sees the photo
behind the warning, and finds the topic through search. Needs the attachments table and the search objects
in the migrations (the live server is built by ``flask db upgrade``)."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, OriginLog
from tests.browser.test_pages import assert_no_wcag_violations

pytestmark = pytest.mark.browser

GROUP = "/g/young-people"


def a_photo() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "KringCam"  # camera make: must not survive the upload
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (40, 120, 200)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_sam_posts_a_photo_behind_a_content_warning_and_finds_the_topic_by_search(
    sam_context: BrowserContext, sam_page: Page, live_server: LiveServer
) -> None:
    log = OriginLog(server_url=live_server.url)
    log.watch(sam_context)
    title = f"My hospital room {int(time.time())}"
    page = sam_page
    page.goto(f"{GROUP}/topics/new")
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Your post").fill("This is where I stay this week. The view is nice.")
    page.get_by_label("Content warning").select_option(label="Medical detail")
    page.get_by_text("Add images (optional, up to 4)").click()
    page.get_by_label("Image 1", exact=True).set_input_files(
        {"name": "IMG_2024.jpg", "mimeType": "image/jpeg", "buffer": a_photo()}
    )
    page.get_by_label("Description of image 1").fill("A hospital bed next to a window with a view of trees")
    page.get_by_role("button", name="Post the topic").click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()

    # The photo is behind the warning until sam opens the post.
    image = page.get_by_role("img", name="A hospital bed next to a window with a view of trees")
    expect(image).to_be_hidden()
    page.get_by_text("Content warning: medical detail. Show the post").first.click()
    expect(image).to_be_visible()
    # Shown only now, so it may still be loading: wait for it rather than read it mid-load.
    width = image.evaluate(
        "img => img.complete && img.naturalWidth ? img.naturalWidth"
        " : new Promise(done => img.addEventListener('load', () => done(img.naturalWidth), {once: true}))"
    )
    assert width == 320
    source = image.get_attribute("src")
    assert source and source.startswith(f"{GROUP}/images/")
    served = page.request.get(source)
    assert served.status == 200 and served.headers["content-type"] == "image/jpeg"
    assert "no-store" in served.headers["cache-control"] and b"KringCam" not in served.body()
    assert_no_wcag_violations(page)

    page.goto("/search")
    expect(page.get_by_role("heading", level=1, name="Search in your groups")).to_be_visible()
    page.get_by_label("Search for").fill("hospital room")
    page.get_by_role("button", name="Search").click()
    result = page.get_by_role("link", name=title)
    expect(result).to_be_visible()
    expect(page.locator(".search-result mark").first).to_be_visible()
    assert_no_wcag_violations(page)
    result.click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()

    page.wait_for_load_state("networkidle")
    log.assert_nothing_left_the_server()
    assert not log.console_errors, f"the browser console reported errors: {log.console_errors}"


def test_a_photo_of_another_group_is_not_found(sam_page: Page) -> None:
    response = sam_page.request.get("/g/parents-of-children-with-intensive-care-needs/images/1")
    assert response.status == 404
