"""Parental consent: a member younger than MINOR_CONSENT_AGE waits until a parent or guardian confirms.

The link is signed with itsdangerous (the app's SECRET_KEY, its own salt) and carries the confirmation's id
and a random nonce; only the nonce's SHA-256 is stored, so a resent link replaces the earlier one. The mail
is sent after the transaction commits and carries a link and no member content (not even the child's name).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import smtplib
from datetime import timedelta
from functools import partial

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from community.auth.models import User
from community.consent import policy, services
from community.consent.models import GuardianConfirmation
from community.core import audit
from community.core.errors import DomainError, NotFound
from community.core.mail import send_mail
from community.core.time import utcnow
from community.core.transaction import on_commit
from community.extensions import db

log = logging.getLogger(__name__)

SALT = "kring-guardian-consent"
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class GuardianLinkGone(DomainError):
    """The link was real but has expired or was replaced: 410, with what to do next."""

    status_code = 410


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def link_for(token: str) -> str:
    return f"{current_app.config['BASE_URL']}/guardian/{token}"


def is_minor(user: User) -> bool:
    return policy.is_minor(user.year_of_birth, utcnow().year, current_app.config["MINOR_CONSENT_AGE"])


def clean_email(raw: str | None) -> str:
    email = (raw or "").strip().lower()
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise DomainError(_l("Enter the email address of a parent or guardian."), field="guardian_email")
    return email


def request_confirmation(user: User, guardian_email: str | None) -> GuardianConfirmation:
    """Create (or renew) the confirmation and queue its mail. The caller commits."""
    email = clean_email(guardian_email)
    if user.email and email == user.email.lower():
        raise DomainError(_l("Enter the email address of your parent or guardian, not your own."),
                          field="guardian_email")  # fmt: skip
    nonce = secrets.token_urlsafe(16)
    hours = current_app.config["GUARDIAN_LINK_HOURS"]
    now = utcnow()
    row = db.session.scalar(
        select(GuardianConfirmation).where(
            GuardianConfirmation.user_id == user.id, GuardianConfirmation.confirmed_at.is_(None)
        )
    )
    if row is None:
        row = GuardianConfirmation(user_id=user.id, guardian_email=email, nonce_hash="", expires_at=now)
        db.session.add(row)
    row.guardian_email, row.nonce_hash = email, _hash(nonce)
    row.created_at, row.expires_at = now, now + timedelta(hours=hours)
    db.session.flush()
    token = _serializer().dumps({"c": row.id, "n": nonce})
    on_commit(partial(_send_guardian_mail, email, token, hours))
    return row


def is_pending(user: User) -> bool:
    """A minor who signed up and whose guardian has not confirmed yet."""
    if not is_minor(user):
        return False
    rows = db.session.execute(
        select(GuardianConfirmation.confirmed_at).where(GuardianConfirmation.user_id == user.id)
    ).all()
    return bool(rows) and all(confirmed is None for (confirmed,) in rows)


def pending_row(user: User) -> GuardianConfirmation | None:
    return db.session.scalar(
        select(GuardianConfirmation).where(
            GuardianConfirmation.user_id == user.id, GuardianConfirmation.confirmed_at.is_(None)
        )
    )


def confirmed_row(user_id: int) -> GuardianConfirmation | None:
    return db.session.scalar(
        select(GuardianConfirmation)
        .where(GuardianConfirmation.user_id == user_id, GuardianConfirmation.confirmed_at.is_not(None))
        .order_by(GuardianConfirmation.id.desc())
        .limit(1)
    )


def check_link(token: str) -> tuple[GuardianConfirmation, User]:
    """The confirmation a link stands for. NotFound for a forged link; GuardianLinkGone for an old one."""
    hours = current_app.config["GUARDIAN_LINK_HOURS"]
    try:
        data = _serializer().loads(token or "", max_age=hours * 3600)
    except SignatureExpired as error:
        raise GuardianLinkGone(_l("This link has expired. Ask your child to send a new one from Kring.")) from error
    except BadSignature as error:
        raise NotFound(_l("This link is not valid. Check that you copied the whole address.")) from error
    if not isinstance(data, dict) or not isinstance(data.get("c"), int) or not isinstance(data.get("n"), str):
        raise NotFound(_l("This link is not valid. Check that you copied the whole address."))
    row = db.session.get(GuardianConfirmation, data["c"])
    user = db.session.get(User, row.user_id) if row is not None else None
    if row is None or user is None or user.state == "deleted":
        raise NotFound(_l("This link is not valid. Check that you copied the whole address."))
    if row.confirmed_at is not None:
        raise GuardianLinkGone(_l("This account was already confirmed. Thank you."))
    if not secrets.compare_digest(row.nonce_hash, _hash(data["n"])):
        raise GuardianLinkGone(_l("A newer link was sent for this account. Please use the newest mail."))
    if row.expires_at <= utcnow():
        raise GuardianLinkGone(_l("This link has expired. Ask your child to send a new one from Kring."))
    return row, user


def confirm(token: str) -> User:
    """The guardian confirms: the account opens, and a record per required document says a guardian agreed."""
    row, user = check_link(token)
    row.confirmed_at = utcnow()
    for item in services.standings(user):
        services.append_record(user, item.current, "given", method="guardian_link", language=item.current.language,
                         confirmed_by="guardian", guardian_confirmation_id=row.id)  # fmt: skip
    db.session.flush()
    audit.record("consent.guardian_confirmed", actor_id=None, target_type="user", target_id=user.id,
                 details={"guardian_confirmation_id": row.id})  # fmt: skip
    return user


def _mail_body(token: str, hours: int) -> str:
    return _(
        "Hello,\n\nSomeone gave this address as their parent or guardian when they made an account on Kring, "
        "a moderated peer-support community.\n\n"
        "Because they are younger than %(age)d, their account opens only after a parent or guardian agrees. "
        "Open this link to see what you are asked to agree to, and to confirm:\n%(link)s\n\n"
        "The link works for %(hours)d hours. If you do not know what this is about, ignore this mail: "
        "the account then stays closed.\n",
        age=current_app.config["MINOR_CONSENT_AGE"],
        link=link_for(token),
        hours=hours,
    )


def _send_guardian_mail(email: str, token: str, hours: int) -> None:
    """After the commit (``core.transaction.on_commit``)."""
    try:
        send_mail(email, _("Please confirm your child's Kring account"), _mail_body(token, hours))
    except (OSError, smtplib.SMTPException) as error:  # the member can send the link again
        log.warning("guardian mail not sent: %s", type(error).__name__)
