"""What Flask-SocketIO's test client cannot show, against the real server (gunicorn, gevent worker): the
Origin check on the WebSocket handshake, the frame-size limit, and a copied cookie after sign-out.

One server for the module, configured as deployed behind one proxy (TRUSTED_PROXY_COUNT=1), on a SQLite file
(one process; the database is not what is tested here).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import socketio
import websocket

from tests.realtime.members import connect, handshake_status, sign_in, sign_out
from tests.realtime.server import KringServer, ServerError, World, prepare_world, start_kring

pytestmark = pytest.mark.slow

FOREIGN = "http://evil.example"
FRAME_LIMIT = 64 * 1024  # Config.SOCKETIO_MAX_HTTP_BUFFER_SIZE
ENGINEIO_WEBSOCKET = "/socket.io/?EIO=4&transport=websocket"


@pytest.fixture(scope="module")
def world_and_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, KringServer]]:
    instance = tmp_path_factory.mktemp("real-server")
    world = prepare_world(f"sqlite:///{instance / 'kring.db'}", members=4)
    # As deployed behind nginx (docs/deployment.md): one trusted proxy, so werkzeug's ProxyFix is in place too.
    server = start_kring(instance, world.database_url, TRUSTED_PROXY_COUNT="1")
    try:
        yield world, server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def server(world_and_server: tuple[World, KringServer]) -> KringServer:
    return world_and_server[1]


@pytest.fixture(scope="module")
def world(world_and_server: tuple[World, KringServer]) -> World:
    return world_and_server[0]


@pytest.fixture(scope="module")
def cookies(server: KringServer, world: World) -> dict[str, str]:
    """One signed-in browser per member, signed in once (POST /login is limited to 10 a minute)."""
    return {name: sign_in(server.url, name) for name in world.members[:3]}


def refused(base_url: str, cookie: str, *, origin: str | None = None) -> bool:
    """Whether a full Socket.IO connect (WebSocket only) is refused."""
    try:
        client = connect(base_url, cookie, origin=origin)
    except socketio.exceptions.ConnectionError:
        return True
    client.disconnect()
    return False


def wait_for(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


# --- the Origin of the handshake --------------------------------------------------------------------------------


def test_a_page_of_the_site_itself_connects(server: KringServer, cookies: dict[str, str]) -> None:
    assert handshake_status(server.url, cookies["member1"], origin=server.url) == 101
    client = connect(server.url, cookies["member1"], origin=server.url)
    try:
        assert client.connected
        assert client.transport() == "websocket"
    finally:
        client.disconnect()


def test_a_page_of_another_site_cannot_open_a_socket_with_the_members_cookie(
    server: KringServer, cookies: dict[str, str]
) -> None:
    cookie = cookies["member1"]
    assert handshake_status(server.url, cookie, origin=FOREIGN) == 400
    assert handshake_status(server.url, cookie, origin="null") == 400  # a sandboxed iframe or a file:// page
    assert handshake_status(server.url, cookie, origin=server.url.replace("127.0.0.1", "localhost")) == 400
    assert handshake_status(server.url, cookie, origin=server.url.replace("http:", "https:")) == 400
    assert refused(server.url, cookie, origin=FOREIGN)


def test_a_forwarded_host_sent_by_the_client_does_not_widen_the_allowed_origins(
    server: KringServer, cookies: dict[str, str]
) -> None:
    forwarded = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}
    assert handshake_status(server.url, cookies["member1"], origin=FOREIGN, headers=forwarded) == 400
    # Nor does a Host header naming the foreign site (what a DNS-rebinding page would send).
    assert handshake_status(server.url, cookies["member1"], origin=FOREIGN, host="evil.example") == 400
    # The server's own origin still works with those headers: they are ignored, not a reason to refuse.
    assert handshake_status(server.url, cookies["member1"], origin=server.url, headers=forwarded) == 101


def test_the_polling_transport_checks_the_origin_too(server: KringServer, cookies: dict[str, str]) -> None:
    answer = requests.get(
        f"{server.url}/socket.io/?EIO=4&transport=polling",
        headers={"Cookie": cookies["member1"], "Origin": FOREIGN},
        timeout=5,
    )
    assert answer.status_code == 400
    assert "access-control-allow-origin" not in {name.lower() for name in answer.headers}


# --- a copied cookie after sign-out -----------------------------------------------------------------------------


def test_sign_out_closes_the_open_socket_and_the_copied_cookie_no_longer_connects(
    server: KringServer, world: World
) -> None:
    cookie = sign_in(server.url, world.members[3])
    copied = cookie  # what a thief copied from the shared computer before the member signed out
    open_socket = connect(server.url, cookie)
    closed = threading.Event()
    open_socket.on("disconnect", lambda *args: closed.set())
    try:
        sign_out(server.url, cookie)
        assert closed.wait(5), "the socket of the browser that signed out stays open"
        assert refused(server.url, copied), "the copied cookie still opens a socket after sign-out"
        assert requests.get(
            f"{server.url}/", headers={"Cookie": copied}, allow_redirects=False, timeout=5
        ).status_code in (
            302,
            303,
        )
    finally:
        open_socket.disconnect()


def test_a_made_up_cookie_is_refused(server: KringServer) -> None:
    assert refused(server.url, "kring_session=eyJrcmluZ19zaWQiOiJndWVzcyJ9.forged.signature")


# --- frames larger than the limit --------------------------------------------------------------------------------


def chat_join(client: socketio.Client, conversation_id: int) -> dict:
    return client.call("chat:join", {"conversation_id": conversation_id}, timeout=5)


def test_an_oversized_frame_closes_only_that_socket(server: KringServer, world: World, cookies: dict[str, str]) -> None:
    log_before = len(server.log(10**9))
    bystander = connect(server.url, cookies["member2"])
    sender = connect(server.url, cookies["member1"])
    dropped = threading.Event()
    sender.on("disconnect", lambda *args: dropped.set())
    try:
        assert chat_join(bystander, world.conversation_id)["ok"]
        huge = "x" * (FRAME_LIMIT + 1024)
        sender.emit("chat:send", {"conversation_id": world.conversation_id, "client_id": "huge", "body": huge})
        assert dropped.wait(5), "a frame over SOCKETIO_MAX_HTTP_BUFFER_SIZE was accepted"

        assert requests.get(f"{server.url}/healthz", timeout=5).status_code == 200
        assert bystander.connected, "another member's socket was closed too"
        assert chat_join(bystander, world.conversation_id)["ok"], "the server stopped answering other sockets"
        again = connect(server.url, cookies["member1"])  # the sender can simply reconnect
        again.disconnect()
    finally:
        sender.disconnect()
        bystander.disconnect()
    assert "Traceback" not in server.log(10**9)[log_before:], "the oversized frame raised an error in the server"


def worker_peak_memory_mb(server: KringServer) -> float:
    """The high-water mark of the gunicorn worker's resident memory (Linux /proc)."""
    assert server.process is not None
    arbiter = server.process.pid
    worker = Path(f"/proc/{arbiter}/task/{arbiter}/children").read_text().split()[0]
    for line in Path(f"/proc/{worker}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc/<worker>/status")


def test_an_oversized_frame_is_refused_before_the_server_buffers_it(server: KringServer) -> None:
    before = worker_peak_memory_mb(server)
    # No cookie: the Engine.IO WebSocket opens before Socket.IO's connect handler checks the sign-in.
    raw = websocket.create_connection(server.url.replace("http://", "ws://") + ENGINEIO_WEBSOCKET, timeout=10)
    try:
        raw.recv()  # the Engine.IO open packet
        with contextlib.suppress(OSError, websocket.WebSocketException):
            raw.send("42" + "x" * (24 * 1024 * 1024))
    finally:
        raw.close()
    assert requests.get(f"{server.url}/healthz", timeout=5).status_code == 200
    grown = worker_peak_memory_mb(server) - before
    assert grown < 12, f"the worker's peak memory grew by {grown:.0f} MB for one 24 MB frame"


def test_an_oversized_long_polling_post_is_refused_too(server: KringServer, cookies: dict[str, str]) -> None:
    # Browsers fall back to long-polling where WebSocket is blocked: a POST body has the same limit. Like a real
    # client, keep a GET waiting for packets: the server's refusal closes the session through it.
    headers = {"Cookie": cookies["member1"]}
    opened = requests.get(f"{server.url}/socket.io/?EIO=4&transport=polling", headers=headers, timeout=5)
    endpoint = f"{server.url}/socket.io/?EIO=4&transport=polling&sid={json.loads(opened.text[1:])['sid']}"
    assert requests.post(endpoint, data=b"40", headers=headers, timeout=5).text == "OK"
    assert requests.get(endpoint, headers=headers, timeout=5).text.startswith("40"), "the namespace is connected"

    waiting: dict[str, requests.Response] = {}
    poll = threading.Thread(target=lambda: waiting.update(get=requests.get(endpoint, headers=headers, timeout=10)))
    poll.start()
    time.sleep(0.3)  # the GET is waiting on the server
    too_big = '42["chat:send",{"body":"' + "x" * (FRAME_LIMIT + 1024) + '"}]'
    answer = requests.post(endpoint, data=too_big.encode(), headers=headers, timeout=5)
    poll.join(10)
    assert answer.status_code == 400
    # The waiting GET gets what was queued (a presence update, say) and the CLOSE packet, or the CLOSE comes
    # with the next GET; after it, the session is gone.
    packets = waiting["get"].text.split("\x1e")
    if "1" not in packets:
        packets = requests.get(endpoint, headers=headers, timeout=5).text.split("\x1e")
    assert "1" in packets, "the session was not closed (no Engine.IO CLOSE packet)"
    assert requests.get(endpoint, headers=headers, timeout=5).status_code == 400, "the session is gone"
    assert requests.get(f"{server.url}/healthz", timeout=5).status_code == 200


def test_a_frame_under_the_limit_with_a_too_long_body_gets_an_error_answer(
    server: KringServer, world: World, cookies: dict[str, str]
) -> None:
    client = connect(server.url, cookies["member1"])
    try:
        assert chat_join(client, world.conversation_id)["ok"]
        answer = client.call(
            "chat:send",
            {"conversation_id": world.conversation_id, "client_id": uuid.uuid4().hex, "body": "y" * 40_000},
            timeout=5,
        )
        assert answer["ok"] is False
        assert answer["code"] == "too_large"
        assert client.connected, "a refused message must not cost the connection"
    finally:
        client.disconnect()


# --- chat over the real server ---------------------------------------------------------------------------------


def test_a_message_reaches_another_member_over_a_real_websocket(
    server: KringServer, world: World, cookies: dict[str, str]
) -> None:
    writer, reader = connect(server.url, cookies["member1"]), connect(server.url, cookies["member2"])
    received: list[dict] = []
    reader.on("chat:message", lambda data: received.append(data["message"]))
    try:
        assert chat_join(writer, world.conversation_id)["ok"]
        assert chat_join(reader, world.conversation_id)["ok"]
        client_id = uuid.uuid4().hex
        answer = writer.call(
            "chat:send",
            {"conversation_id": world.conversation_id, "client_id": client_id, "body": "Hello from the real server"},
            timeout=5,
        )
        assert answer["ok"], answer
        assert wait_for(lambda: any(message["id"] == answer["message"]["id"] for message in received))
        delivered = next(message for message in received if message["id"] == answer["message"]["id"])
        assert delivered["seq"] == answer["message"]["seq"]
        assert "client_id" not in delivered or delivered["client_id"] is None, "only the author's ack has it"
    finally:
        writer.disconnect()
        reader.disconnect()


def test_someone_outside_the_group_cannot_join_its_room(server: KringServer, world: World) -> None:
    outsider = connect(server.url, sign_in(server.url, "outsider1"))
    try:
        answer = chat_join(outsider, world.conversation_id)
        assert answer == {"ok": False, "error": answer["error"], "code": "not_found"}
    finally:
        outsider.disconnect()


def test_the_server_survived_every_test_in_this_module(server: KringServer) -> None:
    assert server.alive()
    try:
        server.wait_until_healthy(timeout=5)
    except ServerError as error:  # pragma: no cover (the message carries the log)
        pytest.fail(str(error))


def _accepted_extensions(base_url: str, cookie: str) -> str:
    """The Sec-WebSocket-Extensions the server answers to a browser-like offer of permessage-deflate."""
    url = base_url.replace("http://", "ws://", 1) + ENGINEIO_WEBSOCKET
    offer = {"Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits"}
    connection = websocket.create_connection(url, timeout=5, cookie=cookie, origin=base_url, header=offer)
    try:
        assert connection.getstatus() == 101
        return (connection.getheaders() or {}).get("sec-websocket-extensions", "")
    finally:
        connection.close()


def test_the_server_declines_websocket_compression_by_default(server, cookies):
    """Chat frames are small: compressing each once per receiving socket costs more than it saves."""
    assert _accepted_extensions(server.url, cookies["member1"]) == ""


def test_websocket_compression_can_be_switched_on(tmp_path, world):
    on = start_kring(tmp_path, world.database_url, SOCKETIO_PERMESSAGE_DEFLATE="true")
    try:
        assert "permessage-deflate" in _accepted_extensions(on.url, "")
    finally:
        on.stop()
