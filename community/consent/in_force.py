"""The fast answer to "may this member go on?", asked on every page and every chat event.

The full picture of a document (``services.standing``: the text in the member's language, their latest
record, what changed) takes four statements per document and is what the consent pages show. The gates need
much less: which documents are in force with which version number (the same for everybody, so cached per
process through ``core.config_cache``), and the member's latest decision on each (one statement for all of
them). A member whose decisions are current passes with that; anyone else goes the long way.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from community.auth.models import User
from community.consent import policy
from community.consent.models import ConsentDocument, ConsentRecord, ConsentVersion
from community.core import config_cache
from community.extensions import db

REQUIRED = "consent.required"
GROUP_RULES = "consent.group_rules"
config_cache.register(REQUIRED, ConsentDocument, ConsentVersion)
config_cache.register(GROUP_RULES, ConsentDocument, ConsentVersion)


@dataclass(frozen=True)
class DocumentInForce:
    id: int
    number: int  # the current published version number


def _in_force(*conditions: object) -> list[DocumentInForce]:
    number = func.max(ConsentVersion.version)
    rows = db.session.execute(
        select(ConsentDocument.id, number)
        .join(ConsentVersion, ConsentVersion.document_id == ConsentDocument.id)
        .where(ConsentVersion.published_at.is_not(None), *conditions)
        .group_by(ConsentDocument.id)
        .order_by(ConsentDocument.id)
    ).all()
    return [DocumentInForce(document_id, version) for document_id, version in rows]


def required() -> tuple[DocumentInForce, ...]:
    """The instance's required documents that have a published version (empty: nobody is asked)."""
    return config_cache.cached(
        REQUIRED,
        None,
        lambda: tuple(
            _in_force(
                ConsentDocument.group_id.is_(None),
                ConsentDocument.required.is_(True),
                ConsentDocument.kind.in_(policy.REQUIRED_KINDS),
            )
        ),
    )


def group_rules(group_id: int) -> DocumentInForce | None:
    """The group's rules with their current number, or None while the group has no published rules."""

    def load() -> DocumentInForce | None:
        found = _in_force(ConsentDocument.kind == "group_rules", ConsentDocument.group_id == group_id)
        return found[0] if found else None

    return config_cache.cached(GROUP_RULES, group_id, load)


def decisions_current(user: User, documents: tuple[DocumentInForce, ...] | list[DocumentInForce]) -> bool:
    """Whether the member's latest decision on each document is "given" for its current number (one query)."""
    if not documents:
        return True
    rows = db.session.execute(
        select(ConsentRecord.document_id, ConsentRecord.decision, ConsentVersion.version)
        .join(ConsentVersion, ConsentVersion.id == ConsentRecord.version_id)
        .where(ConsentRecord.user_id == user.id, ConsentRecord.document_id.in_([d.id for d in documents]))
        .order_by(ConsentRecord.id.desc())
        .limit(500)  # a member records a few decisions per version; this is far above any real history
    ).all()
    latest: dict[int, tuple[str, int]] = {}
    for document_id, decision, version in rows:
        latest.setdefault(document_id, (decision, version))
    return all(
        policy.decision_is_current(*latest.get(document.id, (None, None)), document.number) for document in documents
    )
