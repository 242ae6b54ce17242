"""A group's rules: a consent document per group, written by its moderators, accepted by its members.

Saving publishes a new, frozen version; members are asked again at their next visit and see what changed.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.auth.models import User
from community.consent import in_force, policy
from community.consent.documents import publish, rules_document, save_draft
from community.consent.models import ConsentDocument, ConsentRecord, ConsentVersion
from community.consent.services import STALE, Standing, append_record, standing
from community.core.errors import DomainError, NotFound
from community.extensions import db
from community.groups.models import Group, Membership


def rules_standing(user: User, group: Group) -> Standing | None:
    document = rules_document(group)
    return standing(user, document) if document is not None else None


def needs_rules(user: User, group: Group, membership: Membership | None) -> Standing | None:
    """The group's rules still to accept (None: nothing to accept)."""
    in_force_now = in_force.group_rules(group.id)
    if in_force_now is None or not policy.needs_group_rules(membership, in_force_now.number):
        return None
    if in_force.decisions_current(user, [in_force_now]):
        return None  # the usual case, in one statement; the full standing only for a member who must decide
    document = rules_document(group)
    if document is None:
        return None
    item = standing(user, document)
    return item if item is not None and not item.ok else None


def accept_rules(user: User, group: Group, membership: Membership | None, version_id: int) -> ConsentRecord:
    item = needs_rules(user, group, membership)
    if item is None:
        raise DomainError(_l("There is nothing new to accept in this group."))
    if item.current.id != version_id:
        raise DomainError(STALE)
    record = append_record(user, item.current, "given", method="form", language=item.current.language)
    db.session.flush()
    return record


def write_rules(actor: User, group: Group, *, language: str, text: str, summary: str = "") -> ConsentVersion:
    """A moderator (or admin) writes the group's rules; saving publishes them as a new, frozen version."""
    membership = db.session.scalar(
        select(Membership).where(Membership.group_id == group.id, Membership.user_id == actor.id)
    )
    if not policy.can_write_group_rules(actor, group, membership):
        raise NotFound(_l("We could not find that group."))
    document = rules_document(group)
    if document is None:
        document = ConsentDocument(kind="group_rules", group_id=group.id, title=f"Rules of {group.name}"[:120])
        db.session.add(document)
        db.session.flush()
    version = save_draft(actor, document, language=language, text=text, summary=summary)
    return publish(actor, version)
