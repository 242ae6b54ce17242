"""Two-step sign-in: time-based codes from an authenticator app (TOTP, RFC 6238) and recovery codes.

Codes are accepted one time-step either side of now (clocks on phones drift), and never twice: the row keeps
the last accepted time-step, claimed with a conditional UPDATE so two requests racing with the same code
cannot both win. Recovery codes are random and single use; only their SHA-256 is stored (they carry ~59
bits of randomness, so a plain hash is enough: nobody can guess them from the hash). The authenticator secret
is stored encrypted (two_factor_keys.py).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field

import pyotp
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update

from community.auth import policy
from community.auth.models import User
from community.auth.two_factor_keys import SecretUnreadable, seal, unseal
from community.auth.two_factor_models import RecoveryCode, TwoFactorSetting
from community.core import audit
from community.core.errors import DomainError
from community.core.mail import send_after_commit
from community.core.passwords import verify_password
from community.core.time import utcnow
from community.extensions import db

TOTP_ISSUER = "Kring"
TOTP_STEP_SECONDS = 30
TOTP_WINDOW = 1  # steps accepted either side of now
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to copy from paper
RECOVERY_CODE_LENGTH = 12
PENDING_KEY = "kring_2fa_pending"  # the Flask session key of a half-finished sign-in
PENDING_SECONDS = 5 * 60
PENDING_TRIES = 5  # wrong codes per password sign-in before the password is asked again
FAILURE_WARNING_AT = 5  # wrong codes in a row on one account before its owner is told by email


def clock() -> float:
    """Seconds since the epoch. The one clock of this module, so tests can move it."""
    return time.time()


class PendingSignInInvalid(DomainError):
    """The half-finished sign-in cannot go on: the person has to start again with their password."""


class CodesUnavailable(DomainError):
    """The stored secret cannot be decrypted (a server key problem, logged for the operator): codes from the app
    cannot be checked, recovery codes still work. Not the member's mistake, so never counted as a wrong code."""


@dataclass(frozen=True)
class Enrolment:
    secret: str = field(repr=False)
    uri: str = field(repr=False)


@dataclass(frozen=True)
class SecondStep:
    user: User
    used_recovery_code: bool
    recovery_codes_left: int


# --- reading -------------------------------------------------------------------------------------------


def setting_for(user: User) -> TwoFactorSetting | None:
    return db.session.get(TwoFactorSetting, user.id)


def is_enabled(user: User) -> bool:
    row = setting_for(user)
    return row is not None and row.enabled_at is not None


def recovery_codes_left(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def user_is_staff(user: User) -> bool:
    if user.is_admin:  # no query needed
        return True
    return policy.is_staff(user, user.memberships)  # loaded with the session on a page (auth.sessions)


def is_required_for(user: User, required_setting: bool) -> bool:
    if not required_setting:
        return False  # skip the membership query on instances that do not require it
    return policy.two_factor_required(user, user_is_staff(user), required_setting)


def must_enrol(user: User, required_setting: bool) -> bool:
    """True for staff who have to set up two-step sign-in before they may do anything else."""
    # Staff first: that needs only the memberships already loaded, so members cost no statement here.
    return bool(required_setting) and is_required_for(user, required_setting) and not is_enabled(user)


# --- the pending marker of a half-finished sign-in ------------------------------------------------------


def new_pending(user_id: int, next_url: str) -> dict:
    """What the sign-in page keeps in the (signed) session between the password and the code."""
    return {"uid": user_id, "at": int(clock()), "next": next_url, "tries": 0}


def pending_is_fresh(pending: object) -> bool:
    if not isinstance(pending, dict) or not isinstance(pending.get("uid"), int):
        return False
    started = pending.get("at")
    return isinstance(started, int) and 0 <= clock() - started <= PENDING_SECONDS


# --- codes ---------------------------------------------------------------------------------------------


def _normalise(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _wrong_code() -> DomainError:
    return DomainError(_("That code is not right. Check the code in your app and try again."), field="code")


def _secret_of(row: TwoFactorSetting) -> str:
    try:
        return unseal(row.secret_encrypted)
    except SecretUnreadable:
        raise CodesUnavailable(
            _(
                "Codes from your app cannot be checked at the moment, because of a problem on the server. Use a "
                "recovery code, or ask the people who run this site for help."
            ),
            field="code",
        ) from None


def _claim_totp(row: TwoFactorSetting, code: str) -> None:
    """Accept a 6-digit code from now ± one step, at most once. Raises DomainError otherwise."""
    totp = pyotp.TOTP(_secret_of(row))
    current = int(clock()) // TOTP_STEP_SECONDS
    matched = [
        step
        for step in range(current - TOTP_WINDOW, current + TOTP_WINDOW + 1)
        if hmac.compare_digest(totp.generate_otp(step), code)
    ]
    if not matched:
        raise _wrong_code()
    step = max(matched)
    claimed = db.session.execute(
        update(TwoFactorSetting)
        .where(
            TwoFactorSetting.user_id == row.user_id,
            or_(TwoFactorSetting.last_used_step.is_(None), TwoFactorSetting.last_used_step < step),
        )
        .values(last_used_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise DomainError(
            _("That code was used already. Wait for the next code in your app and enter that one."), field="code"
        )
    db.session.refresh(row)


def _claim_recovery_code(user: User, code: str) -> bool:
    claimed = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_code(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return claimed == 1


def _check_code(user: User, row: TwoFactorSetting, code: str, *, allow_recovery: bool = True) -> bool:
    """Accept an authenticator code, or (if allowed) an unused recovery code. True if a recovery code was used."""
    value = _normalise(code)
    if not value:
        raise DomainError(_("Enter the 6-digit code from your app."), field="code")
    if len(value) == 6 and value.isdigit():
        _claim_totp(row, value)
        return False
    if allow_recovery and _claim_recovery_code(user, value):
        return True
    raise _wrong_code()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4))


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_code(_normalise(code))) for code in codes)
    return codes


def _enabled_row(user: User) -> TwoFactorSetting:
    row = setting_for(user)
    if row is None or row.enabled_at is None:
        raise DomainError(_("Two-step sign-in is off for your account."))
    return row


# --- changes (the caller commits) ----------------------------------------------------------------------


def start_enrolment(user: User) -> Enrolment:
    """A secret for the member's authenticator app. Reuses a started, unconfirmed one, so reloading the page
    does not break a QR code already scanned. Precondition: two-step sign-in is off."""
    row = setting_for(user)
    if row is not None and row.enabled_at is not None:
        raise DomainError(_("Two-step sign-in is already on."))
    secret = None
    if row is not None:
        try:
            secret = unseal(row.secret_encrypted)
        except SecretUnreadable:  # started under a key that is gone: nothing was confirmed, start afresh
            secret = None
    if secret is None:
        secret = pyotp.random_base32(32)
        if row is None:
            row = TwoFactorSetting(user_id=user.id)
            db.session.add(row)
        row.secret_encrypted = seal(secret)
        db.session.flush()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=TOTP_ISSUER)
    return Enrolment(secret=secret, uri=uri)


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Turn two-step sign-in on with a first code from the app; return the recovery codes to show once.
    Precondition: start_enrolment was called for this member."""
    row = setting_for(user)
    if row is None:
        raise DomainError(_("Start again: open the two-step sign-in page and scan the new code."))
    if row.enabled_at is not None:
        raise DomainError(_("Two-step sign-in is already on."))
    _check_code(user, row, code, allow_recovery=False)
    row.enabled_at = utcnow()
    row.failed_attempts = 0
    codes = _replace_recovery_codes(user)
    audit.record("two_factor.enabled", actor_id=user.id, target_type="user", target_id=user.id)
    return codes


def regenerate_recovery_codes(user: User, code: str) -> list[str]:
    """New recovery codes, confirmed with a current code; every older recovery code stops working."""
    row = _enabled_row(user)
    _check_code(user, row, code)
    codes = _replace_recovery_codes(user)
    audit.record(
        "two_factor.recovery_codes_regenerated",
        actor_id=user.id,
        target_type="user",
        target_id=user.id,
        details={"count": len(codes)},
    )
    return codes


def disable(user: User, *, password: str, code: str, required_setting: bool) -> None:
    """Turn two-step sign-in off. Needs the password and a code.

    Staff may turn it off too, even while it is required: that is how they move it to a new phone. They are
    sent straight back to set it up again (the staff rule is checked on every page and at socket connect), so
    no staff account can use Kring without it. ``required_setting`` is kept for the callers' clarity."""
    row = _enabled_row(user)
    if not verify_password(user.password_hash, password or ""):
        raise DomainError(_("That password is not right."), field="password")
    _check_code(user, row, code)
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.delete(row)
    audit.record("two_factor.disabled", actor_id=user.id, target_type="user", target_id=user.id)


def check_sign_in_code(user_id: int, code: str) -> SecondStep:
    """The second step of signing in. Precondition: this member's password was checked moments ago.

    A wrong code is counted on the account before DomainError is raised, so the caller commits in both cases.
    PendingSignInInvalid means the sign-in cannot go on (account gone, suspended, or two-step turned off).
    """
    user = db.session.get(User, user_id)
    row = setting_for(user) if user is not None else None
    if user is None or not user.is_active or row is None or row.enabled_at is None:
        raise PendingSignInInvalid(_("Please sign in again."))
    try:
        used_recovery = _check_code(user, row, code)
    except CodesUnavailable:
        raise  # the server's fault: not counted, the owner is not warned
    except DomainError:
        row.failed_attempts = (row.failed_attempts or 0) + 1
        row.last_failed_at = utcnow()
        if row.failed_attempts == FAILURE_WARNING_AT and user.email:
            _warn_owner(user)
        raise
    row.failed_attempts = 0
    if used_recovery:
        audit.record("two_factor.recovery_code_used", actor_id=user.id, target_type="user", target_id=user.id)
    return SecondStep(user=user, used_recovery_code=used_recovery, recovery_codes_left=recovery_codes_left(user))


def _warn_owner(user: User) -> None:
    """Someone knows this password: the owner should hear about it, without any detail an attacker could use.

    Sent after the commit (the page commits the count of wrong codes) and off the request, so a mail server
    that is slow or down never shows in the answer."""
    with force_locale(user.language or "en"):
        send_after_commit(
            user.email or "",
            _("Someone tried to sign in to your Kring account"),
            _(
                "Someone entered your password correctly, then entered wrong codes for two-step sign-in several "
                "times.\n\nIf this was you, there is nothing to do. If it was not you, change your password now "
                "and tell a moderator."
            ),
        )
