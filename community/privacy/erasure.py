"""Erasure: a member deletes their account (password re-entered), or an admin erases it on request (audited).

The member chooses what happens to their posts and group-chat messages:

* ``anonymise``: the words stay, under "former member": the author link is cut (``author_id`` set to NULL),
  so nothing on the page, in search or in an export leads back to the person.
* ``remove``: their replies and messages are removed (text emptied, state ``removed``), revisions of their
  posts deleted, and a topic they opened keeps only a placeholder when others replied in it (else it goes).

Each feature that holds personal data erases its own part when privacy sends ``member_erasing`` (the parts
live in each feature's ``member_data`` module, which says what goes and what stays): private conversations
(both sides: a conversation of two cannot be half-erased), post images (database and disk), reactions,
notifications and their settings, preferences, sessions, read positions, two-step secrets, reset links,
guardian confirmations, memberships, moderation and safeguarding texts, a professional's profile. Privacy
deletes its own rows (the exports, with their files) and makes the account row a tombstone.

What stays, with a pseudonymous reference: the account row becomes a tombstone (``member-<hash>``, display
name "former member", no email, no password, state ``deleted``), so the audit log, the access log, reports
and the consent records (evidence the organisation must keep) still point at one id, but at no person.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import partial
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from community.auth.admin_actions import disconnect_after_commit
from community.auth.models import User
from community.auth.signals import Evidence, member_erasing, member_evidence_released
from community.core import audit, passwords
from community.core.errors import DomainError, NotFound
from community.core.time import utcnow
from community.core.transaction import on_commit
from community.extensions import db
from community.groups.models import Membership
from community.groups.policy import MODERATING_ROLES, can_manage_groups
from community.privacy import erasure_holds, export
from community.privacy.models import DataExport

MODES = ("anonymise", "remove")
ALWAYS_COUNTED = ("posts", "messages", "private_conversations", "images")  # in every erasure's audit entry


@dataclass(frozen=True)
class Erased:
    user_id: int
    mode: str
    posts: int
    messages: int
    conversations: int
    images: int


def pseudonym(user_id: int) -> str:
    """A stable reference without the person: the same id always gives the same name, nothing else does."""
    digest = hashlib.sha256(f"{current_app.config['SECRET_KEY']}|erased|{user_id}".encode()).hexdigest()
    return f"member-{digest[:12]}"


def check_self_erasure(user: User, password: str, mode: str, confirm: bool) -> None:
    if mode not in MODES:
        raise DomainError(_l("Choose what should happen to your posts."), field="mode")
    if not confirm:
        raise DomainError(_l("Tick the box to confirm that you want to delete your account."), field="confirm")
    if not user.password_hash or not passwords.verify_password(user.password_hash, password or ""):
        raise DomainError(_l("That is not your current password."), field="password")


def erase_self(user: User, *, password: str, mode: str, confirm: bool) -> Erased:
    check_self_erasure(user, password, mode, confirm)
    return erase(user, mode=mode, actor_id=user.id)


def open_account_to_erase(actor: User, user_id: int) -> User:
    """The account an admin is about to erase on request: admins only (the admin area's rule); anyone else, an
    unknown id and an account already erased all get "not found"."""
    person = db.session.get(User, user_id) if 0 < user_id < 2**31 else None
    if not can_manage_groups(actor) or person is None or person.state == "deleted":
        raise NotFound(_l("We could not find that account."))
    return person


def held_for_open_matters(actor: User, user: User) -> bool:
    """For the admin erase page: whether an open report or safeguarding case involves the person, so that what
    it needs would be kept, anonymised, until it closes (``erasure_holds``). Says whether, never what."""
    if not actor.is_admin or actor.state != "active":
        raise NotFound(_l("We could not find that page."))
    return bool(erasure_holds.evidence_of(user.id))


def erase_by_admin(actor: User, user: User, *, mode: str, reason: str) -> Erased:
    """On the person's request (the reason says which); admins cannot erase an admin this way."""
    if not actor.is_admin or actor.state != "active":
        raise NotFound(_l("We could not find that page."))
    if user.id == actor.id or user.is_admin:
        raise DomainError(_l("An admin account cannot be erased here. Remove its admin role first."))
    if user.state == "deleted":
        raise DomainError(_l("This account was already erased."))
    if mode not in MODES:
        raise DomainError(_l("Choose what should happen to the posts."), field="mode")
    reason = (reason or "").strip()
    if not 3 <= len(reason) <= 500:
        raise DomainError(_l("Say on whose request and why (3 to 500 characters)."), field="reason")
    return erase(user, mode=mode, actor_id=actor.id, reason=reason)


def _erase_parts(signal: Any, user: User, mode: str, keep: Evidence, moderated: list[int]) -> dict[str, int]:
    """Send ``signal`` to the features and add up their counts for the audit entry: posts, messages, private
    conversations and images always; the other kinds only when something of them was erased."""
    counts = dict.fromkeys(ALWAYS_COUNTED, 0)
    for _receiver, answer in signal.send(user, mode=mode, keep=keep, moderated_group_ids=moderated):
        for key, value in (answer or {}).items():
            counts[key] = counts.get(key, 0) + value
    return {key: value for key, value in counts.items() if value or key in ALWAYS_COUNTED}


def erase(user: User, *, mode: str, actor_id: int, reason: str = "") -> Erased:
    """Erase ``user`` in the caller's transaction. The caller commits; the files go after the commit.

    The account becomes a tombstone at once. What an open report or safeguarding case about them still needs
    is kept (``erasure_holds``) and erased by ``settle_holds`` once the last of those matters closes."""
    if user.state == "deleted":
        raise DomainError(_l("This account was already erased."))
    uid = user.id
    keep = erasure_holds.evidence_of(uid)  # before anything changes
    moderated = list(
        db.session.scalars(
            select(Membership.group_id).where(Membership.user_id == uid, Membership.role.in_(MODERATING_ROLES))
        )
    )
    counts = _erase_parts(member_erasing, user, mode, keep, moderated)
    export_files = [
        e.file_name for e in db.session.scalars(select(DataExport).where(DataExport.user_id == uid)) if e.file_name
    ]
    db.session.execute(delete(DataExport).where(DataExport.user_id == uid))
    name = pseudonym(uid)
    user.username, user.username_key, user.display_name = name, name, str(_l("former member"))
    user.email, user.password_hash, user.is_admin = None, None, False
    user.state, user.state_reason, user.state_until = "deleted", "", None
    user.year_of_birth, user.pronouns, user.bio, user.language = None, "", "", "en"
    user.created_at = utcnow().replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if keep:
        erasure_holds.hold(uid, mode, moderated)
    db.session.flush()
    details = {"mode": mode, "by": "self" if actor_id == uid else "admin", **counts}
    if keep:
        details["held_for_open_matters"] = keep.counts()
    audit.record("account.erased", actor_id=actor_id, target_type="user", target_id=uid, reason=reason,
                 details=details)  # fmt: skip
    disconnect_after_commit(uid)
    if export_files:
        on_commit(partial(_remove_exports, export_files))  # kept if the erasure, or its savepoint, rolls back
    return Erased(uid, mode, counts["posts"], counts["messages"], counts["private_conversations"], counts["images"])


def settle_holds() -> int:
    """Finish every held erasure whose open matters are all closed now, and erase whatever else of a held one
    is no longer needed. In the caller's transaction; files are removed after the commit. Returns how many
    erasures were finished."""
    finished = 0
    for held in erasure_holds.holds():
        keep = erasure_holds.evidence_of(held.user_id)
        user = db.session.get(User, held.user_id)
        counts = _erase_parts(member_evidence_released, user, held.mode, keep, held.moderated_group_ids or [])
        if keep:
            continue
        erasure_holds.release(held)
        audit.record("account.erasure_completed", actor_id=None, target_type="user", target_id=held.user_id,
                     details={"mode": held.mode, **counts})  # fmt: skip
        finished += 1
    return finished


def on_matter_closed(sender: str, **_kwargs: Any) -> None:
    """A report was resolved or a case closed (moderation's ``matter_closed``, same transaction; connected in
    ``privacy.wiring``): an erasure waiting for it may finish now."""
    settle_holds()


def _remove_exports(names: list[str]) -> None:
    for name in names:
        (export.export_dir() / name).unlink(missing_ok=True)
