"""Server-side sign-in sessions wired into Flask-Login.

The signed cookie holds a random session token; the ``user_sessions`` row holds its hash. Every request and
every Socket.IO event resolves the token again, so ending the row (sign-out, "sign out everywhere", a
suspension) ends access at once, and a copied cookie stops working.
"""

from __future__ import annotations

import time

from flask import Flask, session

from community.extensions import login_manager

SESSION_TOKEN_KEY = "kring_sid"  # noqa: S105 (a session key name, not a secret)
LAST_SEEN_KEY = "kring_seen"


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = None  # our own server-side sessions replace it

    @login_manager.request_loader
    def load_user_from_session(_request: object) -> object | None:
        from community.auth import sessions as auth_sessions

        token = session.get(SESSION_TOKEN_KEY)
        if not token:
            return None
        # Idle time-out, kept in the signed cookie so that reading a page never writes to the database.
        now = int(time.time())
        if now - int(session.get(LAST_SEEN_KEY, 0)) > app.config["SESSION_IDLE_SECONDS"]:
            auth_sessions.end_session_by_token(token)
            session.clear()
            return None
        user = auth_sessions.user_for_token(token)
        if user is None:
            session.clear()
            return None
        session[LAST_SEEN_KEY] = now
        return user
