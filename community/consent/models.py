"""Consent documents, their frozen versions, and the append-only consent records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, mapped_column

from community.core import sanitize
from community.core.time import utcnow
from community.extensions import db

DOCUMENT_KINDS = ("terms", "privacy", "health_data", "group_rules")
DECISIONS = ("given", "refused", "withdrawn")


class ConsentDocument(db.Model):
    __tablename__ = "consent_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ConsentVersion(db.Model):
    """A version's text is frozen once published: a change is a new version. ``text_hash`` identifies it."""

    __tablename__ = "consent_versions"
    __table_args__ = (UniqueConstraint("document_id", "version", "language"),)
    # Records reference versions; the current version of a document is its highest published number.

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("consent_documents.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64))
    summary_of_changes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def text_html(self) -> str:
        """The text as HTML, made by the one sanitizer (frozen text, so the same every time)."""
        return sanitize.clean_html(sanitize.render_markdown(self.text))


class ConsentRecord(db.Model):
    """Who decided what about which exact version, when and how. Append-only: a withdrawal is a new row."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("consent_versions.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(32))  # "form", "invitation", "guardian_link"
    language: Mapped[str] = mapped_column(String(8))
    confirmed_by: Mapped[str] = mapped_column(String(16), default="self")  # "self" or "guardian"
    # Which GuardianConfirmation (plain id, no foreign key: erasure removes that row, and a record never changes).
    guardian_confirmation_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # Denormalised from the version: "the member's latest decision on this document" is one indexed query.
    document_id: Mapped[int | None] = mapped_column(ForeignKey("consent_documents.id"), index=True)


@event.listens_for(ConsentRecord, "before_update")
@event.listens_for(ConsentRecord, "before_delete")
def _refuse_changes(mapper: Any, connection: Any, target: ConsentRecord) -> None:
    raise RuntimeError("Consent records are append-only; record a withdrawal as a new record.")


@event.listens_for(ConsentVersion, "before_update")
def _freeze_published(mapper: Any, connection: Any, target: ConsentVersion) -> None:
    """A published version's text is frozen: a change is a new version (its hash identifies the text)."""
    state = inspect(target)
    published = state.attrs.published_at.history
    was_published = (published.deleted and published.deleted[0] is not None) or (
        not published.has_changes() and target.published_at is not None
    )
    frozen = ("text", "text_hash", "language", "version", "document_id", "summary_of_changes", "published_at")
    if was_published and any(state.attrs[name].history.has_changes() for name in frozen):
        raise RuntimeError("A published consent version is frozen; write a new version instead.")


class GuardianConfirmation(db.Model):
    """A parent's or guardian's confirmation for a member younger than MINOR_CONSENT_AGE.

    ``guardian_email`` is personal data of the guardian: it is needed to show who confirmed, it is part of
    the member's export, and erasure removes the row. The link carries a signed id and nonce; only the
    nonce's SHA-256 is stored, so a resent link makes the earlier one stop working.
    """

    __tablename__ = "guardian_confirmations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    guardian_email: Mapped[str] = mapped_column(String(254))
    nonce_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
