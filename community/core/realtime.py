"""Persist, then broadcast.

Services call :func:`queue_event`; the events wait for the commit (``core.transaction.on_commit_batch``) and
are emitted by Flask-SocketIO, together and in order, only after the outermost transaction commits. A rollback
of the transaction, or of the savepoint they were queued in, drops them, so nobody is ever told about something
that was not stored.
With REDIS_URL set, Flask-SocketIO sends through the Redis queue and every server process delivers them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

from flask import current_app

from community.core.socket_registry import registry_of
from community.core.transaction import on_commit_batch
from community.extensions import socketio

log = logging.getLogger(__name__)
NAMESPACE = "/"


@dataclass(frozen=True)
class PendingEvent:
    name: str
    payload: dict[str, Any]
    room: str
    namespace: str = "/"


@dataclass(frozen=True)
class _Leave:
    user_id: int
    group_id: int


def queue_event(name: str, payload: dict[str, Any], *, room: str, namespace: str = "/") -> None:
    """Emit this event to ``room`` once the transaction commits (dropped if it, or its savepoint, rolls back)."""
    on_commit_batch(_emit_committed, PendingEvent(name, payload, room, namespace))


def group_room(group_id: int) -> str:
    return f"group:{group_id}"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def session_room(session_id: int) -> str:
    """Every socket of one signed-in browser (UserSession), so ending that session can close them."""
    return f"session:{session_id}"


def conversation_room(conversation_id: int) -> str:
    """The sockets that have a conversation open (joined with chat:join after a policy check)."""
    return f"conversation:{conversation_id}"


class GroupRooms(Protocol):
    """A feature's rooms that belong to a group (chat: the group's conversations). Registered at start-up from the
    feature's wiring, so that leaving a group also leaves them. Both run after the commit, outside the session:
    they read with their own connection."""

    def rooms_in_group(self, group_id: int, rooms: set[str]) -> set[str]:
        """Which of ``rooms`` (names a socket is in) belong to the group."""

    def joinable_rooms(self, user_id: int, group_id: int) -> set[str]:
        """Every room of the group the member could have joined (for sockets held by another process)."""


_group_rooms: list[GroupRooms] = []


def register_group_rooms(provider: GroupRooms) -> None:
    """Add a feature's rooms to what :func:`leave_group_rooms` leaves. Call from the feature's wiring."""
    if provider not in _group_rooms:
        _group_rooms.append(provider)


def leave_group_rooms(user_id: int, group_id: int) -> None:
    """Take a member's sockets out of a group's room and the rooms features hold in it, at once, on every process.

    Call after the commit that removed them (``leave_group_rooms_after_commit`` does). Sockets on this
    process leave exactly the rooms they are in; for sockets held by another process (found through the
    socket registry) the request goes over the Redis queue for the group's room and every room of the group
    the member could have joined (for chat: the group room and their private conversations there).
    """
    server = socketio.server
    if server is None:  # Socket.IO not initialised (a CLI command): no sockets here
        return
    manager = server.manager
    registry = registry_of(current_app)
    local = [sid for sid, _ in list(manager.get_participants(NAMESPACE, user_room(user_id)))]
    remote = [sid for sid in registry.sids_of_user(user_id) if sid not in set(local)]
    rooms = {sid: list(manager.get_rooms(sid, NAMESPACE)) for sid in local}
    joined = {name for names in rooms.values() for name in names}
    leaving = {group_room(group_id)}
    for provider in _group_rooms:
        leaving |= provider.rooms_in_group(group_id, joined)
    for sid, names in rooms.items():
        for name in names:
            if name in leaving:
                server.leave_room(sid, name, namespace=NAMESPACE)
    if remote:
        remote_rooms = {group_room(group_id)}
        for provider in _group_rooms:
            remote_rooms |= provider.joinable_rooms(user_id, group_id)
        ordered = [group_room(group_id), *sorted(remote_rooms - {group_room(group_id)})]
        for sid in remote:
            for name in ordered:
                server.leave_room(sid, name, namespace=NAMESPACE)  # published to the process that holds it
    registry.leave_group(user_id, group_id)


def leave_group_rooms_after_commit(user_id: int, group_id: int) -> None:
    """Run :func:`leave_group_rooms` once the current transaction commits (dropped on rollback)."""
    on_commit_batch(_emit_committed, _Leave(user_id, group_id))


def _emit_committed(queued: list[PendingEvent | _Leave]) -> None:
    """A transaction's broadcasts, together: everyone removed leaves the rooms first, so nothing queued in the
    same transaction reaches a member who was just removed; then the events, in the order they were queued."""
    for leave in sorted({(item.user_id, item.group_id) for item in queued if isinstance(item, _Leave)}):
        try:
            leave_group_rooms(*leave)
        except Exception:  # noqa: BLE001 (committed already: a failed leave must not look like a failed removal)
            log.warning("could not take a member's sockets out of a group's rooms", exc_info=False)
    for item in queued:
        if isinstance(item, PendingEvent):
            try:
                socketio.emit(item.name, item.payload, to=item.room, namespace=item.namespace)
            except Exception as error:  # noqa: BLE001 (committed already: the others still go; clients catch up)
                log.warning("could not emit %s: %s", item.name, type(error).__name__)


def limit_websocket_messages(limit: int, *, deflate: bool = False) -> None:
    """Make simple-websocket refuse a frame larger than ``limit`` while reading it, and accept
    permessage-deflate only when ``deflate`` (``SOCKETIO_PERMESSAGE_DEFLATE``) is on.

    Engine.IO checks its buffer size only after a whole frame is in memory, so one anonymous 200 MB frame
    would cost a worker 400 MB. Engine.IO does not pass ``max_message_size`` on; this wraps its WebSocket class.

    Deflate: browsers always offer it and simple-websocket always accepts it; then every frame is compressed
    once per receiving socket. A chat frame is a few hundred bytes, so it saves little bandwidth and costs more
    CPU than sending the frame (docs/performance.md: a room of 200 spends more than half its broadcast time
    compressing). Socket.IO's own server has it off by default for the same reason. Without the offer in the
    handshake, the connection is made without the extension.
    """
    eio = socketio.server.eio
    base = eio._async["websocket"]

    class LimitedWebSocket(base):  # type: ignore[misc, valid-type]
        def __init__(self, handler: Any, server: Any) -> None:
            super().__init__(handler, server)
            self.server_args["max_message_size"] = limit

        def __call__(self, environ: dict, start_response: Any) -> Any:
            if not deflate:
                environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
            return super().__call__(environ, start_response)

    eio._async = {**eio._async, "websocket": LimitedWebSocket}
