"""Socket.IO connection authorisation: the same server-side session as HTTP, checked on connect.

Flask's request hooks and ``login_required`` do not run for socket events, so connect checks the session
itself and refuses anonymous clients; each feature's event handlers re-check membership through policy.
"""

from __future__ import annotations

import logging

from flask import current_app, request, session
from flask_login import current_user
from flask_socketio import SocketIO, join_room

from community.auth import access_checks, two_factor
from community.auth.sessions import session_id_for_token
from community.core.realtime import group_room, session_room, user_room
from community.core.sessions import SESSION_TOKEN_KEY
from community.core.socket_registry import registry_of
from community.groups.services import memberships_of


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
        group_ids = [access.group.id for access in memberships_of(current_user, entering=True)]  # rules accepted
        for group_id in group_ids:
            join_room(group_room(group_id))
        # Known to every server process, so sign-out or removal can close or move it wherever it is held.
        registry_of(current_app).add(request.sid, current_user.id, session_id, group_ids)
        _announce_presence(current_user.id, group_ids)
        return True


def _announce_presence(user_id: int, group_ids: list[int]) -> None:
    """Who is online (chat.presence): a failure there must never refuse the connection."""
    from community.chat import presence  # a feature's service; imported late to keep start-up order simple

    try:
        presence.member_connected(user_id, group_ids, request.sid)
    except Exception as error:  # noqa: BLE001
        logging.getLogger(__name__).warning("presence on connect failed: %s", type(error).__name__)
