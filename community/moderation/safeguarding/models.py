"""Safeguarding cases and their hand-over notes; safeguarding leads, their on-call rota, and a group's own
response times (``leads.py``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
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
        Index("ix_safeguarding_cases_lead_escalation", "status", "taken_at", "escalation_level", "due_at"),
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
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime)  # the group's moderators were emailed
    # The safeguarding leads' ladder (``escalation.escalate``): 0 none yet, 1 the tier-1 lead on call was told,
    # 2 the tier-2 lead; escalation_level_at is when the last step was taken (the next one counts from it).
    escalation_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    escalation_level_at: Mapped[datetime | None] = mapped_column(DateTime)
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


LEAD_TIERS = (1, 2)


class SafeguardingLead(db.Model):
    """Who receives a case nobody took in time: for one group, or for the whole installation (group_id NULL);
    tier 1 first, tier 2 when tier 1 did not take it either. One row per person per scope."""

    __tablename__ = "safeguarding_leads"
    __table_args__ = (
        Index("ix_safeguarding_leads_scope", "group_id", "tier"),
        CheckConstraint("tier IN (1, 2)", name="tier"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    tier: Mapped[int] = mapped_column(Integer)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    rota = relationship("SafeguardingRotaEntry", back_populates="lead", cascade="all, delete-orphan")


class SafeguardingRotaEntry(db.Model):
    """One on-call period of a lead (UTC, ends_at excluded). While a period covers now, only the leads on call
    are told; when none does, every lead of the tier is."""

    __tablename__ = "safeguarding_rota_entries"
    __table_args__ = (
        Index("ix_safeguarding_rota_entries_lead_period", "lead_id", "ends_at", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("safeguarding_leads.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    lead = relationship("SafeguardingLead", back_populates="rota", lazy="joined")


class SafeguardingResponseTime(db.Model):
    """A group's own response times; an empty one is the instance's (SAFEGUARDING_*_RESPONSE_MINUTES)."""

    __tablename__ = "safeguarding_response_times"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    acute_minutes: Mapped[int | None] = mapped_column(Integer)
    concern_minutes: Mapped[int | None] = mapped_column(Integer)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
