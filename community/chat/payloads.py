"""Messages as the protocol sends them (docs/realtime.md, "Message"). Built for a whole page of messages with a
fixed number of queries: authors and replied-to messages are loaded with the messages, moderator roles and
reaction counts in one grouped query each.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from community.attachments.models import Attachment
from community.auth.models import User
from community.chat.models import Message
from community.chat.policy import SYSTEM_STATE
from community.extensions import db
from community.groups.models import Membership
from community.groups.policy import MODERATING_ROLES
from community.reactions.models import REACTION_KINDS, Reaction

EXCERPT_LENGTH = 80
HIDDEN_STATES = ("removed", "deleted", "refused", "hidden")


def iso(moment: datetime | None) -> str | None:
    """Naive UTC from the database as ISO 8601 with a Z, the form every client parses the same way."""
    return None if moment is None else moment.isoformat(timespec="seconds") + "Z"


def excerpt(source: str) -> str:
    flat = " ".join(source.split())
    return flat if len(flat) <= EXCERPT_LENGTH else flat[: EXCERPT_LENGTH - 1].rstrip() + "…"


def author_of(user: User | None, is_moderator: bool) -> dict[str, Any] | None:
    """None is "former member": an account that was erased (or its row gone) leads nowhere."""
    if user is None or user.state == "deleted":
        return None
    return {"id": user.id, "display_name": user.display_name, "is_moderator": is_moderator}


def reply_of(target: Message | None) -> dict[str, Any] | None:
    if target is None:
        return None
    visible = target.state == "published"
    author = target.author if target.author is not None and target.author.state != "deleted" else None
    return {
        "id": target.id,
        "author_name": author.display_name if author is not None else None,
        # Only a published message lends its words to a reply: a held or removed one shows no excerpt.
        "excerpt": excerpt(target.body_source) if visible else "",
    }


def attachment_of(attachment: Attachment) -> dict[str, Any]:
    """A file of a message: its address (``attachments.download`` checks the reader again) and what shows it."""
    shown = {"id": attachment.id, "kind": attachment.kind, "url": f"/files/{attachment.id}"}
    if attachment.kind == "image":
        return shown | {"alt_text": attachment.alt_text, "width": attachment.width, "height": attachment.height}
    return shown | {"title": attachment.title, "pages": attachment.page_count, "size": attachment.byte_size}


def message_payload(
    message: Message,
    *,
    author_is_moderator: bool,
    reactions: dict[str, int] | None = None,
    client_id: bool = False,
) -> dict[str, Any]:
    """One message. ``client_id`` only in the writer's own acknowledgement (it is the writer's bookkeeping)."""
    payload = {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "seq": message.seq,
        "author": author_of(message.author, author_is_moderator),
        "body_html": "" if message.state in HIDDEN_STATES else message.body_html,
        "state": message.state,
        "reply_to": reply_of(message.reply_to) if message.reply_to_id is not None else None,
        "created_at": iso(message.created_at),
        "edited_at": iso(message.edited_at),
        "reactions": reactions or {},
        "attachments": [] if message.state in HIDDEN_STATES else [attachment_of(a) for a in message.attachments],
    }
    if client_id:
        payload["client_id"] = message.client_id
    if message.state == SYSTEM_STATE:
        payload["system"] = system_line(message)
    return payload


def _name(user: User | None) -> str:
    return user.display_name if user is not None and user.state != "deleted" else str(_l("former member"))


def system_line(message: Message) -> dict[str, Any]:
    """A care conversation's system line: what happened, and the sentence to show (plain text, escaped where it
    is shown). Built in the language of the request that builds it: a page in the reader's, a live broadcast in
    the writer's (docs/realtime.md)."""
    actor, subject, title = _name(message.author), _name(message.subject), message.body_source
    sentences = {
        "started": _l("%(actor)s started the conversation “%(title)s”", actor=actor, title=title),
        "added": _l("%(actor)s added %(subject)s", actor=actor, subject=subject),
        "removed": _l("%(actor)s removed %(subject)s", actor=actor, subject=subject),
        "renamed": _l("%(actor)s renamed the conversation “%(title)s”", actor=actor, title=title),
        "left": _l("%(actor)s left the conversation", actor=actor),
        "declined": _l("%(actor)s declined the invitation", actor=actor),
        "accepted": _l("%(actor)s accepted the invitation", actor=actor),
    }
    return {
        "event": message.event,
        "subject_id": message.subject_id
        if message.subject is not None and message.subject.state != "deleted"
        else None,
        "text": str(sentences.get(message.event or "", "")),
    }


def moderator_ids(group_id: int, user_ids: set[int]) -> set[int]:
    if not user_ids:
        return set()
    rows = db.session.scalars(
        select(Membership.user_id).where(
            Membership.group_id == group_id,
            Membership.user_id.in_(sorted(user_ids)),
            Membership.role.in_(MODERATING_ROLES),
        )
    )
    return set(rows)


def reaction_counts(message_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Counts per kind for each message that has any, in one grouped query."""
    ids = sorted(set(message_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Reaction.message_id, Reaction.kind, func.count())
        .where(Reaction.message_id.in_(ids))
        .group_by(Reaction.message_id, Reaction.kind)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for message_id, kind, count in rows:
        if kind in REACTION_KINDS:
            counts.setdefault(message_id, {})[kind] = count
    return counts


def message_payloads(messages: Sequence[Message], group_id: int) -> list[dict[str, Any]]:
    """A page of messages (authors and replied-to messages already loaded: see ``services.message_load``)."""
    if not messages:
        return []
    moderators = moderator_ids(group_id, {m.author_id for m in messages if m.author_id is not None})
    reactions = reaction_counts([m.id for m in messages if m.state == "published"])
    return [
        message_payload(m, author_is_moderator=m.author_id in moderators, reactions=reactions.get(m.id))
        for m in messages
    ]
