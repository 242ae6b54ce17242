"""Accounts and their sign-in sessions."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core.time import utcnow
from community.extensions import db

USER_STATES = ("active", "paused", "suspended", "deleted")


class User(UserMixin, db.Model):
    """A member's account. ``display_name`` is what other members see; a pseudonym is fine."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(32))
    # NFKC + casefold of the username: the uniqueness key, so "Sam" and "ｓａｍ" are the same account.
    username_key: Mapped[str] = mapped_column(String(32), unique=True)
    display_name: Mapped[str] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)  # stored lower-cased
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="active")
    state_reason: Mapped[str] = mapped_column(Text, default="")
    state_until: Mapped[datetime | None] = mapped_column(DateTime)
    year_of_birth: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(8), default="en")
    pronouns: Mapped[str] = mapped_column(String(40), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    memberships = relationship("Membership", back_populates="user", lazy="select")
    # The display preferences row (accessibility.models), None for a member who never changed one. Read-only
    # here: it is written through accessibility.services. Loaded with the session on a page.
    preferences = relationship("MemberPreferences", uselist=False, viewonly=True, lazy="select")

    @property
    def is_active(self) -> bool:  # Flask-Login: an inactive account cannot be signed in
        return self.state == "active"


class UserSession(db.Model):
    """A signed-in browser. The cookie carries a random token; only its hash is stored.

    Ending the row ends the session on the server, so a copied cookie stops working at sign-out.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(120), default="")
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)

    user = relationship("User")


class SetupToken(db.Model):
    """The one-time link that lets the first admin choose their own username and password."""

    __tablename__ = "setup_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
