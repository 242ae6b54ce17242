"""Professional profiles, the admin-managed specialties, requests to talk with a professional, and questions
asked privately to a group's professionals as a team.

Member text is kept as typed (``*_source``) next to the sanitizer's HTML (``*_html``) where it is Markdown;
short plain messages are kept as text and escaped when shown.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core.time import utcnow
from community.extensions import db

PROFILE_STATES = ("draft", "pending", "approved", "rejected")
REQUEST_STATES = ("open", "accepted", "declined", "withdrawn")
QUESTION_STATUSES = ("waiting", "taken", "answered", "closed")  # closed: refused by a moderator


class Specialty(db.Model):
    """One entry of the admin-managed list (anxiety, grief, diabetes, ventilation at home, ...)."""

    __tablename__ = "professional_specialties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ProfileSpecialty(db.Model):
    __tablename__ = "professional_profile_specialties"

    profile_id: Mapped[int] = mapped_column(
        ForeignKey("professional_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    specialty_id: Mapped[int] = mapped_column(
        ForeignKey("professional_specialties.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ProfileLanguage(db.Model):
    __tablename__ = "professional_profile_languages"

    profile_id: Mapped[int] = mapped_column(
        ForeignKey("professional_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)


class ProfessionalProfile(db.Model):
    """A staff member's public face. Members see it only once an admin approved it; an edit of what members
    read (name, role, introduction, photo, specialties, languages) sends it back for approval. Availability,
    "away until" and pausing are day-to-day settings and need no approval."""

    __tablename__ = "professional_profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    public_name: Mapped[str] = mapped_column(String(80))
    role_title: Mapped[str] = mapped_column(String(80), default="")
    organisation: Mapped[str] = mapped_column(String(120), default="")
    intro_source: Mapped[str] = mapped_column(Text, default="")
    intro_html: Mapped[str] = mapped_column(Text, default="")
    photo_file: Mapped[str | None] = mapped_column(String(120))
    photo_content_type: Mapped[str | None] = mapped_column(String(32))
    # [[weekday 0=Monday, "HH:MM", "HH:MM"], ...] in the site's time zone (BABEL_DEFAULT_TIMEZONE).
    availability: Mapped[list] = mapped_column(JSON, default=list)
    away_until: Mapped[date | None] = mapped_column(Date)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    review_note: Mapped[str] = mapped_column(Text, default="")  # an admin's reason for a rejection
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])


class ProfessionalRequest(db.Model):
    """ "I'd like to talk with ...": a member asks one professional for a private conversation in a group they
    share. At most one open request per member and professional (a partial unique index, so two quick clicks
    cannot make two)."""

    __tablename__ = "professional_requests"
    __table_args__ = (
        Index("ix_professional_requests_member", "member_id", "state", "id"),
        Index("ix_professional_requests_professional", "professional_id", "state", "id"),
        Index(
            "uq_professional_requests_open_pair",
            "member_id",
            "professional_id",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    professional_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="open")
    email_me: Mapped[bool] = mapped_column(Boolean, default=False)
    decline_note: Mapped[str] = mapped_column(Text, default="")
    suggested_profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("professional_profiles.id", ondelete="SET NULL")
    )
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)

    member = relationship("User", foreign_keys=[member_id])
    professional = relationship("User", foreign_keys=[professional_id])
    group = relationship("Group")


class ProfessionalQuestion(db.Model):
    """A question asked privately to a group's professionals as a team. The first to pick it up answers it:
    ``claimed_by_id`` is set by one conditional UPDATE, so two professionals never both hold it."""

    __tablename__ = "professional_questions"
    __table_args__ = (
        Index("ix_professional_questions_queue", "group_id", "status", "created_at"),
        Index("ix_professional_questions_member", "member_id", "id"),
        UniqueConstraint("member_id", "client_token", name="uq_professional_questions_client_token"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_token: Mapped[str] = mapped_column(String(40))  # made with the form: a resubmitted form stores one
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="published")  # the screening's verdict
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    email_me: Mapped[bool] = mapped_column(Boolean, default=False)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    answer_source: Mapped[str] = mapped_column(Text, default="")
    answer_html: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    member = relationship("User", foreign_keys=[member_id])
    claimed_by = relationship("User", foreign_keys=[claimed_by_id])
    group = relationship("Group")
