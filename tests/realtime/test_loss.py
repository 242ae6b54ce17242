"""Nothing lost, nothing twice: members keep writing while the server process is killed (SIGKILL, no shutdown
code runs) and started again on the same port.

Each member behaves like the browser's outbox: every message has a client id; a message stays in the outbox
until the server acknowledges it; after a reconnect the member re-joins, catches up from the last sequence
number it has without a gap, and sends every unacknowledged message again with the same client id.

Afterwards: every acknowledged message is stored exactly once, sequence numbers have no gaps, and every member
has every stored message (live or through chat:catch_up), with catch-up answers in sequence order.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import socketio

from tests.conftest import temporary_postgres_database
from tests.realtime.members import sign_in
from tests.realtime.server import KringServer, World, prepare_world, start_kring, stored_messages

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

MEMBERS = 4
MESSAGES_EACH = 8  # under the per-person send rate (10 per 10 s), so every refusal here would be a bug
PACE = 0.08  # seconds between a member's new messages: the kill lands while they are writing
ACK_PATIENCE = 3.0  # an unacknowledged message is sent again after this long on the same connection
TEST_DEADLINE = 40.0  # the whole run, kill and restart included; normally ~6 s

# What a dead or dying connection raises in python-socketio's client.
CONNECTION_TROUBLE = (socketio.exceptions.SocketIOError, TimeoutError, OSError)


@dataclass
class Member:
    """One member's client: an outbox of messages, what the server acknowledged, and what the member has seen."""

    name: str
    url: str
    cookie: str
    conversation_id: int
    outbox: list[str] = field(default_factory=list)  # client ids, in writing order
    acked: dict[str, dict] = field(default_factory=dict)  # client id -> the stored message from the ack
    duplicates: int = 0  # acks that said "already stored"
    seen: dict[int, int] = field(default_factory=dict)  # seq -> message id, live or caught up
    out_of_order: list[list[int]] = field(default_factory=list)  # catch-up answers not in seq order
    refusals: list[dict] = field(default_factory=list)
    connections: int = 0
    client: socketio.Client | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.outbox = [f"{self.name}-{number:03d}" for number in range(MESSAGES_EACH)]

    # --- the connection -------------------------------------------------------------------------------------

    def connected(self) -> bool:
        return self.client is not None and self.client.connected

    def reconnect(self) -> bool:
        if self.client is not None:
            self.client.disconnect()
            self.client = None
        client = socketio.Client(reconnection=False)
        client.on("chat:message", self._on_message)
        try:
            client.connect(self.url, transports=["websocket"], headers={"Cookie": self.cookie}, wait_timeout=2)
            joined = client.call("chat:join", {"conversation_id": self.conversation_id}, timeout=3)
            assert joined["ok"], joined
            self._remember(joined["messages"])
            self.catch_up(client)
        except CONNECTION_TROUBLE:
            client.disconnect()
            return False
        self.client = client
        self.connections += 1
        return True

    def catch_up(self, client: socketio.Client) -> None:
        """Everything after the last seq this member has without a gap, page by page."""
        for _page in range(100):
            after = self.contiguous_seq()
            answer = client.call(
                "chat:catch_up", {"conversation_id": self.conversation_id, "after_seq": after}, timeout=3
            )
            assert answer["ok"], answer
            seqs = [message["seq"] for message in answer["messages"]]
            if seqs != sorted(seqs) or any(seq <= after for seq in seqs):
                self.out_of_order.append(seqs)
            self._remember(answer["messages"])
            if not answer["has_more"] or not seqs:
                return

    def contiguous_seq(self) -> int:
        with self.lock:
            seq = 0
            while seq + 1 in self.seen:
                seq += 1
            return seq

    def _remember(self, messages: list[dict]) -> None:
        with self.lock:
            for message in messages:
                self.seen[message["seq"]] = message["id"]

    def _on_message(self, data: dict) -> None:
        self._remember([data["message"]])

    # --- writing --------------------------------------------------------------------------------------------

    def _on_ack(self, client_id: str, answer: dict) -> None:
        with self.lock:
            if not answer.get("ok"):
                self.refusals.append(answer)
                return
            message = answer["message"]
            earlier = self.acked.get(client_id)
            assert earlier is None or earlier["id"] == message["id"], "one client id, two stored messages"
            self.acked[client_id] = message
            self.duplicates += bool(answer.get("duplicate"))
            self.seen[message["seq"]] = message["id"]

    def unacked(self) -> list[str]:
        with self.lock:
            return [client_id for client_id in self.outbox if client_id not in self.acked]

    def write(self, deadline: float) -> None:
        """Release a new message every PACE seconds; send what is unacknowledged on this connection."""
        started = time.monotonic()
        sent_at: dict[str, tuple[int, float]] = {}  # client id -> (connection number, when)
        while self.unacked() and time.monotonic() < deadline:
            if not self.connected() and not self.reconnect():
                time.sleep(0.1)
                continue
            released = self.outbox[: int((time.monotonic() - started) / PACE) + 1]
            now = time.monotonic()
            for client_id in [item for item in self.unacked() if item in released]:
                last = sent_at.get(client_id)
                if last is not None and last[0] == self.connections and now - last[1] < ACK_PATIENCE:
                    continue  # sent on this connection a moment ago: wait for its ack
                payload = {"conversation_id": self.conversation_id, "client_id": client_id, "body": f"Hi {client_id}"}
                try:
                    self.client.emit("chat:send", payload, callback=lambda answer, c=client_id: self._on_ack(c, answer))
                except CONNECTION_TROUBLE:
                    break
                sent_at[client_id] = (self.connections, now)
            time.sleep(0.02)

    def finish(self, deadline: float) -> None:
        """Connected again (if needed) and caught up with everything stored."""
        while time.monotonic() < deadline:
            if self.connected() or self.reconnect():
                try:
                    self.catch_up(self.client)
                    return
                except CONNECTION_TROUBLE:
                    pass
            time.sleep(0.1)

    def close(self) -> None:
        if self.client is not None:
            self.client.disconnect()


@pytest.fixture
def world() -> Iterator[World]:
    with temporary_postgres_database("kring_loss") as database_url:
        yield prepare_world(database_url, members=MEMBERS)


def run_in_threads(members: list[Member], method: str, deadline: float) -> None:
    threads = [threading.Thread(target=getattr(member, method), args=(deadline,), daemon=True) for member in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()) + 5)


def test_every_acknowledged_message_is_stored_once_and_reaches_everyone_across_a_crash(
    world: World, tmp_path: Path
) -> None:
    deadline = time.monotonic() + TEST_DEADLINE
    server: KringServer = start_kring(tmp_path / "instance", world.database_url)
    members = [Member(name, server.url, sign_in(server.url, name), world.conversation_id) for name in world.members]
    total = MEMBERS * MESSAGES_EACH
    crash: dict[str, int] = {}

    def crash_while_they_write() -> None:
        while time.monotonic() < deadline:
            acked = sum(len(member.acked) for member in members)
            if acked >= total // 3:
                crash["acked_before"] = acked
                server.kill()
                time.sleep(0.3)  # a moment of nothing listening on the port: clients see refused connections
                server.start()  # the same port, the same database, the same secret key
                return
            time.sleep(0.005)

    killer = threading.Thread(target=crash_while_they_write, daemon=True)
    try:
        killer.start()
        run_in_threads(members, "write", deadline)
        killer.join(max(0.0, deadline - time.monotonic()))
        run_in_threads(members, "finish", deadline)

        assert crash, "the server was never killed: the members finished too early"
        assert crash["acked_before"] < total, "the kill came after every message was acknowledged"
        for member in members:
            assert not member.unacked(), f"{member.name} still has {member.unacked()} in the outbox"
            assert member.connections >= 2, f"{member.name} never had to reconnect"
            assert not member.refusals, f"{member.name} got refusals: {member.refusals[:3]}"

        rows = stored_messages(world.database_url, world.conversation_id)
        seqs = [seq for seq, *_ in rows]
        assert seqs == list(range(1, len(rows) + 1)), "sequence numbers have gaps or repeats"
        stored = {(author_id, client_id): seq for seq, author_id, client_id, _state in rows}
        assert len(stored) == len(rows) == total, "a message was stored twice, or one is missing"
        for member in members:
            for client_id, message in member.acked.items():
                assert stored.get((world.users[member.name], client_id)) == message["seq"]

        for member in members:
            assert member.out_of_order == [], f"{member.name} got a catch-up answer out of seq order"
            assert sorted(member.seen) == seqs, f"{member.name} is missing messages"
        ids_by_seq = dict(members[0].seen)
        assert all(member.seen == ids_by_seq for member in members), "members disagree on what a seq holds"

        # The restarted server still knows every client id: sending them all again stores nothing new.
        again = members[0]
        for client_id, message in list(again.acked.items()):
            payload = {"conversation_id": world.conversation_id, "client_id": client_id, "body": "resent"}
            answer = again.client.call("chat:send", payload, timeout=5)
            assert answer["ok"] and answer["duplicate"] and answer["message"]["id"] == message["id"], answer
        assert len(stored_messages(world.database_url, world.conversation_id)) == total
    finally:
        for member in members:
            member.close()
        server.stop()
        print(  # shown with -s or on failure: how the run went
            f"crash after {crash.get('acked_before')} of {total} acks; "
            + ", ".join(f"{m.name}: {m.connections} connections, {m.duplicates} duplicate acks" for m in members)
        )
