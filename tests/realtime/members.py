"""Members of a real Kring server (see ``tests.realtime.server``), the way a browser is one: signed in through
the real form (or, for the benchmark's hundreds of clients, with a session minted directly), then connected
over a WebSocket-only Socket.IO client.
"""

from __future__ import annotations

import contextlib
import json
import re
import time

import requests
import socketio

from tests.realtime.server import PASSWORD, ServerError, seed_app

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def sign_in(base_url: str, username: str, password: str = PASSWORD) -> str:
    """Sign in through the real form; returns the Cookie header a browser would send afterwards."""
    browser = requests.Session()
    page = browser.get(f"{base_url}/login", timeout=10)
    match = _CSRF.search(page.text)
    if match is None:
        raise ServerError(f"no csrf_token on /login ({page.status_code})")
    answer = browser.post(
        f"{base_url}/login",
        data={"csrf_token": match.group(1) or match.group(2), "login": username, "password": password},
        allow_redirects=False,
        timeout=10,
    )
    if answer.status_code not in (302, 303):
        raise ServerError(f"signing in as {username} was refused ({answer.status_code}): {answer.text[:500]}")
    return cookie_header(browser)


def cookie_header(browser: requests.Session) -> str:
    return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


def sign_out(base_url: str, cookie: str) -> None:
    """Sign out the way the page does: POST /logout with the CSRF token of a signed-in page."""
    jar = dict(part.strip().split("=", 1) for part in cookie.split(";") if "=" in part)
    page = requests.get(f"{base_url}/", headers={"Cookie": cookie}, timeout=10)
    match = _CSRF.search(page.text)
    if match is None:
        raise ServerError(f"no csrf_token on / to sign out with ({page.status_code})")
    jar.update(page.cookies.items())  # the page put its CSRF secret in the (signed) session cookie
    headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in jar.items())}
    answer = requests.post(
        f"{base_url}/logout",
        data={"csrf_token": match.group(1) or match.group(2)},
        headers=headers,
        allow_redirects=False,
        timeout=10,
    )
    if answer.status_code not in (302, 303):
        raise ServerError(f"sign-out was refused ({answer.status_code})")


def connect(
    base_url: str,
    cookie: str = "",
    *,
    origin: str | None = None,
    headers: dict[str, str] | None = None,
    reconnection: bool = False,
    wait_timeout: float = 5,
    **client_options: object,
) -> socketio.Client:
    """A Socket.IO client over WebSocket only (a failed upgrade must not hide behind polling). Raises
    ``socketio.exceptions.ConnectionError`` when the server refuses.

    ``origin`` replaces the Origin websocket-client sends by itself (the server's own address): an "Origin"
    in ``headers`` would be sent as a second header line instead."""
    all_headers = dict(headers or {})
    if cookie:
        all_headers["Cookie"] = cookie
    if origin is not None:
        client_options["websocket_extra_options"] = {"origin": origin}
    client = socketio.Client(reconnection=reconnection, **client_options)
    try:
        client.connect(base_url, transports=["websocket"], headers=all_headers, wait_timeout=wait_timeout)
    except socketio.exceptions.ConnectionError:
        client.disconnect()
        raise
    return client


def handshake_status(
    base_url: str,
    cookie: str = "",
    *,
    origin: str | None = None,
    host: str | None = None,
    headers: dict[str, str] | None = None,
) -> int:
    """The HTTP status of a bare WebSocket handshake on the Engine.IO endpoint: 101 when the server
    switches protocols, else its refusal (400 for a foreign origin). Sends exactly one Origin and Host."""
    import websocket

    url = base_url.replace("http://", "ws://", 1) + "/socket.io/?EIO=4&transport=websocket"
    options: dict[str, object] = {"timeout": 5, "header": dict(headers or {})}
    if cookie:
        options["cookie"] = cookie
    if origin is not None:
        options["origin"] = origin
    if host is not None:
        options["host"] = host
    try:
        connection = websocket.create_connection(url, **options)
    except websocket.WebSocketBadStatusException as error:
        return error.status_code
    status = connection.getstatus()
    connection.close()
    return status


def mint_cookies(database_url: str, secret_key: str, usernames: list[str]) -> dict[str, str]:
    """Signed-in cookies without the sign-in form, for the benchmark's hundreds of clients (POST /login is
    limited to 10 a minute per address). Each gets a real server-side session row, exactly what a sign-in
    makes; the cookie is signed with the servers' ``secret_key``."""
    from sqlalchemy import select

    from community.auth import sessions as auth_sessions
    from community.auth.models import User
    from community.core.sessions import LAST_SEEN_KEY, SESSION_TOKEN_KEY
    from community.extensions import db

    app = seed_app(database_url)
    app.secret_key = secret_key
    serializer = app.session_interface.get_signing_serializer(app)
    cookies: dict[str, str] = {}
    with app.app_context():
        users = {user.username_key: user for user in db.session.scalars(select(User))}
        tokens = {name: auth_sessions.start_session(users[name], "bench") for name in usernames}
        db.session.commit()
        for name, token in tokens.items():
            value = serializer.dumps({"_permanent": True, SESSION_TOKEN_KEY: token, LAST_SEEN_KEY: int(time.time())})
            cookies[name] = f"{app.config['SESSION_COOKIE_NAME']}={value}"
        db.session.remove()
        db.engine.dispose()
    return cookies


class WireSocket:
    """The lightest member's socket: the Socket.IO protocol spoken by hand over one blocking websocket-client
    connection, no threads of its own. For hundreds of sockets at once, and for a burst of events that leaves
    in one go (python-socketio's client sends from a queue on a thread of its own)."""

    def __init__(self, base_url: str, cookie: str = "", timeout: float = 15) -> None:
        import websocket

        url = base_url.replace("http://", "ws://", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.ws = websocket.create_connection(url, cookie=cookie or None, origin=base_url, timeout=timeout)
        self.acks: dict[int, dict] = {}
        self.ack_ids = iter(range(1, 1_000_000))
        opening = self.ws.recv()
        if not opening.startswith("0"):
            self.close()
            raise ServerError(f"no Engine.IO open packet: {opening[:80]}")
        self.ws.send("40")
        while not (frame := self._read_frame()).startswith(("40", "44")):  # presence may come first
            pass
        if not frame.startswith("40"):
            self.close()
            raise ServerError(f"Socket.IO connect refused: {frame[:200]}")

    def _read_frame(self) -> str:
        """One frame: a ping is answered, an answer to an event is kept in ``acks``."""
        frame = self.ws.recv()
        if frame == "2":  # the server's ping
            self.ws.send("3")
        elif frame.startswith("43"):
            bracket = frame.index("[")
            self.acks[int(frame[2:bracket])] = json.loads(frame[bracket:])[0]
        return frame

    def emit(self, event: str, payload: dict) -> int:
        """Send an event that wants an answer, without waiting for it; returns the id its answer will have."""
        ack_id = next(self.ack_ids)
        self.ws.send(f"42{ack_id}" + json.dumps([event, payload]))
        return ack_id

    def answers(self, ack_ids: list[int]) -> dict[int, dict]:
        """Wait for the answers to these events (the socket's time-out bounds each wait for a frame)."""
        while any(ack_id not in self.acks for ack_id in ack_ids):
            self._read_frame()  # other events (chat:message, presence) are read and dropped
        return {ack_id: self.acks[ack_id] for ack_id in ack_ids}

    def call(self, event: str, payload: dict) -> dict:
        ack_id = self.emit(event, payload)
        return self.answers([ack_id])[ack_id]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close()
