"""The append-only, hash-chained audit log of staff and security actions.

Each entry stores the hash of the one before it, so a changed, inserted or removed row breaks the chain and
``flask audit verify`` finds it. Entries are written in the same transaction as the action they record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from community.core import chain
from community.core.chain import GENESIS_HASH, ChainReport
from community.core.time import utcnow
from community.extensions import db

AUDIT_LOCK_KEY = 7301
__all__ = ["AUDIT_LOCK_KEY", "GENESIS_HASH", "AuditEntry", "ChainReport", "record", "verify_chain"]


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
    entry = AuditEntry(
        created_at=utcnow(),
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        group_id=group_id,
        reason=reason,
        details=details or {},
    )
    # The chaining (and, on PostgreSQL, the advisory lock that serialises appenders) is shared with the
    # access log: core/chain.py.
    return chain.append(entry, AUDIT_LOCK_KEY)


def verify_chain(batch_size: int = 1000) -> ChainReport:
    """Walk the whole log in id order, in bounded batches, recomputing every hash."""
    return chain.verify(AuditEntry, batch_size)


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_changes(mapper: Any, connection: Any, target: AuditEntry) -> None:
    raise RuntimeError("Audit entries are append-only.")
