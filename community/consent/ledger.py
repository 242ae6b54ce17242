"""Reading the consent records: one member's history (privacy page, export) and the whole ledger (admin CSV)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from community.consent.models import ConsentDocument, ConsentRecord, ConsentVersion
from community.extensions import db

HISTORY_LIMIT = 200


@dataclass(frozen=True)
class HistoryLine:
    record: ConsentRecord
    version: ConsentVersion
    document: ConsentDocument


def history(user_id: int, limit: int = HISTORY_LIMIT) -> list[HistoryLine]:
    rows = db.session.execute(
        select(ConsentRecord, ConsentVersion, ConsentDocument)
        .join(ConsentVersion, ConsentVersion.id == ConsentRecord.version_id)
        .join(ConsentDocument, ConsentDocument.id == ConsentVersion.document_id)
        .where(ConsentRecord.user_id == user_id)
        .order_by(ConsentRecord.id.desc())
        .limit(limit)
    ).all()
    return [HistoryLine(*row) for row in rows]


def ledger(batch_size: int = 1000) -> Iterator[tuple[ConsentRecord, ConsentVersion, ConsentDocument]]:
    """Every record, in id order, read in bounded batches (for the admin's CSV)."""
    last_id = 0
    while True:
        rows = db.session.execute(
            select(ConsentRecord, ConsentVersion, ConsentDocument)
            .join(ConsentVersion, ConsentVersion.id == ConsentRecord.version_id)
            .join(ConsentDocument, ConsentDocument.id == ConsentVersion.document_id)
            .where(ConsentRecord.id > last_id)
            .order_by(ConsentRecord.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return
        yield from (tuple(row) for row in rows)  # type: ignore[misc]
        last_id = rows[-1][0].id
