"""Erasure: a member deletes their account (password re-entered), or an admin erases it on request (audited).

The member chooses what happens to their posts and group-chat messages:

* ``anonymise``: the words stay, under "former member": the author link is cut (``author_id`` set to NULL),
  so nothing on the page, in search or in an export leads back to the person.
* ``remove``: their replies and messages are removed (text emptied, state ``removed``), revisions of their
  posts deleted, and a topic they opened keeps only a placeholder when others replied in it (else it goes).

Either way: private conversations they were in are deleted (both sides: a conversation of two cannot be
half-erased), images of their posts are deleted from the database and the disk, reactions, notifications,
preferences, sessions, read positions, two-step secrets, reset links, guardian confirmations and exports go;
erasure_more.py handles moderation, safeguarding, professionals and notification settings (see there).

What stays, with a pseudonymous reference: the account row becomes a tombstone (``member-<hash>``, display
name "former member", no email, no password, state ``deleted``), so the audit log, the access log, reports
and the consent records (evidence the organisation must keep) still point at one id, but at no person.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from community.accessibility.models import MemberPreferences
from community.auth.admin_actions import disconnect_after_commit
from community.auth.models import User, UserSession
from community.auth.reset_models import PasswordResetToken
from community.auth.two_factor_models import RecoveryCode, TwoFactorSetting
from community.chat.models import ChatRead, Conversation, ConversationParticipant, Message
from community.consent.models import GuardianConfirmation
from community.core import audit, passwords, sanitize
from community.core.errors import DomainError, NotFound
from community.core.time import utcnow
from community.core.transaction import on_commit
from community.extensions import db
from community.forum.image_models import PostImage
from community.forum.models import Announcement, AnnouncementDismissal, Post, PostRevision, Reaction, Topic
from community.forum.page_cache import touch_topics_of_member
from community.forum.read_models import TopicRead
from community.groups.models import Invitation, Membership
from community.moderation.signals import matter_closed
from community.notifications.models import Notification
from community.privacy import erasure_holds, erasure_more, export
from community.privacy.erasure_holds import Evidence
from community.privacy.models import DataExport

MODES = ("anonymise", "remove")
PLACEHOLDER = "_This post was removed by its writer._"


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


def _remove_posts(user_id: int, keep: frozenset[int]) -> tuple[int, list[str]]:
    own_posts = select(Post.id).where(Post.author_id == user_id, Post.id.not_in(keep))
    files = list(db.session.scalars(select(PostImage.file_name).where(PostImage.post_id.in_(own_posts))))
    db.session.execute(delete(PostImage).where(PostImage.post_id.in_(own_posts)))
    db.session.execute(delete(PostRevision).where(PostRevision.post_id.in_(own_posts)))
    count = 0
    placeholder_html = sanitize.clean_html(sanitize.render_markdown(PLACEHOLDER))
    held_topics = select(Post.topic_id).where(Post.id.in_(keep))  # a topic with a held post waits as it is
    for topic in db.session.scalars(
        select(Topic).where(Topic.author_id == user_id, Topic.id.not_in(held_topics))
    ).all():  # fmt: skip
        first_id = db.session.scalar(select(func.min(Post.id)).where(Post.topic_id == topic.id))
        others = db.session.scalar(
            select(func.count()).select_from(Post).where(Post.topic_id == topic.id, Post.author_id != user_id)
        )
        if not others:
            count += db.session.scalar(select(func.count()).select_from(Post).where(Post.topic_id == topic.id)) or 0
            db.session.execute(delete(Topic).where(Topic.id == topic.id))
            continue
        topic.title, topic.author_id = str(_l("Topic removed by its writer")), None
        db.session.execute(
            update(Post).where(Post.id == first_id)
            .values(body_source=PLACEHOLDER, body_html=placeholder_html, content_warning="", author_id=None)
        )  # fmt: skip
        count += 1
    mine = (Post.author_id == user_id, Post.id.not_in(keep))
    touched = list(db.session.scalars(select(Post.topic_id).where(*mine).distinct()))
    count += db.session.execute(
        update(Post).where(*mine)
        .values(body_source="", body_html="", content_warning="", state="removed", state_reason="erased",
                author_id=None)
    ).rowcount  # fmt: skip
    for topic_id in touched:
        replies = db.session.scalar(
            select(func.count()).select_from(Post).where(Post.topic_id == topic_id, Post.state == "published")
        )
        db.session.execute(update(Topic).where(Topic.id == topic_id).values(reply_count=max((replies or 1) - 1, 0)))
    return count, files


def _erase_writing(uid: int, mode: str, keep: Evidence) -> tuple[int, int, int, list[str]]:
    """Their private conversations (both sides), posts, messages and post images, except what ``keep`` holds
    for an open report or case. Runs at the erasure and again when the hold is released.
    Returns (posts, messages, private conversations, image files)."""
    private = select(ConversationParticipant.conversation_id).where(ConversationParticipant.user_id == uid)
    private_ids = list(
        db.session.scalars(
            select(Conversation.id).where(
                Conversation.kind == "private",
                Conversation.id.in_(private),
                Conversation.id.not_in(keep.conversation_ids),
            )
        )
    )
    if private_ids:
        db.session.execute(
            delete(Reaction).where(Reaction.message_id.in_(select(Message.id).where(Message.conversation_id.in_(private_ids))))
        )  # fmt: skip
        db.session.execute(update(Message).where(Message.conversation_id.in_(private_ids)).values(reply_to_id=None))
        db.session.execute(delete(Message).where(Message.conversation_id.in_(private_ids)))
        db.session.execute(delete(ChatRead).where(ChatRead.conversation_id.in_(private_ids)))
        db.session.execute(
            delete(ConversationParticipant).where(ConversationParticipant.conversation_id.in_(private_ids))
        )
        db.session.execute(delete(Conversation).where(Conversation.id.in_(private_ids)))
    my_messages = (  # a held private conversation stays whole: the reported message and what surrounds it
        Message.author_id == uid,
        Message.id.not_in(keep.message_ids),
        Message.conversation_id.not_in(keep.conversation_ids),
    )
    if mode == "remove":
        posts, files = _remove_posts(uid, keep.post_ids)
        messages = db.session.execute(
            update(Message).where(*my_messages)
            .values(body_source="", body_html="", state="removed", state_reason="erased", author_id=None)
        ).rowcount  # fmt: skip
    else:
        own_posts = select(Post.id).where(Post.author_id == uid, Post.id.not_in(keep.post_ids))
        files = list(db.session.scalars(select(PostImage.file_name).where(PostImage.post_id.in_(own_posts))))
        db.session.execute(delete(PostImage).where(PostImage.post_id.in_(own_posts)))
        posts = db.session.execute(
            update(Post).where(Post.author_id == uid, Post.id.not_in(keep.post_ids)).values(author_id=None)
        ).rowcount
        db.session.execute(update(Topic).where(Topic.author_id == uid).values(author_id=None))
        messages = db.session.execute(update(Message).where(*my_messages).values(author_id=None)).rowcount
    return posts, messages, len(private_ids), files


def erase(user: User, *, mode: str, actor_id: int, reason: str = "") -> Erased:
    """Erase ``user`` in the caller's transaction. The caller commits; the files go after the commit.

    The account becomes a tombstone at once. What an open report or safeguarding case about them still needs
    is kept (``erasure_holds``) and erased by ``settle_holds`` once the last of those matters closes."""
    if user.state == "deleted":
        raise DomainError(_l("This account was already erased."))
    uid = user.id
    touch_topics_of_member(db.session, uid)  # cached topic pages that show this member's posts or name: renew
    keep = erasure_holds.evidence_of(uid)  # before anything changes
    moderated = list(
        db.session.scalars(select(Membership.group_id).where(Membership.user_id == uid, Membership.role == "moderator"))
    )
    posts, messages, conversations, files = _erase_writing(uid, mode, keep)
    db.session.execute(update(Announcement).where(Announcement.author_id == uid).values(author_id=None))
    db.session.execute(update(Announcement).where(Announcement.ended_by_id == uid).values(ended_by_id=None))
    db.session.execute(update(PostRevision).where(PostRevision.editor_id == uid).values(editor_id=None))
    db.session.execute(update(Notification).where(Notification.actor_id == uid).values(actor_id=None))
    db.session.execute(update(Conversation).where(Conversation.started_by_id == uid).values(started_by_id=None))
    if user.email:
        db.session.execute(
            update(Invitation).where(func.lower(Invitation.email) == user.email.lower()).values(email=None)
        )
    # Moderation, safeguarding, professionals, notification settings.
    texts = erasure_more.erase_case_texts(uid, keep, moderated)
    more = {**erasure_more.erase_more(uid), **{key: value for key, value in texts.items() if value}}
    for model, column in (
        (Reaction, Reaction.user_id), (Notification, Notification.user_id), (TopicRead, TopicRead.user_id),
        (ChatRead, ChatRead.user_id), (AnnouncementDismissal, AnnouncementDismissal.user_id),
        (MemberPreferences, MemberPreferences.user_id), (TwoFactorSetting, TwoFactorSetting.user_id),
        (RecoveryCode, RecoveryCode.user_id), (PasswordResetToken, PasswordResetToken.user_id),
        (GuardianConfirmation, GuardianConfirmation.user_id), (UserSession, UserSession.user_id),
        (Membership, Membership.user_id),
    ):  # fmt: skip
        db.session.execute(delete(model).where(column == uid))
    _leave_conversations(uid, keep)
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
    details = {"mode": mode, "by": "self" if actor_id == uid else "admin", "posts": posts, "messages": messages,
               "private_conversations": conversations, "images": len(files), **more}  # fmt: skip
    if keep:
        details["held_for_open_matters"] = keep.counts()
    audit.record("account.erased", actor_id=actor_id, target_type="user", target_id=uid, reason=reason,
                 details=details)  # fmt: skip
    disconnect_after_commit(uid)
    _remove_after_commit([("upload", f) for f in files] + [("export", f) for f in export_files])
    return Erased(uid, mode, posts, messages, conversations, len(files))


def _leave_conversations(uid: int, keep: Evidence) -> None:
    """Their place in conversations goes, except in a private conversation held as evidence: that one is still
    theirs to erase, both sides, when the hold ends."""
    db.session.execute(
        delete(ConversationParticipant).where(
            ConversationParticipant.user_id == uid,
            ConversationParticipant.conversation_id.not_in(keep.conversation_ids),
        )
    )


def settle_holds() -> int:
    """Finish every held erasure whose open matters are all closed now, and erase whatever else of a held one
    is no longer needed. In the caller's transaction; files are removed after the commit. Returns how many
    erasures were finished."""
    finished = 0
    for held in erasure_holds.holds():
        keep = erasure_holds.evidence_of(held.user_id)
        touch_topics_of_member(db.session, held.user_id)  # held posts may change now: renew the cached pages
        posts, messages, conversations, files = _erase_writing(held.user_id, held.mode, keep)
        texts = erasure_more.erase_case_texts(held.user_id, keep, held.moderated_group_ids or [])
        _leave_conversations(held.user_id, keep)
        _remove_after_commit([("upload", f) for f in files])
        if keep:
            continue
        erasure_holds.release(held)
        audit.record("account.erasure_completed", actor_id=None, target_type="user", target_id=held.user_id,
                     details={"mode": held.mode, "posts": posts, "messages": messages,
                              "private_conversations": conversations, "images": len(files),
                              **{key: value for key, value in texts.items() if value}})  # fmt: skip
        finished += 1
    return finished


@matter_closed.connect
def _on_matter_closed(sender: str, **_kwargs: Any) -> None:
    """A report was resolved or a case closed (moderation's signal, same transaction): an erasure waiting for it
    may finish now."""
    settle_holds()


def _remove_after_commit(files: list[tuple[str, str]]) -> None:
    """Delete the erased images and exports from disk once the erasure is committed (the database cascade
    cannot); kept if it, or the savepoint it ran in, rolls back."""
    if files:
        on_commit(partial(_remove_files, files))


def _remove_files(files: list[tuple[str, str]]) -> None:
    upload_root = Path(current_app.config["UPLOAD_DIR"])
    for kind, name in files:
        (upload_root / name if kind == "upload" else export.export_dir() / name).unlink(missing_ok=True)
