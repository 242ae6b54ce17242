"""Helpers for the accessibility browser tests: the page list of a role, display modes, axe, the keyboard.

The page list is built, not written down: every GET endpoint without URL variables from the app's url_map,
plus every same-site link found on the pages a role can open (the demo community supplies the groups,
topics, chats and people), one URL per endpoint. A page added by any feature is therefore covered as soon
as something links to it.
"""

from __future__ import annotations

import re
from collections import deque
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import axe_playwright_python
from flask import Flask
from playwright.sync_api import BrowserContext, Page
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter

from tests.browser.conftest import ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_SCRIPT = Path(axe_playwright_python.__file__).with_name("axe.min.js")  # the self-hosted copy of axe-core
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
# The rules whose outcome depends on the stylesheet rather than the markup: a theme or easy-read changes only
# the data-* attributes of <html>, so in those modes these are the rules that can find something new.
STYLE_RULES = [
    "color-contrast",
    "target-size",
    "link-in-text-block",
    "scrollable-region-focusable",
    "avoid-inline-spacing",
    "css-orientation-lock",
]
MAX_PAGES = 60  # per role: far more endpoints than any role has today
# Not pages: downloads, images, and what only answers to a form post.
SKIP_ENDPOINTS = {"static", "auth.logout", "health.healthz"}
SKIP_PATH = re.compile(r"\.(csv|json|png|jpe?g|webp|gif|svg|js|css|txt)$|/uploads?/|/images?/")
HREF = re.compile(r'href="(/[^"#]*)')

# name -> (display settings posted to /preferences, language posted to /language)
MODES: dict[str, tuple[dict[str, str], str]] = {
    "default": ({}, "en"),
    "high_contrast": ({"theme": "high_contrast"}, "en"),
    "dark": ({"theme": "dark"}, "en"),
    "easy_read": ({"easy_read": "1"}, "en"),
    "arabic": ({}, "ar"),
}
DEFAULT_DISPLAY = {"text_size": "100", "theme": "system", "motion": "system"}


@cache
def url_adapter() -> MapAdapter:
    from community import create_app
    from config import TestingConfig

    app: Flask = create_app(TestingConfig())
    return app.url_map.bind("localhost")


def endpoint_of(path: str) -> str | None:
    try:
        endpoint, _arguments = url_adapter().match(urlsplit(path).path, method="GET")
    except HTTPException:
        return None
    return endpoint


def seed_paths() -> list[str]:
    """Every GET page without URL variables."""
    adapter = url_adapter()
    return sorted(
        rule.rule
        for rule in adapter.map.iter_rules()
        if "GET" in (rule.methods or ()) and not rule.arguments and rule.endpoint not in SKIP_ENDPOINTS
    )


def crawl(context: BrowserContext, base_url: str) -> dict[str, str]:
    """endpoint -> the first URL found for it that answers with an HTML page (after redirects) for this role."""
    found: dict[str, str] = {}
    seen_endpoints: set[str] = set()
    queue = deque(seed_paths())
    while queue and len(found) < MAX_PAGES:
        path = queue.popleft()
        endpoint = endpoint_of(path)
        if endpoint is None or endpoint in seen_endpoints or endpoint in SKIP_ENDPOINTS or SKIP_PATH.search(path):
            continue
        seen_endpoints.add(endpoint)
        response = context.request.get(base_url + path, max_redirects=5)
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        final = urlsplit(response.url)
        final_endpoint = endpoint_of(final.path)
        if response.status >= 400 or final_endpoint is None:
            continue  # a page this role may not open: the authorization tests cover the refusal
        final_path = final.path + (f"?{final.query}" if final.query else "")
        found.setdefault(final_endpoint, final_path)
        seen_endpoints.add(final_endpoint)
        for link in HREF.findall(response.text()):
            queue.append(link.replace("&amp;", "&"))
    return dict(sorted(found.items()))


def form_token(page: Page, name: str = "csrf_token") -> str:
    return page.locator(f'input[name="{name}"]').first.get_attribute("value") or ""


def set_mode(page: Page, base_url: str, mode: str) -> None:
    """Store a mode the way a person does (the preferences form and the language picker), for any role."""
    display, language = MODES[mode]
    page.goto("/preferences")
    token = form_token(page)
    response = page.request.post(
        f"{base_url}/preferences",
        form={"csrf_token": token, **DEFAULT_DISPLAY, **display},
        headers={"Accept": "application/json"},
    )
    assert response.ok, response.text()
    response = page.request.post(
        f"{base_url}/language",
        form={"lang-csrf_token": token, "lang-language": language},
        max_redirects=0,
    )
    assert response.status == 302, response.text()


def use_axe(context: BrowserContext) -> None:
    """Load axe-core into every page of the context once per navigation (cheaper than injecting per run)."""
    context.add_init_script(path=str(AXE_SCRIPT))


def axe_violations(page: Page, rules: list[str] | None = None) -> list[dict]:
    """WCAG 2.x A/AA violations on the page as it is now (all such rules, or only the given ones)."""
    options = {**AXE_OPTIONS, "runOnly": {"type": "rule", "values": rules}} if rules else AXE_OPTIONS
    # After a click, a test's expect() can pass before the stylesheet arrives; on a busy machine axe then measured
    # unstyled links (target-size 17 px). The rules that read the stylesheet need the page fully loaded.
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT.read_text())  # a context without use_axe()
    return page.evaluate("options => window.axe.run(document, options)", options)["violations"]


# What preferences.js sets on <html> for each display mode (the server renders the same attributes).
LIVE_ATTRIBUTES: dict[str, dict[str, str]] = {
    "high_contrast": {"data-theme": "high_contrast"},
    "dark": {"data-theme": "dark"},
    "easy_read": {"data-easy-read": "on"},
}


def switch_live(page: Page, attributes: dict[str, str]) -> None:
    page.evaluate(
        """attrs => { const root = document.documentElement;
                     root.setAttribute('data-theme', 'system'); root.setAttribute('data-easy-read', 'off');
                     for (const [name, value] of Object.entries(attrs)) root.setAttribute(name, value); }""",
        attributes,
    )


def describe(url: str, violations: list[dict]) -> str:
    lines = [f"{url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '').replace(chr(10), ' ')[:300]}")
    return "\n".join(lines)


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def tab_to(page: Page, selector: str, *, limit: int = 80, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the element matching selector has the focus; fail if it never does.
    Each stop must show a visible focus indicator."""
    target = page.locator(selector).first
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            assert_focus_visible(page)
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{selector} was not reached with the keyboard in {limit} presses on {page.url}")


def assert_focus_visible(page: Page) -> None:
    style = page.evaluate(
        """() => { const el = document.activeElement; const s = getComputedStyle(el);
                  return {tag: el.tagName, outline: s.outlineStyle, width: parseFloat(s.outlineWidth) || 0,
                          shadow: s.boxShadow}; }"""
    )
    if style["tag"] in ("BODY", "MAIN"):
        return
    assert (style["outline"] != "none" and style["width"] >= 2) or style["shadow"] != "none", (
        f"no visible focus indicator on the focused {style['tag']} at {page.url}: {style}"
    )
