"""Closed groups, who is in them (and in which role), and the invitations that let people in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core.time import utcnow
from community.extensions import db

GROUP_KINDS = ("young_people", "parents", "family", "other")
GROUP_STATES = ("active", "archived")
PREMODERATION_MODES = ("none", "new_members", "all")
# The roles a membership can have (what each may do: groups/policy.py).
ROLES = ("member", "professional", "moderator", "manager")
MEMBERSHIP_STATES = ("active", "muted", "suspended", "removed")
INVITATION_STATES = ("open", "accepted", "revoked", "expired")


class Group(db.Model):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), default="other")
    state: Mapped[str] = mapped_column(String(16), default="active")
    premoderation: Mapped[str] = mapped_column(String(16), default="none")
    premoderation_first_posts: Mapped[int] = mapped_column(Integer, default=3)
    member_messages_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    moderators_can_invite: Mapped[bool] = mapped_column(Boolean, default=True)
    # Outreach: the group's staff may start a conversation with a member who did not ask (the member answers a
    # request first, and may decline and block). On by default: staff writing first is what care groups do.
    outreach_allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    retention_chat_days: Mapped[int | None] = mapped_column(Integer)
    retention_posts_days: Mapped[int | None] = mapped_column(Integer)
    slow_mode_seconds: Mapped[int] = mapped_column(Integer, default=0)
    auto_slowdown: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    memberships = relationship("Membership", back_populates="group", lazy="select")


class Membership(db.Model):
    """A person's rights in a group come from this row alone."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "group_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="member")
    state: Mapped[str] = mapped_column(String(16), default="active")
    state_until: Mapped[datetime | None] = mapped_column(DateTime)
    joined_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The latest removal: an invitation made before it never lets the person back in.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The invitation the person last joined through (None: added directly by an admin, or joined before it was
    # recorded): removal offers to revoke it, so a shared code stops working for whoever it was passed on to.
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id", ondelete="SET NULL"))

    user = relationship("User", back_populates="memberships")
    group = relationship("Group", back_populates="memberships")


class Invitation(db.Model):
    """The token itself is never stored, only its SHA-256."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="member")
    channel: Mapped[str] = mapped_column(String(8))  # "email" or "code"
    email: Mapped[str | None] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    uses_left: Mapped[int | None] = mapped_column(Integer)  # None: unlimited until expiry (group codes)
    state: Mapped[str] = mapped_column(String(16), default="open")

    group = relationship("Group")
