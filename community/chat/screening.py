"""What moderation asks chat about its messages, answered here so that moderation never reads chat tables.

Connected from ``chat.wiring``: ``moderation.signals.published_count`` (how many published messages a member
has in a group's conversations: the new-member limits)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from community.chat.models import Conversation, Message
from community.extensions import db


def published_messages(_sender: object, *, user_id: int, group_id: int, limit: int, kinds: Sequence[str]) -> int:
    """The member's published messages in the group's conversations, counted no further than ``limit``."""
    if "message" not in kinds:
        return 0
    query = (
        select(Message.id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Message.author_id == user_id, Conversation.group_id == group_id, Message.state == "published")
    )
    return len(db.session.scalars(query.limit(limit)).all())
