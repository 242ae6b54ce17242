"""Server-side sign-in sessions wired into Flask-Login.

The signed cookie holds a random session token; the ``user_sessions`` row holds its hash. Every request and
every Socket.IO event resolves the token again, so ending the row (sign-out, "sign out everywhere", a
suspension) ends access at once, and a copied cookie stops working.

Core holds the mechanism (the cookie, the idle time-out, Flask-Login's loader); the feature that owns accounts
registers the store of sessions (:class:`SessionStore`: auth's ``sessions`` module) from its wiring.
"""

from __future__ import annotations

import time
from typing import Protocol

from flask import Flask, request, session
from flask_login import current_user

from community.extensions import db, login_manager

SESSION_TOKEN_KEY = "kring_sid"  # noqa: S105 (a session key name, not a secret)
LAST_SEEN_KEY = "kring_seen"
SEEN_DB_KEY = "kring_seen_db"
SEEN_DB_EVERY_SECONDS = 5 * 60
# The idle time-out counts from the last request, to within this many seconds.
LAST_SEEN_PRECISION_SECONDS = 30


class SessionStore(Protocol):
    """Where sessions live: resolve a cookie's token to its member, end it, note activity on it."""

    def user_for_token(self, token: str, *, with_memberships: bool = False) -> object | None: ...

    def end_session_by_token(self, token: str) -> None: ...

    def touch_session(self, token: str) -> None: ...


_stores: list[SessionStore] = []


def register_store(store: SessionStore) -> None:
    """The one store of sessions; called from the owning feature's wiring (a later call replaces it)."""
    _stores[:] = [store]


def _store() -> SessionStore | None:
    return _stores[0] if _stores else None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = None  # our own server-side sessions replace it

    @login_manager.request_loader
    def load_user_from_session(_request: object) -> object | None:
        token = session.get(SESSION_TOKEN_KEY)
        store = _store()
        if not token or store is None:
            return None
        now = int(time.time())
        # A Socket.IO event after connect sees the cookie as it was at the handshake, so its age says nothing
        # about idleness: an open chat is activity. The handshake itself carries the browser's current cookie
        # and is checked like a page. The server-side checks (ended, absolute lifetime, account) always apply.
        event = getattr(request, "event", None)
        in_socket_event = isinstance(event, dict) and event.get("message") != "connect"
        # Idle time-out, kept in the signed cookie so that reading a page never writes to the database.
        if not in_socket_event and now - int(session.get(LAST_SEEN_KEY, 0)) > app.config["SESSION_IDLE_SECONDS"]:
            store.end_session_by_token(token)
            db.session.commit()
            session.clear()
            return None
        user = store.user_for_token(token, with_memberships=not in_socket_event)
        if user is None:
            if not in_socket_event:
                session.clear()
            return None
        if not in_socket_event and now - int(session.get(LAST_SEEN_KEY, 0)) >= LAST_SEEN_PRECISION_SECONDS:
            session[LAST_SEEN_KEY] = now  # not on every request: an unchanged session sends no new cookie
        return user

    @app.before_request
    def record_activity() -> None:
        # A request hook, not the loader: it runs before any view work, so its commit can never carry a
        # view's half-done changes. Socket.IO events do not run request hooks (they cannot update the cookie).
        if request.endpoint != "static" and current_user.is_authenticated:
            _record_activity(session.get(SESSION_TOKEN_KEY, ""), int(time.time()))


def _record_activity(token: str, now: int) -> None:
    """Keep ``UserSession.last_seen_at`` roughly right for the "where you are signed in" list, writing at most
    once every few minutes per session (the time of the last write rides in the signed cookie)."""
    last_write = session.get(SEEN_DB_KEY)
    if last_write is None:
        session[SEEN_DB_KEY] = now  # a new session: its row was just written with last_seen_at = now
        return
    if now - int(last_write) < SEEN_DB_EVERY_SECONDS:
        return
    store = _store()
    if store is None:
        return
    store.touch_session(token)
    db.session.commit()
    session[SEEN_DB_KEY] = now
