"""Moderation tables: member reports, the moderators' queue, what moderators did (and the appeals against it),
moderators' notes on a member, and each member's own mutes and blocks.

The audit log lives in community.core.audit; ``ModerationAction`` is the member-facing record (what happened to
my post or account, why, and how to appeal), the audit entry is the accountable one. Both are written together.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.core.time import utcnow
from community.extensions import db

TARGET_TYPES = ("post", "message", "user")
QUEUE_KINDS = ("held", "report", "appeal", "safeguarding", "conflict")
PRIORITY_URGENT, PRIORITY_HIGH, PRIORITY_NORMAL = 0, 1, 2
RELATION_KINDS = ("mute", "block")


class Report(db.Model):
    """A member's flag on an item: one per member per item."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("reporter_id", "target_type", "target_id"),
        Index("ix_reports_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class QueueItem(db.Model):
    """Something waiting for a moderator. Claimed by at most one moderator at a time; resolved once."""

    __tablename__ = "queue_items"
    __table_args__ = (
        Index("ix_queue_items_open", "group_id", "resolved_at", "priority", "created_at"),
        Index("ix_queue_items_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer, default=PRIORITY_NORMAL)
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolution: Mapped[str] = mapped_column(String(32), default="")
    # An appeal goes to a different moderator where there is one: the one who took the appealed action.
    excluded_moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ModerationAction(db.Model):
    """One thing a moderator did to a member's content or membership: what the member is told and can appeal."""

    __tablename__ = "moderation_actions"
    __table_args__ = (
        Index("ix_moderation_actions_subject", "group_id", "subject_id", "id"),
        Index("ix_moderation_actions_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(24))
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    queue_item_id: Mapped[int | None] = mapped_column(ForeignKey("queue_items.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    until: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Appeal(db.Model):
    """A member asks once for another look at one action."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("moderation_actions.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    outcome: Mapped[str] = mapped_column(String(16), default="")  # "", "upheld" or "overturned"
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)


class ModeratorNote(db.Model):
    """A moderator's note on a member in one group, for that group's moderators only."""

    __tablename__ = "moderator_notes"
    __table_args__ = (Index("ix_moderator_notes_subject", "group_id", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class MemberRelation(db.Model):
    """A member's own safety choice about another person: "mute" (collapse what they write, for me) or "block"
    (no private messages or mentions from them, and they cannot open my profile)."""

    __tablename__ = "member_relations"
    __table_args__ = (
        UniqueConstraint("user_id", "other_id", "kind"),
        Index("ix_member_relations_other", "other_id", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    other_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class MemberPremoderation(db.Model):
    """A moderator's choice about one member's pre-moderation in a group, beside the group's own rule: ``kept``
    (everything they write there is checked first, whatever the group's mode) or ``released`` (no longer a new
    member for pre-moderation: their first posts and messages are not held for that reason). No row: the
    group's rule. Every change is audited with its reason (``moderation.member_premoderation``)."""

    __tablename__ = "member_premoderation"

    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(8))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
