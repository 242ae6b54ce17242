"""Persist, then broadcast.

Services call :func:`queue_event`; the events wait in the session and are emitted by Flask-SocketIO only after
the transaction commits. A rollback drops them, so nobody is ever told about something that was not stored.
With REDIS_URL set, Flask-SocketIO sends through the Redis queue and every server process delivers them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from community.extensions import db, socketio

_PENDING_KEY = "kring_pending_events"


@dataclass(frozen=True)
class PendingEvent:
    name: str
    payload: dict[str, Any]
    room: str
    namespace: str = "/"


def queue_event(name: str, payload: dict[str, Any], *, room: str, namespace: str = "/") -> None:
    # Begin the transaction now: a rollback of a session that never began one fires no rollback hook,
    # and the event would otherwise survive into the next commit.
    db.session.connection()
    db.session.info.setdefault(_PENDING_KEY, []).append(PendingEvent(name, payload, room, namespace))


def group_room(group_id: int) -> str:
    return f"group:{group_id}"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def session_room(session_id: int) -> str:
    """Every socket of one signed-in browser (UserSession), so ending that session can close them."""
    return f"session:{session_id}"


@event.listens_for(Session, "after_commit")
def _emit_after_commit(session: Session) -> None:
    pending: list[PendingEvent] = session.info.pop(_PENDING_KEY, [])
    for item in pending:
        socketio.emit(item.name, item.payload, to=item.room, namespace=item.namespace)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_PENDING_KEY, None)
