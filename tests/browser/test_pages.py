"""Kring in a real browser: pages render, nothing leaves the server, the keyboard works, axe finds nothing.

Runs against the demo community on the production-style server (see conftest.py): sam is a member of
"Young people" only; "Parents of children with intensive care needs" must stay invisible to him.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, LiveServer, OriginLog, sign_in

pytestmark = pytest.mark.browser

YOUNG_PEOPLE = "Young people"
PARENTS = "Parents of children with intensive care needs"
PARENTS_SLUG = "parents-of-children-with-intensive-care-needs"
YOUNG_PEOPLE_SLUG = "young-people"
# WCAG 2.0, 2.1 and 2.2 success criteria at levels A and AA (axe's tags for them).
WCAG_TAGS = {"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def test_login_page_loads_and_nothing_leaves_the_server(page: Page, origin_log: OriginLog) -> None:
    response = page.goto("/")
    assert response is not None
    assert path_of(page) == "/login", f"an anonymous visitor should land on /login, not {page.url}"
    assert response.status == 200
    expect(page.get_by_role("heading", level=1, name="Sign in to Kring")).to_be_visible()
    expect(page).to_have_title("Sign in · Kring")
    page.wait_for_load_state("networkidle")

    origin_log.assert_nothing_left_the_server()
    assert not origin_log.failed_responses, f"failed requests: {origin_log.failed_responses}"
    assert not origin_log.console_errors, f"the browser console reported errors: {origin_log.console_errors}"


def test_sam_sees_only_his_own_group(page: Page, origin_log: OriginLog, live_server: LiveServer) -> None:
    sign_in(page, "sam")
    assert path_of(page) == "/"
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=1, name="My groups")).to_be_visible()
    expect(main.get_by_role("link", name=YOUNG_PEOPLE, exact=True)).to_be_visible()
    expect(page.get_by_text(PARENTS)).to_have_count(0)

    response = page.goto(f"/g/{PARENTS_SLUG}")
    assert response is not None
    assert response.status == 404, f"a non-member opened {PARENTS!r}: HTTP {response.status}"
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^We could not find that"))).to_be_visible()
    expect(page.get_by_text(PARENTS)).to_have_count(0)

    # His own group still opens, with its people and topics.
    page.goto("/")
    page.get_by_role("link", name=YOUNG_PEOPLE, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=YOUNG_PEOPLE)).to_be_visible()
    assert path_of(page) == f"/g/{YOUNG_PEOPLE_SLUG}"
    page.wait_for_load_state("networkidle")

    origin_log.assert_nothing_left_the_server()
    assert origin_log.failed_responses == [(404, f"{live_server.url}/g/{PARENTS_SLUG}")]
    assert not origin_log.console_errors, f"the browser console reported errors: {origin_log.console_errors}"


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page: Page) -> None:
    page.goto("/login")
    skip_link = page.get_by_role("link", name="Skip to main content")

    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()  # visually hidden until focused, then it must show

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    assert urlsplit(page.url).fragment == "main"


# --- accessibility: axe-core (bundled with axe-playwright-python, runs offline) ----------------------------


def wcag_violations(page: Page) -> list[dict]:
    results = Axe().run(page)
    return [violation for violation in results.response["violations"] if WCAG_TAGS & set(violation["tags"])]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} [{violation['helpUrl']}]")
        for node in violation["nodes"]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '').replace(chr(10), ' ')}")
    return "\n".join(lines)


def assert_no_wcag_violations(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    violations = wcag_violations(page)
    assert not violations, f"axe-core found WCAG 2.x A/AA violations on {page.url}:\n{describe(violations)}"


def test_login_page_has_no_wcag_violations(page: Page) -> None:
    page.goto("/login")
    expect(page.get_by_role("heading", level=1, name="Sign in to Kring")).to_be_visible()
    assert_no_wcag_violations(page)


def test_home_page_has_no_wcag_violations(sam_page: Page) -> None:
    sam_page.goto("/")
    expect(sam_page.get_by_role("heading", level=1, name="My groups")).to_be_visible()
    assert_no_wcag_violations(sam_page)


def test_group_page_has_no_wcag_violations(sam_page: Page) -> None:
    sam_page.goto(f"/g/{YOUNG_PEOPLE_SLUG}")
    expect(sam_page.get_by_role("heading", level=1, name=YOUNG_PEOPLE)).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    sam_page.screenshot(path=str(ARTIFACTS / "group-page.png"), full_page=True)
    assert_no_wcag_violations(sam_page)


def test_topic_page_has_no_wcag_violations(sam_page: Page) -> None:
    sam_page.goto(f"/g/{YOUNG_PEOPLE_SLUG}")
    sam_page.get_by_role("link", name="Welcome! Start here").click()
    expect(sam_page.get_by_role("heading", level=1, name="Welcome! Start here")).to_be_visible()
    assert_no_wcag_violations(sam_page)
