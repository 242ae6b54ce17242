"""System lines of a care conversation ("Anna added Ben"): stored in the conversation's sequence like a message
(state ``system``), so everyone in it sees them in the history, after a reconnect (catch-up by seq) and live
(``chat:message`` after the commit). Nobody edits, reacts to, reports or counts them as unread."""

from __future__ import annotations

import uuid

from community.auth.models import User
from community.chat.models import Conversation, Message
from community.chat.payloads import message_payload
from community.chat.policy import SYSTEM_STATE
from community.chat.sequence import next_seq
from community.core.realtime import conversation_room, queue_event
from community.core.time import utcnow
from community.extensions import db

EVENTS = ("started", "added", "removed", "renamed", "left", "declined", "accepted")


def add_line(conversation: Conversation, actor: User, event: str, *, subject: User | None = None) -> Message:
    """Store the line in the caller's transaction and queue its broadcast to the conversation's room. A rename or
    a start keeps the conversation's (new) name in ``body_source``, as it was then."""
    if event not in EVENTS:
        raise ValueError(f"unknown system line {event!r}")
    line = Message(
        conversation_id=conversation.id,
        author_id=actor.id,
        client_id=f"system:{uuid.uuid4().hex}",
        seq=next_seq(conversation.id),
        body_source=(conversation.title or "") if event in ("started", "renamed") else "",
        body_html="",
        state=SYSTEM_STATE,
        event=event,
        subject_id=subject.id if subject is not None else None,
        created_at=utcnow(),
    )
    db.session.add(line)
    db.session.flush()
    line.author, line.subject = actor, subject
    payload = message_payload(line, author_is_moderator=False)
    queue_event("chat:message", {"message": payload}, room=conversation_room(conversation.id))
    return line
