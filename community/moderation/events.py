"""Socket.IO adapters for moderators: join a group's queue room to see items come and go live, and act on a
chat message from the chat room (the same actions as on the queue page). Each handler re-resolves the member,
checks the policy, calls one service, commits, and only then acknowledges."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_socketio import SocketIO, join_room, leave_room

from community.core.errors import DomainError, Forbidden
from community.extensions import db
from community.moderation import actions, queue

log = logging.getLogger(__name__)
Payload = dict[str, Any]
GENERIC_ERROR = _l("Something went wrong on our side. Nothing was changed: try again in a moment.")
BAD_PAYLOAD = _l("That request was not understood. Reload the page and try again.")


def _int(payload: Payload, name: str) -> int:
    value = payload.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise DomainError(BAD_PAYLOAD, field=name)
    return value


def _text(payload: Payload, name: str, limit: int = 20_000) -> str:
    value = payload.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise DomainError(BAD_PAYLOAD, field=name)
    return value


def moderation_event(socketio: SocketIO, name: str) -> Callable:
    def decorator(fn: Callable[[Any, Payload], Payload | None]) -> Callable:
        @functools.wraps(fn)
        def handler(*args: Any) -> Payload:
            try:
                if not current_user.is_authenticated:
                    raise Forbidden(_l("Your session has ended. Sign in again to go on."))
                payload = args[0] if args and isinstance(args[0], dict) else None
                if payload is None:
                    raise DomainError(BAD_PAYLOAD)
                result = fn(current_user._get_current_object(), payload) or {}
                db.session.commit()
                return {"ok": True, **result}
            except DomainError as error:
                db.session.rollback()
                return {"ok": False, "error": str(error.message)}
            except Exception as error:  # noqa: BLE001 (the handler must never crash the connection)
                db.session.rollback()
                log.error("moderation event %s failed: %s", name, type(error).__name__)
                return {"ok": False, "error": str(GENERIC_ERROR)}

        socketio.on(name)(handler)
        return handler

    return decorator


def register(socketio: SocketIO) -> None:
    @moderation_event(socketio, "moderation:join")
    def join(actor, payload: Payload) -> Payload:
        group = queue.moderated_group(actor, _int(payload, "group_id"))
        join_room(queue.queue_room(group.id))
        return {"group_id": group.id}

    @moderation_event(socketio, "moderation:leave")
    def leave(actor, payload: Payload) -> Payload:
        leave_room(queue.queue_room(_int(payload, "group_id")))
        return {}

    @moderation_event(socketio, "moderation:act")
    def act(actor, payload: Payload) -> Payload:
        """A moderator's action on a chat message from the chat room: {message_id, action, reason, days,
        revoke_codes} (``revoke_codes: true`` with "remove" withdraws the invitation the writer joined with)."""
        days = payload.get("days")
        row = actions.act_on_content(
            actor,
            "message",
            _int(payload, "message_id"),
            _text(payload, "action", 24),
            reason=_text(payload, "reason", 2000),
            body=_text(payload, "body"),
            days=days if isinstance(days, int) and not isinstance(days, bool) else None,
            revoke_codes=payload.get("revoke_codes") is True,
        )
        return {"action_id": row.id if row is not None else None}
