"""What the forum tells the notifications feature: replies to a member's topics and posts, new topics (to those
who asked for them per group), new announcements,
the topics behind the posts an inbox lists, and muting a topic.

Called from the forum's write path (``forum/writing.py``, ``forum/coach.py``) once a post or announcement is
published; a held reply notifies when a moderator approves it (:func:`post_published`). Who hears: only people
who can read the group now. The forum calls ``notifications.services``; notifications never reads the forum.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.auth.models import User
from community.core.errors import NotFound
from community.extensions import db
from community.forum.models import Announcement, Post, Topic
from community.groups.models import Group, Membership
from community.groups.policy import READING_STATES
from community.groups.services import open_group
from community.notifications import preferences, services

EARLIER_WRITERS_MAX = 50  # people told about a reply to a topic they wrote in (the most recent writers)
ANNOUNCEMENT_READERS_MAX = 5000  # a group larger than this is told in the centre through the group page only


def post_published(post: Post) -> list[int]:
    """A reply became visible: tell the topic's author and the earlier writers of the topic (not the replier,
    not people already told about this post). The first post of a topic is a new topic (:func:`topic_published`)."""
    if post.state != "published":
        return []
    topic = db.session.get(Topic, post.topic_id)
    if topic is None or topic.state != "published":
        return []
    first_id = db.session.scalar(select(Post.id).where(Post.topic_id == topic.id).order_by(Post.id).limit(1))
    if first_id == post.id:
        return topic_published(topic, post)
    earlier = db.session.scalars(
        select(Post.author_id)
        .where(Post.topic_id == topic.id, Post.id < post.id, Post.state == "published", Post.author_id.isnot(None))
        .group_by(Post.author_id)
        .order_by(db.func.max(Post.id).desc())
        .limit(EARLIER_WRITERS_MAX)
    ).all()
    candidates = {topic.author_id, *earlier} - {None, post.author_id}
    readers = _readers(post.group_id, candidates)
    # Someone this post mentions has been told already (a mention says more than "a reply"): one notice per post.
    told = services.already_notified("reply", "post", post.id) | services.already_notified("mention", "post", post.id)
    recipients = sorted(readers - told)
    services.notify(
        recipients, kind="reply", actor_id=post.author_id, group_id=post.group_id, target_type="post",
        target_id=post.id, topic_id=post.topic_id,
    )  # fmt: skip
    return recipients


def topic_published(topic: Topic, post: Post) -> list[int]:
    """A new topic became visible (written, or its held opening post approved): the members who asked to hear of
    every new topic in the group (``GroupNotificationSetting.new_topics``, off by default) and can read it now.
    Not its writer, nor anyone its opening post already told (a mention says more), nor anyone told before."""
    listeners = set(preferences.new_topic_listeners(topic.group_id)) - {post.author_id}
    readers = _readers(topic.group_id, listeners)
    told = services.already_notified("new_topic", "post", post.id) | services.already_notified(
        "mention", "post", post.id
    )
    recipients = sorted(readers - told)
    services.notify(
        recipients, kind="new_topic", actor_id=post.author_id, group_id=topic.group_id, target_type="post",
        target_id=post.id, topic_id=topic.id,
    )  # fmt: skip
    return recipients


def announcement_made(announcement: Announcement) -> list[int]:
    """Every reader of the group hears of a new announcement (not its author)."""
    readers = db.session.scalars(
        select(Membership.user_id)
        .where(Membership.group_id == announcement.group_id, Membership.state.in_(READING_STATES))
        .order_by(Membership.user_id)
        .limit(ANNOUNCEMENT_READERS_MAX)
    ).all()
    services.notify(
        readers, kind="announcement", actor_id=announcement.author_id, group_id=announcement.group_id,
        target_type="announcement", target_id=announcement.id,
    )  # fmt: skip
    return [user_id for user_id in readers if user_id != announcement.author_id]


def _readers(group_id: int, user_ids: set) -> set[int]:
    if not user_ids:
        return set()
    return set(
        db.session.scalars(
            select(Membership.user_id).where(
                Membership.group_id == group_id,
                Membership.user_id.in_(sorted(user_ids)),
                Membership.state.in_(READING_STATES),
            )
        )
    )


def post_topics(post_ids: list[int]) -> dict[int, tuple[int, str]]:
    """For the inbox (registered with ``notifications.kinds`` for "post"): each post still shown, with its
    topic's id and title. A removed post, or one in a removed topic, is left out (the line says so)."""
    if not post_ids:
        return {}
    rows = db.session.execute(
        select(Post.id, Topic.id, Topic.title)
        .join(Topic, Topic.id == Post.topic_id)
        .where(Post.id.in_(post_ids), Post.state == "published", Topic.state == "published")
    ).all()
    return {post_id: (topic_id, title) for post_id, topic_id, title in rows}


def mute_topic_for(user: User, topic_id: int, *, muted: bool) -> str:
    """Mute or unmute a topic the member can read; returns the group's slug. Anything else is "not found"."""
    topic = db.session.get(Topic, topic_id) if 0 < topic_id < 2**31 else None
    if topic is None or topic.state != "published":
        raise NotFound(_l("We could not find that topic. It may have been removed."))
    group = db.session.get(Group, topic.group_id)
    open_group(user, group.slug)  # NotFound for a group the member cannot read
    preferences.mute_topic(user, topic_id, muted=muted)
    return group.slug
