"""Notify members, list their notifications, mark them read.

A notification stores ids only (who, which group, which post): what it says is put together when the list is
shown, so a post that was removed, or a group the member has left, never shows up through it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.orm import aliased

from community.auth.models import User
from community.core import jobs, page_preloads
from community.core.errors import NotFound
from community.core.realtime import queue_event, user_room
from community.core.time import utcnow
from community.extensions import db
from community.groups.models import Group, Membership
from community.groups.policy import READING_STATES
from community.notifications import outbox, preferences, push
from community.notifications.kinds import get_kind, target_link, target_topics
from community.notifications.models import DigestRun, EmailOutbox, Notification, PushOutbox

PER_PAGE = 25
NEW_EVENT, COUNT_EVENT = "notification:new", "notification:count"


def notify(
    recipient_ids: Iterable[int],
    *,
    kind: str,
    actor_id: int | None,
    group_id: int | None,
    target_type: str,
    target_id: int | None,
    topic_id: int | None = None,
    own_email: bool = False,
) -> list[Notification]:
    """Store one notification per recipient (never for the actor) and, after the commit, tell each recipient's
    open pages their new unread count. The caller has already decided who may hear about the target.

    ``topic_id``: the topic the target belongs to (a forum post's), so members who muted that topic hear nothing.

    ``own_email``: the member chose on the item itself whether to get an email about it (a question to the
    professionals, a request to talk), and the caller sends that email, with its link, itself. Their general
    email preference for the kind then does not apply to this one, so nobody gets it twice or unasked.

    ``kind`` must be in the registry (``kinds.py``); an unknown kind raises ``UnknownNotificationKind`` before
    anything is stored. A recipient who muted or blocked the actor hears nothing of a content-bearing kind (the
    filters registered with ``preferences.register_recipient_filter``); a kind told ``once_until_read`` skips
    recipients who still have an unread one about the same target. Each recipient's preferences apply: a muted
    group or topic stores nothing; "in-app off" keeps the row for email (or push) only; an "immediately" email
    goes into the outbox in this same transaction, and so does a push to the member's devices (``push.queue``:
    bundled per target, held back by quiet hours).
    """
    registered = get_kind(kind)
    recipients = sorted({int(user_id) for user_id in recipient_ids} - {actor_id})
    if registered.content_bearing:  # decisions and staff duties reach people whoever they muted
        recipients = preferences.without_filtered(recipients, actor_id)  # whom they muted or blocked (moderation)
    # Told once until read: who still has an unread one about this target gets no new row, but their devices
    # may hear again (push bundles per target: at most one push per conversation every few minutes).
    waiting = _unread_about(recipients, kind, target_type, target_id) if registered.once_until_read else {}
    if not recipients:
        return []
    wanted = preferences.deliveries(recipients, kind=kind, group_id=group_id, topic_id=topic_id)
    now = utcnow()
    rows = []
    for user_id, delivery in wanted.items():
        if user_id in waiting:
            continue
        if own_email:
            delivery = replace(delivery, email="never")  # stored even when not shown: the record that we told them
        elif not delivery.in_app and delivery.email == "never" and not delivery.push:
            continue
        rows.append(
            Notification(
                user_id=user_id, kind=kind, group_id=group_id, actor_id=actor_id, target_type=target_type,
                target_id=target_id, created_at=now, in_app=delivery.in_app, email_mode=delivery.email,
                emailed_at=now if delivery.email == "immediately" else None,
            )
        )  # fmt: skip
    again = [note for user_id, note in waiting.items() if user_id in wanted and wanted[user_id].push]
    if not rows and not again:
        return []
    db.session.add_all(rows)
    db.session.flush()
    users = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_([r.user_id for r in rows])))}
    for row in rows:
        if row.email_mode == "immediately":
            outbox.queue_immediate(users[row.user_id], kind, group_id, now)
    # Web Push last: rows for members with a device, in this transaction; sent after the commit.
    pushed = [row for row in rows if wanted[row.user_id].push] + again
    push.queue(pushed, kind=kind, group_id=group_id, key=push.target_key(target_type, target_id, topic_id, group_id),
               now=now)  # fmt: skip
    shown = [row.user_id for row in rows if row.in_app]
    counts = unread_counts(shown)
    for user_id in shown:
        queue_event(NEW_EVENT, {"count": counts.get(user_id, 0), "kind": kind}, room=user_room(user_id))
    return rows


def _unread_about(recipients: list[int], kind: str, target_type: str, target_id: int | None) -> dict[int, Notification]:
    """The recipients' unread notifications of this kind about this target, by member (one query). Email-only
    rows count too: the member hears once, in whatever way they chose, until they read the target."""
    if not recipients:
        return {}
    found = db.session.scalars(
        select(Notification).where(
            Notification.target_type == target_type,
            Notification.target_id == target_id if target_id is not None else Notification.target_id.is_(None),
            Notification.kind == kind,
            Notification.read_at.is_(None),
            Notification.user_id.in_(recipients),
        )
    )
    return {note.user_id: note for note in found}


def mark_target_read(user_id: int, kinds: Iterable[str], target_type: str, target_id: int | None) -> int:
    """The member has seen the target itself (read the conversation, opened the queue): its unread notifications
    of these kinds are read, and their open pages' counts update after the commit. ``target_id`` None: every
    target of that type. One UPDATE; returns how many changed."""
    same_target = Notification.target_id == target_id if target_id is not None else Notification.target_id.isnot(None)
    changed = (
        db.session.execute(
            update(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.kind.in_(list(kinds)),
                Notification.target_type == target_type,
                same_target,
                Notification.read_at.is_(None),
            )
            .values(read_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )
    if changed:
        _tell_count(user_id)
    return changed


def already_notified(kind: str, target_type: str, target_id: int) -> set[int]:
    """Who has been told about this target already (so a re-published or edited post does not tell twice)."""
    return set(
        db.session.scalars(
            select(Notification.user_id).where(
                Notification.target_type == target_type,
                Notification.target_id == target_id,
                Notification.kind == kind,
            )
        )
    )


@functools.cache
def _readable():
    """Notifications about a group count only while the member can still read that group. Built once per
    process: the navigation counts on every page, and building an alias costs more than the query."""
    viewer = aliased(Membership)
    join = and_(viewer.group_id == Notification.group_id, viewer.user_id == Notification.user_id)
    return viewer, join, or_(Notification.group_id.is_(None), viewer.state.in_(READING_STATES))


def unread_counts(user_ids: Iterable[int]) -> dict[int, int]:
    """Unread notifications per member, in one grouped query over the (user_id, read_at) index."""
    ids = list(user_ids)
    if not ids:
        return {}
    viewer, join, readable = _readable()
    rows = db.session.execute(
        select(Notification.user_id, func.count())
        .outerjoin(viewer, join)
        .where(Notification.user_id.in_(ids), Notification.in_app.is_(True), Notification.read_at.is_(None), readable)
        .group_by(Notification.user_id)
    ).all()
    return {int(user_id): int(count) for user_id, count in rows}


def unread_count(user_id: int) -> int:
    return unread_counts([user_id]).get(user_id, 0)


def _unread_count_subquery(user_id: ColumnElement[int]) -> ColumnElement[int]:
    """The navigation's badge, read with the session lookup (``core.page_preloads``): same rule as above."""
    viewer, join, readable = _readable()
    return (
        select(func.count())
        .select_from(Notification)
        .outerjoin(viewer, join)
        .where(Notification.user_id == user_id, Notification.in_app.is_(True), Notification.read_at.is_(None), readable)
        .scalar_subquery()
    )


UNREAD_PRELOAD = "unread_notifications"
page_preloads.register(UNREAD_PRELOAD, _unread_count_subquery, parse=lambda value: int(value or 0))


@dataclass(frozen=True)
class NotificationView:
    """One line of the inbox, with only what the member may still see."""

    id: int
    kind: str
    created_at: datetime
    is_read: bool
    actor_name: str | None  # None: a former member
    group_name: str | None
    group_slug: str | None
    topic_id: int | None
    topic_title: str | None  # None: the post is no longer shown
    post_id: int | None
    target_type: str = ""
    target_id: int | None = None

    @property
    def available(self) -> bool:
        """Whether there is something to open: a post still shown, or another target in a group still readable."""
        if self.target_type == "post":
            return self.topic_title is not None
        return self.link is not None

    @property
    def link(self) -> str | None:
        if self.target_type == "post":
            return None  # opened through mark_read's redirect to the post's page
        return target_link(self.target_type, self.target_id, self.group_slug)


def _views(user: User, *conditions, limit: int) -> list[NotificationView]:
    """The member's notifications as inbox lines, newest first: the actor's name and the group come in by outer
    joins, the topic of each target that lives in a topic (a forum post) from the lookup its feature registered
    (``kinds.register_target_topics``: one query per target type on the page). Notifications about a group the
    member can no longer read are left out; a post that is no longer shown comes without its topic's title."""
    viewer, join, readable = _readable()
    actor = aliased(User)
    rows = db.session.execute(
        select(Notification, actor.display_name, actor.state, Group.name, Group.slug)
        .outerjoin(viewer, join)
        .outerjoin(actor, actor.id == Notification.actor_id)
        .outerjoin(Group, Group.id == Notification.group_id)
        .where(Notification.user_id == user.id, Notification.in_app.is_(True), readable, *conditions)
        .order_by(Notification.id.desc())
        .limit(limit)
    ).all()
    wanted: dict[str, list[int]] = {}
    for note, *_rest in rows:
        if note.target_id is not None:
            wanted.setdefault(note.target_type, []).append(note.target_id)
    topics = {target_type: target_topics(target_type, ids) for target_type, ids in wanted.items()}
    items = []
    for note, actor_name, actor_state, group_name, group_slug in rows:
        topic = topics.get(note.target_type, {}).get(note.target_id)  # (topic id, title) while shown
        shown = topic is not None
        items.append(
            NotificationView(
                id=note.id,
                kind=note.kind,
                created_at=note.created_at,
                is_read=note.read_at is not None,
                actor_name=actor_name if actor_state not in (None, "deleted") else None,
                group_name=group_name,
                group_slug=group_slug,
                topic_id=topic[0] if shown else None,
                topic_title=topic[1] if shown else None,
                post_id=note.target_id if shown else None,
                target_type=note.target_type,
                target_id=note.target_id,
            )
        )
    return items


def list_notifications(user: User, *, before_id: int | None = None) -> tuple[list[NotificationView], bool]:
    """A page of the member's notifications, newest first, keyset-paginated by id; (items, has_more)."""
    conditions = [Notification.id < before_id] if before_id else []
    items = _views(user, *conditions, limit=PER_PAGE + 1)
    return items[:PER_PAGE], len(items) > PER_PAGE


def mark_read(user: User, notification_id: int) -> NotificationView:
    """Mark one of the member's own notifications read, and return it as shown in the inbox.

    Someone else's notification, or one about a group the member can no longer read, is "not found".
    """
    found = _views(user, Notification.id == notification_id, limit=1)
    if not found:
        raise NotFound(_l("We could not find that notification."))
    note = db.session.get(Notification, notification_id)
    if note is not None and note.read_at is None:
        note.read_at = utcnow()
        db.session.flush()
        _tell_count(user.id)
    return found[0]


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the member read; returns how many changed."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    changed = result.rowcount or 0
    if changed:
        _tell_count(user.id)
    return changed


def _tell_count(user_id: int) -> None:
    """Other open pages of the member update their navigation count after the commit; this request's own
    page (if it renders one) counts again instead of showing the preloaded badge."""
    page_preloads.forget(user_id, UNREAD_PRELOAD)  # by id: no lookup of the member
    queue_event(COUNT_EVENT, {"count": unread_count(user_id)}, room=user_room(user_id))


@jobs.job("notifications.prune", every=timedelta(days=1))
def prune(*, now: datetime | None = None, batch: int = 5000) -> dict[str, int]:
    """Delete what is older than NOTIFICATIONS_KEEP_DAYS, in batches (short transactions; cron-safe: a second
    run at the same time deletes nothing twice, it only finds less)."""
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["NOTIFICATIONS_KEEP_DAYS"])
    removed = {"notifications": 0, "emails": 0, "digest_runs": 0, "pushes": 0}
    targets = (
        # Pushes first: a pending one pointing at a notification about to go is simply kept without its link.
        ("pushes", PushOutbox, (PushOutbox.created_at < cutoff) & PushOutbox.status.in_(("sent", "failed", "skipped"))),
        ("notifications", Notification, Notification.created_at < cutoff),
        (
            "emails",
            EmailOutbox,
            (EmailOutbox.created_at < cutoff) & EmailOutbox.status.in_(("sent", "failed", "skipped")),
        ),
        ("digest_runs", DigestRun, DigestRun.created_at < cutoff),
    )
    for name, model, condition in targets:
        while True:
            ids = db.session.scalars(select(model.id).where(condition).limit(batch)).all()
            if not ids:
                break
            db.session.execute(delete(model).where(model.id.in_(ids)).execution_options(synchronize_session=False))
            removed[name] += len(ids)
            if len(ids) < batch:
                break
    return removed
