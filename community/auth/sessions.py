"""Starting, resolving and ending server-side sign-in sessions."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import Select, String, bindparam, select, update
from sqlalchemy.orm import joinedload

from community.auth.models import User, UserSession
from community.core import page_preloads
from community.core.time import utcnow
from community.extensions import db


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, user_agent: str = "") -> str:
    """Create a session row and return the token for the cookie (the row keeps only its hash)."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=token_hash(token), user_agent=user_agent[:120]))
    return token


def user_for_token(token: str, *, with_memberships: bool = False) -> User | None:
    """The signed-in member for this token, or None if the session ended, expired, or the account is inactive.

    ``with_memberships``: load ``user.memberships`` and ``user.preferences`` in the same statement. A page
    asks about them several times (the two-step rule for staff, the navigation's moderation and insight links,
    the consent gate; the display settings, collapsed content warnings), and each asking was a statement.
    The values features registered with ``core.page_preloads`` come with it too.
    """
    oldest_allowed = utcnow() - timedelta(seconds=current_app.config["PERMANENT_SESSION_LIFETIME"])
    statement, preloads = _session_statement(with_memberships)
    row = db.session.execute(statement, {"token_hash": token_hash(token)}).unique().first()
    if row is None:
        return None
    user_session, user = row[0], row[1]
    if user_session.created_at < oldest_allowed or not user.is_active:
        return None
    if preloads:
        page_preloads.remember(user.id, preloads, tuple(row[2:]))
    return user


@functools.cache
def _session_statement(with_memberships: bool) -> tuple[Select, tuple[page_preloads.Preload, ...]]:
    """Built once per process (every request and socket event runs it; building costs more than running)."""
    preloads = page_preloads.registered() if with_memberships else ()
    query = (
        select(UserSession, User, *(p.build(User.id).label(f"preload_{p.name}") for p in preloads))
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == bindparam("token_hash", type_=String), UserSession.ended_at.is_(None))
    )
    if with_memberships:
        query = query.options(joinedload(User.memberships), joinedload(User.preferences))
    return query, preloads


def end_session_by_token(token: str) -> None:
    """End this browser's session row. The caller commits."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == token_hash(token), UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def end_all_sessions(user_id: int) -> int:
    """End every open session of a member (sign out everywhere, suspension). Caller commits."""
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    return result.rowcount or 0


def session_id_for_token(token: str | None) -> int | None:
    """The id of the open session this cookie token belongs to (for "this device" and socket rooms)."""
    if not token:
        return None
    return db.session.scalar(
        select(UserSession.id).where(UserSession.token_hash == token_hash(token), UserSession.ended_at.is_(None))
    )


def touch_session(token: str) -> None:
    """Note activity on an open session (for the sessions list). The caller commits; see core.sessions."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == token_hash(token), UserSession.ended_at.is_(None))
        .values(last_seen_at=utcnow())
    )
