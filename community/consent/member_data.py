"""Consent's part of a member's export and erasure: their consent records (what they agreed to, in which
version and language, how) and the guardian confirmations asked for them are in the ZIP. At erasure the
guardian confirmations go; the consent records stay, pointing at the tombstone: they are the evidence the
organisation must keep."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from community.auth.member_data import when
from community.auth.models import User
from community.auth.signals import contribute_member_data
from community.consent import ledger
from community.consent.models import GuardianConfirmation
from community.extensions import db


def export_part(user: User) -> dict[str, Any]:
    records = [
        {"document": line.document.kind, "title": line.document.title, "version": line.version.version,
         "language": line.record.language, "text_hash": line.version.text_hash, "decision": line.record.decision,
         "method": line.record.method, "confirmed_by": line.record.confirmed_by,
         "decided_at": when(line.record.created_at)}
        for line in ledger.history(user.id, limit=10_000)
    ]  # fmt: skip
    guardians = [
        {"guardian_email": g.guardian_email, "asked_at": when(g.created_at), "confirmed_at": when(g.confirmed_at)}
        for g in db.session.scalars(select(GuardianConfirmation).where(GuardianConfirmation.user_id == user.id))
    ]
    return {"consent_records.json": {"records": records, "guardian_confirmations": guardians}}


def erase(user: User, **_details: Any) -> None:
    db.session.execute(delete(GuardianConfirmation).where(GuardianConfirmation.user_id == user.id))


def connect() -> None:
    """From ``consent.wiring.init_app``; connecting again is a no-op (blinker keys receivers by identity)."""
    contribute_member_data(export=export_part, erase=erase)
