"""Admin actions on accounts: suspending and lifting a suspension.

A suspension ends access at once: the account state makes every later request and socket event refuse the
session, every open session row is ended, and after the commit the person's open sockets are closed.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask_babel import gettext as _

from community.auth import account, policy
from community.auth.models import User
from community.auth.sessions import end_all_sessions
from community.core import audit
from community.core.errors import DomainError, Forbidden
from community.core.time import utcnow
from community.core.transaction import on_commit_batch

log = logging.getLogger(__name__)
REASON_MAX = 500


def disconnect_after_commit(user_id: int) -> None:
    """Close this person's open sockets once the current transaction commits (dropped on rollback).

    After the commit, because a socket closed before it could reconnect and still find the old state.
    """
    _queue_close("user", user_id)


def disconnect_group_after_commit(group_id: int) -> None:
    """Close the sockets of everyone online in a group once the transaction commits (new group rules): they
    reconnect, and ``connect`` joins only the rooms of groups whose rules they have accepted."""
    _queue_close("group", group_id)


def disconnect_everyone_after_commit() -> None:
    """Close every socket once the transaction commits (a new version of a required document): ``connect``
    then refuses everyone who has not agreed to it yet."""
    _queue_close("everyone", 0)


def _queue_close(kind: str, key: int) -> None:
    on_commit_batch(_close_committed, (kind, key))


def _close_committed(queued: list[tuple[str, int]]) -> None:
    closing = set(queued)
    if ("everyone", 0) in closing:
        closing = {("everyone", 0)}  # closes the others too
    close = {"user": account.disconnect_user_sockets, "group": account.disconnect_group_sockets,
             "everyone": lambda _key: account.disconnect_all_sockets()}  # fmt: skip
    for kind, key in sorted(closing):
        try:
            close[kind](key)
        except Exception:  # noqa: BLE001 (already committed: a failed close must not look like a failed suspension)
            log.warning("could not close the sockets of a member", exc_info=False)


def require_reason(reason: str | None, missing: str) -> str:
    """The staff reason for an account action, trimmed. ``missing``: the sentence when there is none."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(missing, field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_("Keep the reason under %(num)d characters.", num=REASON_MAX), field="reason")
    return reason


def suspend_account(actor: User, user: User, reason: str, until: datetime | None = None) -> User:
    """Suspend an account: sign it out everywhere and refuse sign-in until an admin lifts it.

    Preconditions: ``actor`` is an admin and not ``user``; ``user`` is active. ``until`` is naive UTC and in
    the future, or None for "until lifted". The caller commits once.
    """
    if not policy.is_instance_admin(actor):
        raise Forbidden(_("Only an admin can suspend an account."))
    if user.id == actor.id:
        raise DomainError(_("You cannot suspend your own account."))
    if not policy.can_suspend_account(actor, user):
        raise DomainError(_("This account is not active, so it cannot be suspended."))
    reason = require_reason(reason, _("Write down why the account is suspended. The member does not see it."))
    if until is not None and until <= utcnow():
        raise DomainError(_("Choose an end date in the future, or leave it empty."), field="until")
    user.state, user.state_reason, user.state_until = "suspended", reason, until
    ended = end_all_sessions(user.id)
    audit.record(
        "account.suspended",
        actor_id=actor.id,
        target_type="user",
        target_id=user.id,
        reason=reason,
        details={"until": until.isoformat() if until else None, "sessions_ended": ended},
    )
    disconnect_after_commit(user.id)
    return user


def unsuspend_account(actor: User, user: User) -> User:
    """Lift a suspension. The member signs in again themselves; no session is restored."""
    if not policy.is_instance_admin(actor):
        raise Forbidden(_("Only an admin can lift a suspension."))
    if not policy.can_unsuspend_account(actor, user):
        raise DomainError(_("This account is not suspended."))
    user.state, user.state_reason, user.state_until = "active", "", None
    audit.record("account.unsuspended", actor_id=actor.id, target_type="user", target_id=user.id)
    return user
