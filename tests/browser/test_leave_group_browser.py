"""Leaving a group, in a browser: the group page links to the confirmation page, which says what happens, has
no WCAG A/AA violations and fits a 320 px phone. Nothing is submitted: the demo's sam stays in his group for
the other browser tests (the leaving itself is tested through HTTP in tests/groups/test_leaving.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y_support import axe_violations, describe

pytestmark = pytest.mark.browser

YOUNG_PEOPLE, YOUNG_PEOPLE_SLUG = "Young people", "young-people"


def test_the_leave_page_says_what_happens_is_accessible_and_fits_a_phone(sam_page: Page) -> None:
    sam_page.set_viewport_size({"width": 320, "height": 720})
    sam_page.goto(f"/g/{YOUNG_PEOPLE_SLUG}")
    sam_page.get_by_role("link", name="Leave this group").click()
    expect(sam_page.get_by_role("heading", level=1, name=f"Leave {YOUNG_PEOPLE}")).to_be_visible()
    expect(sam_page.get_by_text("only with a new invitation")).to_be_visible()
    button = sam_page.get_by_role("button", name="Leave this group")
    # Measured once the stylesheet is in: the heading can be in the DOM (and the box measured without the CSS)
    # before it has loaded, on a busy machine.
    sam_page.wait_for_load_state("load")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44, "a 44 px target"
    sizes = sam_page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert sizes[0] <= sizes[1], f"no sideways scrolling at 320 px: {sizes}"
    violations = axe_violations(sam_page)
    assert not violations, describe(sam_page.url, violations)
    sam_page.get_by_role("link", name="Stay in the group").click()
    expect(sam_page.get_by_role("heading", level=1, name=YOUNG_PEOPLE)).to_be_visible()
