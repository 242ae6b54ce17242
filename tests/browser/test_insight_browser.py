"""The staff insight dashboard in a real browser, checked with axe (WCAG 2.x A/AA): a moderator opens Insight from
the navigation, reads the figures, charts and tables, and gets a clear, field-tied error for a reversed range.

This module starts its own server: the schema is built from the models (create_all), then the demo community
and gunicorn with the gevent worker, as in tests/browser/conftest.py. (That lets it run before the issue's
migration exists; once it does, it could share the session's server.)
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.a11y_support import axe_violations, describe
from tests.browser.conftest import (
    BIN,
    DEMO_PASSWORD,
    FOREIGN_SETTINGS,
    ROOT,
    LiveServer,
    _flask,
    _free_port,
    _stop,
    _wait_until_healthy,
)

SCHEMA = "from community import create_app\nfrom community.extensions import db\napp = create_app()\n" \
         "with app.app_context():\n    db.create_all()\n"  # fmt: skip


@pytest.fixture(scope="module")
def insight_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    instance = tmp_path_factory.mktemp("kring-insight")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if key not in FOREIGN_SETTINGS}
    env.update(KRING_INSTANCE_DIR=str(instance), BASE_URL=url, DEMO_PASSWORD=DEMO_PASSWORD)
    subprocess.run([str(BIN / "python"), "-c", SCHEMA], cwd=ROOT, env=env, check=True, timeout=120)
    _flask(env, "demo")
    log_path = Path(instance) / "gunicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--worker-class", "gevent", "--workers", "1", "--no-control-socket",
             "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        _wait_until_healthy(url, process, log_path)
        yield LiveServer(url=url, log_path=log_path)
    finally:
        _stop(process)


@pytest.fixture
def staff_page(browser: Browser, insight_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=insight_server.url, locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def _sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, page.locator("main").inner_text()


def test_a_moderator_reads_the_dashboard_and_it_passes_axe(staff_page: Page, insight_server: LiveServer):
    page = staff_page
    _sign_in(page, "nurse")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Insight").click()
    expect(page.get_by_role("heading", level=1, name="Insight")).to_be_visible()
    page.get_by_role("link", name="Parents of children with intensive care needs").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Insight: Parents")
    expect(page.get_by_role("table", name="Group figures")).to_be_visible()
    expect(page.get_by_role("img", name="New topics per week")).to_be_visible()
    expect(page.get_by_role("link", name="Download these figures as CSV")).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], describe(page.url, violations)

    page.get_by_label("From (first day)").fill("2026-03-31")
    page.get_by_label("Until (last day)").fill("2026-03-01")
    page.get_by_role("button", name="Show").click()
    error = page.get_by_text("The end date is before the start date")
    expect(error.first).to_be_visible()
    expect(page.get_by_label("Until (last day)")).to_have_attribute("aria-invalid", "true")
    violations = axe_violations(page)
    assert violations == [], describe(page.url, violations)


def test_the_admins_pilot_and_workload_pages_pass_axe(staff_page: Page, insight_server: LiveServer):
    page = staff_page
    _sign_in(page, "admin")
    page.goto("/insight")
    page.get_by_role("link", name="Young people").click()
    for name in ("Pilot goals", "Moderator workload", "Hand-over notes"):
        page.get_by_role("navigation", name="Insight pages for Young people").get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(name.split()[0])
        violations = axe_violations(page)
        assert violations == [], describe(page.url, violations)
