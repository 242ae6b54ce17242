"""Tables of the pipeline rules: keyword and pattern filters, a group's moderation settings, topic slow mode."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from community.core.time import utcnow
from community.extensions import db

MATCH_KINDS = ("contains", "word", "regex")  # plain text anywhere, a whole word, a regular expression
FILTER_ACTIONS = ("hold", "refuse")
PERSONAL_DETAILS_MODES = ("warn", "hold")


class KeywordFilter(db.Model):
    """One filter rule. ``group_id`` None: instance-wide (admins); otherwise one group's (its moderators)."""

    __tablename__ = "keyword_filters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    pattern: Mapped[str] = mapped_column(String(200))
    match: Mapped[str] = mapped_column(String(16), default="word")
    action: Mapped[str] = mapped_column(String(16), default="hold")
    reason: Mapped[str] = mapped_column(String(200), default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class GroupModerationSettings(db.Model):
    """A group's pipeline settings beyond the ``groups`` row. No row: the instance defaults (``Config``)."""

    __tablename__ = "group_moderation_settings"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    personal_details_mode: Mapped[str] = mapped_column(String(8), default="warn")
    new_member_max_links: Mapped[int | None] = mapped_column(Integer)  # None: the instance default
    new_member_max_mentions: Mapped[int | None] = mapped_column(Integer)
    # Member reports (moderation/reports.py): hide published content after this many distinct
    # reporters; None: the instance default (REPORT_HIDE_THRESHOLD); 0: never automatically.
    report_hide_threshold: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class TopicSlowMode(db.Model):
    """A topic in slow mode: each member waits ``seconds`` between replies until a moderator lifts it."""

    __tablename__ = "topic_slow_modes"

    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    seconds: Mapped[int] = mapped_column(Integer)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # None: automatic
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
