"""Account rules shared by the sign-in pages, the setup link, invitations and the CLI."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from community.auth import passwords_policy, throttle
from community.auth.models import SetupToken, User
from community.auth.names import imitates, normalise_display_name, normalise_username
from community.auth.policy import STAFF_ROLES
from community.core import audit
from community.core.errors import DomainError
from community.core.passwords import hash_password, needs_rehash, verify_password
from community.core.time import utcnow
from community.extensions import db

PASSWORD_MIN, STAFF_PASSWORD_MIN, PASSWORD_MAX = 8, 12, 128
SIGN_IN_REFUSED = "That username or password is not right. Check them and try again."


def check_password_rules(password: str, *, staff: bool, username: str | None = None, email: str | None = None) -> None:
    """8 to 128 characters (12 for staff), not a common password, not the username or email. No other rules."""
    minimum = STAFF_PASSWORD_MIN if staff else PASSWORD_MIN
    if len(password) < minimum:
        raise DomainError(_("Choose a password of at least %(num)d characters.", num=minimum), field="password")
    if len(password) > PASSWORD_MAX:
        raise DomainError(_("A password can be at most %(num)d characters.", num=PASSWORD_MAX), field="password")
    passwords_policy.check_not_guessable(password, username=username, email=email)


def find_by_login(login: str) -> User | None:
    """The account a sign-in name or email address points at, read the way registration stored it (NFKC)."""
    value = unicodedata.normalize("NFKC", login or "").strip()
    if not value:
        return None
    return db.session.scalar(
        select(User).where(or_(User.username_key == value.casefold(), User.email == value.lower()))
    )


def lift_expired_suspension(user: User) -> bool:
    """A suspension with an end date ends by itself. Suspension ends every session, so the person's next
    sign-in is the first moment it matters; lifting it there needs no scheduled job. Audited, actor "system"."""
    if user.state != "suspended" or user.state_until is None or user.state_until > utcnow():
        return False
    user.state, user.state_reason, user.state_until = "active", "", None
    audit.record("account.suspension_ended", actor_id=None, target_type="user", target_id=user.id)
    return True


def authenticate(login: str, password: str) -> User:
    """The member for these credentials. Unknown account and wrong password give the same answer.

    Repeated failures put the account (or the unknown login) in a back-off during which every attempt is
    refused, the right password too (see ``throttle``).
    """
    user = find_by_login(login)
    subject = throttle.subject_for(login, user)
    throttle.check_allowed(subject)
    if not verify_password(user.password_hash if user else None, password or "") or user is None:
        throttle.record_failure(subject, user)
        raise DomainError(SIGN_IN_REFUSED)
    lift_expired_suspension(user)
    if not user.is_active:
        raise DomainError(SIGN_IN_REFUSED)
    throttle.record_success(subject)
    if needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    return user


def staff_display_names(*, except_user_id: int | None = None, limit: int = 2000) -> list[str]:
    """Display names of admins and group staff (professionals, moderators, managers): the names nobody else may
    imitate."""
    # Through the relationship to memberships (groups' table): auth names no model of a higher feature.
    staff = [User.memberships.any(role=role, state="active") for role in STAFF_ROLES]
    query = select(User.display_name).where(User.state == "active", or_(User.is_admin.is_(True), *staff))
    if except_user_id is not None:
        query = query.where(User.id != except_user_id)
    return list(db.session.scalars(query.limit(limit)))


def check_not_imitating_staff(display_name: str, *, user_id: int | None = None) -> None:
    """Refuse a member's display name that reads the same as a staff member's (after look-alike folding)."""
    if imitates(display_name, staff_display_names(except_user_id=user_id)):
        raise DomainError(
            _("That name could be mistaken for a staff member. Please choose another."), field="display_name"
        )


def create_account(
    *,
    username: str,
    display_name: str,
    password: str,
    email: str | None = None,
    is_admin: bool = False,
    staff: bool = False,
    language: str = "en",
    year_of_birth: int | None = None,
) -> User:
    """Validate and add a new account to the session (the caller commits).

    ``staff``: the account will moderate (an invitation as moderator); like admins, staff may use staff words
    in their names and need the longer staff password."""
    staff = staff or is_admin
    shown, key = normalise_username(username, allow_staff_words=staff)
    name = normalise_display_name(display_name, allow_staff_words=staff)
    if not staff:
        check_not_imitating_staff(name)
    check_password_rules(password, staff=staff, username=shown, email=email)
    if db.session.scalar(select(func.count()).select_from(User).where(User.username_key == key)):
        raise DomainError(_("That username is taken. Please choose another."), field="username")
    email_value = email.strip().lower() if email else None
    if email_value and db.session.scalar(select(func.count()).select_from(User).where(User.email == email_value)):
        raise DomainError(_("That email address already has an account. Sign in instead."), field="email")
    user = User(
        username=shown,
        username_key=key,
        display_name=name,
        email=email_value,
        password_hash=hash_password(password),
        is_admin=is_admin,
        language=language if language in current_app.config["LANGUAGES"] else "en",
        year_of_birth=year_of_birth,
    )
    db.session.add(user)
    db.session.flush()
    return user


def admin_exists() -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(User).where(User.is_admin.is_(True))))


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_setup_token() -> str | None:
    """A one-time token for the first admin, or None when an admin already exists. Caller commits."""
    if admin_exists():
        return None
    token = secrets.token_urlsafe(32)
    minutes = current_app.config["SETUP_TOKEN_MINUTES"]
    db.session.add(SetupToken(token_hash=_hash_token(token), expires_at=utcnow() + timedelta(minutes=minutes)))
    return token


def check_setup_token(token: str) -> SetupToken:
    row = db.session.scalar(select(SetupToken).where(SetupToken.token_hash == _hash_token(token or "")))
    if row is None or row.used_at is not None or row.expires_at < utcnow() or admin_exists():
        raise DomainError(
            _(
                "This setup link is not valid any more. Run `make run` again to get a new one, "
                "or ask the person who installed Kring."
            )
        )
    return row


def complete_setup(token: str, *, username: str, display_name: str, password: str, email: str | None) -> User:
    """Create the first admin from the one-time setup link; the link cannot be used again."""
    row = check_setup_token(token)
    user = create_account(username=username, display_name=display_name, password=password, email=email, is_admin=True)
    row.used_at = utcnow()
    audit.record("admin.first_admin_created", actor_id=user.id, target_type="user", target_id=user.id)
    return user
