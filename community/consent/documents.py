"""Consent documents and their frozen versions: what staff write and publish.

A document (terms of use, privacy notice, health-data consent, a group's rules) has numbered versions; one
number may exist in several languages. The current version is the highest published number. A published
version never changes (the ORM refuses it): a change is a new version, identified by the SHA-256 of its text.
Members' standings and decisions on them are in ``consent.services``.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from community.auth.admin_actions import disconnect_everyone_after_commit, disconnect_group_after_commit
from community.auth.models import User
from community.consent import policy
from community.consent.models import ConsentDocument, ConsentVersion
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
