"""Who is online in a group: members with an open socket, except those who hide their presence.

Online means "has a Socket.IO connection" (any page of Kring, not only the chat). The list comes from the
socket registry (community/core/socket_registry.py): the Socket.IO server's rooms with one process, Redis with
several, so every process sees members connected to any of them. Nothing is written to the database per
connection.

A ``presence:update`` goes to the group's room when a member's status changes (their first socket connects,
their last one closes, they hide or show their presence). Changes are gathered for ``CHAT_PRESENCE_DELAY``
seconds (1 s; 0 in tests) and sent as one update per group, so a busy group's page loads do not each make a
broadcast to everyone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from flask import Flask, current_app
from sqlalchemy import select

from community.accessibility.models import MemberPreferences
from community.auth.models import User
from community.core.realtime import NAMESPACE, group_room, queue_event
from community.core.socket_registry import registry_of
from community.extensions import db, socketio
from community.groups import policy as groups_policy
from community.groups.models import Membership

log = logging.getLogger(__name__)
EVENT = "presence:update"
_pending: set[int] = set()
_lock = threading.Lock()


def online(group_id: int, *, leaving_user_id: int | None = None) -> list[dict]:
    """Members of the group connected to any server process who do not hide their presence, by name."""
    ids = registry_of(current_app).online_user_ids(group_id) - {leaving_user_id}
    if not ids:
        return []
    rows = db.session.execute(
        select(User.id, User.display_name)
        .join(Membership, (Membership.user_id == User.id) & (Membership.group_id == group_id))
        .outerjoin(MemberPreferences, MemberPreferences.user_id == User.id)
        .where(
            User.id.in_(sorted(ids)),
            User.state == "active",
            Membership.state.in_(groups_policy.READING_STATES),
            MemberPreferences.hide_presence.is_not(True),  # no preferences row: shown
        )
        .order_by(User.display_name, User.id)
    ).all()
    return [{"id": user_id, "display_name": name} for user_id, name in rows]


def payload(group_id: int, *, leaving_user_id: int | None = None) -> dict:
    return {"group_id": group_id, "online": online(group_id, leaving_user_id=leaving_user_id)}


def _has_other_socket(user_id: int, sid: str) -> bool:
    return any(other != sid for other in registry_of(current_app).sids_of_user(user_id))


def hides_presence(user_id: int) -> bool:
    return bool(db.session.scalar(select(MemberPreferences.hide_presence).where(MemberPreferences.user_id == user_id)))


def status_changed(group_ids: Iterable[int], *, leaving_user_id: int | None = None) -> None:
    """A member came online or went offline in these groups: update everyone there (gathered, see above).

    ``leaving_user_id``: during a disconnect the closing socket is still in its rooms; without a delay it
    must be left out by hand.
    """
    app = current_app._get_current_object()
    delay = float(app.config["CHAT_PRESENCE_DELAY"])
    groups = set(group_ids)
    if delay <= 0:
        _broadcast(groups, leaving_user_id)
        return
    with _lock:
        fresh = groups - _pending
        _pending.update(fresh)
    if fresh:
        socketio.start_background_task(_broadcast_later, app, fresh, delay)


def _broadcast(group_ids: set[int], leaving_user_id: int | None = None) -> None:
    for group_id in sorted(group_ids):
        socketio.emit(EVENT, payload(group_id, leaving_user_id=leaving_user_id), to=group_room(group_id))


def _broadcast_later(app: Flask, group_ids: set[int], delay: float) -> None:
    socketio.sleep(delay)
    with _lock:
        _pending.difference_update(group_ids)
    try:
        with app.app_context():
            _broadcast(group_ids)
            db.session.remove()
    except Exception as error:  # noqa: BLE001 (a background task: log the kind of failure, never member data)
        log.warning("presence update failed: %s", type(error).__name__)


def on_user_connected(user: User, *, sid: str, group_ids: Iterable[int], **_kw: object) -> None:
    """``auth.signals.user_connected`` (connected by chat's wiring)."""
    member_connected(user.id, group_ids, sid)


def on_user_disconnected(sid: str, **_kw: object) -> None:
    """``auth.signals.user_disconnected`` (connected by chat's wiring)."""
    member_disconnected(sid)


def member_connected(user_id: int, group_ids: Iterable[int], sid: str) -> None:
    """Called when a socket is accepted and in its rooms."""
    groups = sorted(set(group_ids))
    if not groups:
        return
    if _has_other_socket(user_id, sid) or hides_presence(user_id):
        # Nothing changed for the others; this new socket still wants the current lists.
        for group_id in groups:
            socketio.emit(EVENT, payload(group_id), to=sid)
        return
    status_changed(groups)


def member_disconnected(sid: str) -> None:
    """Called when a socket closes, while it is still in its rooms."""
    server = socketio.server
    if server is None:
        return
    rooms = server.manager.get_rooms(sid, NAMESPACE)
    user_ids = [int(name.removeprefix("user:")) for name in rooms if name.startswith("user:")]
    groups = {int(name.removeprefix("group:")) for name in rooms if name.startswith("group:")}
    if len(user_ids) != 1 or not groups:
        return
    user_id = user_ids[0]
    if _has_other_socket(user_id, sid) or hides_presence(user_id):
        return
    status_changed(groups, leaving_user_id=user_id)


def set_hide_presence(user: User, hide: bool) -> MemberPreferences:
    """Hide (or show again) the member in every group's list of who is online. The caller commits; the
    updated lists go out after the commit."""
    preferences = db.session.get(MemberPreferences, user.id)
    if preferences is None:
        preferences = MemberPreferences(user_id=user.id)
        db.session.add(preferences)
    changed = bool(preferences.hide_presence) != bool(hide)
    preferences.hide_presence = bool(hide)
    db.session.flush()
    if changed:
        group_ids = db.session.scalars(
            select(Membership.group_id).where(
                Membership.user_id == user.id, Membership.state.in_(groups_policy.READING_STATES)
            )
        ).all()
        for group_id in sorted(group_ids):
            queue_event(EVENT, payload(group_id), room=group_room(group_id))
    return preferences
