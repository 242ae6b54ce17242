"""Real-browser fixtures: the production-style server in a subprocess, driven by Debian's Chromium.

The server is started the way an operator starts it (``flask db upgrade``, ``flask demo``, then gunicorn with
the gevent worker) on a fresh instance directory, once per test session. Playwright drives the system's
Chromium (``chromium_path``): a missing Chromium skips locally but fails when CI=true. Nothing is downloaded.

``origin_log`` records every request and WebSocket a browser context opens, so a test can assert that the
page never talks to anyone but the server: Kring must not leak a visit to a CDN, font host or tracker.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import string
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, Response, WebSocket

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the virtualenv's bin/
ARTIFACTS = ROOT / "test-artifacts"
START_TIMEOUT = 30.0
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD") or "kring-demo-password"


def unique(words: str) -> str:
    """Words with a random tag, so each test's text is its own on a server that lives for the whole session.

    Letters only: a hex tag such as "7451ee" reads as a Dutch postcode and "12345678" as a phone number, and
    the personal-details check then (rightly) holds the message back, so a test failed about once in fifty.
    """
    return f"{words} {''.join(secrets.choice(string.ascii_lowercase) for _ in range(8))}"


# Settings an operator's shell could carry that would point the server somewhere other than the temp dir.
FOREIGN_SETTINGS = (
    "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "TWO_FACTOR_KEYS", "KRING_CONFIG", "RATELIMIT_STORAGE_URI", "FLASK_APP",
)  # fmt: skip
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# --- the live server ---------------------------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _flask(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"flask {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # SIGTERM to the gunicorn arbiter, by PID: it stops its worker
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # started in its own session: only our arbiter and worker
        process.wait(timeout=5)


def _wait_until_healthy(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log_path.read_text(errors='replace')}")
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:  # refused before the bind, or a time-out while the worker boots
            pass
        time.sleep(0.1)
    pytest.fail(f"/healthz did not answer 200 within {START_TIMEOUT:.0f} s:\n{log_path.read_text(errors='replace')}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    instance = tmp_path_factory.mktemp("kring-instance")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if key not in FOREIGN_SETTINGS}
    # Every browser test signs in from 127.0.0.1: on a fast machine that is more than the 10 a minute one
    # real client may try (tests/auth/test_throttling.py pins that limit down).
    env.update(
        KRING_INSTANCE_DIR=str(instance), BASE_URL=url, DEMO_PASSWORD=DEMO_PASSWORD, SIGN_IN_RATE="600 per minute"
    )

    _flask(env, "db", "upgrade")
    _flask(env, "demo")

    log_path = instance / "gunicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--worker-class",
                "gevent",
                "--workers",
                "1",
                "--no-control-socket",
                "--bind",
                f"127.0.0.1:{port}",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_healthy(url, process, log_path)
        yield LiveServer(url=url, log_path=log_path)
    finally:
        _stop(process)


# --- Playwright on Debian's Chromium (overrides of pytest-playwright's fixtures) ------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict, chromium_path: str) -> dict:
    """The system Chromium, never a downloaded one; a missing Chromium skips locally and fails in CI."""
    return {**browser_type_launch_args, "executable_path": chromium_path, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    """pytest-playwright gives every context this base URL, so tests can `page.goto("/login")`."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "locale": "en-GB", "viewport": {"width": 1280, "height": 900}}


# --- where did the browser go? --------------------------------------------------------------------------------


def origin_of(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443, "ws": 80, "wss": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or ""), port


@dataclass
class OriginLog:
    """Every URL a browser context asked for, every answer of 400 or more, and the console errors it printed
    (a Content-Security-Policy block shows there)."""

    server_url: str
    urls: list[str] = field(default_factory=list)
    failed_responses: list[tuple[int, str]] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def is_own(self, url: str) -> bool:
        if url.startswith("data:"):
            return True  # inline data: nothing leaves the machine
        if url.startswith("blob:"):
            url = url[len("blob:") :]  # blob:<origin>/<uuid> belongs to the origin that made it
        scheme, host, port = origin_of(url)
        own_scheme, own_host, own_port = origin_of(self.server_url)
        websocket = {"http": "ws", "https": "wss"}[own_scheme]
        return scheme in (own_scheme, websocket) and host == own_host and port == own_port

    def foreign(self) -> list[str]:
        return [url for url in self.urls if not self.is_own(url)]

    def assert_nothing_left_the_server(self) -> None:
        assert self.urls, "the browser recorded no request at all: is the request listener attached?"
        foreign = self.foreign()
        assert not foreign, f"requests left {self.server_url}:\n" + "\n".join(foreign)

    def watch(self, context: BrowserContext) -> None:
        context.on("request", self._on_request)
        context.on("response", self._on_response)
        context.on("page", self._on_page)
        for page in context.pages:
            self._on_page(page)

    def _on_request(self, request: Request) -> None:
        self.urls.append(request.url)

    def _on_response(self, response: Response) -> None:
        if response.request.service_worker is not None:
            return  # the worker fetched it for the page (static/sw.js): the page's own answer is recorded
        if response.status >= 400:
            self.failed_responses.append((response.status, response.url))

    def _on_websocket(self, websocket: WebSocket) -> None:
        self.urls.append(websocket.url)  # WebSockets raise no "request" event

    def _on_page(self, page: Page) -> None:
        page.on("websocket", self._on_websocket)
        page.on("console", self._on_console)

    def _on_console(self, message: ConsoleMessage) -> None:
        # "Failed to load resource" repeats an answer of 400 or more: failed_responses has those, with the URL.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console_errors.append(message.text)


@pytest.fixture
def origin_log(context: BrowserContext, live_server: LiveServer) -> OriginLog:
    """Records every request of pytest-playwright's `context` (and so of `page`) from the test's start."""
    log = OriginLog(server_url=live_server.url)
    log.watch(context)
    return log


# --- signed-in members ----------------------------------------------------------------------------------------


def sign_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real form, the way a member does."""
    page.goto("/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if urlsplit(page.url).path == "/login":
        pytest.fail(f"signing in as {username} failed:\n{page.locator('main').inner_text()}")


# The page's scripts are ES modules: their state is reached by importing the same module the page imported (one
# instance per address), never through a global.
REALTIME_MODULE = "/static/js/realtime.js"


def realtime_status(page: Page) -> str:
    """'connected', 'reconnecting' or 'offline': the page's one Socket.IO connection (static/js/realtime.js)."""
    return page.evaluate("async (module) => (await import(module)).status()", REALTIME_MODULE)


def wait_until_live(page: Page, timeout: float = 10.0) -> None:
    """The page's live connection is up. Polled from here: wait_for_function evaluates a string in the page, which
    the CSP (rightly) forbids."""
    deadline = time.monotonic() + timeout
    while realtime_status(page) != "connected":
        assert time.monotonic() < deadline, "the page did not connect to the live updates"
        page.wait_for_timeout(100)


@pytest.fixture(scope="session")
def sam_storage_state(browser: Browser, browser_context_args: dict, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Sam's session cookie, signed in once per session (the login form is rate-limited to 10 a minute)."""
    path = tmp_path_factory.mktemp("browser-state") / "sam.json"
    context = browser.new_context(**browser_context_args)
    try:
        sign_in(context.new_page(), "sam")
        context.storage_state(path=str(path))
    finally:
        context.close()
    return str(path)


@pytest.fixture
def sam_context(new_context: Any, sam_storage_state: str) -> BrowserContext:
    return new_context(storage_state=sam_storage_state)


@pytest.fixture
def sam_page(sam_context: BrowserContext) -> Page:
    return sam_context.new_page()


# --- on failure: a screenshot of every open page, and the end of the server's log ---------------------------


def _pages_of(values: Any) -> list[Page]:
    pages: list[Page] = []
    for value in values:
        if isinstance(value, Page):
            pages.append(value)
        elif isinstance(value, BrowserContext):
            pages.extend(value.pages)
    return list(dict.fromkeys(pages))  # the same page through `page` and `context` only once


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "teardown" or not report.failed:
        return
    funcargs = getattr(item, "funcargs", {})  # every fixture value the test set up so far
    for value in funcargs.values():
        if isinstance(value, LiveServer):
            report.sections.append(("server log (end)", value.log()))
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", item.nodeid).strip("-")
    for number, page in enumerate(_pages_of(funcargs.values())):
        if page.is_closed():
            continue
        path = ARTIFACTS / f"{name}-{number}.png"
        try:
            path.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(path), full_page=True)
        except Exception as error:  # noqa: BLE001 (a failed screenshot must not hide the test's own failure)
            report.sections.append(("screenshot", f"could not save {path}: {error}"))
        else:
            report.sections.append(("screenshot", f"saved {path} ({page.url})"))
