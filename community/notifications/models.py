"""One row per thing a member should hear about. No member text is copied here: the row points at it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column

from community.core.time import utcnow
from community.extensions import db
from community.notifications.kinds import KINDS  # noqa: F401  (the registry; kept importable from here)


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        # The unread count in the navigation, on every page: user + read_at IS NULL.
        Index("ix_notifications_unread", "user_id", "read_at", "created_at"),
        # The inbox, newest first, keyset-paginated by id.
        Index("ix_notifications_inbox", "user_id", "id"),
        # "Was this person already told about this post?" (an edit must not notify twice).
        Index("ix_notifications_target", "target_type", "target_id"),
        # Pruning after 90 days and the digests ("not emailed yet, since ...").
        Index("ix_notifications_created", "created_at"),
        Index("ix_notifications_digest", "email_mode", "emailed_at", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    target_type: Mapped[str] = mapped_column(String(32), default="")
    target_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    in_app: Mapped[bool] = mapped_column(Boolean, default=True)  # False: kept for an email digest only
    # How it is emailed, decided from the member's preferences when it was made: immediately/daily/weekly/never.
    email_mode: Mapped[str] = mapped_column(String(16), default="never")
    # Set once the notification went into an email (immediately or in a digest), so no email repeats it.
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime)


class NotificationSettings(db.Model):
    """A member's general settings: quiet hours (local time of BABEL_DEFAULT_TIMEZONE, minutes after midnight).
    No row: the defaults (no quiet hours)."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    quiet_start: Mapped[int | None] = mapped_column(Integer)
    quiet_end: Mapped[int | None] = mapped_column(Integer)
    # Pushes to the member's devices say the group's name only when they chose so (a lock screen is seen by others).
    push_group_name: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class NotificationPreference(db.Model):
    """Per member and kind: in the centre or not, how by email, pushed to their devices or not. No row: the kind's
    defaults (kinds.py)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    in_app: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[str] = mapped_column(String(16), default="daily")
    push: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class GroupNotificationSetting(db.Model):
    """Per member and group: muted (nothing from this group at all), an email mode that overrides the kinds', and
    whether they hear of every new topic."""

    __tablename__ = "group_notification_settings"
    __table_args__ = (UniqueConstraint("user_id", "group_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    muted: Mapped[bool] = mapped_column(Boolean, default=False)
    email: Mapped[str | None] = mapped_column(String(16))  # None: as the member's per-kind choice
    # Tell the member about every new topic in this group (kind "new_topic"); off unless they ask for it.
    new_topics: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class TopicMute(db.Model):
    __tablename__ = "topic_mutes"
    __table_args__ = (UniqueConstraint("user_id", "topic_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class GroupMailSetting(db.Model):
    """Whether emails may name the group. No row: ``sensitive`` (never named), the safe default."""

    __tablename__ = "group_mail_settings"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=True)


OUTBOX_STATES = ("pending", "sending", "sent", "failed", "skipped")


class EmailOutbox(db.Model):
    """An email waiting to go, written in the same transaction as its event. The address is looked up at send
    time (never stored here); ``last_error`` holds the SMTP code and class, never an address."""

    __tablename__ = "email_outbox"
    __table_args__ = (
        Index("ix_email_outbox_due", "status", "next_attempt_at"),
        Index("ix_email_outbox_user", "user_id", "status", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # a notification kind, "immediate" or "digest"
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    item_count: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(String(200), default="")


class DigestRun(db.Model):
    """One digest per member, period and period start: inserted (claimed) before anything is sent, so a second,
    overlapping run finds the row and skips that member."""

    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("user_id", "period", "period_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[datetime] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    item_count: Mapped[int] = mapped_column(Integer, default=0)


class MailProblem(db.Model):
    """An address the mail server refused for good (SMTP 5xx): shown to admins, and no more mail is tried until
    the member changes their address or an admin clears the flag."""

    __tablename__ = "mail_problems"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    flagged_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    smtp_code: Mapped[int] = mapped_column(Integer, default=0)
    # The address as it was when refused: a changed address clears the flag by itself.
    address_hash: Mapped[str] = mapped_column(String(64), default="")


class PushSubscription(db.Model):
    """One device (a browser's push subscription) of a member: where its push service takes messages for it and
    the keys the messages are encrypted to. The endpoint is unique: a browser that subscribes again, even for
    another member, replaces its row."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1024), unique=True)
    p256dh: Mapped[str] = mapped_column(String(128))  # the browser's P-256 public key, base64url
    auth: Mapped[str] = mapped_column(String(64))  # its 16-byte authentication secret, base64url
    user_agent: Mapped[str] = mapped_column(String(64), default="")  # "Chrome on Android": a summary, not the header
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)  # the last push its service accepted


class PushOutbox(db.Model):
    """A push waiting to go to every device of a member, written in the same transaction as its notification.
    It holds ids and a count only: the words are put together at send time, in the member's language, and say
    what kind of thing happened and how often, never what anyone wrote. Rows with the same ``target_key`` (a
    topic, a conversation, a group) are counted up instead of pushed again (bundling)."""

    __tablename__ = "push_outbox"
    __table_args__ = (
        Index("ix_push_outbox_due", "status", "next_attempt_at"),
        Index("ix_push_outbox_target", "user_id", "target_key", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # a notification kind; "" when kinds were bundled together
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    target_key: Mapped[str] = mapped_column(String(64))  # "topic-12", "post-40", "quiet" (bundled quiet hours)
    # The latest notification behind it: the push opens it (marked read, then its page). None: the centre.
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id", ondelete="SET NULL"))
    item_count: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # as EmailOutbox: OUTBOX_STATES
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(String(200), default="")  # the status code or error class, no address
    # The devices (subscription ids) that took it already: a retry goes to the others only.
    sent_to: Mapped[list] = mapped_column(JSON, default=list)
