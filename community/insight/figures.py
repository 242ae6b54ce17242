"""Every dashboard figure as a pure query function: (group id, period) in, numbers out. Portable SQL (SQLite and
PostgreSQL): date arithmetic is done in Python on the few rows that need it, never in SQL.

A period is ``start <= created_at < end`` (naive UTC). Tables of other features that may be absent (professionals,
safeguarding) are read by name from the metadata, so this module never breaks when one of them is not installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import Table, and_, case, func, literal, select, union
from sqlalchemy.orm import aliased

from community.chat.models import Conversation, Message
from community.core.audit import AuditEntry
from community.extensions import db
from community.forum.models import Post, Topic
from community.groups.models import Invitation, Membership
from community.groups.policy import CARE_ROLES, MODERATING_ROLES
from community.moderation.models import QueueItem, Report

DAY = timedelta(days=1)
RETENTION_AFTER = timedelta(days=28)
SAMPLE_MAX = 5000  # rows read into Python for one median or share (the most recent ones)
REFUSED_RESOLUTIONS = ("refuse",)


def _table(name: str) -> Table | None:
    return db.metadata.tables.get(name)


def _topics_in(group_id: int, start: datetime, end: datetime) -> tuple:
    return Topic.group_id == group_id, Topic.state == "published", Topic.created_at >= start, Topic.created_at < end


def _first_post_ids(group_id: int):
    """The opening post of every topic of the group: a reply is any other post."""
    return select(func.min(Post.id)).where(Post.group_id == group_id).group_by(Post.topic_id)


def _group_messages(group_id: int, start: datetime, end: datetime):
    return (
        select(Message.author_id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Conversation.group_id == group_id, Message.state == "published",
            Message.created_at >= start, Message.created_at < end,
        )
    )  # fmt: skip


def active_members(group_id: int, start: datetime, end: datetime) -> int:
    """People who wrote a published post or chat message in the period."""
    posts = select(Post.author_id).where(
        Post.group_id == group_id, Post.state == "published", Post.created_at >= start, Post.created_at < end
    )
    people = union(posts, _group_messages(group_id, start, end)).subquery()
    return int(db.session.scalar(select(func.count()).select_from(people).where(people.c.author_id.isnot(None))) or 0)


def new_topics(group_id: int, start: datetime, end: datetime) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Topic)
            .where(
                Topic.group_id == group_id,
                Topic.state == "published",
                Topic.created_at >= start,
                Topic.created_at < end,
            )
        )
        or 0
    )


def replies(group_id: int, start: datetime, end: datetime) -> int:
    return int(
        db.session.scalar(
            select(func.count()).select_from(Post).where(
                Post.group_id == group_id, Post.state == "published", Post.created_at >= start, Post.created_at < end,
                Post.id.notin_(_first_post_ids(group_id)),
            )
        )
        or 0
    )  # fmt: skip


def chat_messages(group_id: int, start: datetime, end: datetime) -> int:
    sub = _group_messages(group_id, start, end).subquery()
    return int(db.session.scalar(select(func.count()).select_from(sub)) or 0)


@dataclass(frozen=True)
class Share:
    part: int
    total: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.part / self.total, 1) if self.total else None


def answered_within_a_day(group_id: int, start: datetime, end: datetime) -> Share:
    """Of the topics opened in the period, how many had a published reply from someone else within 24 hours."""
    reply = aliased(Post)
    rows = db.session.execute(
        select(Topic.created_at, func.min(reply.created_at))
        .outerjoin(
            reply,
            and_(
                reply.topic_id == Topic.id, reply.state == "published",
                reply.id.notin_(_first_post_ids(group_id)),
                func.coalesce(reply.author_id, -1) != func.coalesce(Topic.author_id, -2),
            ),
        )
        .where(*_topics_in(group_id, start, end))
        .group_by(Topic.id, Topic.created_at)
        .order_by(Topic.created_at.desc())
        .limit(SAMPLE_MAX)
    ).all()  # fmt: skip
    answered = sum(1 for opened, first in rows if first is not None and first - opened <= DAY)
    return Share(answered, len(rows))


@dataclass(frozen=True)
class Duration:
    """A median in hours over ``count`` cases (None without cases)."""

    hours: float | None
    count: int


def _median_hours(pairs) -> Duration:
    spans = [max((later - earlier).total_seconds(), 0) / 3600 for earlier, later in pairs if later is not None]
    return Duration(round(median(spans), 1) if spans else None, len(spans))


def professional_answer_time(group_id: int, start: datetime, end: datetime) -> Duration:
    """Median time from a member's question to a professional's answer, for questions asked in the period
    (professionals feature). Without that feature: from a topic's opening to the first coach post or reply by a
    moderator of the group."""
    questions = _table("professional_questions")
    if questions is not None:
        c = questions.c
        rows = db.session.execute(
            select(c.created_at, c.answered_at)
            .where(c.group_id == group_id, c.created_at >= start, c.created_at < end, c.answered_at.isnot(None))
            .order_by(c.created_at.desc())
            .limit(SAMPLE_MAX)
        ).all()
        return _median_hours(rows)
    reply = aliased(Post)
    staff = select(Membership.user_id).where(Membership.group_id == group_id, Membership.role.in_(CARE_ROLES))
    rows = db.session.execute(
        select(Topic.created_at, func.min(reply.created_at))
        .join(reply, and_(reply.topic_id == Topic.id, reply.state == "published",
                          reply.id.notin_(_first_post_ids(group_id)),
                          (reply.is_coach_post.is_(True)) | reply.author_id.in_(staff)))
        .where(*_topics_in(group_id, start, end))
        .group_by(Topic.id, Topic.created_at)
        .limit(SAMPLE_MAX)
    ).all()  # fmt: skip
    return _median_hours(rows)


@dataclass(frozen=True)
class QueueState:
    waiting: int
    oldest_hours: float | None


def queue_at(group_id: int, moment: datetime) -> QueueState:
    """The moderation queue as it stood at ``moment``: items in it then, and how long the oldest had waited."""
    open_then = and_(
        QueueItem.group_id == group_id,
        QueueItem.created_at < moment,
        (QueueItem.resolved_at.is_(None)) | (QueueItem.resolved_at >= moment),
    )
    count, oldest = db.session.execute(select(func.count(), func.min(QueueItem.created_at)).where(open_then)).one()
    hours = round((moment - oldest).total_seconds() / 3600, 1) if oldest else None
    return QueueState(int(count or 0), hours)


def held_items(group_id: int, start: datetime, end: datetime) -> int:
    return _count(QueueItem, QueueItem.group_id == group_id, QueueItem.kind == "held",
                  QueueItem.created_at >= start, QueueItem.created_at < end)  # fmt: skip


def refused_items(group_id: int, start: datetime, end: datetime) -> int:
    return _count(QueueItem, QueueItem.group_id == group_id, QueueItem.resolution.in_(REFUSED_RESOLUTIONS),
                  QueueItem.resolved_at >= start, QueueItem.resolved_at < end)  # fmt: skip


def reports(group_id: int, start: datetime, end: datetime) -> int:
    return _count(Report, Report.group_id == group_id, Report.created_at >= start, Report.created_at < end)


def _count(model, *conditions) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0)


def safeguarding(group_id: int, start: datetime, end: datetime) -> Duration:
    """Safeguarding cases opened in the period (``count``) and the median time to the first response (a
    moderator taking the case). Without the safeguarding tables: queue items of kind "safeguarding"."""
    cases = _table("safeguarding_cases")
    if cases is not None:
        c = cases.c
        rows = db.session.execute(
            select(c.opened_at, c.taken_at)
            .where(c.group_id == group_id, c.opened_at >= start, c.opened_at < end)
            .order_by(c.opened_at.desc())
            .limit(SAMPLE_MAX)
        ).all()
    else:
        rows = db.session.execute(
            select(QueueItem.created_at, func.coalesce(QueueItem.claimed_at, QueueItem.resolved_at))
            .where(QueueItem.group_id == group_id, QueueItem.kind == "safeguarding",
                   QueueItem.created_at >= start, QueueItem.created_at < end)
            .limit(SAMPLE_MAX)
        ).all()  # fmt: skip
    answered = _median_hours(rows)
    return Duration(answered.hours, len(rows))


def invitations(group_id: int, start: datetime, end: datetime) -> Share:
    """Invitations made in the period (``total``) and invitations accepted in it (``part``; a group code counts
    once per person who joined with it)."""
    sent = _count(Invitation, Invitation.group_id == group_id, Invitation.created_at >= start,
                  Invitation.created_at < end)  # fmt: skip
    accepted = _count(AuditEntry, AuditEntry.action == "invitation.accepted", AuditEntry.group_id == group_id,
                      AuditEntry.created_at >= start, AuditEntry.created_at < end)  # fmt: skip
    return Share(accepted, sent)


def retention(group_id: int, start: datetime, end: datetime, now: datetime) -> Share:
    """Members (not moderators) who joined in the period and whose first 4 weeks are over (``total``), and how
    many of them wrote something (a post or chat message) after those 4 weeks (``part``)."""
    cohort = dict(
        db.session.execute(
            select(Membership.user_id, Membership.joined_at).where(
                Membership.group_id == group_id, Membership.role == "member",
                Membership.joined_at >= start, Membership.joined_at < end,
                Membership.joined_at <= now - RETENTION_AFTER,
            ).limit(SAMPLE_MAX)
        ).all()
    )  # fmt: skip
    if not cohort:
        return Share(0, 0)
    ids = sorted(cohort)
    last_post = (
        select(Post.author_id.label("who"), func.max(Post.created_at).label("at"))
        .where(Post.group_id == group_id, Post.state == "published", Post.author_id.in_(ids))
        .group_by(Post.author_id)
    )
    last_message = (
        select(Message.author_id.label("who"), func.max(Message.created_at).label("at"))
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Conversation.group_id == group_id, Message.state == "published", Message.author_id.in_(ids))
        .group_by(Message.author_id)
    )
    latest: dict[int, datetime] = {}
    for who, at in db.session.execute(union(last_post, last_message)).all():
        if who is not None and at is not None:
            latest[who] = max(latest.get(who, at), at)
    kept = sum(
        1 for user_id, joined in cohort.items() if latest.get(user_id) and latest[user_id] >= joined + RETENTION_AFTER
    )
    return Share(kept, len(cohort))


# --- weekly series for the charts -------------------------------------------------------------------------------


def weekly_buckets(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    buckets, cursor = [], start
    while cursor < end:
        buckets.append((cursor, min(cursor + timedelta(days=7), end)))
        cursor += timedelta(days=7)
    return buckets


def _bucket_counts(column, base, buckets) -> list[int]:
    """One query for every bucket: SUM(CASE WHEN column in bucket THEN 1 ELSE 0 END) per bucket."""
    if not buckets:
        return []
    sums = [func.sum(case((and_(column >= lo, column < hi), literal(1)), else_=literal(0))) for lo, hi in buckets]
    row = db.session.execute(base.with_only_columns(*sums)).one()
    return [int(value or 0) for value in row]


def weekly_activity(group_id: int, start: datetime, end: datetime) -> dict[str, list[int]]:
    buckets = weekly_buckets(start, end)
    in_range = (start, end)
    topics = select(Topic.id).where(Topic.group_id == group_id, Topic.state == "published",
                                    Topic.created_at >= in_range[0], Topic.created_at < in_range[1])  # fmt: skip
    posts = select(Post.id).where(Post.group_id == group_id, Post.state == "published",
                                  Post.created_at >= in_range[0], Post.created_at < in_range[1],
                                  Post.id.notin_(_first_post_ids(group_id)))  # fmt: skip
    messages = (
        select(Message.id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Conversation.group_id == group_id, Message.state == "published",
               Message.created_at >= in_range[0], Message.created_at < in_range[1])
    )  # fmt: skip
    return {
        "topics": _bucket_counts(Topic.created_at, topics, buckets),
        "replies": _bucket_counts(Post.created_at, posts, buckets),
        "messages": _bucket_counts(Message.created_at, messages, buckets),
    }


# --- moderator workload ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    user_id: int
    handled: int
    queue_hours: float  # from taking an item to closing it, summed
    distressing_this_week: int  # safeguarding cases taken and safeguarding items handled in the last 7 days


def workload(group_id: int, start: datetime, end: datetime, now: datetime) -> list[Workload]:
    moderators = db.session.scalars(
        select(Membership.user_id).where(Membership.group_id == group_id, Membership.role.in_(MODERATING_ROLES))
        .order_by(Membership.user_id).limit(200)
    ).all()  # fmt: skip
    if not moderators:
        return []
    handled: dict[int, int] = {}
    hours: dict[int, float] = {}
    rows = db.session.execute(
        select(QueueItem.resolved_by_id, QueueItem.claimed_at, QueueItem.resolved_at)
        .where(QueueItem.group_id == group_id, QueueItem.resolved_by_id.in_(moderators),
               QueueItem.resolved_at >= start, QueueItem.resolved_at < end)
        .limit(SAMPLE_MAX * 4)
    ).all()  # fmt: skip
    for who, claimed, resolved in rows:
        handled[who] = handled.get(who, 0) + 1
        if claimed and resolved:
            hours[who] = hours.get(who, 0.0) + max((resolved - claimed).total_seconds(), 0) / 3600
    week_ago = now - timedelta(days=7)
    cases = _table("safeguarding_cases")
    if cases is not None:  # the safeguarding feature: cases a moderator took
        distressing_query = (
            select(cases.c.taken_by_id, func.count())
            .where(cases.c.group_id == group_id, cases.c.taken_by_id.in_(moderators), cases.c.taken_at >= week_ago)
            .group_by(cases.c.taken_by_id)
        )
    else:  # without it: safeguarding queue items a moderator handled
        distressing_query = (
            select(QueueItem.resolved_by_id, func.count())
            .where(QueueItem.group_id == group_id, QueueItem.kind == "safeguarding",
                   QueueItem.resolved_by_id.in_(moderators), QueueItem.resolved_at >= week_ago)
            .group_by(QueueItem.resolved_by_id)
        )  # fmt: skip
    distressing = {int(who): int(count) for who, count in db.session.execute(distressing_query).all()}
    return [
        Workload(user_id, handled.get(user_id, 0), round(hours.get(user_id, 0.0), 1), int(distressing.get(user_id, 0)))
        for user_id in moderators
    ]
