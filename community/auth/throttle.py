"""Slowing down password guessing against one account, without locking its owner out for good.

Two layers:

* **Per client**: ``SIGN_IN_RATE`` (10 a minute) on POST /login (Flask-Limiter, keyed by the client's
  address). The address lives only in the limiter's short-lived counters, never in the database.
* **Per account** (this module): after ``FAILURES_BEFORE_BACKOFF`` wrong passwords within
  ``FAILURE_WINDOW_SECONDS``, every attempt is refused for a back-off of 1, 2, 4, 8, then at most 15 minutes.
  During a back-off even the right password is refused, or the refusal itself would tell a guesser that the
  password was right; and the back-off always ends by itself, so the owner can get back in (or reset the
  password by email, which clears it). The first time an account enters back-off its owner gets one email.

Where the counters live: in the Flask-Limiter storage (``limiter.storage``, from the ``limits`` library), not
in a table. With ``REDIS_URL`` set that is Redis, so every server process sees the same counters; without it,
process memory, which is right for the single-process SQLite setup. Counters expire by themselves, nothing
grows without bound, and they survive the rollback the sign-in route does after a refusal (a table row written
in that transaction would be rolled back with it).

What is counted: the account id when the login names an account, otherwise a hash of the typed login. Unknown
logins are slowed down exactly like real ones, so "Too many attempts" never tells whether an account exists.

Time: back-off ends are stored as Unix seconds read from ``community.core.time.utcnow`` (tests move that
clock); the storage's own expiry only cleans up, with a margin.
"""

from __future__ import annotations

import hashlib
from datetime import UTC

from flask_babel import force_locale
from flask_babel import gettext as _
from limits.storage import Storage

from community.auth.models import User
from community.auth.reset_links import reset_request_url
from community.core import mail
from community.core import time as clock
from community.core.counters import counter_storage
from community.core.errors import DomainError

FAILURES_BEFORE_BACKOFF = 5
FAILURE_WINDOW_SECONDS = 15 * 60
FIRST_BACKOFF_SECONDS = 60
MAX_BACKOFF_SECONDS = 15 * 60
LEVEL_MEMORY_SECONDS = 24 * 3600  # how long a past back-off makes the next one longer
KEY_PREFIX = "kring-signin"


class TooManyAttempts(DomainError):
    status_code = 429


def _storage() -> Storage:
    """The limiter's storage; a per-app memory store when rate limiting is switched off."""
    return counter_storage("throttle")


def _now() -> int:
    return int(clock.utcnow().replace(tzinfo=UTC).timestamp())


def subject_for(login: str, user: User | None) -> str:
    """What the counters are kept for: the account, or (for an unknown login) a hash of what was typed."""
    if user is not None:
        return f"user:{user.id}"
    return "login:" + hashlib.sha256((login or "").strip().casefold().encode()).hexdigest()


def _key(kind: str, subject: str) -> str:
    return f"{KEY_PREFIX}:{kind}:{subject}"


def _set(storage: Storage, key: str, value: int, expiry: int) -> None:
    # ``limits`` storages only count; a counter cleared and then raised by ``value`` holds ``value``.
    storage.clear(key)
    storage.incr(key, expiry, amount=value)


def backoff_seconds(level: int) -> int:
    """1, 2, 4, 8 minutes, then 15 minutes for every later back-off."""
    return min(FIRST_BACKOFF_SECONDS * 2 ** max(level - 1, 0), MAX_BACKOFF_SECONDS)


def check_allowed(subject: str) -> None:
    """Raise TooManyAttempts while this account (or login) is in back-off. Call before checking the password."""
    until = _storage().get(_key("until", subject))
    if until and _now() < until:
        raise TooManyAttempts(_("Too many attempts. Wait a few minutes and try again."))


def record_failure(subject: str, user: User | None) -> None:
    """Count a wrong password; start (or lengthen) a back-off once there were too many in the window."""
    storage = _storage()
    failures = storage.incr(_key("failures", subject), FAILURE_WINDOW_SECONDS)
    if failures < FAILURES_BEFORE_BACKOFF:
        return
    level = storage.incr(_key("level", subject), LEVEL_MEMORY_SECONDS)
    seconds = backoff_seconds(level)
    _set(storage, _key("until", subject), _now() + seconds, MAX_BACKOFF_SECONDS + FAILURE_WINDOW_SECONDS)
    if user is not None and user.email and storage.incr(_key("notified", subject), LEVEL_MEMORY_SECONDS) == 1:
        _tell_owner(user)


def record_success(subject: str) -> None:
    """The right password outside a back-off: forget the failures, so the owner starts afresh."""
    clear(subject)


def clear(subject: str) -> None:
    storage = _storage()
    for kind in ("failures", "level", "until", "notified"):
        storage.clear(_key(kind, subject))


def _tell_owner(user: User) -> None:
    """One short mail with a link to reset the password; nothing about where the attempts came from."""
    with force_locale(user.language or "en"):
        subject = _("Someone tried to sign in to your account")
        body = _(
            "Someone tried to sign in to your Kring account several times with a wrong password.\n\n"
            "If this was not you, choose a new password here:\n%(link)s\n",
            link=reset_request_url(),
        )
    # After the commit (the sign-in page commits its refusals) and off the request: a refusal for an existing
    # account answers as quickly as for an unknown one, and a mail server that is down changes nothing.
    mail.send_after_commit(user.email or "", subject, body)
