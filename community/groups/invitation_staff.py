"""Staff work on invitations: who may invite, inviting by email, by code or by list, listing, resending
and revoking. Every change is audited in the same transaction; mails go out after the commit."""

from __future__ import annotations

import csv
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from community.auth.models import User
from community.core import audit
from community.core.errors import DomainError, NotFound
from community.core.time import utcnow
from community.extensions import db
from community.groups import policy
from community.groups.invitations import (
    DEFAULT_DAYS,
    hash_token,
    membership_of,
    new_code,
    normalise_code,
    queue_invitation_mail,
)
from community.groups.models import Group, Invitation, Membership

MAX_DAYS, MAX_USES, MAX_BULK_ROWS = 30, 1000, 200
EMAIL_PATTERN = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]{2,}$")


@dataclass(frozen=True)
class CreatedCode:
    invitation: Invitation
    code: str  # shown once to the inviter, never stored


@dataclass(frozen=True)
class BulkRow:
    row: int
    email: str
    outcome: str  # "invited", "already a member", "already invited", "invalid email", "duplicate in list"


# --- who may invite -----------------------------------------------------------------------------------------


def open_for_inviting(actor: User, slug: str) -> tuple[Group, Membership | None]:
    """The group and the actor's membership, if the actor may invite to it. Anyone else: not found."""
    group = db.session.scalar(select(Group).where(Group.slug == slug))
    membership = membership_of(actor, group) if group else None
    if group is None or not policy.can_invite(actor, group, membership):
        raise NotFound(_l("We could not find that page."))
    return group, membership


def _check_invite(actor: User, group: Group, role: str, days: int) -> None:
    if not policy.is_known_role(role):
        raise DomainError(_l("Choose one of the roles in the list."), field="role")
    membership = membership_of(actor, group)
    if not policy.can_invite_as(actor, group, membership, role):
        if policy.is_group_manager(actor, group, membership):
            refusal = _l("Only an admin can bring in a moderator or group manager. Invite a member or professional.")
        else:
            refusal = _l("Only an admin can invite someone with that role. Invite this person as a member.")
        raise DomainError(refusal, field="role")
    if not 1 <= days <= MAX_DAYS:
        raise DomainError(_l("Choose an expiry of 1 to %(max)d days.", max=MAX_DAYS), field="days")


def _check_manage(actor: User, invitation: Invitation) -> None:
    if not policy.can_invite_as(actor, invitation.group, membership_of(actor, invitation.group), invitation.role):
        raise NotFound(_l("We could not find that invitation."))


def normalise_email(raw: str) -> str:
    value = (raw or "").strip().lower()
    if len(value) > 254 or not EMAIL_PATTERN.match(value):
        raise DomainError(_l("Enter an email address like name@example.org."), field="email")
    return value


def _email_state(group: Group, email: str) -> str | None:
    """Why this address needs no new invitation, or None."""
    member = db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.group_id == group.id, User.email == email, Membership.state != "removed")
    )
    if member:
        return "already a member"
    pending = db.session.scalar(
        select(func.count())
        .select_from(Invitation)
        .where(
            Invitation.group_id == group.id,
            Invitation.email == email,
            Invitation.state == "open",
            Invitation.expires_at > utcnow(),
        )
    )
    return "already invited" if pending else None


# --- creating, listing, resending, revoking -----------------------------------------------------------------


def _store_email_invitation(actor: User, group: Group, email: str, role: str, days: int) -> Invitation:
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        group_id=group.id,
        role=role,
        channel="email",
        email=email,
        token_hash=hash_token(token),
        created_by_id=actor.id,
        expires_at=utcnow() + timedelta(days=days),
        uses_left=1,
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record(
        "invitation.created",
        actor_id=actor.id,
        target_type="invitation",
        target_id=invitation.id,
        group_id=group.id,
        details={"channel": "email", "role": role, "days": days},
    )
    queue_invitation_mail(email, token, days)
    return invitation


def create_email_invitation(actor: User, group: Group, email: str, role: str, days: int = DEFAULT_DAYS) -> Invitation:
    """Invite one address. Precondition: none. The mail (a single-use link) goes out after the commit."""
    _check_invite(actor, group, role, days)
    email = normalise_email(email)
    reason = _email_state(group, email)
    if reason == "already a member":
        raise DomainError(_l("This person is already in the group."), field="email")
    if reason == "already invited":
        raise DomainError(_l("This address already has an open invitation. Resend it from the list."), field="email")
    return _store_email_invitation(actor, group, email, role, days)


def create_code_invitation(
    actor: User, group: Group, role: str, days: int = DEFAULT_DAYS, max_uses: int | str | None = None
) -> CreatedCode:
    """A code (and link) for people without email. The code is returned once and never stored.

    ``max_uses``: None or empty for "anyone with the code until it expires", else 1 to MAX_USES."""
    _check_invite(actor, group, role, days)
    raw_uses = str(max_uses if max_uses is not None else "").strip()
    if raw_uses and (not raw_uses.isdigit() or not 1 <= int(raw_uses) <= MAX_USES):
        raise DomainError(_l("Choose 1 to %(max)d uses, or leave it empty.", max=MAX_USES), field="max_uses")
    max_uses = int(raw_uses) if raw_uses else None
    code = new_code()
    invitation = Invitation(
        group_id=group.id,
        role=role,
        channel="code",
        token_hash=hash_token(normalise_code(code)),
        created_by_id=actor.id,
        expires_at=utcnow() + timedelta(days=days),
        uses_left=max_uses,
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record(
        "invitation.created",
        actor_id=actor.id,
        target_type="invitation",
        target_id=invitation.id,
        group_id=group.id,
        details={"channel": "code", "role": role, "days": days, "max_uses": max_uses},
    )
    return CreatedCode(invitation, code)


def list_invitations(actor: User, group: Group, *, limit: int = 100) -> list[Invitation]:
    """The group's most recent invitations, newest first (bounded). Precondition: the actor may invite."""
    if not policy.can_invite(actor, group, membership_of(actor, group)):
        raise NotFound(_l("We could not find that page."))
    return list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.group_id == group.id)
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
            .limit(limit)
        )
    )


def get_invitation(group: Group, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.group_id != group.id:
        raise NotFound(_l("We could not find that invitation."))
    return invitation


def resend(actor: User, invitation: Invitation, days: int = DEFAULT_DAYS) -> Invitation:
    """A new link and a new expiry for an email invitation that is still open or has expired; the old link dies."""
    _check_manage(actor, invitation)
    if invitation.channel != "email":
        raise DomainError(_l("A code cannot be sent again. Create a new code instead."))
    if invitation.state != "open":
        raise DomainError(_l("This invitation was used or withdrawn. Invite the person again instead."))
    token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(token)
    invitation.expires_at = utcnow() + timedelta(days=days)
    invitation.uses_left = 1
    audit.record(
        "invitation.resent",
        actor_id=actor.id,
        target_type="invitation",
        target_id=invitation.id,
        group_id=invitation.group_id,
        details={"role": invitation.role, "days": days},
    )
    queue_invitation_mail(invitation.email or "", token, days)
    return invitation


def revoke(actor: User, invitation: Invitation) -> Invitation:
    """Withdraw an open invitation: its link or code stops working at once."""
    _check_manage(actor, invitation)
    if invitation.state != "open":
        raise DomainError(_l("This invitation was already used or withdrawn."))
    _withdraw(actor, invitation)
    return invitation


def _withdraw(actor: User, invitation: Invitation, **details: object) -> None:
    """Close ``invitation`` and write its audit row (the caller has checked the actor's right)."""
    invitation.state = "revoked"
    audit.record(
        "invitation.revoked",
        actor_id=actor.id,
        target_type="invitation",
        target_id=invitation.id,
        group_id=invitation.group_id,
        details={"channel": invitation.channel, "role": invitation.role, **details},
    )


def used_by(membership: Membership | None) -> list[Invitation]:
    """The invitation the member joined through, if it still lets people in (what removal offers to revoke)."""
    if membership is None or membership.invitation_id is None:
        return []
    invitation = db.session.get(Invitation, membership.invitation_id)
    if invitation is None or invitation.state != "open" or invitation.expires_at <= utcnow():
        return []
    return [invitation]


def revoke_used_by(actor: User, membership: Membership) -> list[int]:
    """On removal: withdraw the open invitation the member joined through, so nobody it was passed on to can use
    it. The caller (``groups.services.remove_member`` or a moderator's "remove" in ``moderation.actions``) has
    checked that the actor may remove; each revocation is audited."""
    revoked = []
    for invitation in used_by(membership):
        _withdraw(actor, invitation, on_removal_of=membership.user_id)
        revoked.append(invitation.id)
    return revoked


def _bulk_lines(text: str) -> list[tuple[int, str]]:
    """(line number, address) pairs from one-address-a-line text or a CSV with an ``email`` column."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and "email" in [cell.strip().lower() for cell in next(csv.reader([lines[first]]))]:
        header = [cell.strip().lower() for cell in next(csv.reader([lines[first]]))]
        column = header.index("email")
        rows = []
        for number, line in enumerate(lines[first + 1 :], start=first + 2):
            cells = next(csv.reader([line]), [])
            if any(cell.strip() for cell in cells):
                rows.append((number, cells[column].strip() if column < len(cells) else ""))
        return rows
    return [(number, line.strip()) for number, line in enumerate(lines, start=1) if line.strip()]


def count_addresses(text: str) -> int:
    """How many addresses a pasted list or CSV holds (what a bulk invitation would send at most)."""
    return len(_bulk_lines(text or ""))


def bulk_invite(actor: User, group: Group, text: str, role: str, days: int = DEFAULT_DAYS) -> list[BulkRow]:
    """Invite every valid address of a pasted list or CSV; one result a row. Invalid rows store nothing."""
    _check_invite(actor, group, role, days)
    rows = _bulk_lines(text or "")
    if not rows:
        raise DomainError(_l("Paste at least one email address."), field="emails")
    if len(rows) > MAX_BULK_ROWS:
        raise DomainError(_l("Paste at most %(max)d addresses at a time.", max=MAX_BULK_ROWS), field="emails")
    results, seen = [], set()
    for number, raw in rows:
        try:
            email = normalise_email(raw)
        except DomainError:
            results.append(BulkRow(number, raw[:254], "invalid email"))
            continue
        if email in seen:
            results.append(BulkRow(number, email, "duplicate in list"))
            continue
        seen.add(email)
        reason = _email_state(group, email)
        if reason is None:
            _store_email_invitation(actor, group, email, role, days)
        results.append(BulkRow(number, email, reason or "invited"))
    return results
