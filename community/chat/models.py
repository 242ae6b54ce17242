"""Conversations (a group's room, or a private conversation) and their messages.

``seq`` is strictly increasing per conversation with no gaps among stored messages: catch-up after a
reconnect is "everything after seq N". ``client_id`` is unique per writer, so a resend is the same message.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.attachments.models import Attachment
from community.core.time import utcnow
from community.extensions import db

CONVERSATION_KINDS = ("group", "private")
TITLE_MAX = 80


class Conversation(db.Model):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    slow_mode_seconds: Mapped[int] = mapped_column(Integer, default=0)
    # Set when someone reports a message in it (``chat/moderated.py``): only then may the group's
    # moderators read a private conversation they are not part of (chat.policy.can_read_conversation).
    reported: Mapped[bool] = mapped_column(Boolean, default=False)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A care conversation (``chat/care.py``): a private conversation the group's staff start with one or more
    # people of the group, with a name; participants are added and removed by staff (audited, shown to all).
    care: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str | None] = mapped_column(String(TITLE_MAX))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    participants = relationship("ConversationParticipant", back_populates="conversation")
    group = relationship("Group")


class ConversationParticipant(db.Model):
    """Who is in a private conversation (a group room's readers come from the group's memberships)."""

    __tablename__ = "conversation_participants"
    __table_args__ = (UniqueConstraint("conversation_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    last_read_seq: Mapped[int] = mapped_column(Integer, default=0)
    joined_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Care conversations: the messages this participant reads start after this seq (someone added later reads
    # from the moment they were added), and a member the staff wrote to first (outreach) has a request to
    # answer: they read it, and write only once they accept.
    from_seq: Mapped[int] = mapped_column(Integer, default=0)
    request_pending: Mapped[bool] = mapped_column(Boolean, default=False)

    conversation = relationship("Conversation", back_populates="participants")
    user = relationship("User")


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq"),
        UniqueConstraint("author_id", "client_id"),
        Index("ix_messages_conversation_changed", "conversation_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    client_id: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    # A system line of a care conversation (state "system"): what happened ("added", "removed", "renamed",
    # "left", "declined", "started"), by the author, to whom (``subject_id``); a rename keeps the new name in
    # body_source. Never counted as unread, never reacted to, edited or reported.
    event: Mapped[str | None] = mapped_column(String(16))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(16), default="published")
    state_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Any later change (edit, removal, moderation, a reaction): a reconnecting client asks for the changes since
    # its last sync (chat:catch_up with changed_since), so what changed while it was away is shown right.
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    author = relationship("User", foreign_keys=[author_id])
    subject = relationship("User", foreign_keys=[subject_id])
    reply_to = relationship("Message", remote_side=[id])
    # Its image and document (community.attachments), loaded for a whole page of messages with one query.
    attachments = relationship(Attachment, lazy="selectin", order_by=Attachment.id, viewonly=True)


class ChatRead(db.Model):
    """How far a member has read a group room, for unread counts.

    A separate table rather than participant rows for group rooms: a participant row is the RIGHT to read a
    private conversation, while a group room's readers come from the memberships. Keeping read state apart
    means no row here ever grants anything, and a removed member's leftover row is harmless. Written lazily
    (on the first chat:read), so a group of 500 members does not need 500 rows before anyone reads.
    Private conversations keep their read state in ``conversation_participants.last_read_seq``.
    """

    __tablename__ = "chat_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    last_read_seq: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
