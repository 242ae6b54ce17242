"""Password reset by email: a short-lived, single-use link, and the same answer whether or not the account exists.

Flow: :func:`request_reset` (maybe mails a link) → :func:`check_reset_token` (the link's page) →
:func:`complete_reset` (new password, every session ended, other links invalidated, audited). The routes
commit. Only the SHA-256 of a token is stored, so a copy of the database opens no account.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from community.auth import throttle
from community.auth.account import is_staff_account
from community.auth.models import User
from community.auth.reset_links import reset_link_url
from community.auth.reset_models import PasswordResetToken
from community.auth.services import check_password_rules, find_by_login, lift_expired_suspension
from community.auth.sessions import end_all_sessions
from community.core import audit, mail
from community.core import time as clock
from community.core.errors import DomainError, NotFound
from community.core.passwords import hash_password
from community.extensions import db

TOKEN_MINUTES = 30
MAILS_PER_HOUR = 3  # per account: a stranger cannot flood someone's inbox with reset mails


class ResetLinkGone(DomainError):
    """The link existed but was used or has expired: 410 Gone, with a page that says what to do."""

    status_code = 410


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_reset(login: str) -> None:
    """Mail a reset link if ``login`` names an active account with an email address. Caller commits.

    Returns nothing on purpose: the page says the same thing in every case, so nobody learns whether an
    account exists or has an email address. At most MAILS_PER_HOUR links per account per hour; past that the
    request is quietly dropped.
    """
    user = find_by_login(login)
    if user is not None:
        lift_expired_suspension(user)  # a suspension that has ended must not block a reset
    if user is None or not user.email or not user.is_active:
        return
    now = clock.utcnow()
    recent = db.session.scalar(
        select(func.count())
        .select_from(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.created_at > now - timedelta(hours=1))
    )
    if recent >= MAILS_PER_HOUR:
        return
    token = new_link(user, now, timedelta(minutes=TOKEN_MINUTES))
    db.session.flush()
    _send_link(user, token)


def new_link(user: User, now: datetime, lifetime: timedelta, *, issued_by: User | None = None) -> str:
    """Store a one-time link for ``user`` (only its SHA-256) and return the token, to be mailed or, made by an
    admin at the help desk (``issued_by``), read out. The one mechanism for both: a reset link."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + lifetime,
            issued_by_id=issued_by.id if issued_by is not None else None,
        )
    )
    return token


def _send_link(user: User, token: str) -> None:
    with force_locale(user.language or "en"):
        subject = _("Choose a new password for Kring")
        body = _(
            "Someone (we hope you) asked to choose a new password for your Kring account.\n\n"
            "Open this link within %(minutes)s minutes to choose it:\n%(link)s\n\n"
            "The link works once. If you did not ask for this, you can ignore this mail: "
            "your password stays the same.\n",
            minutes=TOKEN_MINUTES,
            link=reset_link_url(token),
        )
    # After the commit and off the request: the answer takes as long, and says the same, for an account that
    # does not exist, and a failed mail is only logged (the person can ask again).
    mail.send_after_commit(user.email or "", subject, body)


def check_reset_token(token: str) -> PasswordResetToken:
    """The stored link for ``token``. NotFound (404) if unknown; ResetLinkGone (410) if used or expired."""
    row = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(token or "")))
    if row is None:
        raise NotFound(_("We do not know this link. Ask for a new one on the page where you reset your password."))
    user = db.session.get(User, row.user_id)
    if user is not None:
        lift_expired_suspension(user)
    if user is None or not user.is_active:
        raise ResetLinkGone(_("This link is not valid any more."))
    if row.used_at is not None:
        raise ResetLinkGone(_("This link was used already. If you still need a new password, ask for a new link."))
    if row.expires_at <= clock.utcnow():
        if row.issued_by_id is not None:  # made by an admin for someone without e-mail
            raise ResetLinkGone(_("This link has expired. Ask the person who gave it to you for a new one."))
        raise ResetLinkGone(
            _("This link has expired: it works for %(minutes)s minutes. Ask for a new link.", minutes=TOKEN_MINUTES)
        )
    return row


def complete_reset(token: str, password: str, password_again: str) -> User:
    """Set a new password through a valid link. Caller commits; nothing changes when a rule says no.

    Afterwards: the link and every other open link of the member are used up, every signed-in session of the
    member is ended (a thief who knew the old password is out), any sign-in back-off is lifted, and the audit
    log says so (without the password, of course).
    """
    row = check_reset_token(token)
    user = db.session.get(User, row.user_id)
    if user is None:  # cannot happen after check_reset_token; keeps the type checker and a reader sure
        raise ResetLinkGone(_("This link is not valid any more."))
    if password != password_again:
        raise DomainError(_("The two passwords are not the same. Type the new password twice."), field="password_again")
    check_password_rules(password, staff=is_staff_account(user), username=user.username, email=user.email)
    now = clock.utcnow()
    user.password_hash = hash_password(password)
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    end_all_sessions(user.id)
    audit.record(
        "account.password_reset",
        actor_id=user.id,
        target_type="user",
        target_id=user.id,
        details={"link_by_admin": row.issued_by_id} if row.issued_by_id is not None else None,
    )
    throttle.clear(throttle.subject_for(user.username, user))
    return user
