"""Hash chaining shared by the append-only logs (the audit log and the access log).

Each entry stores ``prev_hash`` (the ``entry_hash`` of the entry before it, or 64 zeros for the first) and
``entry_hash = sha256(prev_hash + "|" + canonical JSON of the entry)``. A changed, inserted or removed row
breaks the chain, and ``verify()`` finds the first such entry. On PostgreSQL, appenders take a
transaction-level advisory lock (one key per log), so two transactions cannot both chain onto the same entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text

from community.extensions import db

GENESIS_HASH = "0" * 64


def entry_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}|{body}".encode()).hexdigest()


def append(entry: Any, lock_key: int) -> Any:
    """Chain ``entry`` (a model with ``prev_hash``, ``entry_hash`` and ``payload()``) onto its table, add it and
    flush, in the caller's transaction."""
    session = db.session
    model = type(entry)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key})
    prev = session.scalar(select(model.entry_hash).order_by(model.id.desc()).limit(1))
    entry.prev_hash = prev or GENESIS_HASH
    entry.entry_hash = entry_hash(entry.prev_hash, entry.payload())
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


def verify(model: Any, batch_size: int = 1000) -> ChainReport:
    """Walk the whole log in id order, in bounded batches, recomputing every hash."""
    prev_hash, checked, last_id = GENESIS_HASH, 0, 0
    while True:
        batch = db.session.scalars(select(model).where(model.id > last_id).order_by(model.id).limit(batch_size)).all()
        if not batch:
            return ChainReport(checked=checked, first_bad_id=None)
        for entry in batch:
            if entry.prev_hash != prev_hash:
                return ChainReport(checked, entry.id, "an entry before this one was changed or removed")
            if entry_hash(entry.prev_hash, entry.payload()) != entry.entry_hash:
                return ChainReport(checked, entry.id, "this entry was changed")
            prev_hash, last_id, checked = entry.entry_hash, entry.id, checked + 1
