"""What a group's moderators do as its coach: pin topics, and make announcements every member sees until
they dismiss them; an announcement can be written now and shown from a set time. (Posting "as the coach" is a
flag on the post: ``policy.can_post_as_coach`` and the form field ``as_coach``, used by the writing services.)

Every change here is a moderator's action, audited in the same transaction. Audit details carry ids, never
the announcement's text.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from community.auth.models import User
from community.core import audit, jobs
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
SCHEDULE_AHEAD = timedelta(days=365)
PUBLISH_BATCH = 200  # scheduled announcements told per run of `flask forum publish-scheduled`


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


def _clean_publish_at(publish_at: datetime | None, now: datetime) -> datetime | None:
    """A time to show it from (naive UTC): None for at once; otherwise still to come, within a year."""
    if publish_at is None:
        return None
    if publish_at <= now:
        raise DomainError(
            _l("Choose a time that is still to come, or leave it empty to show it now."), field="publish_at"
        )
    if publish_at > now + SCHEDULE_AHEAD:
        raise DomainError(_l("An announcement can be scheduled at most a year ahead."), field="publish_at")
    return publish_at


def _screened(actor: User, access: GroupAccess, title: str, body: str) -> tuple[str, str]:
    clean_title, text = _clean_title(title), _clean_body(body)
    screening = moderation.screen(actor, access.group, access.membership, f"{clean_title}\n{text}", kind="announcement")
    if screening.verdict != moderation.PUBLISH:
        # An announcement is either shown to everyone or not at all: there is nobody above to hold it for.
        raise DomainError(screening.reason or _l("This announcement cannot be published."), field="body")
    return clean_title, text


def create_announcement(
    actor: User, access: GroupAccess, *, title: str, body: str, publish_at: datetime | None = None
) -> Announcement:
    """A moderator's announcement, shown at the top of the group page to every member until they dismiss it
    or a moderator ends it. The body is Markdown, screened and rendered once by the sanitizer. Audited.

    ``publish_at`` (naive UTC, optional): written now, shown from then. Readers filter on it, so it appears on
    time by itself; the group hears of it when ``publish_due`` (``flask forum publish-scheduled``) runs after
    that time. Without it, the group hears of it at once."""
    group, membership = access.group, access.membership
    if not policy.can_announce(actor, group, membership):
        if group.state != "active":
            raise Forbidden(_l("This group is archived; nothing new can be announced in it."))
        raise Forbidden(_l("Only the group's moderators can make announcements."))
    now = utcnow()
    clean_title, text = _screened(actor, access, title, body)
    when = _clean_publish_at(publish_at, now)
    announcement = Announcement(
        group_id=group.id, author_id=actor.id, title=clean_title, body_source=text, body_html=render_markdown(text),
        created_at=now, publish_at=when, announced_at=None if when else now,
    )  # fmt: skip
    db.session.add(announcement)
    db.session.flush()
    audit.record(
        "announcement.created", actor_id=actor.id, target_type="announcement", target_id=announcement.id,
        group_id=group.id, details={"publish_at": when.isoformat() if when else None},
    )  # fmt: skip
    if when is None:
        forum_notifications.announcement_made(announcement)  # every reader hears of it (notification centre)
    return announcement


def update_scheduled_announcement(
    actor: User, access: GroupAccess, announcement_id: int, *, title: str, body: str, publish_at: datetime | None
) -> Announcement:
    """Change an announcement that is not shown yet: its words and its time (empty: show it now, and tell the
    group now). Audited as ``announcement.updated``."""
    announcement = _announcement_in(access, announcement_id)
    now = utcnow()
    if not policy.can_change_scheduled_announcement(actor, access.group, access.membership, announcement, now):
        if not policy.can_announce(actor, access.group, access.membership):
            raise Forbidden(_l("Only the group's moderators can change announcements."))
        raise DomainError(_l("This announcement is already shown or has ended, so it can no longer be changed."))
    clean_title, text = _screened(actor, access, title, body)
    when = _clean_publish_at(publish_at, now)
    announcement.title, announcement.body_source, announcement.body_html = clean_title, text, render_markdown(text)
    announcement.publish_at = when
    audit.record(
        "announcement.updated", actor_id=actor.id, target_type="announcement", target_id=announcement.id,
        group_id=access.group.id, details={"publish_at": when.isoformat() if when else None},
    )  # fmt: skip
    if when is None:
        _tell_once(announcement, now)
    return announcement


def _tell_once(announcement: Announcement, now: datetime) -> bool:
    """Tell the group of a shown announcement, once: the marker is claimed with a conditional UPDATE, so two
    runs at once (or a run and an edit) never tell anyone twice."""
    claimed = db.session.execute(
        update(Announcement)
        .where(Announcement.id == announcement.id, Announcement.announced_at.is_(None))
        .values(announced_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed:
        forum_notifications.announcement_made(announcement)
    return bool(claimed)


@jobs.job("forum.publish-scheduled", every=timedelta(minutes=5))
def publish_due(now: datetime) -> int:
    """Tell the groups of the scheduled announcements whose time has come (showing them needs nothing: readers
    filter on ``publish_at``). Returns how many were announced. The caller commits. Safe to run twice."""
    due = db.session.scalars(
        select(Announcement)
        .where(
            Announcement.publish_at.is_not(None),
            Announcement.publish_at <= now,
            Announcement.announced_at.is_(None),
            Announcement.ended_at.is_(None),
        )
        .order_by(Announcement.publish_at, Announcement.id)
        .limit(PUBLISH_BATCH)
    ).all()
    return sum(_tell_once(announcement, now) for announcement in due)


def _announcement_in(access: GroupAccess, announcement_id: int) -> Announcement:
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None or announcement.group_id != access.group.id:
        raise NotFound(_l("We could not find that announcement."))
    return announcement


def scheduled_announcement(actor: User, access: GroupAccess, announcement_id: int) -> Announcement:
    """An announcement not shown yet, for its edit page: the group's moderators only (others: not found)."""
    announcement = _announcement_in(access, announcement_id)
    if not policy.is_acting_moderator(actor, access.group, access.membership):
        raise NotFound(_l("We could not find that announcement."))
    if not policy.can_change_scheduled_announcement(actor, access.group, access.membership, announcement, utcnow()):
        raise DomainError(_l("This announcement is already shown or has ended, so it can no longer be changed."))
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
    if not policy.can_dismiss_announcement(actor, access.group, access.membership, announcement, utcnow()):
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
            .where(
                Announcement.group_id == access.group.id,
                Announcement.ended_at.is_(None),
                or_(Announcement.publish_at.is_(None), Announcement.publish_at <= utcnow()),
                ~dismissed,
            )
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
