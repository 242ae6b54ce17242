"""push.js in a real browser: "Turn on notifications on this device" asks permission on the click, subscribes
with the site's VAPID key, and the server keeps the device; "Turn off" forgets it. The status line says each
outcome, and axe finds nothing on the section.

Headless Chromium has no push service to reach, so the page gets a stand-in for the browser's side (the service
worker registration's ``pushManager`` and the permission prompt) before it loads; everything else is real: the
page, push.js, the CSRF header, the server's checks and its device list.
"""

from __future__ import annotations

import json
import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, OriginLog, sign_in
from tests.browser.test_pages import WCAG_TAGS
from tests.notifications.push_service import Browser

pytestmark = pytest.mark.browser


FAKE_PUSH = """
(() => {
  const json = __SUBSCRIPTION__;
  // The browser keeps its subscription across pages, as a real one does.
  const subscription = {
    endpoint: json.endpoint,
    toJSON: () => json,
    unsubscribe: async () => { sessionStorage.removeItem("kring-push"); return true; },
  };
  const pushManager = {
    getSubscription: async () => (sessionStorage.getItem("kring-push") ? subscription : null),
    subscribe: async (options) => {
      window.__kringPush = { userVisibleOnly: options.userVisibleOnly, key: Array.from(options.applicationServerKey) };
      sessionStorage.setItem("kring-push", "1");
      return subscription;
    },
  };
  window.PushManager = function PushManager() {};
  Object.defineProperty(navigator, "serviceWorker", {
    configurable: true, value: { ready: Promise.resolve({ pushManager }) },
  });
  window.__kringAsked = 0;
  window.Notification = { requestPermission: async () => { window.__kringAsked += 1; return "granted"; } };
})();
"""


def _fake_push(subscription: dict) -> str:
    return FAKE_PUSH.replace("__SUBSCRIPTION__", json.dumps(subscription))


def test_turning_notifications_on_and_off_on_this_device(
    context: BrowserContext, page: Page, live_server: LiveServer, origin_log: OriginLog
) -> None:
    device = Browser(f"https://fcm.googleapis.com/fcm/send/kring-test-{os.urandom(8).hex()}").to_json()
    context.add_init_script(_fake_push(device))
    sign_in(page, "sam")
    page.goto("/notifications/settings")
    section = page.locator("section[data-push]")
    turn_on = section.get_by_role("button", name="Turn on notifications on this device")
    expect(turn_on).to_be_visible()
    expect(section.get_by_text("needs JavaScript")).to_be_hidden()
    assert page.evaluate("window.__kringAsked") == 0  # never asked on page load

    turn_on.click()
    status = section.get_by_role("status")
    expect(status).to_have_text("Notifications are on for this device.")
    turn_off = section.get_by_role("button", name="Turn off on this device")
    expect(turn_off).to_be_focused()
    expect(turn_on).to_be_hidden()
    pushed = page.evaluate("window.__kringPush")
    assert pushed["userVisibleOnly"] is True
    assert len(pushed["key"]) == 65 and pushed["key"][0] == 4  # the VAPID key, an uncompressed P-256 point
    violations = [v for v in Axe().run(page).response["violations"] if WCAG_TAGS & set(v["tags"])]
    assert not violations, violations

    page.goto("/account/devices")
    expect(page.get_by_role("row", name="Chrome on Linux")).to_be_visible()

    page.goto("/notifications/settings")
    section.get_by_role("button", name="Turn off on this device").click()
    expect(status).to_have_text("Notifications are off for this device.")
    expect(turn_on).to_be_focused()
    page.goto("/account/devices")
    expect(page.get_by_text("No device shows notifications from Kring.")).to_be_visible()
    origin_log.assert_nothing_left_the_server()
    assert not origin_log.console_errors, origin_log.console_errors
