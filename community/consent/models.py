"""Consent documents, their frozen versions, and the append-only consent records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from community.core.time import utcnow
from community.extensions import db

DOCUMENT_KINDS = ("terms", "privacy", "health_data", "group_rules")
DECISIONS = ("given", "refused", "withdrawn")


class ConsentDocument(db.Model):
    __tablename__ = "consent_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ConsentVersion(db.Model):
    """A version's text is frozen once published: a change is a new version. ``text_hash`` identifies it."""

    __tablename__ = "consent_versions"
    __table_args__ = (UniqueConstraint("document_id", "version", "language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("consent_documents.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64))
    summary_of_changes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)


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
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


@event.listens_for(ConsentRecord, "before_update")
@event.listens_for(ConsentRecord, "before_delete")
def _refuse_changes(mapper: Any, connection: Any, target: ConsentRecord) -> None:
    raise RuntimeError("Consent records are append-only; record a withdrawal as a new record.")
