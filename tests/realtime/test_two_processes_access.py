"""Access changes reach sockets held by the other process: sign-out closes them, removal from a group takes
them out of its rooms, and "who is online" counts members on both processes (the socket registry in Redis)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import temporary_postgres_database
from tests.realtime.members import connect, sign_in, sign_out
from tests.realtime.server import World, prepare_world
from tests.realtime.test_two_processes import DELIVERY_TIMEOUT, QUIET_PERIOD, Listener, send, start_pair

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with temporary_postgres_database("kring_two_processes_access") as database_url:
        yield prepare_world(database_url, members=4)


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def submit_form(base_url: str, cookie: str, path: str, fields: dict[str, str]) -> int:
    """GET a page with a form, then POST it with the page's CSRF token, as a browser would."""
    jar = dict(part.strip().split("=", 1) for part in cookie.split(";") if "=" in part)
    page = requests.get(f"{base_url}{path}", headers={"Cookie": cookie}, timeout=10)
    match = _CSRF.search(page.text)
    assert match, f"no form on {path} ({page.status_code})"
    jar.update(page.cookies.items())  # the page put its CSRF secret in the (signed) session cookie
    answer = requests.post(
        f"{base_url}{path}",
        data={"csrf_token": match.group(1) or match.group(2), **fields},
        headers={"Cookie": "; ".join(f"{name}={value}" for name, value in jar.items())},
        allow_redirects=False,
        timeout=10,
    )
    return answer.status_code


def test_signing_out_on_one_process_closes_the_socket_held_by_the_other(
    world: World, redis_url: str, tmp_path: Path
) -> None:
    server_a, server_b = start_pair(tmp_path, world, redis_url)
    try:
        cookie = sign_in(server_a.url, "member1")
        far_socket = connect(server_b.url, cookie)
        other_member = connect(server_b.url, sign_in(server_b.url, "member2"))
        try:
            assert far_socket.connected
            sign_out(server_a.url, cookie)
            assert wait_until(lambda: not far_socket.connected, DELIVERY_TIMEOUT), "B kept the signed-out socket"
            assert other_member.connected, "only that browser's sockets close"
        finally:
            far_socket.disconnect()
            other_member.disconnect()
    finally:
        server_a.stop()
        server_b.stop()


def test_removal_on_one_process_takes_the_member_out_of_the_rooms_on_the_other(
    world: World, redis_url: str, tmp_path: Path
) -> None:
    server_a, server_b = start_pair(tmp_path, world, redis_url)
    listeners: list[Listener] = []
    try:
        writer = Listener(server_a, "member2", world.conversation_id)
        removed = Listener(server_b, "member4", world.conversation_id)
        listeners = [writer, removed]
        before = send(writer.client, world.conversation_id, "Before the removal")
        assert removed.wait_for(before["id"], DELIVERY_TIMEOUT), "member4 was in the room on B"

        admin = sign_in(server_a.url, "admin")
        path = f"/admin/groups/{world.group_id}/members/{world.users['member4']}/remove"
        assert submit_form(server_a.url, admin, path, {"reason": "Test of removal across processes"}) in (302, 303)

        after = send(writer.client, world.conversation_id, "After the removal")
        assert writer.wait_for(after["id"], DELIVERY_TIMEOUT)
        assert not removed.wait_for(after["id"], QUIET_PERIOD), "the removed member still heard the room on B"
    finally:
        for listener in listeners:
            listener.close()
        server_a.stop()
        server_b.stop()


def test_who_is_online_counts_members_connected_to_either_process(world: World, redis_url: str, tmp_path: Path) -> None:
    server_a, server_b = start_pair(tmp_path, world, redis_url)
    seen: list[set[int]] = []
    arrived = threading.Event()
    try:
        watcher = connect(server_b.url, sign_in(server_b.url, "member3"))

        def on_presence(data: dict) -> None:
            if data.get("group_id") == world.group_id:
                seen.append({person["id"] for person in data["online"]})
                arrived.set()

        watcher.on("presence:update", on_presence)
        newcomer = connect(server_a.url, sign_in(server_a.url, "member1"))
        try:
            member1, member3 = world.users["member1"], world.users["member3"]
            assert wait_until(lambda: any({member1, member3} <= ids for ids in seen), DELIVERY_TIMEOUT), seen
            newcomer.disconnect()
            assert wait_until(lambda: seen and member1 not in seen[-1], DELIVERY_TIMEOUT), "gone again on B"
        finally:
            newcomer.disconnect()
            watcher.disconnect()
    finally:
        server_a.stop()
        server_b.stop()
