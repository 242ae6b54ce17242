"""The append-only, hash-chained audit log of staff and security actions.

Each entry stores the hash of the one before it, so a changed, inserted or removed row breaks the chain and
``flask audit verify`` finds it. Entries are written in the same transaction as the action they record.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text, event, select, text
from sqlalchemy.orm import Mapped, mapped_column

from community.core.time import utcnow
from community.extensions import db

GENESIS_HASH = "0" * 64


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # Plain ids, deliberately without foreign keys: a deleted account or group must not rewrite (SET NULL) an
    # entry, which would break its hash. After erasure the id points at the pseudonymous account row.
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int | None] = mapped_column(Integer)
    group_id: Mapped[int | None] = mapped_column(Integer, index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)

    def payload(self) -> dict[str, Any]:
        return {
            "created_at": self.created_at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "group_id": self.group_id,
            "reason": self.reason,
            "details": self.details,
        }


def _hash(prev_hash: str, payload: dict[str, Any]) -> str:
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}|{body}".encode()).hexdigest()


def record(
    action: str,
    *,
    actor_id: int | None,
    target_type: str,
    target_id: int | None = None,
    group_id: int | None = None,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry in the current transaction. ``details`` holds ids and settings, never member text."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appenders so two transactions cannot both chain onto the same previous entry.
        session.execute(text("SELECT pg_advisory_xact_lock(7301)"))
    prev = session.scalar(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1))
    entry = AuditEntry(
        created_at=utcnow(),
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        group_id=group_id,
        reason=reason,
        details=details or {},
        prev_hash=prev or GENESIS_HASH,
    )
    entry.entry_hash = _hash(entry.prev_hash, entry.payload())
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_bad_id: int | None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None


def verify_chain(batch_size: int = 1000) -> ChainReport:
    """Walk the whole log in id order, in bounded batches, recomputing every hash."""
    prev_hash, checked, last_id = GENESIS_HASH, 0, 0
    while True:
        batch = db.session.scalars(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch_size)
        ).all()
        if not batch:
            return ChainReport(checked=checked, first_bad_id=None)
        for entry in batch:
            if entry.prev_hash != prev_hash:
                return ChainReport(checked, entry.id, "an entry before this one was changed or removed")
            if _hash(entry.prev_hash, entry.payload()) != entry.entry_hash:
                return ChainReport(checked, entry.id, "this entry was changed")
            prev_hash, last_id, checked = entry.entry_hash, entry.id, checked + 1


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_changes(mapper: Any, connection: Any, target: AuditEntry) -> None:
    raise RuntimeError("Audit entries are append-only.")
