"""The member's own account: profile, password, signed-in sessions; and closing sockets when a session ends.

Services here take the actor and plain values and never touch the request; the routes commit. Socket closing
(:func:`disconnect_user_sockets`, :func:`disconnect_session_sockets`) must be called AFTER the commit, so a
client that reconnects at once already finds its session ended.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from community.auth import policy, signals
from community.auth.models import User, UserSession
from community.auth.names import normalise_display_name
from community.auth.services import check_not_imitating_staff, check_password_rules
from community.auth.sessions import end_all_sessions
from community.core import audit
from community.core.errors import DomainError, NotFound
from community.core.passwords import hash_password, verify_password
from community.core.socket_registry import registry_of
from community.core.time import utcnow
from community.extensions import db, socketio

PRONOUNS_MAX, BIO_MAX, EMAIL_MAX = 40, 500, 254
SESSIONS_SHOWN = 50  # bounded list; nobody has more open browsers than this for long (idle time-out)
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# --- profile -------------------------------------------------------------------------------------------------


def is_staff_account(user: User) -> bool:
    return policy.is_staff(user, user.memberships)


def _clean_pronouns(value: str | None) -> str:
    text = " ".join((value or "").split())
    if len(text) > PRONOUNS_MAX:
        raise DomainError(_("Keep your pronouns to %(num)d characters or fewer.", num=PRONOUNS_MAX), field="pronouns")
    return text


def _clean_bio(value: str | None) -> str:
    # Line breaks are kept (the page shows them); other control characters are not something anyone types.
    text = (value or "").replace("\r\n", "\n").strip()
    if any(ord(char) < 32 and char not in "\n\t" for char in text):
        raise DomainError(_("Your bio contains an invisible or control character. Please type it again."), field="bio")
    if len(text) > BIO_MAX:
        raise DomainError(_("Keep your bio to %(num)d characters or fewer.", num=BIO_MAX), field="bio")
    return text


def _clean_email(value: str | None) -> str | None:
    text = (value or "").strip().lower()
    if not text:
        return None
    if len(text) > EMAIL_MAX or not EMAIL_PATTERN.match(text):
        raise DomainError(_("That does not look like an email address. Check it and try again."), field="email")
    return text


def update_profile(
    actor: User,
    *,
    display_name: str,
    pronouns: str = "",
    bio: str = "",
    language: str,
    email: str | None,
    current_password: str = "",
    notices: list[str] | None = None,
) -> User:
    """Change the actor's own profile. Everything is checked before anything is set, so a refusal leaves the
    account as it was. Changing the email address needs the current password: whoever controls the email
    controls password reset. The caller commits. A changed display name and bio are offered to the receivers of
    ``signals.profile_changing`` (the moderation pipeline); what the member should see at once (helplines) is
    appended to ``notices``."""
    staff = is_staff_account(actor)
    name = normalise_display_name(display_name, allow_staff_words=staff)
    if not staff:
        check_not_imitating_staff(name, user_id=actor.id)
    pronouns_value = _clean_pronouns(pronouns)
    bio_value = _clean_bio(bio)
    if language not in current_app.config["LANGUAGES"]:
        raise DomainError(_("Choose one of the languages in the list."), field="language")
    email_value = _clean_email(email)
    # Higher features screen the changed text (moderation): a refusal raises DomainError, nothing is set.
    answers = signals.profile_changing.send(
        actor,
        display_name=name if name != actor.display_name else None,
        bio=bio_value if bio_value != actor.bio else None,
    )
    if notices is not None:
        for _receiver, screened in answers:
            notices.extend(screened or ())
    email_changed = email_value != actor.email
    if email_changed:
        if not verify_password(actor.password_hash, current_password or ""):
            raise DomainError(
                _("To change your email address, type your current password. It was missing or not right."),
                field="current_password",
            )
        taken = email_value and db.session.scalar(
            select(func.count()).select_from(User).where(User.email == email_value, User.id != actor.id)
        )
        if taken:
            raise DomainError(_("That email address belongs to another account. Use a different one."), field="email")
    actor.display_name, actor.pronouns, actor.bio, actor.language = name, pronouns_value, bio_value, language
    if email_changed:
        actor.email = email_value
        # No address in the details: the audit log must not become a second copy of personal data.
        audit.record("account.email_changed", actor_id=actor.id, target_type="user", target_id=actor.id)
    db.session.flush()
    return actor


# --- password -------------------------------------------------------------------------------------------------


def change_password(actor: User, *, current_password: str, new_password: str, new_password_again: str) -> None:
    """Set a new password and end EVERY session of the actor, this one included; the caller starts a fresh
    session for this browser after the commit (rotation) and closes the actor's sockets."""
    if not verify_password(actor.password_hash, current_password or ""):
        raise DomainError(_("Your current password is not right. Type it again."), field="current_password")
    try:
        check_password_rules(
            new_password or "", staff=is_staff_account(actor), username=actor.username, email=actor.email
        )
    except DomainError as error:
        raise DomainError(error.message, field="new_password") from error
    if new_password != new_password_again:
        raise DomainError(_("The two new passwords are not the same. Type them again."), field="new_password_again")
    actor.password_hash = hash_password(new_password)
    ended = end_all_sessions(actor.id)
    audit.record(
        "account.password_changed",
        actor_id=actor.id,
        target_type="user",
        target_id=actor.id,
        details={"sessions_ended": ended},
    )


# --- sessions -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionInfo:
    id: int
    created_at: datetime
    last_seen_at: datetime
    browser: str
    system: str
    is_current: bool


# Order matters: Edge and Opera also say "Chrome", and Chrome also says "Safari".
_BROWSERS = (("Edg", "Edge"), ("OPR", "Opera"), ("Firefox", "Firefox"), ("Chrome", "Chrome"), ("Safari", "Safari"))
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def describe_browser(user_agent: str) -> tuple[str, str]:
    """(browser, system) in a few words, or empty strings when unknown. A hint for the person, not proof."""
    browser = next((name for token, name in _BROWSERS if token in user_agent), "")
    system = next((name for token, name in _SYSTEMS if token in user_agent), "")
    return browser, system


def list_sessions(actor: User, current_session_id: int | None) -> list[SessionInfo]:
    """The actor's open sessions, newest first."""
    # Past the absolute time-out a session is already dead, whatever its row says: not worth showing.
    oldest = utcnow() - timedelta(seconds=current_app.config["PERMANENT_SESSION_LIFETIME"])
    rows = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == actor.id, UserSession.ended_at.is_(None), UserSession.created_at >= oldest)
        .order_by(UserSession.created_at.desc(), UserSession.id.desc())
        .limit(SESSIONS_SHOWN)
    ).all()
    return [
        SessionInfo(
            row.id,
            row.created_at,
            row.last_seen_at,
            *describe_browser(row.user_agent or ""),
            is_current=row.id == current_session_id,
        )
        for row in rows
    ]


def end_session(actor: User, session_id: int) -> int:
    """End one of the actor's own open sessions. Anyone else's id, or an ended one, is "not found"."""
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.user_id == actor.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    if not result.rowcount:
        raise NotFound(_("We could not find that session. It may have ended already."))
    return session_id


def end_other_sessions(actor: User, current_session_id: int | None) -> list[int]:
    """ "Sign out everywhere else": end every open session of the actor except this one. Returns their ids."""
    query = select(UserSession.id).where(UserSession.user_id == actor.id, UserSession.ended_at.is_(None))
    if current_session_id is not None:
        query = query.where(UserSession.id != current_session_id)
    ids = list(db.session.scalars(query).all())
    if ids:
        db.session.execute(update(UserSession).where(UserSession.id.in_(ids)).values(ended_at=utcnow()))
    return ids


# --- sockets --------------------------------------------------------------------------------------------------


def _disconnect(sids: list[str]) -> None:
    server = socketio.server
    if server is None:  # Socket.IO not initialised (a CLI command): no sockets to close
        return
    # A socket held by another server process is closed there: with the Redis queue, python-socketio
    # publishes the disconnect for sockets it does not hold.
    for sid in sids:
        server.disconnect(sid, namespace="/")


def disconnect_user_sockets(user_id: int) -> None:
    """Close every open socket of a member (suspension, password change). Call after the commit."""
    _disconnect(registry_of(current_app).sids_of_user(user_id))


def disconnect_group_sockets(group_id: int) -> None:
    """Close every open socket of everyone online in a group (new group rules). Call after the commit."""
    registry = registry_of(current_app)
    for user_id in sorted(registry.online_user_ids(group_id)):
        _disconnect(registry.sids_of_user(user_id))


def disconnect_all_sockets() -> None:
    """Close every open socket (a new version of a required document). Call after the commit."""
    _disconnect(registry_of(current_app).all_sids())


def disconnect_session_sockets(session_id: int) -> None:
    """Close the sockets of one signed-in browser (sign-out, "end this session"). Call after the commit."""
    _disconnect(registry_of(current_app).sids_of_session(session_id))
