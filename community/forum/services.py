"""Forum rules: writing topics and replies (screened, sanitised once at write time) and reading them."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, Select, String, and_, bindparam, select, tuple_
from sqlalchemy.orm import joinedload

from community.auth.models import User
from community.core.errors import NotFound
from community.extensions import db
from community.forum import reactions, reading_state
from community.forum.models import Post, Topic
from community.groups import entry_checks
from community.groups import policy as groups_policy
from community.groups.models import Group, Membership
from community.groups.services import GroupAccess, open_group
from community.moderation.safeguarding.services import TARGET_NOT_FOUND, ConcernTarget

TITLE_MAX, BODY_MAX = 160, 20_000
TOPICS_PER_PAGE, POSTS_PER_PAGE = 25, 20


@dataclass(frozen=True)
class TopicPage:
    """One page of a group's topic list, with the cursors for the "Older topics" and "Newer topics" links.

    A cursor holds the sort key of the last (or first) topic shown, so a page stays where it was even when
    topics above it get new replies, and fetching it costs the same on page 1 and page 1,000.
    """

    topics: list[Topic]
    older: str | None = None
    newer: str | None = None


_EPOCH = datetime(1970, 1, 1)
_CURSOR = re.compile(r"([01])\.(\d{1,19})\.(\d{1,12})")


def _cursor_of(topic: Topic) -> str:
    micros = (topic.last_activity_at - _EPOCH) // timedelta(microseconds=1)
    return f"{int(bool(topic.pinned))}.{micros}.{topic.id}"


def _parse_cursor(raw: str | None) -> tuple[bool, datetime, int] | None:
    """The sort key in a cursor, or None for a missing or mangled one (the list then starts at the top)."""
    match = _CURSOR.fullmatch(raw or "")
    if match is None:
        return None
    try:
        when = _EPOCH + timedelta(microseconds=int(match[2]))
    except OverflowError:
        return None
    return match[1] == "1", when, int(match[3])


def list_topics(access: GroupAccess, *, older: str | None = None, newer: str | None = None) -> TopicPage:
    """Published topics, pinned first, then by last activity (newest first), keyset-paginated.

    ``older`` continues after the topic its cursor names; ``newer`` goes back towards the top. The query walks
    the index ``ix_topics_listing`` (group_id, state, pinned, last_activity_at, id) from the cursor and reads
    at most one page plus one row, whatever the number of topics.
    """
    key = (Topic.pinned, Topic.last_activity_at, Topic.id)
    base = (
        select(Topic)
        .options(joinedload(Topic.author))
        .where(Topic.group_id == access.group.id, Topic.state == "published")
        .limit(TOPICS_PER_PAGE + 1)
    )
    towards_top = _parse_cursor(newer) if older is None else None
    if towards_top is not None:
        rows = db.session.scalars(
            base.where(tuple_(*key) > tuple_(*towards_top)).order_by(*(column.asc() for column in key))
        ).all()
        if len(rows) > TOPICS_PER_PAGE:  # still not at the top: show the page just above the cursor
            topics = list(reversed(rows[:TOPICS_PER_PAGE]))
            return TopicPage(topics, older=_cursor_of(topics[-1]), newer=_cursor_of(topics[0]))
        # Reached the top: show the first page as it is now (a full page, and no "newer" link).
    after = _parse_cursor(older) if towards_top is None else None
    query = base.order_by(*(column.desc() for column in key))
    if after is not None:
        query = query.where(tuple_(*key) < tuple_(*after))
    rows = db.session.scalars(query).all()
    topics = list(rows[:TOPICS_PER_PAGE])
    return TopicPage(
        topics,
        older=_cursor_of(topics[-1]) if len(rows) > TOPICS_PER_PAGE else None,
        newer=_cursor_of(topics[0]) if after is not None and topics else None,
    )


def open_topic(access: GroupAccess, topic_id: int) -> Topic:
    topic = db.session.get(Topic, topic_id)
    if topic is None or topic.group_id != access.group.id or topic.state != "published":
        raise NotFound("We could not find that topic. It may have been removed.")
    return topic


@dataclass(frozen=True)
class TopicForReading:
    access: GroupAccess
    topic: Topic
    position: reading_state.ReadingPosition
    own_reactions: dict[int, frozenset[str]] | None  # on the page of posts after ``after``; None: not read


def open_topic_for_reading(user: User, slug: str, topic_id: int, *, after: int = 0) -> TopicForReading:
    """``open_group`` + ``open_topic`` + the reader's position and own reactions on the page of posts after
    ``after``, for the topic page: one statement, same rules. When that finds nothing the two steps run on
    their own, so the reader gets their own message ("no such group" or "no such topic")."""
    found = None
    if 0 < topic_id < 2**31 and 0 <= after < 2**31:
        values = {"slug": slug, "topic_id": topic_id, "viewer_id": user.id, "after": after}
        found = db.session.execute(_topic_for_reading_statement(), values).first()
    if found is None or not groups_policy.can_view_group(user, found[0], found[1]):
        access = open_group(user, slug)  # raises the reader's "not found"
        topic = open_topic(access, topic_id)
        return TopicForReading(access, topic, reading_state.reading_position(user, topic), None)
    group, membership, topic, last_read, first_unread, own = found
    entry_checks.check_entry(user, group, membership)  # as in open_group
    access = GroupAccess(group, membership)
    return TopicForReading(
        access,
        open_topic(access, topic.id),
        reading_state.ReadingPosition(last_read, first_unread),
        reactions.parse_own_reactions(own),
    )


@functools.cache
def _topic_for_reading_statement() -> Select:
    """Built once per process: every topic page runs it. The page's posts are the ones ``topic_posts`` shows."""
    viewer_id = bindparam("viewer_id", type_=Integer)
    page_post_ids = (
        select(Post.id)
        .where(Post.topic_id == Topic.id, Post.state == "published", Post.id > bindparam("after", type_=Integer))
        .order_by(Post.id)
        .limit(POSTS_PER_PAGE)
        .correlate_except(Post)
    )
    return (
        select(
            Group,
            Membership,
            Topic,
            *reading_state.position_columns(viewer_id, Topic.id),
            reactions.own_reactions_column(viewer_id, page_post_ids).label("own_reactions"),
        )
        .select_from(Topic)
        .join(Group, Group.id == Topic.group_id)
        .outerjoin(Membership, and_(Membership.group_id == Group.id, Membership.user_id == viewer_id))
        .where(Topic.id == bindparam("topic_id", type_=Integer), Group.slug == bindparam("slug", type_=String))
    )


def topic_posts(topic: Topic, *, after_id: int = 0) -> tuple[list[Post], bool]:
    """One page of published posts in order, keyset-paginated by id; (posts, has_more)."""
    rows = db.session.scalars(
        select(Post)
        .options(joinedload(Post.author))
        .where(Post.topic_id == topic.id, Post.state == "published", Post.id > after_id)
        .order_by(Post.id)
        .limit(POSTS_PER_PAGE + 1)
    ).all()
    return list(rows[:POSTS_PER_PAGE]), len(rows) > POSTS_PER_PAGE


def published_post(post_id: int, *, group_id: int | None = None) -> Post:
    """A published post (of the group ``group_id``, when given); "not found" for anything else."""
    post = db.session.get(Post, post_id) if 0 < post_id < 2**31 else None
    if post is None or post.state != "published" or (group_id is not None and post.group_id != group_id):
        raise NotFound(TARGET_NOT_FOUND)
    return post


def concern_about_post(post_id: int, *, group_id: int | None = None) -> ConcernTarget:
    """What ``safeguarding.services.raise_concern`` needs about a published post ("I'm worried about this
    person"). Whether the actor may raise it there is the safeguarding policy's to say."""
    post = published_post(post_id, group_id=group_id)
    return ConcernTarget("post", post.id, db.session.get(Group, post.group_id), post.author)
