"""Members' decisions on the consent documents: what a member has to decide, and recording it.

A member's standing on a document is their latest record for it: "given" for the current number counts,
anything else (an older version, "refused", "withdrawn") means they are asked again. Records are only added.
Whoever has to decide again (a withdrawal, a refusal, a new version) has their open sockets closed after the
commit, like a suspension; the socket ``connect`` refuses them until they have decided. The documents and
their versions are in ``consent.documents``.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.auth.admin_actions import disconnect_after_commit
from community.auth.models import User
from community.consent import in_force, policy
from community.consent.documents import current_number, instance_document, version_in
from community.consent.models import DOCUMENT_KINDS, ConsentDocument, ConsentRecord, ConsentVersion
from community.core import page_preloads
from community.core.errors import DomainError, NotFound
from community.core.time import utcnow
from community.extensions import db

# --- what a member has to decide ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """One document from a member's point of view."""

    document: ConsentDocument
    current: ConsentVersion  # the current number, in the member's language where it exists
    latest: ConsentRecord | None
    latest_version: ConsentVersion | None  # the version of the latest record

    @property
    def ok(self) -> bool:
        return policy.decision_is_current(
            self.latest.decision if self.latest else None,
            self.latest_version.version if self.latest_version else None,
            self.current.version,
        )

    @property
    def is_new_version(self) -> bool:
        """They agreed to an earlier version: show what changed."""
        return (
            self.latest is not None
            and self.latest.decision == "given"
            and self.latest_version is not None
            and self.latest_version.version < self.current.version
        )


PLATFORM_OPEN = "consent_platform_open"  # page_preloads: may the member use the platform now (consent.gate)


def latest_record(user: User, document_id: int) -> ConsentRecord | None:
    return db.session.scalar(
        select(ConsentRecord)
        .where(ConsentRecord.user_id == user.id, ConsentRecord.document_id == document_id)
        .order_by(ConsentRecord.id.desc())
        .limit(1)
    )


def standing(user: User, document: ConsentDocument) -> Standing | None:
    number = current_number(document.id)
    if number is None:
        return None
    current = version_in(document.id, number, user.language)
    assert current is not None  # noqa: S101 (a published number has at least one row)
    latest = latest_record(user, document.id)
    latest_version = db.session.get(ConsentVersion, latest.version_id) if latest else None
    return Standing(document, current, latest, latest_version)


def required_documents() -> list[ConsentDocument]:
    """The instance's required documents that have a published version."""
    published = select(ConsentVersion.document_id).where(ConsentVersion.published_at.is_not(None))
    return list(
        db.session.scalars(
            select(ConsentDocument)
            .where(
                ConsentDocument.group_id.is_(None),
                ConsentDocument.required.is_(True),
                ConsentDocument.kind.in_(policy.REQUIRED_KINDS),
                ConsentDocument.id.in_(published),
            )
            .order_by(ConsentDocument.id)
        )
    )


def consent_in_force() -> bool:
    """Whether any required document is published. Until then nobody is asked (a fresh install, the tests)."""
    return bool(in_force.required())


def standings(user: User) -> list[Standing]:
    return [s for s in (standing(user, document) for document in required_documents()) if s is not None]


def missing(user: User) -> list[Standing]:
    return [item for item in standings(user) if not item.ok]


def has_required_consents(user: User) -> bool:
    """The gates' question, answered in one statement (``consent.in_force``) when the member is up to date."""
    return in_force.decisions_current(user, in_force.required()) or not missing(user)


def changes(item: Standing) -> list[tuple[str, str]]:
    """What changed since the version they agreed to, line by line: ("added" | "removed" | "same", line)."""
    if item.latest_version is None:
        return []
    old = version_in(item.document.id, item.latest_version.version, item.current.language) or item.latest_version
    result = []
    for line in difflib.ndiff(old.text.splitlines(), item.current.text.splitlines()):
        tag, content = line[:2], line[2:]
        if tag == "+ ":
            result.append(("added", content))
        elif tag == "- ":
            result.append(("removed", content))
        elif tag == "  ":
            result.append(("same", content))
    return result


# --- decisions (members) --------------------------------------------------------------------------------------


def append_record(user: User, version: ConsentVersion, decision: str, *, method: str, language: str,
            confirmed_by: str = "self", guardian_confirmation_id: int | None = None) -> ConsentRecord:  # fmt: skip
    record = ConsentRecord(user_id=user.id, version_id=version.id, document_id=version.document_id,
                           decision=decision, method=method, language=language, confirmed_by=confirmed_by,
                           guardian_confirmation_id=guardian_confirmation_id, created_at=utcnow())  # fmt: skip
    db.session.add(record)
    page_preloads.forget(user, PLATFORM_OPEN)
    return record


STALE = _l("A document changed while you were reading it. Read the new version below and decide again.")


def decide(user: User, decisions: dict[int, bool], *, method: str = "form") -> list[ConsentRecord]:
    """Record the member's decisions on the current required documents: ``{version_id: agreed}``.

    Every posted version must be the current one (else nothing is stored: the page shows the new text), and
    every document still open must be answered. Refusing is recorded too; it keeps the gate closed.
    """
    items = standings(user)
    current = {item.current.id: item for item in items}
    still_open = {item.current.id for item in items if not item.ok}
    if not decisions or set(decisions) - set(current) or not still_open <= set(decisions):
        raise DomainError(STALE)
    records = [
        append_record(
            user,
            current[vid].current,
            "given" if agreed else "refused",
            method=method,
            language=current[vid].current.language,
        )
        for vid, agreed in sorted(decisions.items())
    ]
    db.session.flush()
    if not all(decisions.values()):
        disconnect_after_commit(user.id)  # a refusal closes the gate: no live access either
    return records


def record_at_signup(user: User, version_ids: Sequence[int], *, agreed: bool, method: str = "invitation") -> None:
    """The invitation page shows the current required documents; the person ticks one box for all of them."""
    if not agreed:
        raise DomainError(_l("Tick the box to agree to the terms of use and the privacy notice."), field="consent")
    current = {item.current.id: item.current for item in standings(user)}
    if version_ids and set(version_ids) != set(current):
        raise DomainError(STALE, field="consent")
    for version in current.values():
        append_record(user, version, "given", method=method, language=version.language)
    db.session.flush()


def withdraw(user: User, kind: str = "health_data") -> ConsentRecord:
    """Withdraw a given consent (the health-data consent at any time). A new record; the account is paused."""
    if kind not in DOCUMENT_KINDS:
        raise NotFound(_l("We could not find that document."))
    document = instance_document(kind)
    item = standing(user, document) if document else None
    if item is None or item.latest is None or not policy.can_withdraw(item.latest.decision):
        raise DomainError(_l("There is no consent of this kind to withdraw."))
    record = append_record(user, item.latest_version or item.current, "withdrawn", method="form",
                     language=(item.latest_version or item.current).language)  # fmt: skip
    db.session.flush()
    # Like a suspension: the open sockets close after the commit, and ``connect`` refuses until they consent
    # again, so nothing of the groups keeps streaming to a paused account.
    disconnect_after_commit(user.id)
    return record
