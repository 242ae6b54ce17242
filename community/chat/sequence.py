"""The next sequence number of a conversation: for messages (``chat.sending``) and system lines
(``chat.system_lines``) alike, so ``seq`` stays strictly increasing with no gaps among stored rows."""

from __future__ import annotations

import functools

from sqlalchemy import Integer, Update, bindparam, update

from community.chat.models import Conversation
from community.extensions import db


@functools.cache
def _next_seq_statement() -> Update:
    return (
        update(Conversation)
        .where(Conversation.id == bindparam("conversation_id", type_=Integer))
        .values(last_seq=Conversation.last_seq + 1)
        .returning(Conversation.last_seq)
    )


def next_seq(conversation_id: int) -> int:
    """One atomic UPDATE ... RETURNING: concurrent senders in one room never get the same number (the row lock
    also orders them), and a rollback gives the number back, so stored messages have no gaps."""
    return db.session.execute(_next_seq_statement(), {"conversation_id": conversation_id}).scalar_one()
