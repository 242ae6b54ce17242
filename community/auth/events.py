"""Socket.IO connection authorisation: the same server-side session as HTTP, checked on connect.

Flask's request hooks and ``login_required`` do not run for socket events, so connect checks the session
itself and refuses anonymous clients; each feature's event handlers re-check membership through policy.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, request, session
from flask_login import current_user
from flask_socketio import SocketIO, join_room

from community.auth import access_checks, signals, socket_groups, two_factor
from community.auth.sessions import session_id_for_token
from community.core.realtime import group_room, session_room, user_room
from community.core.sessions import SESSION_TOKEN_KEY
from community.core.socket_registry import registry_of

log = logging.getLogger(__name__)


def register(socketio: SocketIO) -> None:
    @socketio.on("connect")
    def on_connect(auth: object = None) -> bool:
        if not current_user.is_authenticated:
            return False  # refused: the client gets a connect_error
        if two_factor.must_enrol(current_user, current_app.config["STAFF_TWO_FACTOR_REQUIRED"]):
            return False  # staff who must set up two-step sign-in first get no live access either
        if not access_checks.account_open(current_user):  # consent: none while missing or withdrawn
            return False
        join_room(user_room(current_user.id))
        # Per browser session too: sign-out or "end this session" closes exactly this browser's sockets.
        session_id = session_id_for_token(session.get(SESSION_TOKEN_KEY))
        if session_id is not None:
            join_room(session_room(session_id))
        # Every group the member can read: live forum updates, unread counts and presence go to group rooms.
        # Removal from a group must also take the member out of its room (groups.services does that).
        group_ids = [access.group.id for access in socket_groups.readable_groups(current_user)]  # rules accepted
        for group_id in group_ids:
            join_room(group_room(group_id))
        # Known to every server process, so sign-out or removal can close or move it wherever it is held.
        registry_of(current_app).add(request.sid, current_user.id, session_id, group_ids)
        _announce_connected(current_user._get_current_object(), group_ids)
        return True

    @socketio.on("disconnect")
    def on_disconnect(*_args: Any) -> None:
        # A client can also send an event named "disconnect"; a real one has already begun closing the socket.
        if socketio.server.manager.is_connected(request.sid, "/"):
            return
        # No commit or session clean-up here: a server-side close (sign-out, suspension) runs this inside the
        # HTTP request that caused it, in that request's database session.
        try:
            registry_of(current_app).remove(request.sid)
        except Exception as error:  # noqa: BLE001 (a closing socket must close whatever happens)
            log.warning("socket registry on disconnect failed: %s", type(error).__name__)
        # Still in its rooms: receivers (chat's presence) see whose socket it was and where.
        for receiver in signals.user_disconnected.receivers_for(request.sid):
            try:
                receiver(request.sid)
            except Exception as error:  # noqa: BLE001 (a closing socket must close whatever happens)
                log.warning("a disconnect receiver failed: %s", type(error).__name__)


def _announce_connected(user: object, group_ids: list[int]) -> None:
    """Tell the receivers of ``signals.user_connected`` (chat's presence): a failure there must never refuse the
    connection, nor keep the other receivers from running."""
    for receiver in signals.user_connected.receivers_for(user):
        try:
            receiver(user, sid=request.sid, group_ids=group_ids)
        except Exception as error:  # noqa: BLE001
            log.warning("a connect receiver failed: %s", type(error).__name__)
