"""Scale-out: two server processes sharing one PostgreSQL database share chat rooms through the Redis queue.

A member connected to process A writes; a member of the same room connected to process B gets the message.
Without REDIS_URL the same setup does not deliver it (so the queue is what carries it), though the message
is stored and B's member gets it by catching up.

Each run uses its own PostgreSQL database and its own Socket.IO channel on Redis, so parallel runs never mix.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import socketio

from tests.conftest import temporary_postgres_database
from tests.realtime.members import connect, sign_in
from tests.realtime.server import KringServer, World, new_secret_key, prepare_world, start_kring, unique_channel

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

DELIVERY_TIMEOUT = 5.0
QUIET_PERIOD = 1.5  # how long B's member waits in vain when nothing carries the message across


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with temporary_postgres_database("kring_two_processes") as database_url:
        yield prepare_world(database_url, members=4)


def start_pair(instance: Path, world: World, redis_url: str = "") -> tuple[KringServer, KringServer]:
    """Two processes with one SECRET_KEY (a browser's cookie works at either, as behind a proxy) and one
    database; with ``redis_url``, one Socket.IO channel of their own."""
    settings = {"redis_url": redis_url, "channel": unique_channel()} if redis_url else {}
    secret_key = new_secret_key()
    pair = (
        start_kring(instance / "a", world.database_url, secret_key=secret_key, wait=False, **settings),
        start_kring(instance / "b", world.database_url, secret_key=secret_key, wait=False, **settings),
    )
    try:
        for server in pair:  # both boot at once
            server.wait_until_healthy()
    except Exception:
        for server in pair:
            server.stop()
        raise
    return pair


class Listener:
    """A member's socket that records every chat:message it is sent."""

    def __init__(self, server: KringServer, username: str, conversation_id: int) -> None:
        self.messages: list[dict] = []
        self.arrived = threading.Condition()
        self.client = connect(server.url, sign_in(server.url, username))
        self.client.on("chat:message", self._on_message)
        answer = self.client.call("chat:join", {"conversation_id": conversation_id}, timeout=5)
        assert answer["ok"], answer

    def _on_message(self, data: dict) -> None:
        with self.arrived:
            self.messages.append(data["message"])
            self.arrived.notify_all()

    def wait_for(self, message_id: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while not any(message["id"] == message_id for message in self.messages):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.arrived.wait(left)
        return True

    def close(self) -> None:
        self.client.disconnect()


def send(client: socketio.Client, conversation_id: int, body: str) -> dict:
    answer = client.call(
        "chat:send",
        {"conversation_id": conversation_id, "client_id": uuid.uuid4().hex, "body": body},
        timeout=5,
    )
    assert answer["ok"], answer
    return answer["message"]


def test_a_message_written_on_one_process_reaches_a_member_on_the_other_through_redis(
    world: World, redis_url: str, tmp_path: Path
) -> None:
    server_a, server_b = start_pair(tmp_path, world, redis_url)
    listeners: list[Listener] = []
    try:
        writer = Listener(server_a, "member1", world.conversation_id)
        beside_writer = Listener(server_a, "member2", world.conversation_id)
        far_away = Listener(server_b, "member3", world.conversation_id)
        listeners = [writer, beside_writer, far_away]

        message = send(writer.client, world.conversation_id, "Written on A")
        assert far_away.wait_for(message["id"], DELIVERY_TIMEOUT), "the member on process B never got it"
        assert beside_writer.wait_for(message["id"], DELIVERY_TIMEOUT)
        delivered = next(item for item in far_away.messages if item["id"] == message["id"])
        assert delivered["seq"] == message["seq"]

        answer = send(far_away.client, world.conversation_id, "And an answer from B")
        assert writer.wait_for(answer["id"], DELIVERY_TIMEOUT), "the other way round too"
        assert answer["seq"] == message["seq"] + 1, "one sequence per room, whichever process stores it"
    finally:
        for listener in listeners:
            listener.close()
        server_a.stop()
        server_b.stop()


def test_without_redis_the_other_process_never_hears_of_it_but_catches_up(world: World, tmp_path: Path) -> None:
    server_a, server_b = start_pair(tmp_path, world)
    listeners: list[Listener] = []
    try:
        writer = Listener(server_a, "member1", world.conversation_id)
        beside_writer = Listener(server_a, "member2", world.conversation_id)
        far_away = Listener(server_b, "member3", world.conversation_id)
        listeners = [writer, beside_writer, far_away]

        message = send(writer.client, world.conversation_id, "Only process A hears this live")
        assert beside_writer.wait_for(message["id"], DELIVERY_TIMEOUT), "the broadcast did happen, on A"
        assert not far_away.wait_for(message["id"], QUIET_PERIOD), "delivered across processes without a queue?"

        caught_up = far_away.client.call(
            "chat:catch_up",
            {"conversation_id": world.conversation_id, "after_seq": message["seq"] - 1},
            timeout=5,
        )
        assert caught_up["ok"], caught_up
        assert [item["id"] for item in caught_up["messages"]] == [message["id"]], "stored, so catch-up has it"
    finally:
        for listener in listeners:
            listener.close()
        server_a.stop()
        server_b.stop()
