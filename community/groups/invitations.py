"""Invitations: the only way into Kring. Tokens, the invitation mail, and accepting an invitation.

Creating, listing, resending and revoking them (staff work) is in ``invitation_staff``.

A token is never stored, only its SHA-256. Email links carry ``secrets.token_urlsafe(32)``. Group codes are
made for people without email who may type them from a note, so they use an unambiguous 32-letter alphabet:
20 characters, 100 random bits, which no rate-limited guessing reaches before the code expires.

Mails are sent after the transaction commits (like realtime events): a rollback never leaves a mail pointing
at an invitation that was not stored.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from functools import partial
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update

from community.auth.models import User
from community.auth.services import check_password_rules, create_account
from community.core import audit
from community.core.errors import DomainError, NotFound
from community.core.mail import send_mail
from community.core.time import utcnow
from community.core.transaction import on_commit
from community.extensions import db
from community.groups import policy
from community.groups.models import Group, Invitation, Membership
from community.groups.signals import joining_with_new_account

log = logging.getLogger(__name__)

DEFAULT_DAYS = 7
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1: nothing to misread on paper
CODE_LENGTH = 20
REMOVED_EARLIER = _l(
    "You were removed from this group, so this invitation no longer lets you in. "
    "If you should be in the group again, ask its moderators for a new invitation."
)


class InvitationGone(DomainError):
    """The invitation existed but can no longer be used: expired, used up or revoked."""

    status_code = 410

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


# --- tokens -------------------------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 5] for i in range(0, CODE_LENGTH, 5))


def normalise_code(value: str) -> str:
    return re.sub(r"[\s-]+", "", value).upper()


def effective_state(invitation: Invitation) -> str:
    """The state a person would meet now: an open invitation past its expiry is expired (no write on read)."""
    if invitation.state == "open" and invitation.expires_at <= utcnow():
        return "expired"
    return invitation.state


def find_invitation(token: str) -> Invitation:
    """The invitation behind a link or a typed code, if it can still be used. Raises NotFound or InvitationGone."""
    token = (token or "").strip()[:200]
    hashes = {hash_token(token), hash_token(normalise_code(token))} if token else set()
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash.in_(hashes))) if hashes else None
    if invitation is None:
        raise NotFound(
            _l(
                "We could not find this invitation. Check that you copied the whole link or code, "
                "or ask the person who invited you for a new invitation."
            )
        )
    state = effective_state(invitation)
    if state == "expired":
        raise InvitationGone(
            _l("This invitation has expired. Ask the person who invited you for a new invitation."), reason=state
        )
    if state == "revoked":
        raise InvitationGone(
            _l("This invitation was withdrawn. Ask the person who invited you for a new invitation."), reason=state
        )
    if state != "open" or invitation.uses_left == 0:
        raise InvitationGone(
            _l(
                "This invitation has already been used. If you used it, sign in. "
                "Otherwise ask the person who invited you for a new invitation."
            ),
            reason="used",
        )
    return invitation


# --- mail after commit --------------------------------------------------------------------------------------


def queue_invitation_mail(email: str, token: str, days: int) -> None:
    """Send the invitation once the transaction commits; dropped if it, or its savepoint, rolls back."""
    on_commit(partial(_send_invitation_mail, email, token, days))


def invite_link(token: str) -> str:
    """The address of an invitation, from BASE_URL: mails are sent outside any request."""
    return f"{current_app.config['BASE_URL']}/invite/{token}"


def _invitation_mail_body(token: str, expires_days: int) -> str:
    link = invite_link(token)
    # No group name: the mail may be read by others, and the name of a group can reveal a diagnosis.
    return _(
        "Hello,\n\nYou are invited to join a closed group on Kring.\n\n"
        "Open this link to accept the invitation and create your account:\n%(link)s\n\n"
        "The link works once and for %(days)d days. If you did not expect this mail, you can ignore it.\n",
        link=link,
        days=expires_days,
    )


def _send_invitation_mail(email: str, token: str, days: int) -> None:
    # In the language in force: the inviter's page's, or outside a request (the CLI) the default language
    # (core.i18n.select_locale chooses no other there).
    try:
        send_mail(email, _("You are invited to Kring"), _invitation_mail_body(token, days))
    except OSError as error:  # SMTP down: the invitation stays listed and can be resent
        log.warning("invitation mail not sent: %s", type(error).__name__)


def membership_of(user: User, group: Group) -> Membership | None:
    return db.session.scalar(select(Membership).where(Membership.group_id == group.id, Membership.user_id == user.id))


# --- accepting ----------------------------------------------------------------------------------------------


def parse_year_of_birth(raw: str | int | None) -> int | None:
    value = str(raw or "").strip()
    if not value:
        return None
    this_year = utcnow().year
    if not value.isdigit() or not 1900 <= int(value) <= this_year:
        raise DomainError(_l("Enter a year between 1900 and %(year)d, or leave it empty.", year=this_year),
                          field="year_of_birth")  # fmt: skip
    return int(value)


def _use_once(invitation: Invitation) -> None:
    """Take one use in the database itself, so two people cannot both take the last one."""
    now = utcnow()
    taken = db.session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.state == "open",
            Invitation.expires_at > now,
            or_(Invitation.uses_left.is_(None), Invitation.uses_left > 0),
        )
        .values(uses_left=Invitation.uses_left - 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        raise InvitationGone(_l("This invitation has just been used up. Ask the person who invited you for a new one."),
                             reason="used")  # fmt: skip
    db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.uses_left == 0)
        .values(state="accepted")
        .execution_options(synchronize_session=False)
    )
    db.session.expire(invitation)


def _join(user: User, invitation: Invitation, *, new_account: bool) -> Group:
    group = invitation.group
    membership = membership_of(user, group)
    if membership is not None and membership.state in policy.READING_STATES:
        raise DomainError(_l("You are already in this group."))
    if membership is not None and membership.state == "suspended":
        raise DomainError(_l("You cannot join this group at the moment. Ask the person who invited you."))
    if not policy.may_rejoin_through(membership, invitation.created_at):
        raise DomainError(REMOVED_EARLIER)
    _use_once(invitation)
    role, channel = invitation.role, invitation.channel
    if membership is None:
        db.session.add(Membership(group_id=group.id, user_id=user.id, role=role, invitation_id=invitation.id))
    else:  # removed earlier, invited back by staff with an invitation made after the removal
        membership.role, membership.state, membership.state_until = role, "active", None
        membership.invitation_id = invitation.id
    db.session.flush()
    audit.record(
        "invitation.accepted",
        actor_id=user.id,
        target_type="invitation",
        target_id=invitation.id,
        group_id=group.id,
        details={"role": role, "channel": channel, "new_account": new_account},
    )
    return group


def accept_with_new_account(
    token: str,
    *,
    username: str,
    display_name: str,
    password: str,
    language: str,
    year_of_birth: str | int | None,
    form_data: dict[str, Any],
) -> tuple[User, Group]:
    """Create an account from an invitation and join its group. The caller commits, then signs the person in."""
    invitation = find_invitation(token)
    year = parse_year_of_birth(year_of_birth)
    check_password_rules(password or "", staff=invitation.role in policy.CARE_ROLES)
    email = invitation.email if invitation.channel == "email" else None
    if email and db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise DomainError(_l("This email address already has an account. Sign in first, then open the link again."))
    user = create_account(
        username=username,
        display_name=display_name,
        password=password,
        email=email,
        language=language,
        year_of_birth=year,
        staff=invitation.role in policy.CARE_ROLES,
    )
    joining_with_new_account.send(user, form_data=form_data)  # consent: a refusal raises, nothing is stored
    return user, _join(user, invitation, new_account=True)


def accept_as_member(user: User, token: str) -> Group:
    """A signed-in member joins the invitation's group with its role; no new account. The caller commits."""
    invitation = find_invitation(token)
    if not policy.is_active_account(user):
        raise NotFound(_l("We could not find this invitation."))
    return _join(user, invitation, new_account=False)
