"""The help desk's account actions: resetting someone's two-step sign-in, a one-time sign-in link for someone
without e-mail, and granting or revoking admin. Each asks the admin why, is audited with that reason in the same
transaction, and ends the person's sessions (their open sockets close after the commit). The caller commits.

The sign-in link is a password-reset link (``auth.reset``) made by an admin instead of mailed: the same table,
only its SHA-256 stored, once, ending the person's older links; it lives ``SIGN_IN_LINK_HOURS`` (the admin
passes it on by phone or in person, which takes longer than opening a mail). Whoever opens it chooses a new
password and is then signed in; two-step sign-in, when it is on, is still asked: the link replaces the password,
not the second step. For someone who lost both, the admin resets two-step sign-in as well.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from community.auth import policy, two_factor
from community.auth.admin_actions import disconnect_after_commit, require_reason
from community.auth.models import User
from community.auth.reset import new_link
from community.auth.reset_links import reset_link_url
from community.auth.reset_models import PasswordResetToken
from community.auth.sessions import end_all_sessions
from community.auth.two_factor_models import RecoveryCode
from community.core import audit
from community.core.errors import DomainError, Forbidden
from community.core.time import utcnow
from community.extensions import db


def _check_admin(actor: User) -> None:
    if not policy.is_instance_admin(actor):
        raise Forbidden(_("Only an admin can do this."))


def _end_access(user: User) -> int:
    ended = end_all_sessions(user.id)
    disconnect_after_commit(user.id)
    return ended


def reset_two_factor(actor: User, user: User, reason: str) -> None:
    """Remove ``user``'s authenticator key and recovery codes and sign them out everywhere. Their next sign-in
    needs only the password; staff who must have two-step sign-in are then sent to set it up again."""
    _check_admin(actor)
    if user.id == actor.id:
        raise DomainError(_("Turn your own two-step sign-in off on your account page, with a code from your app."))
    if not two_factor.is_enabled(user):
        raise DomainError(_("This account has no two-step sign-in turned on, so there is nothing to reset."))
    reason = require_reason(reason, _("Write down why, and how you checked who asked. The member does not see it."))
    codes = db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id)).rowcount or 0
    db.session.delete(two_factor.setting_for(user))
    ended = _end_access(user)
    audit.record(
        "account.two_factor_reset",
        actor_id=actor.id,
        target_type="user",
        target_id=user.id,
        reason=reason,
        details={"recovery_codes_removed": codes, "sessions_ended": ended},
    )


def issue_sign_in_link(actor: User, user: User, reason: str) -> str:
    """A one-time link for ``user`` to choose a new password and sign in; returned once, to be read out or
    passed on. Their earlier unused links stop working. Refused for an account that is not active."""
    _check_admin(actor)
    if not user.is_active:
        raise DomainError(_("This account is suspended or deleted, so it cannot get a sign-in link."))
    reason = require_reason(reason, _("Write down why, and how you checked who asked. The member does not see it."))
    now = utcnow()
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    hours = int(current_app.config["SIGN_IN_LINK_HOURS"])
    token = new_link(user, now, timedelta(hours=hours), issued_by=actor)
    audit.record(
        "account.sign_in_link_issued",
        actor_id=actor.id,
        target_type="user",
        target_id=user.id,
        reason=reason,
        details={"hours": hours, "two_factor": two_factor.is_enabled(user)},
    )
    return reset_link_url(token)


def _other_active_admins(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.is_admin.is_(True), User.state == "active", User.id != user.id)
        )
        or 0
    )


def grant_admin(actor: User, user: User, reason: str) -> None:
    """Make an active account an admin. Their sessions end: they sign in again as an admin, where the staff
    rules apply (two-step sign-in when ``STAFF_TWO_FACTOR_REQUIRED``; 12 characters at their next password)."""
    _check_admin(actor)
    if user.is_admin:
        raise DomainError(_("This account is an admin already."))
    if not user.is_active:
        raise DomainError(_("This account is suspended or deleted, so it cannot become an admin."))
    reason = require_reason(reason, _("Write down why this person becomes an admin (who agreed, and when)."))
    user.is_admin = True
    ended = _end_access(user)
    audit.record(
        "account.admin_granted",
        actor_id=actor.id,
        target_type="user",
        target_id=user.id,
        reason=reason,
        details={"sessions_ended": ended},
    )


def revoke_admin(actor: User, user: User, reason: str) -> None:
    """Take admin away; refused for the last active admin (nobody could manage groups or accounts then)."""
    _check_admin(actor)
    if not user.is_admin:
        raise DomainError(_("This account is not an admin."))
    if _other_active_admins(user) == 0:
        raise DomainError(_("This is the last admin account. Make another account an admin first, then try again."))
    reason = require_reason(reason, _("Write down why this person is no longer an admin."))
    user.is_admin = False
    ended = _end_access(user)
    audit.record(
        "account.admin_revoked",
        actor_id=actor.id,
        target_type="user",
        target_id=user.id,
        reason=reason,
        details={"sessions_ended": ended},
    )
