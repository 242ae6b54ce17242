"""A server process that has just started takes a burst of chat messages: every one answered, stored once.

What this guards against (docs/architecture.md, "SQLite and gevent"): on SQLite under gunicorn's gevent worker,
the first message of a fresh process made the counters' memory store, which starts a thread, which under
gevent yields while the message's transaction holds SQLite's write lock. The next message's writer then waited
for that lock inside SQLite's C busy handler, which does not yield: the whole process stood still for the
5-second busy timeout per message, every send failed with "database is locked", and gunicorn killed the
worker. A burst is what the outbox sends when a member comes back online.

Each test starts its own server (the fault needed a process that had not yet stored a message), on SQLite and
on PostgreSQL. The rate limiter is off (``RATELIMIT_ENABLED=false``, as in ``bench/chat.py``): the per-person
limit (10 per 10 s) would refuse half of a burst of 20, and with the limiter off the counters live in that
memory store. The sockets speak the protocol by hand (``WireSocket``): a burst leaves in one go, and 200 of
them cost the test threads, not 200 python-socketio clients.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import pytest
import websocket

from tests.conftest import temporary_postgres_database
from tests.realtime.members import WireSocket, mint_cookies
from tests.realtime.server import KringServer, World, new_secret_key, prepare_world, start_kring, stored_messages

pytestmark = pytest.mark.slow

BURST = 20  # messages per writer, sent without waiting for an answer
WRITERS = 5
RECONNECTING = 200  # sockets that come back at once after a restart
SERVER_TROUBLE = ("OperationalError", "database is locked", "WORKER TIMEOUT")


@dataclass
class Community:
    world: World
    secret_key: str
    cookies: dict[str, str]  # username -> a signed-in browser's Cookie header (one session each)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def community(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Community]:
    """RECONNECTING members of one group, each signed in once (sessions minted: sign-in is rate limited)."""
    secret_key = new_secret_key()
    if request.param == "sqlite":
        database_url = f"sqlite:///{tmp_path_factory.mktemp('fresh-burst') / 'kring.db'}"
        world = prepare_world(database_url, members=RECONNECTING)
        yield Community(world, secret_key, mint_cookies(database_url, secret_key, world.members))
        return
    with temporary_postgres_database("kring_fresh_burst") as database_url:
        world = prepare_world(database_url, members=RECONNECTING)
        yield Community(world, secret_key, mint_cookies(database_url, secret_key, world.members))


def fresh_server(community: Community, instance: Path) -> KringServer:
    return start_kring(
        instance, community.world.database_url, secret_key=community.secret_key, RATELIMIT_ENABLED="false"
    )


def send_bursts(sockets: list[WireSocket], conversation_id: int, tag: str) -> tuple[list[dict], float]:
    """Every socket sends BURST messages, all before any answer is read; returns the answers and the seconds
    from the first send to the last answer."""
    started = time.monotonic()
    sent = [
        (
            socket,
            [
                socket.emit(
                    "chat:send",
                    {
                        "conversation_id": conversation_id,
                        "client_id": f"{tag}-{writer}-{number}",
                        "body": "Back online",
                    },
                )
                for number in range(BURST)
            ],
        )
        for writer, socket in enumerate(sockets)
    ]
    try:
        answers = [answer for socket, ack_ids in sent for answer in socket.answers(ack_ids).values()]
    except websocket.WebSocketTimeoutException:
        answered = sum(len(socket.acks) for socket in sockets)
        pytest.fail(f"only {answered} of {BURST * len(sockets)} sends answered: the server stood still")
    return answers, time.monotonic() - started


def assert_all_stored_once(community: Community, answers: list[dict], tag: str, writers: int) -> None:
    refused = [answer for answer in answers if not answer.get("ok")]
    assert refused == [], f"{len(refused)} of {len(answers)} sends failed, e.g. {refused[:2]}"
    assert not any(answer["duplicate"] for answer in answers)
    rows = stored_messages(community.world.database_url, community.world.conversation_id)
    client_ids = [client_id for _seq, _author, client_id, _state in rows if client_id.startswith(f"{tag}-")]
    expected = {f"{tag}-{writer}-{number}" for writer in range(writers) for number in range(BURST)}
    assert sorted(client_ids) == sorted(expected), "each message stored exactly once"
    assert {answer["message"]["client_id"] for answer in answers} == expected
    assert len({answer["message"]["id"] for answer in answers}) == len(answers)
    seqs = [seq for seq, *_rest in rows]
    assert len(seqs) == len(set(seqs)), "no sequence number given twice"


def assert_server_kept_going(server: KringServer) -> None:
    assert server.alive(), "the server process died"
    log = server.log(200_000)
    assert not [trouble for trouble in SERVER_TROUBLE if trouble in log], log[-2000:]


def writer_sockets(server: KringServer, community: Community, count: int) -> list[WireSocket]:
    return [WireSocket(server.url, community.cookies[name]) for name in community.world.members[:count]]


def joined_socket(server: KringServer, cookie: str, conversation_id: int) -> WireSocket:
    """A member's page coming back: connect, then join the room (which reads its latest messages)."""
    socket = WireSocket(server.url, cookie, timeout=30)
    answer = socket.call("chat:join", {"conversation_id": conversation_id})
    if not answer.get("ok"):
        socket.close()
        raise AssertionError(f"chat:join refused: {answer}")
    return socket


def reconnect_all(pool: ThreadPoolExecutor, server: KringServer, community: Community) -> list[Future]:
    """Every member's socket connects and joins at once (one thread each)."""
    conversation_id = community.world.conversation_id
    return [
        pool.submit(joined_socket, server, community.cookies[name], conversation_id) for name in community.world.members
    ]


def gather(futures: list[Future]) -> list[WireSocket]:
    """All the sockets, or (after closing those that did connect) the first failure."""
    wait(futures)
    sockets = [future.result() for future in futures if future.exception() is None]
    failures = [future.exception() for future in futures if future.exception() is not None]
    if failures:
        for socket in sockets:
            socket.close()
        raise AssertionError(f"{len(failures)} of {len(futures)} sockets did not come back") from failures[0]
    return sockets


def burst_and_check(server: KringServer, community: Community, writers: int, tag: str) -> list[WireSocket]:
    """``writers`` members each send a burst at once; every message is answered and stored once. Returns the
    writers' sockets (the caller closes them)."""
    sockets = writer_sockets(server, community, writers)
    answers, seconds = send_bursts(sockets, community.world.conversation_id, tag)
    print(f"\n{writers} x {BURST} messages on a fresh process: {seconds:.2f} s")  # the measurement (pytest -s)
    assert_all_stored_once(community, answers, tag, writers)
    assert_server_kept_going(server)
    return sockets


def test_a_burst_from_one_client_right_after_the_server_starts_is_answered_and_stored_once(
    community: Community, tmp_path: Path
) -> None:
    server = fresh_server(community, tmp_path)
    sockets: list[WireSocket] = []
    try:
        sockets = burst_and_check(server, community, 1, "one")
    finally:
        for socket in sockets:
            socket.close()
        server.stop()


def test_bursts_from_five_clients_go_through_after_the_start_and_after_a_restart_while_200_sockets_reconnect(
    community: Community, tmp_path: Path
) -> None:
    server = fresh_server(community, tmp_path)
    opened: list[WireSocket] = []
    writers: list[WireSocket] = []
    try:
        writers = burst_and_check(server, community, WRITERS, "five")
        server.restart()  # a fresh process again: every socket drops, and every member's page comes back at once
        for socket in writers:
            socket.close()
        with ThreadPoolExecutor(max_workers=RECONNECTING) as pool:
            started = time.monotonic()
            coming_back = reconnect_all(pool, server, community)
            writers = writer_sockets(server, community, WRITERS)
            answers, seconds = send_bursts(writers, community.world.conversation_id, "restart")
            opened = gather(coming_back)
        print(  # the measurement (pytest -s shows it)
            f"\n{WRITERS} x {BURST} messages while {RECONNECTING} sockets reconnect: {seconds:.2f} s; "
            f"all {RECONNECTING} back and joined after {time.monotonic() - started:.2f} s"
        )
        assert len(opened) == RECONNECTING
        assert_all_stored_once(community, answers, "restart", WRITERS)
        assert_server_kept_going(server)
    finally:
        for socket in opened + writers:
            socket.close()
        server.stop()
