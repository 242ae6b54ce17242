"""Safeguarding cases and their hand-over notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core.time import utcnow
from community.extensions import db

SOURCES = ("detected", "member", "staff")
STATUSES = ("open", "in_progress", "closed")
OUTCOMES = ("member_contacted", "referred", "reported_veilig_thuis", "emergency_services", "no_action_needed")


class SafeguardingCase(db.Model):
    """One worry about one member in one group: opened by crisis language or by a person, closed with an outcome."""

    __tablename__ = "safeguarding_cases"
    __table_args__ = (
        Index("ix_safeguarding_cases_group_open", "group_id", "status", "severity", "due_at"),
        Index("ix_safeguarding_cases_escalation", "status", "taken_at", "escalated_at", "opened_at"),
        Index("ix_safeguarding_cases_target", "target_type", "target_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    source: Mapped[str] = mapped_column(String(16))  # detected, member, staff
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    raised_note: Mapped[str] = mapped_column(Text, default="")  # what the member who raised it wrote
    target_type: Mapped[str | None] = mapped_column(String(16))  # post, message
    target_id: Mapped[int | None] = mapped_column(Integer)
    queue_item_id: Mapped[int | None] = mapped_column(ForeignKey("queue_items.id", ondelete="SET NULL"))
    category: Mapped[str] = mapped_column(String(32), default="")  # suicide, self_harm, abuse, medical_emergency
    severity: Mapped[str] = mapped_column(String(16))  # acute, concern
    phrase_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="open")
    opened_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(DateTime)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    taken_at: Mapped[datetime | None] = mapped_column(DateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(32), default="")
    outcome_note: Mapped[str] = mapped_column(Text, default="")

    group = relationship("Group", lazy="joined")
    subject = relationship("User", foreign_keys=[subject_id], lazy="joined")
    taken_by = relationship("User", foreign_keys=[taken_by_id], lazy="joined")
    raised_by = relationship("User", foreign_keys=[raised_by_id])
    closed_by = relationship("User", foreign_keys=[closed_by_id])

    def is_overdue(self, now: datetime) -> bool:
        """Nobody took it in time (once taken, the clock has been answered)."""
        return self.status == "open" and self.taken_at is None and now > self.due_at


class SafeguardingNote(db.Model):
    """A hand-over note between shifts: what was done, what the next moderator should know."""

    __tablename__ = "safeguarding_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("safeguarding_cases.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    author = relationship("User", lazy="joined")
