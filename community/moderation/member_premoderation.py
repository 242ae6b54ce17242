"""One member's pre-moderation in a group, decided by its moderators (and managers): *keep* them under
pre-moderation (everything they write there, posts and chat messages, is held for a moderator whatever the
group's mode), *release* them early from the group's new-member pre-moderation, or go back to the group's rule.

Each change is audited with the moderator's reason. The member is not told: what they write shows "waiting for
a moderator" to them as any held text does, and a notice that they are being watched would only sting (the
decision is about the group's safety, not a sanction, so there is nothing to appeal). Read by the pipeline
(``services.screen``) through :func:`mode_of`."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.auth.models import User
from community.core import audit
from community.core.errors import DomainError, Forbidden, NotFound
from community.core.time import utcnow
from community.extensions import db
from community.groups.models import Group, Membership
from community.moderation import policy
from community.moderation.models import MemberPremoderation

DEFAULT, KEPT, RELEASED = "default", "kept", "released"
CHOICES = (DEFAULT, KEPT, RELEASED)
REASON_MAX = 500


@dataclass(frozen=True)
class MemberState:
    """For the member's moderation page: the group's rule and the moderators' choice for this member."""

    group: Group
    subject: User
    membership: Membership
    mode: str  # one of CHOICES
    group_mode: str  # the group's pre-moderation mode: none, new_members, all


def mode_of(membership: Membership | None) -> str:
    """The moderators' choice for this membership, or ``default`` (the group's rule)."""
    if membership is None or membership.id is None:
        return DEFAULT
    row = db.session.get(MemberPremoderation, membership.id)
    return row.mode if row is not None else DEFAULT


def _open(actor: User, group_id: int, subject_id: int) -> tuple[Group, User, Membership]:
    """The group's own acting moderators only (as for the notes on a member); someone not in it is not found."""
    group = db.session.get(Group, group_id) if 0 < group_id < 2**31 else None
    own = (
        db.session.scalar(select(Membership).where(Membership.user_id == actor.id, Membership.group_id == group.id))
        if group is not None
        else None
    )
    if group is None or not policy.is_acting_moderator(actor, group, own):
        raise NotFound(_l("We could not find that page."))
    subject = db.session.get(User, subject_id) if 0 < subject_id < 2**31 else None
    membership = (
        db.session.scalar(select(Membership).where(Membership.user_id == subject.id, Membership.group_id == group.id))
        if subject is not None
        else None
    )
    if membership is None:
        raise NotFound(_l("We could not find that person in this group."))
    return group, subject, membership


def state_of(actor: User, group_id: int, subject_id: int) -> MemberState | None:
    """For the member's moderation page (the notes): None when they are no longer in the group."""
    group, subject, membership = _open(actor, group_id, subject_id)
    if membership.state == "removed":
        return None
    return MemberState(group, subject, membership, mode_of(membership), group.premoderation)


def set_mode(actor: User, group_id: int, subject_id: int, choice: str, reason: str) -> MemberState:
    """Keep, release or go back to the group's rule; audited as ``moderation.premoderation_<choice>`` with the
    reason. Members only: moderators are never pre-moderated, and nobody decides about themselves."""
    group, subject, membership = _open(actor, group_id, subject_id)
    if membership.state == "removed":
        raise NotFound(_l("We could not find that person in this group."))
    if not policy.can_sanction(actor, subject, membership):
        raise Forbidden(_l("Pre-moderation is for members: not for moderators, admins or yourself."))
    if choice not in CHOICES:
        raise DomainError(_l("Choose one of the options shown."), field="choice")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Write a short reason for the other moderators."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_l("Keep the reason under %(count)d characters.", count=REASON_MAX), field="reason")
    row = db.session.get(MemberPremoderation, membership.id)
    previous = row.mode if row is not None else DEFAULT
    if previous == choice:
        raise DomainError(_l("That is already the choice for this member."), field="choice")
    if choice == DEFAULT:
        db.session.delete(row)
    elif row is None:
        db.session.add(
            MemberPremoderation(membership_id=membership.id, mode=choice, decided_by_id=actor.id, decided_at=utcnow())
        )
    else:
        row.mode, row.decided_by_id, row.decided_at = choice, actor.id, utcnow()
    db.session.flush()
    audit.record(
        f"moderation.premoderation_{choice}", actor_id=actor.id, target_type="user", target_id=subject.id,
        group_id=group.id, reason=reason, details={"previous": previous},
    )  # fmt: skip
    return MemberState(group, subject, membership, choice, group.premoderation)
