"""Socket.IO connection authorisation: the same server-side session as HTTP, checked on connect.

Flask's request hooks and ``login_required`` do not run for socket events, so connect checks the session
itself and refuses anonymous clients; each feature's event handlers re-check membership through policy.
"""

from __future__ import annotations

from flask_login import current_user
from flask_socketio import SocketIO, join_room

from community.core.realtime import user_room


def register(socketio: SocketIO) -> None:
    @socketio.on("connect")
    def on_connect(auth: object = None) -> bool:
        if not current_user.is_authenticated:
            return False  # refused: the client gets a connect_error
        join_room(user_room(current_user.id))
        return True
