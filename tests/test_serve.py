"""Smoke test of `make run`: the real production server (gunicorn, gevent worker) on a fresh instance directory.

Runs the same commands as the Makefile's ``run`` target (``db upgrade``, ``setup-link``, then gunicorn) in
subprocesses, then talks to the server over real HTTP and a real WebSocket, the way a browser would.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import socketio

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the virtualenv's bin/, like the Makefile's $(BIN)
START_TIMEOUT = 20.0
# Settings the operator's shell could carry that would point the server somewhere other than tmp_path.
FOREIGN_SETTINGS = (
    "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "TWO_FACTOR_KEYS", "KRING_CONFIG", "RATELIMIT_STORAGE_URI", "FLASK_APP",
)  # fmt: skip


@dataclass
class Server:
    base_url: str
    setup_url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def flask_cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its own process group: the worker goes too
        process.wait(timeout=5)


def wait_until_healthy(base_url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log_path.read_text(errors='replace')}")
        try:
            response = requests.get(f"{base_url}/healthz", timeout=2)
        except requests.RequestException:  # refused before the bind, or a read time-out while the worker boots
            time.sleep(0.1)
            continue
        if response.status_code == 200:
            return
        time.sleep(0.1)
    pytest.fail(f"/healthz did not answer 200 within {START_TIMEOUT:.0f} s:\n{log_path.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    instance = tmp_path_factory.mktemp("instance")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if key not in FOREIGN_SETTINGS}
    env.update(KRING_INSTANCE_DIR=str(instance), BASE_URL=base_url)

    flask_cli(env, "db", "upgrade")
    printed = flask_cli(env, "setup-link")
    match = re.search(rf"{re.escape(base_url)}/setup/\S+", printed)
    assert match, f"setup-link printed no /setup/ URL:\n{printed}"

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
        wait_until_healthy(base_url, process, log_path)
        yield Server(base_url=base_url, setup_url=match.group(0), log_path=log_path)
    finally:
        stop(process)


def csrf_token(html: str) -> str:
    match = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'<input[^>]*value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no csrf_token hidden input in the page"
    return match.group(1)


def test_instance_serves_pages_with_security_headers(server: Server) -> None:
    health = requests.get(f"{server.base_url}/healthz", timeout=5)
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}

    login = requests.get(f"{server.base_url}/login", timeout=5)
    assert login.status_code == 200
    assert "default-src 'self'" in login.headers.get("Content-Security-Policy", "")
    assert login.headers.get("X-Content-Type-Options") == "nosniff"

    home = requests.get(f"{server.base_url}/", allow_redirects=False, timeout=5)
    assert home.status_code in (302, 303)
    assert home.headers["Location"].split("?")[0].endswith("/login")


def test_websocket_needs_a_signed_in_member(server: Server) -> None:
    anonymous = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        anonymous.connect(server.base_url, transports=["websocket"], wait_timeout=5)
    anonymous.disconnect()

    browser = requests.Session()
    page = browser.get(server.setup_url, timeout=5)
    assert page.status_code == 200
    assert "<form" in page.text
    created = browser.post(
        server.setup_url,
        data={
            "csrf_token": csrf_token(page.text),
            "username": "firstadmin",
            "display_name": "First Admin",
            "email": "",
            "password": "a-long-first-admin-password",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert created.status_code in (302, 303), f"setup form refused ({created.status_code}):\n{created.text[:2000]}"
    cookie = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
    assert cookie, "signing in set no cookie"

    member = socketio.Client(reconnection=False)
    try:
        member.connect(server.base_url, transports=["websocket"], headers={"Cookie": cookie}, wait_timeout=5)
        assert member.connected
        assert member.transport() == "websocket"
    except socketio.exceptions.ConnectionError as error:
        pytest.fail(f"signed-in WebSocket connect refused: {error}\n{server.log()}")
    finally:
        member.disconnect()
