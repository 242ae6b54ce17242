"""What a group's moderators do as its coach: pin topics, and make announcements every member sees until
they dismiss them. (Posting "as the coach" is a flag on the post: ``policy.can_post_as_coach`` and the form
field ``as_coach``, used by the writing services.)

Every change here is a moderator's action, audited in the same transaction. Audit details carry ids, never
the announcement's text.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from community.auth.models import User
from community.core import audit
from community.core.database import savepoint
from community.core.errors import DomainError, Forbidden, NotFound
from community.core.sanitize import render_markdown
from community.core.time import utcnow
from community.extensions import db
from community.forum import notices as forum_notifications
from community.forum import policy
from community.forum.models import Announcement, AnnouncementDismissal, Topic
from community.groups.services import GroupAccess
from community.moderation import services as moderation

ANNOUNCEMENT_TITLE_MAX, ANNOUNCEMENT_BODY_MAX = 120, 5_000
SHOWN_AT_ONCE = 3  # announcements at the top of the group page; more would push the group itself away
MODERATOR_LIST = 20  # current and recently ended announcements on the moderators' page


# --- pinning --------------------------------------------------------------------------------------------------


def set_pinned(actor: User, access: GroupAccess, topic_id: int, *, pinned: bool) -> Topic:
    """Pin (list first) or unpin a topic. Audited as ``topic.pinned`` / ``topic.unpinned`` when it changes.

    A topic the actor cannot read is "not found"; a member who is not a moderator is refused.
    """
    group, membership = access.group, access.membership
    topic = db.session.get(Topic, topic_id)
    if topic is None or not policy.can_read_topic(actor, group, membership, topic):
        raise NotFound(_l("We could not find that topic. It may have been removed."))
    if not policy.can_pin(actor, group, membership, topic):
        if group.state != "active" and policy.is_acting_moderator(actor, group, membership):
            raise Forbidden(_l("This group is archived; its topics cannot be pinned or unpinned."))
        raise Forbidden(_l("Only the group's moderators can pin topics."))
    if topic.pinned != pinned:
        topic.pinned = pinned
        audit.record(
            "topic.pinned" if pinned else "topic.unpinned",
            actor_id=actor.id,
            target_type="topic",
            target_id=topic.id,
            group_id=group.id,
        )
    return topic


# --- announcements --------------------------------------------------------------------------------------------


def _clean_title(title: str) -> str:
    value = " ".join((title or "").replace("\x00", "").split())
    if not 3 <= len(value) <= ANNOUNCEMENT_TITLE_MAX:
        raise DomainError(
            _l("Give the announcement a title of 3 to %(max)d characters.", max=ANNOUNCEMENT_TITLE_MAX), field="title"
        )
    return value


def _clean_body(body: str) -> str:
    value = (body or "").replace("\x00", "").strip()
    if not value:
        raise DomainError(_l("Write what you want to announce."), field="body")
    if len(value) > ANNOUNCEMENT_BODY_MAX:
        raise DomainError(
            _l(
                "An announcement can be at most %(max)s characters. Please shorten it.",
                max=f"{ANNOUNCEMENT_BODY_MAX:,}",
            ),
            field="body",
        )
    return value


def create_announcement(actor: User, access: GroupAccess, *, title: str, body: str) -> Announcement:
    """A moderator's announcement, shown at the top of the group page to every member until they dismiss it
    or a moderator ends it. The body is Markdown, screened and rendered once by the sanitizer. Audited."""
    group, membership = access.group, access.membership
    if not policy.can_announce(actor, group, membership):
        if group.state != "active":
            raise Forbidden(_l("This group is archived; nothing new can be announced in it."))
        raise Forbidden(_l("Only the group's moderators can make announcements."))
    clean_title, text = _clean_title(title), _clean_body(body)
    screening = moderation.screen(actor, group, membership, f"{clean_title}\n{text}", kind="announcement")
    if screening.verdict != moderation.PUBLISH:
        # An announcement is either shown to everyone or not at all: there is nobody above to hold it for.
        raise DomainError(screening.reason or _l("This announcement cannot be published."), field="body")
    announcement = Announcement(
        group_id=group.id, author_id=actor.id, title=clean_title, body_source=text, body_html=render_markdown(text),
        created_at=utcnow(),
    )  # fmt: skip
    db.session.add(announcement)
    db.session.flush()
    audit.record(
        "announcement.created", actor_id=actor.id, target_type="announcement", target_id=announcement.id,
        group_id=group.id,
    )  # fmt: skip
    forum_notifications.announcement_made(announcement)  # every reader hears of it (notification centre)
    return announcement


def _announcement_in(access: GroupAccess, announcement_id: int) -> Announcement:
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None or announcement.group_id != access.group.id:
        raise NotFound(_l("We could not find that announcement."))
    return announcement


def end_announcement(actor: User, access: GroupAccess, announcement_id: int) -> Announcement:
    """Take an announcement down for everyone. Audited as ``announcement.ended``."""
    announcement = _announcement_in(access, announcement_id)
    if not policy.can_end_announcement(actor, access.group, access.membership, announcement):
        # Whether it has ended is said only to those who could end it.
        if announcement.ended_at is not None and policy.is_acting_moderator(actor, access.group, access.membership):
            raise DomainError(_l("This announcement has already ended."))
        raise Forbidden(_l("Only the group's moderators can end an announcement."))
    announcement.ended_at, announcement.ended_by_id = utcnow(), actor.id
    audit.record(
        "announcement.ended", actor_id=actor.id, target_type="announcement", target_id=announcement.id,
        group_id=access.group.id,
    )  # fmt: skip
    return announcement


def dismiss_announcement(actor: User, access: GroupAccess, announcement_id: int) -> Announcement:
    """Put an announcement away for the actor only. Dismissing it again changes nothing."""
    announcement = _announcement_in(access, announcement_id)
    if not policy.can_dismiss_announcement(actor, access.group, access.membership, announcement):
        raise NotFound(_l("We could not find that announcement."))
    already = db.session.scalar(
        select(AnnouncementDismissal.id).where(
            AnnouncementDismissal.user_id == actor.id, AnnouncementDismissal.announcement_id == announcement.id
        )
    )
    if already is None:
        try:
            with savepoint():  # two tabs dismissing at once: the unique constraint decides
                db.session.add(AnnouncementDismissal(user_id=actor.id, announcement_id=announcement.id))
        except IntegrityError:
            pass
    return announcement


def current_announcements(viewer: User, access: GroupAccess) -> list[Announcement]:
    """What the viewer still sees at the top of the group page: running, not dismissed by them, newest first.

    One bounded query over ix_announcements_current, with the dismissal checked by its unique index.
    """
    dismissed = exists().where(
        AnnouncementDismissal.announcement_id == Announcement.id, AnnouncementDismissal.user_id == viewer.id
    )
    return list(
        db.session.scalars(
            select(Announcement)
            .options(joinedload(Announcement.author))
            .where(Announcement.group_id == access.group.id, Announcement.ended_at.is_(None), ~dismissed)
            .order_by(Announcement.created_at.desc(), Announcement.id.desc())
            .limit(SHOWN_AT_ONCE)
        )
    )


def announcements_for_moderators(actor: User, access: GroupAccess) -> list[Announcement]:
    """Running announcements first, then recently ended ones; the moderators' page. Others: refused."""
    if not policy.is_acting_moderator(actor, access.group, access.membership):
        raise Forbidden(_l("Only the group's moderators can manage announcements."))
    return list(
        db.session.scalars(
            select(Announcement)
            .options(joinedload(Announcement.author))
            .where(Announcement.group_id == access.group.id)
            .order_by(Announcement.ended_at.is_not(None), Announcement.created_at.desc(), Announcement.id.desc())
            .limit(MODERATOR_LIST)
        )
    )
