"""Which sockets are open, across every server process: for closing them and for who is online.

python-socketio keeps room membership per process, so a process can list only its own sockets. Sign-out,
suspension and removal from a group must reach a person's sockets wherever they are connected, and "who is
online" must count members on every process. With ``REDIS_URL`` set, this registry keeps in Redis, per socket,
whose it is and which groups it reads; without Redis there is one process and the Socket.IO server's own rooms
are the registry.

Closing or moving a socket held by another process goes through python-socketio's Redis manager:
``server.disconnect(sid)`` and ``server.leave_room(sid, room)`` publish the request when the socket is not
local, and the process that holds it carries it out.

A process that dies cannot clean up after itself, so every entry names its process, and each process renews
a short-lived "alive" key in Redis; entries of a process whose key has expired are ignored and swept.

Keys (prefix ``<channel>:sockets``): ``sid:<sid>`` hash (user, session, host, groups); ``user:<id>``,
``session:<id>`` sets of sids; ``group:<id>`` set of ``<user id>:<sid>``; ``host:<host>`` the alive key.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterable
from typing import Any

import redis
from flask import Flask

from community.extensions import socketio

log = logging.getLogger(__name__)
NAMESPACE = "/"
HOST_TTL_SECONDS = 30
HOST_RENEW_SECONDS = 10


class LocalRegistry:
    """One process: the Socket.IO server's rooms already say everything."""

    def add(self, sid: str, user_id: int, session_id: int | None, group_ids: Iterable[int]) -> None:
        pass

    def remove(self, sid: str) -> None:
        pass

    def leave_group(self, user_id: int, group_id: int) -> None:
        pass

    def _participants(self, room: str | None) -> list[str]:
        server = socketio.server
        if server is None:  # Socket.IO not initialised (a CLI command): no sockets here
            return []
        return [sid for sid, _eio_sid in list(server.manager.get_participants(NAMESPACE, room))]

    def sids_of_user(self, user_id: int) -> list[str]:
        return self._participants(f"user:{user_id}")

    def sids_of_session(self, session_id: int) -> list[str]:
        return self._participants(f"session:{session_id}")

    def all_sids(self) -> list[str]:
        return self._participants(None)  # python-socketio puts every connected socket in the room None

    def online_user_ids(self, group_id: int) -> set[int]:
        server = socketio.server
        if server is None:
            return set()
        manager = server.manager
        found = set()
        for sid in self._participants(f"group:{group_id}"):
            for name in manager.get_rooms(sid, NAMESPACE):
                if name.startswith("user:"):
                    found.add(int(name.removeprefix("user:")))
        return found


class RedisRegistry:
    """Several processes: the registry lives in Redis (see the module's docstring for the keys)."""

    def __init__(self, redis_url: str, prefix: str) -> None:
        self.redis = redis.Redis.from_url(redis_url, decode_responses=True)
        self.prefix = f"{prefix}:sockets"
        self.host = uuid.uuid4().hex[:12]
        self._renewer: threading.Thread | None = None

    def _key(self, *parts: object) -> str:
        return ":".join([self.prefix, *map(str, parts)])

    def start(self) -> None:
        """Mark this process alive now and keep renewing it in the background."""
        self._renew()
        if self._renewer is None:
            self._renewer = socketio.start_background_task(self._keep_alive)

    def _renew(self) -> None:
        self.redis.set(self._key("host", self.host), "1", ex=HOST_TTL_SECONDS)

    def _keep_alive(self) -> None:
        while True:
            socketio.sleep(HOST_RENEW_SECONDS)
            try:
                self._renew()
            except Exception as error:  # noqa: BLE001 (Redis away for a moment: try again next round)
                log.warning("could not renew the socket registry's alive key: %s", type(error).__name__)

    def add(self, sid: str, user_id: int, session_id: int | None, group_ids: Iterable[int]) -> None:
        groups = sorted(set(group_ids))
        if self._renewer is None:
            self.start()
        pipe = self.redis.pipeline()
        pipe.hset(
            self._key("sid", sid),
            mapping={
                "user": user_id,
                "session": session_id or "",
                "host": self.host,
                "groups": ",".join(map(str, groups)),
            },
        )
        pipe.sadd(self._key("user", user_id), sid)
        if session_id is not None:
            pipe.sadd(self._key("session", session_id), sid)
        for group_id in groups:
            pipe.sadd(self._key("group", group_id), f"{user_id}:{sid}")
        pipe.execute()

    def remove(self, sid: str) -> None:
        entry = self.redis.hgetall(self._key("sid", sid))
        if not entry:
            return
        self._forget(sid, entry)

    def _forget(self, sid: str, entry: dict[str, str]) -> None:
        pipe = self.redis.pipeline()
        pipe.delete(self._key("sid", sid))
        pipe.srem(self._key("user", entry["user"]), sid)
        if entry.get("session"):
            pipe.srem(self._key("session", entry["session"]), sid)
        for group_id in filter(None, entry.get("groups", "").split(",")):
            pipe.srem(self._key("group", group_id), f"{entry['user']}:{sid}")
        pipe.execute()

    def leave_group(self, user_id: int, group_id: int) -> None:
        for sid in self.sids_of_user(user_id):
            self.redis.srem(self._key("group", group_id), f"{user_id}:{sid}")
            entry = self.redis.hget(self._key("sid", sid), "groups") or ""
            remaining = [g for g in entry.split(",") if g and g != str(group_id)]
            self.redis.hset(self._key("sid", sid), "groups", ",".join(remaining))

    def _alive(self, sids: list[str]) -> list[str]:
        """The sids whose process is still alive; entries of dead processes are swept on the way."""
        if not sids:
            return []
        pipe = self.redis.pipeline()
        for sid in sids:
            pipe.hgetall(self._key("sid", sid))
        entries = dict(zip(sids, pipe.execute(), strict=True))
        hosts = sorted({entry["host"] for entry in entries.values() if entry})
        flags = self.redis.mget([self._key("host", host) for host in hosts]) if hosts else []
        alive_hosts = {host for host, flag in zip(hosts, flags, strict=True) if flag}
        living = []
        for sid, entry in entries.items():
            if entry and entry["host"] in alive_hosts:
                living.append(sid)
            elif entry:
                self._forget(sid, entry)
        return living

    def sids_of_user(self, user_id: int) -> list[str]:
        return self._alive(sorted(self.redis.smembers(self._key("user", user_id))))

    def sids_of_session(self, session_id: int) -> list[str]:
        return self._alive(sorted(self.redis.smembers(self._key("session", session_id))))

    def all_sids(self) -> list[str]:
        """Every open socket on every process (a new required document: everyone must decide again)."""
        prefix = self._key("sid", "")
        return self._alive(sorted(key.removeprefix(prefix) for key in self.redis.scan_iter(f"{prefix}*", count=500)))

    def online_user_ids(self, group_id: int) -> set[int]:
        members = self.redis.smembers(self._key("group", group_id))
        by_sid = {member.split(":", 1)[1]: int(member.split(":", 1)[0]) for member in members}
        return {by_sid[sid] for sid in self._alive(sorted(by_sid))}


Registry = LocalRegistry | RedisRegistry


def init_app(app: Flask) -> None:
    redis_url = app.config["REDIS_URL"]
    registry: Any = (
        RedisRegistry(redis_url, app.config["SOCKETIO_MESSAGE_QUEUE_CHANNEL"]) if redis_url else LocalRegistry()
    )
    app.extensions["kring_socket_registry"] = registry


def registry_of(app: Flask) -> Registry:
    return app.extensions["kring_socket_registry"]
