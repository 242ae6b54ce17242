"""Topics, posts (the first post opens the topic), their revisions, and supportive reactions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.attachments.models import Attachment
from community.core.time import utcnow
from community.extensions import db

CONTENT_STATES = ("published", "held", "refused", "hidden", "removed")


class Topic(db.Model):
    __tablename__ = "topics"
    # The topic list's keyset (pinned, last_activity_at, id) in index order after the filters: a page is one
    # index range scan from the cursor, whatever the number of topics.
    __table_args__ = (Index("ix_topics_listing", "group_id", "state", "pinned", "last_activity_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    state: Mapped[str] = mapped_column(String(16), default="published")
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Goes up with every change that shows on the topic's posts (forum.page_cache): the key of its cached pages.
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    author = relationship("User")
    group = relationship("Group")


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (Index("ix_posts_topic_order", "topic_id", "state", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    content_warning: Mapped[str] = mapped_column(String(80), default="")
    is_coach_post: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="published")
    state_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)

    author = relationship("User")
    topic = relationship("Topic")
    # Its images and documents, loaded with one extra query for all posts of a query ("selectin"), never one per
    # post. View-only: rows are added by attachments.services and removed by the database's ON DELETE CASCADE.
    attachments = relationship(Attachment, lazy="selectin", order_by=Attachment.id, viewonly=True)

    @property
    def images(self) -> list[Attachment]:
        return [attachment for attachment in self.attachments if attachment.kind == "image"]

    @property
    def documents(self) -> list[Attachment]:
        return [attachment for attachment in self.attachments if attachment.kind == "document"]


class PostRevision(db.Model):
    """The text a post had before an edit; visible to moderators."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body_source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Announcement(db.Model):
    """A moderator's notice shown at the top of the group page to every member until they dismiss it."""

    __tablename__ = "announcements"
    # The group page asks for "this group's announcements that have not ended, newest first".
    __table_args__ = (Index("ix_announcements_current", "group_id", "ended_at", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Written now, shown from then (None: at once). Readers filter on it, so nothing has to run to show it.
    publish_at: Mapped[datetime | None] = mapped_column(DateTime)
    # When the group was told (the notification centre): at once, or by `flask forum publish-scheduled`.
    announced_at: Mapped[datetime | None] = mapped_column(DateTime)

    author = relationship("User", foreign_keys=[author_id])

    def is_shown_at(self, now: datetime) -> bool:
        return self.publish_at is None or self.publish_at <= now


class AnnouncementDismissal(db.Model):
    """A member has read an announcement and put it away; it stays away for them only."""

    __tablename__ = "announcement_dismissals"
    __table_args__ = (UniqueConstraint("user_id", "announcement_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"), index=True)
    dismissed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
