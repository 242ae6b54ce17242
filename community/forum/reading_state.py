"""Unread markers: how far each member has read each topic.

Reading a page never writes. The topic page's script (or its "Mark as read" button) posts the last post the
member saw; :func:`record_read` keeps the furthest point. The topic list asks once per page which topics have
something new, and the topic page asks once where the first unread reply is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, case, select
from sqlalchemy.dialects import postgresql, sqlite

from community.auth.models import User
from community.core.errors import DomainError, NotFound
from community.core.time import utcnow
from community.extensions import db
from community.forum.models import Post, Topic
from community.forum.read_models import TopicRead
from community.groups import policy as groups_policy
from community.groups.services import GroupAccess

NEW, NEW_REPLIES = "new", "new_replies"
_DB_INT_MAX = 2**31 - 1


@dataclass(frozen=True)
class ReadingPosition:
    last_read_post_id: int | None  # None: the member never marked this topic read
    first_unread_id: int | None  # None: nothing new


def record_read(actor: User, access: GroupAccess, topic_id: int, last_post_id: int) -> int:
    """Remember that the actor has read ``topic_id`` up to ``last_post_id`` (a published post of the topic, or
    the newest one before it). Never moves backwards, so an old tab cannot undo a newer read. Returns the
    stored position. Precondition: ``access`` is the actor's own, from ``open_group``."""
    if not groups_policy.can_view_group(actor, access.group, access.membership):
        raise NotFound(_("We could not find that group."))
    topic = db.session.get(Topic, topic_id) if 0 < topic_id <= _DB_INT_MAX else None
    if topic is None or topic.group_id != access.group.id or topic.state != "published":
        raise NotFound(_("We could not find that topic. It may have been removed."))
    if not 0 < last_post_id:
        raise DomainError(_("Say which post you read up to."), field="last_post_id")
    newest = db.session.scalar(
        select(Post.id)
        .where(Post.topic_id == topic.id, Post.state == "published", Post.id <= min(last_post_id, _DB_INT_MAX))
        .order_by(Post.id.desc())
        .limit(1)
    )
    if newest is None:
        raise DomainError(_("Say which post you read up to."), field="last_post_id")
    now = utcnow()
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(TopicRead).values(user_id=actor.id, topic_id=topic.id, last_read_post_id=newest, updated_at=now)
    furthest = case(
        (statement.excluded.last_read_post_id > TopicRead.last_read_post_id, statement.excluded.last_read_post_id),
        else_=TopicRead.last_read_post_id,
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[TopicRead.user_id, TopicRead.topic_id],
            set_={"last_read_post_id": furthest, "updated_at": now},
        )
    )
    stored = db.session.scalar(
        select(TopicRead.last_read_post_id).where(TopicRead.user_id == actor.id, TopicRead.topic_id == topic.id)
    )
    return stored or newest


def _position_query(user_id: Any, topic_id: Any) -> Any:  # a scalar subquery
    # correlate_except: when topic_id is ``Topic.id`` of a statement two levels up (first_unread below, inside
    # open_topic_for_reading's select), it must refer to that row, not add "topics" to this FROM.
    return (
        select(TopicRead.last_read_post_id)
        .where(TopicRead.user_id == user_id, TopicRead.topic_id == topic_id)
        .correlate_except(TopicRead)
        .scalar_subquery()
    )


def position_columns(user_id: Any, topic_id: Any) -> tuple[Any, Any]:
    """The reading position as two labelled columns ("last_read", "first_unread"), for a statement of its own
    or to add to another one (``forum.services.open_topic_for_reading`` reads it with the topic)."""
    last_read = _position_query(user_id, topic_id)
    first_unread = (
        select(Post.id)
        .where(Post.topic_id == topic_id, Post.state == "published", Post.id > last_read)
        .order_by(Post.id)
        .limit(1)
        .scalar_subquery()
    )
    return last_read.label("last_read"), first_unread.label("first_unread")


def reading_position(actor: User, topic: Topic) -> ReadingPosition:
    """Where the actor stopped reading, and the first published post after that: one query."""
    row = db.session.execute(select(*position_columns(actor.id, topic.id))).one()
    return ReadingPosition(row.last_read, row.first_unread)


def topic_markers(actor: User, topic_ids: list[int]) -> dict[int, str]:
    """For one page of the topic list: ``NEW`` for topics the actor never opened, ``NEW_REPLIES`` for topics
    with published posts after their reading position. One query (an index lookup per topic on the page)."""
    if not topic_ids:
        return {}
    newest_post = (
        select(Post.id)
        .where(Post.topic_id == Topic.id, Post.state == "published")
        .order_by(Post.id.desc())
        .limit(1)
        .correlate(Topic)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Topic.id, TopicRead.last_read_post_id, newest_post.label("newest"))
        .outerjoin(TopicRead, and_(TopicRead.topic_id == Topic.id, TopicRead.user_id == actor.id))
        .where(Topic.id.in_(topic_ids))
    ).all()
    markers = {}
    for topic_id, last_read, newest in rows:
        if last_read is None:
            markers[topic_id] = NEW
        elif newest is not None and newest > last_read:
            markers[topic_id] = NEW_REPLIES
    return markers
