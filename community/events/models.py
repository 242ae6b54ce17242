"""A group's events, the members' answers to them, and each member's calendar feed address."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core.time import utcnow
from community.extensions import db

EVENT_STATES = ("scheduled", "cancelled")
ANSWERS = ("yes", "maybe", "no")


class Event(db.Model):
    """A meeting of one group. Times are naive UTC; forms take and pages show the site's local time."""

    __tablename__ = "events"
    # The group's list and section ("this group's events from a moment on"); the feed and the reminders ask by
    # start time across groups.
    __table_args__ = (Index("ix_events_group_starts", "group_id", "starts_at"), Index("ix_events_starts", "starts_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")  # plain text, shown escaped
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    place: Mapped[str] = mapped_column(String(200), default="")
    link: Mapped[str] = mapped_column(String(500), default="")  # http or https only
    state: Mapped[str] = mapped_column(String(16), default="scheduled")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    group = relationship("Group")


class Rsvp(db.Model):
    """One member's answer to one event (yes, maybe, no), changed as often as they like."""

    __tablename__ = "event_rsvps"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)  # the reminder went out: never twice


class CalendarFeed(db.Model):
    """A member's secret calendar address. Only the SHA-256 of its token is stored; renewing replaces it."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    show_details: Mapped[bool] = mapped_column(Boolean, default=False)  # group, title and place in the feed
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
