"""Consent documents, their frozen versions, and members' decisions on them.

A document (terms of use, privacy notice, health-data consent, a group's rules) has numbered versions; one
number may exist in several languages. The current version is the highest published number. A published
version never changes (the ORM refuses it): a change is a new version, identified by the SHA-256 of its text.

A member's standing on a document is their latest record for it: "given" for the current number counts,
anything else (an older version, "refused", "withdrawn") means they are asked again. Records are only added.
Whoever has to decide again (a withdrawal, a refusal, a new version) has their open sockets closed after the
commit, like a suspension; the socket ``connect`` refuses them until they have decided.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from community.auth.admin_actions import (
    disconnect_after_commit,
    disconnect_everyone_after_commit,
    disconnect_group_after_commit,
)
from community.auth.models import User
from community.consent import policy
from community.consent.models import DOCUMENT_KINDS, ConsentDocument, ConsentRecord, ConsentVersion
from community.core import audit
from community.core.errors import DomainError, Forbidden, NotFound
from community.core.time import utcnow
from community.extensions import db
from community.groups.models import Group, Membership

METHODS = ("form", "invitation", "guardian_link")
MAX_TEXT = 100_000


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def default_language() -> str:
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "en")


def render(version: ConsentVersion) -> str:
    """Document text is Markdown, made into HTML by the one sanitizer like everything else."""
    return version.text_html


# --- documents and versions (staff) ----------------------------------------------------------------------------


def instance_document(kind: str) -> ConsentDocument | None:
    return db.session.scalar(
        select(ConsentDocument).where(ConsentDocument.kind == kind, ConsentDocument.group_id.is_(None)).limit(1)
    )


def rules_document(group: Group) -> ConsentDocument | None:
    return db.session.scalar(
        select(ConsentDocument).where(ConsentDocument.kind == "group_rules", ConsentDocument.group_id == group.id)
    )


def list_documents() -> list[ConsentDocument]:
    return list(
        db.session.scalars(
            select(ConsentDocument).where(ConsentDocument.group_id.is_(None)).order_by(ConsentDocument.id).limit(50)
        )
    )


def get_document(document_id: int) -> ConsentDocument:
    document = db.session.get(ConsentDocument, document_id)
    if document is None:
        raise NotFound(_l("We could not find that document."))
    return document


def versions_of(document: ConsentDocument, limit: int = 100) -> list[ConsentVersion]:
    return list(
        db.session.scalars(
            select(ConsentVersion)
            .where(ConsentVersion.document_id == document.id)
            .order_by(ConsentVersion.version.desc(), ConsentVersion.language)
            .limit(limit)
        )
    )


def create_document(actor: User, *, kind: str, title: str, required: bool = True) -> ConsentDocument:
    if not policy.can_manage_documents(actor):
        raise Forbidden(_l("Only an admin can write consent documents."))
    if kind not in policy.ADMIN_KINDS:
        raise DomainError(_l("Choose which kind of document this is."), field="kind")
    title = " ".join((title or "").split())
    if not 2 <= len(title) <= 120:
        raise DomainError(_l("Give the document a title of 2 to 120 characters."), field="title")
    if instance_document(kind) is not None:
        raise DomainError(_l("This document already exists. Write a new version of it instead."), field="kind")
    document = ConsentDocument(kind=kind, title=title, required=required)
    db.session.add(document)
    db.session.flush()
    audit.record("consent.document_created", actor_id=actor.id, target_type="consent_document",
                 target_id=document.id, details={"kind": kind, "required": required})  # fmt: skip
    return document


def _clean_text(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if not 10 <= len(text) <= MAX_TEXT:
        raise DomainError(_l("Write the text: 10 to 100,000 characters."), field="text")
    return text


def _language(language: str) -> str:
    if language not in current_app.config["LANGUAGES"]:
        raise DomainError(_l("Choose one of the languages offered."), field="language")
    return language


def save_draft(
    actor: User, document: ConsentDocument, *, language: str, text: str, summary: str = ""
) -> ConsentVersion:
    """Write (or rewrite) the unpublished version of a document in one language.

    The number: a translation of the newest version when that number has no text in this language yet,
    otherwise the next number. A published version is never touched.
    """
    if not _may_write(actor, document):
        raise Forbidden(_l("You cannot change this document."))
    language, text = _language(language), _clean_text(text)
    summary = (summary or "").strip()[:2000]
    newest = db.session.scalar(
        select(func.max(ConsentVersion.version)).where(ConsentVersion.document_id == document.id)
    )
    existing = None
    if newest is not None:
        existing = db.session.scalar(
            select(ConsentVersion).where(
                ConsentVersion.document_id == document.id,
                ConsentVersion.version == newest,
                ConsentVersion.language == language,
            )
        )
    if existing is not None and existing.published_at is None:
        existing.text, existing.text_hash, existing.summary_of_changes = text, text_hash(text), summary
        db.session.flush()
        return existing
    number = (newest or 0) + (1 if existing is not None or newest is None else 0)
    version = ConsentVersion(document_id=document.id, version=number, language=language, text=text,
                             text_hash=text_hash(text), summary_of_changes=summary)  # fmt: skip
    db.session.add(version)
    db.session.flush()
    return version


def publish(actor: User, version: ConsentVersion) -> ConsentVersion:
    document = db.session.get(ConsentDocument, version.document_id)
    if document is None or not _may_write(actor, document):
        raise Forbidden(_l("You cannot publish this document."))
    if version.published_at is not None:
        raise DomainError(_l("This version is already published. Write a new version to change it."))
    asks_again = version.version > (current_number(document.id) or 0)  # not a translation of the current one
    version.published_at = utcnow()
    db.session.flush()
    # Everyone who must now decide again loses live access at once, as after a withdrawal: their sockets close
    # after the commit, and ``connect`` (or, for a group, joining its room) waits for their decision.
    if asks_again and document.group_id is not None:
        disconnect_group_after_commit(document.group_id)
    elif asks_again and document.required and document.kind in policy.REQUIRED_KINDS:
        disconnect_everyone_after_commit()
    audit.record("consent.version_published", actor_id=actor.id, target_type="consent_version",
                 target_id=version.id, group_id=document.group_id,
                 details={"document_id": document.id, "kind": document.kind, "version": version.version,
                          "language": version.language, "text_hash": version.text_hash})  # fmt: skip
    return version


def get_version(version_id: int) -> ConsentVersion:
    version = db.session.get(ConsentVersion, version_id)
    if version is None:
        raise NotFound(_l("We could not find that version."))
    return version


def _may_write(actor: User, document: ConsentDocument) -> bool:
    if document.group_id is None:
        return policy.can_manage_documents(actor)
    group = db.session.get(Group, document.group_id)
    membership = db.session.scalar(
        select(Membership).where(Membership.group_id == document.group_id, Membership.user_id == actor.id)
    )
    return group is not None and policy.can_write_group_rules(actor, group, membership)


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


def current_number(document_id: int) -> int | None:
    return db.session.scalar(
        select(func.max(ConsentVersion.version)).where(
            ConsentVersion.document_id == document_id, ConsentVersion.published_at.is_not(None)
        )
    )


def version_in(document_id: int, number: int, language: str) -> ConsentVersion | None:
    """The published version ``number`` in ``language``, else in the default language, else in any."""
    rows = db.session.scalars(
        select(ConsentVersion).where(
            ConsentVersion.document_id == document_id,
            ConsentVersion.version == number,
            ConsentVersion.published_at.is_not(None),
        )
    ).all()
    for wanted in (language, default_language()):
        for row in rows:
            if row.language == wanted:
                return row
    return rows[0] if rows else None


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
    from community.consent import in_force

    return bool(in_force.required())


def standings(user: User) -> list[Standing]:
    return [s for s in (standing(user, document) for document in required_documents()) if s is not None]


def missing(user: User) -> list[Standing]:
    return [item for item in standings(user) if not item.ok]


def has_required_consents(user: User) -> bool:
    """The gates' question, answered in one statement (``consent.in_force``) when the member is up to date."""
    from community.consent import in_force

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
