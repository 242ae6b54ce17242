"""Topics as places where moderation watches for heat (``moderation.conflict``), and a topic's slow mode.

``forum.moderated`` registers them as the "topic" place with ``moderation.targets``. The slow mode of a topic
is kept in moderation's ``TopicSlowMode`` table (moderators set and lift it); the forum announces it and
enforces it on replies.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from community.auth.models import User
from community.core.errors import DomainError
from community.core.realtime import group_room, queue_event
from community.core.time import utcnow
from community.extensions import db
from community.forum.models import Post, Topic
from community.groups.models import Group, Membership
from community.groups.policy import MODERATING_ROLES
from community.moderation.filter_models import TopicSlowMode


def group_of_topic(topic_id: int) -> int | None:
    topic = db.session.get(Topic, topic_id)
    return topic.group_id if topic is not None else None


def topic_of_post(post_id: int) -> int | None:
    post = db.session.get(Post, post_id)
    return post.topic_id if post is not None else None


def recent_authors(topic_id: int, since: datetime, count: int) -> tuple[list[int | None], None]:
    query = select(Post.author_id).where(Post.topic_id == topic_id, Post.state == "published")
    query = query.where(Post.created_at >= since).order_by(Post.id.desc())
    return list(db.session.scalars(query.limit(count))), None  # in a topic, answering is not asked for


def post_ids(topic_id: int) -> Select:
    return select(Post.id).where(Post.topic_id == topic_id)


def slow_mode(topic_id: int) -> int:
    row = db.session.get(TopicSlowMode, topic_id)
    return row.seconds if row is not None else 0


def set_slow_mode(group: Group, topic_id: int, seconds: int, actor_id: int | None) -> None:
    """Turn the topic's slow mode on (``seconds`` > 0) or off (0), and tell its readers live."""
    row = db.session.get(TopicSlowMode, topic_id)
    if seconds == 0:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(
            TopicSlowMode(
                topic_id=topic_id, group_id=group.id, seconds=seconds, set_by_id=actor_id, created_at=utcnow()
            )
        )
    else:
        row.seconds, row.set_by_id = seconds, actor_id
    db.session.flush()
    queue_event("forum:slow_mode", {"topic_id": topic_id, "slow_mode_seconds": seconds}, room=group_room(group.id))


def topic_slow_mode_wait(actor: User, membership: Membership | None, topic_id: int) -> int:
    """Seconds before ``actor`` may reply in this topic again (0: now). Moderators are exempt."""
    row = db.session.get(TopicSlowMode, topic_id)
    if row is None or (membership is not None and membership.role in MODERATING_ROLES):
        return 0
    last = db.session.scalar(
        select(func.max(Post.created_at)).where(Post.topic_id == topic_id, Post.author_id == actor.id)
    )
    if last is None:
        return 0
    left = row.seconds - int((utcnow() - last).total_seconds())
    return max(left, 0)


def check_topic_slow_mode(actor: User, membership: Membership | None, topic_id: int) -> None:
    wait = topic_slow_mode_wait(actor, membership, topic_id)
    if wait:
        raise DomainError(
            _l(
                "This topic is in slow mode for now. You can reply again in %(seconds)d seconds. "
                "Take a breath; your reply will still be welcome.",
                seconds=wait,
            ),
            field="body",
        )
