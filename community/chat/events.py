"""Socket.IO adapters for chat: validate the payload, call ONE service, commit, acknowledge.

Every event (docs/realtime.md) goes through :func:`chat_event`, which
* re-resolves the signed-in member (Flask's request hooks do not run for socket events) and refuses a socket
  whose session has ended;
* validates the payload strictly (``chat.validation``) before any service runs;
* commits once, so realtime events queued by the service are sent, and only then acknowledges;
* turns a ``DomainError`` into ``{"ok": false, "error": ..., "code": ...}`` after a rollback, and any other
  exception into a generic error after a rollback, logging only the exception's type (never member text).
Membership is re-checked on every event by the service (``open_conversation``), so a member removed or
suspended mid-session gets "not_found" at their next event.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_socketio import SocketIO, join_room, leave_room

from community.chat import editing, message_history, sending, services, throttle, unread, validation
from community.chat.errors import SERVER_ERROR, Waiting, code_of
from community.chat.message_history import Page
from community.chat.payloads import iso, message_payload, message_payloads
from community.chat.services import ConversationAccess
from community.core.errors import DomainError, Forbidden
from community.core.realtime import conversation_room
from community.core.time import utcnow
from community.extensions import db
from community.groups.policy import MODERATING_ROLES
from community.moderation.personal_details import PersonalDetailsWarning
from community.moderation.safeguarding import helplines as safeguarding_helplines
from community.reactions.models import REACTION_KINDS

log = logging.getLogger(__name__)
Payload = dict[str, Any]
GENERIC_ERROR = _l("Something went wrong on our side. Nothing was lost: try again in a moment.")
SIGNED_OUT = _l("Your session has ended. Sign in again to go on.")
REASON_MAX = 500


def error_ack(error: DomainError) -> Payload:
    ack: Payload = {"ok": False, "error": str(error.message), "code": code_of(error)}
    if isinstance(error, PersonalDetailsWarning):  # not a refusal: resend with "confirm_personal_details": true
        ack["warning"] = error.payload()
    if isinstance(error, Waiting):
        ack["seconds_left"] = error.seconds_left
    if error.field:
        ack["field"] = error.field
    return ack


def chat_event(socketio: SocketIO, name: str) -> Callable:
    """Register ``fn(actor, payload) -> dict`` as the handler of ``name`` (see the module docstring)."""

    def decorator(fn: Callable[[Any, Payload], Payload | None]) -> Callable:
        @functools.wraps(fn)
        def handler(*args: Any) -> Payload:
            try:
                if not current_user.is_authenticated:
                    raise Forbidden(SIGNED_OUT)
                payload = validation.payload_object(args[0] if args else None)
                result = fn(current_user._get_current_object(), payload) or {}
                db.session.commit()
                return {"ok": True, **result}
            except DomainError as error:
                db.session.rollback()
                return error_ack(error)
            except Exception as error:  # noqa: BLE001 (the handler must never crash the connection)
                db.session.rollback()
                log.error("chat event %s failed: %s", name, type(error).__name__)
                return {"ok": False, "error": str(GENERIC_ERROR), "code": SERVER_ERROR}

        socketio.on(name)(handler)
        return handler

    return decorator


def conversation_info(access: ConversationAccess) -> Payload:
    conversation = access.conversation
    return {
        "id": conversation.id,
        "kind": conversation.kind,
        "group_id": conversation.group_id,
        "title": access.title,
        "last_seq": conversation.last_seq,
        "slow_mode_seconds": access.slow_mode_seconds,
        "can_write": access.can_write,
        "care": bool(conversation.care),  # a care conversation: ``title`` is its name (chat.care)
        "request_pending": access.request_pending,  # the reader has a request to accept or decline first
    }


def page_ack(access: ConversationAccess, page: Page) -> Payload:
    return {"messages": message_payloads(page.messages, access.group.id), "has_more": page.has_more}


def _open(actor: Any, payload: Payload) -> ConversationAccess:
    return services.open_conversation(actor, validation.integer(payload, "conversation_id"))


def register(socketio: SocketIO) -> None:
    @chat_event(socketio, "chat:join")
    def join(actor: Any, payload: Payload) -> Payload:
        access = _open(actor, payload)  # staff reading a private conversation are logged there (committed below)
        synced_at = utcnow()  # before the read: a change committed during it is caught up next time
        ack = {"conversation": conversation_info(access), **page_ack(access, message_history.latest(access))}
        ack["synced_at"] = iso(synced_at)
        join_room(conversation_room(access.conversation.id))
        return ack

    @chat_event(socketio, "chat:leave")
    def leave(actor: Any, payload: Payload) -> Payload:
        # Leaving only takes something away, so it needs no rights (a removed member may tidy up too).
        leave_room(conversation_room(validation.integer(payload, "conversation_id")))
        return {}

    @chat_event(socketio, "chat:history")
    def history(actor: Any, payload: Payload) -> Payload:
        access = _open(actor, payload)
        before = validation.integer(payload, "before_seq")
        limit = validation.optional_integer(
            payload, "limit", default=message_history.PAGE_SIZE, maximum=message_history.PAGE_SIZE
        )
        return page_ack(
            access, message_history.latest(access, before_seq=before, limit=limit or message_history.PAGE_SIZE)
        )

    @chat_event(socketio, "chat:catch_up")
    def catch_up(actor: Any, payload: Payload) -> Payload:
        access = _open(actor, payload)
        after_seq = validation.integer(payload, "after_seq", minimum=0)
        changed_since = validation.optional_moment(payload, "changed_since")
        ack = page_ack(access, message_history.catch_up(access, after_seq))
        if changed_since is not None:
            changes = message_history.changes_since(access, changed_since, after_seq)
            ack["changes"] = {
                "updated": message_payloads(changes.updated, access.group.id),
                "removed": changes.removed_ids,
            }
            ack["synced_at"] = iso(changes.synced_at)
        return ack

    @chat_event(socketio, "chat:send")
    def send(actor: Any, payload: Payload) -> Payload:
        conversation_id = validation.integer(payload, "conversation_id")
        client_id = validation.client_id(payload)
        body = validation.text(payload, "body", max_length=sending.MESSAGE_MAX)
        reply_to_id = validation.optional_integer(payload, "reply_to_id")
        # Without the flag the writer is warned about personal details; true: "Publish anyway" was chosen.
        confirm = "confirm_personal_details" in payload and validation.boolean(payload, "confirm_personal_details")
        access = services.open_conversation(actor, conversation_id)
        result = sending.send(
            access, client_id=client_id, body=body, reply_to_id=reply_to_id, confirm_personal_details=confirm
        )
        if result.duplicate:
            message = message_payloads([result.message], access.group.id)[0] | {"client_id": result.message.client_id}
        else:
            is_moderator = access.membership.role in MODERATING_ROLES
            message = message_payload(result.message, author_is_moderator=is_moderator, client_id=True)
        ack = {"message": message, "duplicate": result.duplicate}
        if result.notices:  # the safeguarding helplines, as plain text, and where to find them all
            ack |= safeguarding_helplines.notices_ack(result.notices)
        return ack

    @chat_event(socketio, "chat:edit")
    def edit(actor: Any, payload: Payload) -> Payload:
        message_id = validation.integer(payload, "message_id")
        body = validation.text(payload, "body", max_length=sending.MESSAGE_MAX)
        change = editing.edit_message(actor, message_id, body)
        return {"message": message_payloads([change.message], change.access.group.id)[0]}

    @chat_event(socketio, "chat:delete")
    def delete(actor: Any, payload: Payload) -> Payload:
        message_id = validation.integer(payload, "message_id")
        reason = validation.text(payload, "reason", max_length=REASON_MAX, required=False)
        editing.delete_message(actor, message_id, reason=reason)
        return {}

    @chat_event(socketio, "chat:react")
    def react(actor: Any, payload: Payload) -> Payload:
        message_id = validation.integer(payload, "message_id")
        kind = validation.choice(payload, "kind", REACTION_KINDS)
        on = validation.boolean(payload, "on")
        _change, counts = editing.set_reaction(actor, message_id, kind, on=on)
        return {"reactions": counts}

    @chat_event(socketio, "chat:typing")
    def typing(actor: Any, payload: Payload) -> Payload:
        access = _open(actor, payload)
        sending.require_write(access)
        if throttle.may_announce_typing(actor.id, access.conversation.id):
            user = {"id": actor.id, "display_name": actor.display_name}
            socketio.emit(
                "chat:typing",
                {"conversation_id": access.conversation.id, "user": user},
                to=conversation_room(access.conversation.id),
                skip_sid=request.sid,
            )
        return {}

    @chat_event(socketio, "chat:read")
    def read(actor: Any, payload: Payload) -> Payload:
        access = _open(actor, payload)
        unread.mark_read(access, validation.integer(payload, "seq", minimum=0))
        return {}
