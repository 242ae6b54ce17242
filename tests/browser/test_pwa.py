"""Kring as an installable app in a real Chromium: installable with no error, the service worker keeps the
static shell and nothing else while a member reads a group, a topic and the chat, signing out leaves nothing of
theirs in Cache Storage, the offline page shows when the network is gone, and a push message becomes a
notification (the contract with the server's push sender: {title, body, url, tag}).

HTTP-level checks (manifest fields, headers, the shell list) are in tests/accessibility/test_installable.py.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import BrowserContext, CDPSession, Page, Playwright, expect

from tests.browser.conftest import CHROMIUM_ARGS, LiveServer, sign_in

pytestmark = pytest.mark.browser

GROUP = "/g/young-people"
CONTROL_TIMEOUT = 30.0  # the install fetches the whole shell; two test workers share two cores

LIST_CACHES = """async () => {
  const found = {};
  for (const name of await caches.keys()) {
    found[name] = (await (await caches.open(name)).keys()).map((request) => request.url);
  }
  return found;
}"""


@pytest.fixture(scope="module")
def shell_urls(live_server: LiveServer) -> set[str]:
    """Every address the worker may keep, from the worker the server hands out."""
    source = requests.get(f"{live_server.url}/sw.js", timeout=10).text
    shell = json.loads(re.search(r"^const SHELL = (\[.*\]);$", source, re.MULTILINE).group(1))
    assert "/offline" in shell and "/static/css/theme.css" in shell
    return {live_server.url + path for path in shell}


def wait_until_controlled(page: Page) -> None:
    """The service worker controls the page (it claims the pages open when it activates)."""
    deadline = time.monotonic() + CONTROL_TIMEOUT
    while not page.evaluate("() => Boolean(navigator.serviceWorker.controller)"):
        state = page.evaluate(
            """async () => {
                 const registration = await navigator.serviceWorker.getRegistration();
                 if (!registration) return "no registration";
                 const worker = registration.installing || registration.waiting || registration.active;
                 return worker ? worker.state : "no worker";
               }"""
        )
        assert time.monotonic() < deadline, f"no service worker took control of the page (worker: {state})"
        page.wait_for_timeout(100)


def cached(page: Page) -> dict[str, list[str]]:
    return page.evaluate(LIST_CACHES)


def kept_offline_language(page: Page) -> str | None:
    return page.evaluate(
        """async () => {
             const kept = await caches.match("/offline");
             return kept ? kept.headers.get("Content-Language") : null;
           }"""
    )


def assert_only_shell(page: Page, shell_urls: set[str]) -> list[str]:
    urls = [url for urls in cached(page).values() for url in urls]
    foreign = [url for url in urls if url not in shell_urls]
    assert not foreign, "Cache Storage holds more than the application shell:\n" + "\n".join(foreign)
    return urls


def open_topic(page: Page) -> None:
    page.goto(GROUP)
    page.locator(f'a[href^="{GROUP}/t/"]').first.click()
    page.wait_for_load_state()
    assert re.search(r"/t/\d+", page.url), page.url


@pytest.fixture
def installed(
    playwright: Playwright, chromium_path: str, live_server: LiveServer, tmp_path: Path
) -> Iterator[BrowserContext]:
    """A persistent profile, as a member's own browser has (a new context is incognito, which never installs)."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=chromium_path,
        args=CHROMIUM_ARGS,
        base_url=live_server.url,
        locale="en-GB",
        viewport={"width": 412, "height": 915},
    )
    try:
        yield context
    finally:
        context.close()


def test_the_signed_in_start_page_is_installable(installed: BrowserContext) -> None:
    page = installed.pages[0] if installed.pages else installed.new_page()
    sign_in(page, "sam")
    page.goto("/")
    wait_until_controlled(page)
    cdp = installed.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    assert manifest["url"].endswith("/manifest.webmanifest?lang=en&theme=system")
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == [], errors


def test_reading_keeps_nothing_but_the_shell_and_signing_out_clears_it(
    new_context: Any, live_server: LiveServer, shell_urls: set[str]
) -> None:
    page = new_context().new_page()
    sign_in(page, "sam")  # a session of its own: signing out must not end the one the other tests share
    page.goto("/")
    # The worker registered on the sign-in page may still be installing: once it is ready, the next page is its.
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.reload()
    wait_until_controlled(page)
    kept = assert_only_shell(page, shell_urls)
    assert f"{live_server.url}/offline" in kept and f"{live_server.url}/static/js/pwa.js" in kept

    # A group, a topic and the chat: pages, messages and JSON pass by; none of it may be kept.
    page.goto(GROUP)
    open_topic(page)
    page.goto(f"{GROUP}/chat")
    expect(page.locator("#chat")).to_have_attribute("data-joined", "true", timeout=10_000)
    answers: list[tuple[str, bool]] = []
    page.on("response", lambda response: answers.append((response.url, response.from_service_worker)))
    page.reload()
    expect(page.locator("#chat")).to_have_attribute("data-joined", "true", timeout=10_000)
    assert_only_shell(page, shell_urls)

    # Shell files come from the kept copy; the page itself from the network.
    served = dict(answers)
    assert served[f"{live_server.url}/static/js/realtime.js"] is True
    assert served[f"{live_server.url}/static/css/theme.css"] is True

    # Something only "storage" clears, so the test sees that the browser honoured Clear-Site-Data.
    page.evaluate("() => localStorage.setItem('kring.test-marker', 'x')")
    cdp: CDPSession = page.context.new_cdp_session(page)
    deleted: list[Any] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: deleted.extend(r for r in event["registrations"] if r.get("isDeleted")),
    )
    cdp.send("ServiceWorker.enable")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign in")
    assert page.evaluate("() => localStorage.getItem('kring.test-marker')") is None
    page.wait_for_timeout(500)
    assert deleted, "signing out unregistered the service worker (Clear-Site-Data: storage)"
    # The sign-in page installs the worker again: what it keeps then is the shell, and nothing else.
    assert_only_shell(page, shell_urls)


def test_without_a_network_the_offline_page_shows(sam_page: Page, sam_context: BrowserContext) -> None:
    page = sam_page
    page.goto("/")
    wait_until_controlled(page)
    sam_context.set_offline(True)
    try:
        page.goto(GROUP)
        expect(page.get_by_role("heading", level=1, name="You are offline")).to_be_visible()
        assert page.url.endswith(GROUP), "the address stays, so trying again reloads the page that was asked for"
        expect(page.locator("html")).to_have_attribute("lang", "en")
        # Drawn with the kept stylesheets (there is no network): the header has the light theme's surface.
        expect(page.locator(".site-header")).to_have_css("background-color", "rgb(243, 246, 245)")
    finally:
        sam_context.set_offline(False)
    page.get_by_role("link", name="Try again").click()
    expect(page.get_by_role("heading", level=1, name="You are offline")).to_have_count(0)


def test_a_push_message_becomes_a_notification_that_leads_only_into_kring(
    sam_page: Page, sam_context: BrowserContext, live_server: LiveServer
) -> None:
    page = sam_page
    sam_context.grant_permissions(["notifications"], origin=live_server.url)
    page.goto("/")
    wait_until_controlled(page)
    cdp = sam_context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + CONTROL_TIMEOUT
    while not [r for r in registrations if not r.get("isDeleted")]:
        assert time.monotonic() < deadline, "DevTools reported no service worker registration"
        page.wait_for_timeout(100)
    registration_id = [r for r in registrations if not r.get("isDeleted")][-1]["registrationId"]

    def push(data: str) -> None:
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": live_server.url, "registrationId": registration_id, "data": data},
        )

    def notifications() -> list[dict]:
        return page.evaluate(
            """async () => (await (await navigator.serviceWorker.ready).getNotifications())
                 .map((n) => ({title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url,
                               icon: n.icon, badge: n.badge}))"""
        )

    def wait_for(count: int) -> list[dict]:
        deadline = time.monotonic() + CONTROL_TIMEOUT
        while len(shown := notifications()) < count:
            assert time.monotonic() < deadline, f"{count} notifications expected, saw {shown}"
            page.wait_for_timeout(100)
        return shown

    push(json.dumps({"title": "New reply", "body": "In: Waiting", "url": "/g/young-people/t/1", "tag": "topic-1"}))
    (shown,) = wait_for(1)
    assert shown["title"] == "New reply" and shown["body"] == "In: Waiting" and shown["tag"] == "topic-1"
    assert shown["url"] == "/g/young-people/t/1"
    assert shown["icon"].endswith("/static/icons/icon-192.png")
    assert shown["badge"].endswith("/static/icons/badge-96.png")

    push(json.dumps({"title": "Again", "body": "Same topic", "url": "/g/young-people/t/1", "tag": "topic-1"}))
    page.wait_for_timeout(300)
    assert [n["title"] for n in wait_for(1)] == ["Again"], "one notification per tag: the newer replaces it"

    push("")  # no data: the generic words, in English
    push("not json")
    push(json.dumps({"title": "Elsewhere", "body": "x", "url": "https://evil.example/", "tag": "evil"}))
    push(json.dumps({"title": "Sneaky", "body": "x", "url": "//evil.example/", "tag": "sneaky"}))
    push(json.dumps({"title": 7, "body": ["x"], "url": "/\\evil.example", "tag": "odd"}))
    shown = {n["tag"] or n["body"]: n for n in wait_for(6)}
    generic = [n for n in shown.values() if n["title"] == "Kring"]
    assert generic and all(n["body"] == "Someone wrote to you" for n in generic)
    assert shown["evil"]["url"] is None and shown["sneaky"]["url"] is None, "only paths on this site are followed"
    assert shown["odd"]["title"] == "Kring" and shown["odd"]["url"] is None


def test_the_kept_offline_page_follows_the_language_chosen_later(page: Page, live_server: LiveServer) -> None:
    page.goto("/login")
    wait_until_controlled(page)
    assert kept_offline_language(page) == "en"
    # The visitor picks Dutch (the picker's cookie); the next page tells the worker, which fetches it again.
    page.context.add_cookies([{"name": "kring_language", "value": "nl", "url": live_server.url}])
    page.reload()
    deadline = time.monotonic() + CONTROL_TIMEOUT
    while kept_offline_language(page) != "nl":
        assert time.monotonic() < deadline, "the kept offline page stayed in English"
        page.wait_for_timeout(100)
