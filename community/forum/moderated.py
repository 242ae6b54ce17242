"""The forum's posts and topics as moderation sees them: the "post" target kind (load, state, hide or publish with
the topic kept in step, the moderator's and the writer's new words, the posts around one) and the "topic" place
of conflict alerts. Registered with ``moderation.targets`` by ``forum.wiring``; moderation never imports the
forum."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from community.auth.models import User
from community.core.realtime import group_room, queue_event
from community.core.sanitize import render_markdown
from community.core.time import utcnow
from community.extensions import db
from community.forum import mentions, places, writing
from community.forum import notices as forum_events
from community.forum import policy as forum_policy
from community.forum.models import Post, PostRevision, Topic
from community.groups.models import Group, Membership
from community.moderation.filter_models import TopicSlowMode
from community.moderation.targets import PlaceKind, SlowedPlace, Target, TargetKind

SLOWED_SHOWN = 50  # topics listed as slowed on the settings page, newest first


def load(post_id: int) -> Target | None:
    post = db.session.get(Post, post_id)
    if post is None:
        return None
    topic = db.session.get(Topic, post.topic_id)
    return Target("post", post.id, post.group_id, post.author, post=post, topic=topic, words_editable=True)


def state(target: Target) -> str:
    return target.post.state


def is_opening_post(post: Post) -> bool:
    first = db.session.scalar(select(Post.id).where(Post.topic_id == post.topic_id).order_by(Post.id).limit(1))
    return first == post.id


def set_post_state(post: Post, topic: Topic, state: str, reason: str = "") -> None:
    """Move a post to ``state`` and keep its topic in step: the opening post carries the topic with it; a reply
    changes the reply count. Becoming published tells the topic's readers and the people it mentions."""
    before = post.state
    if before == state:
        return
    post.state, post.state_reason = state, reason
    if is_opening_post(post):
        topic.state = "held" if state == "rephrase" else state
        if state == "published":
            topic.last_activity_at = max(topic.last_activity_at, post.created_at)
    else:
        if before == "published":
            topic.reply_count = max(topic.reply_count - 1, 0)
        if state == "published":
            topic.reply_count += 1
            topic.last_activity_at = utcnow()
    db.session.flush()
    if state == "published":
        queue_event("forum:post", {"topic_id": topic.id, "post_id": post.id}, room=group_room(post.group_id))
        mentions.notify_on_publish(post)
        forum_events.post_published(post)  # replies notify the topic's writers once a moderator lets them through


def set_state(target: Target, state: str, reason: str) -> None:
    if target.topic is not None:
        set_post_state(target.post, target.topic, state, reason)


def sees(actor: User, membership: Membership | None, target: Target) -> bool:
    if target.topic is None:
        return False
    group = db.session.get(Group, target.group_id)
    return target.post.state == "published" and forum_policy.can_read_topic(actor, group, membership, target.topic)


def edit_words(target: Target, editor_id: int, group_id: int, text: str) -> None:
    """A moderator's "edit and approve": the writer's text is kept as a revision; mentions are linked again."""
    post, now = target.post, utcnow()
    db.session.add(PostRevision(post_id=post.id, editor_id=editor_id, body_source=post.body_source, created_at=now))
    post.body_source, post.body_html, post.edited_at = text, render_markdown(text), now
    post.body_html, _mentioned = mentions.link_mentions(group_id, post.body_html)


def rephrase(target: Target, editor_id: int, text: str) -> None:
    """The writer's rephrased text after a moderator asked; the old text is kept as a revision."""
    post, now = target.post, utcnow()
    db.session.add(PostRevision(post_id=post.id, editor_id=editor_id, body_source=post.body_source, created_at=now))
    post.body_source, post.body_html, post.edited_at = text, render_markdown(text), now


def restore_words(target: Target, editor_id: int, edited_at: datetime) -> None:
    """Undo a moderator's edit: the writer's text from just before it comes back; the moderator's version is
    kept as a revision in turn."""
    post = target.post
    earlier = db.session.scalar(
        select(PostRevision)
        .where(PostRevision.post_id == post.id, PostRevision.created_at <= edited_at)
        .order_by(PostRevision.id.desc())
        .limit(1)
    )
    if earlier is None:
        return
    db.session.add(PostRevision(post_id=post.id, editor_id=editor_id, body_source=post.body_source))
    post.body_source, post.body_html = earlier.body_source, render_markdown(earlier.body_source)


def around(target: Target, count: int) -> tuple[Post | None, list[Post], list[Post]]:
    """The topic's opening post (unless it is this one) and the published posts just before and after it."""
    post = target.post
    opening = db.session.scalar(select(Post).where(Post.topic_id == post.topic_id).order_by(Post.id).limit(1))
    shown = Post.state == "published"
    before = list(
        db.session.scalars(
            select(Post).where(Post.topic_id == post.topic_id, shown, Post.id < post.id, Post.id != opening.id)
            .order_by(Post.id.desc()).limit(count)
        )
    )[::-1]  # fmt: skip
    after = list(
        db.session.scalars(
            select(Post).where(Post.topic_id == post.topic_id, shown, Post.id > post.id).order_by(Post.id).limit(count)
        )
    )
    return (opening if opening is not None and opening.id != post.id else None), before, after


def authored(group_id: int, user_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Post).where(Post.group_id == group_id, Post.author_id == user_id)
    ) or 0  # fmt: skip


def load_topic(topic_id: int) -> Topic | None:
    return db.session.get(Topic, topic_id)


def latest_posts(topic: Topic, count: int) -> list[Post]:
    rows = db.session.scalars(
        select(Post).where(Post.topic_id == topic.id, Post.state == "published").order_by(Post.id.desc()).limit(count)
    )
    return list(rows)[::-1]


def slowed_topics(group_id: int) -> list[SlowedPlace]:
    """The group's topics in slow mode now (at most 50, newest first)."""
    rows = db.session.execute(
        select(TopicSlowMode, Topic.title)
        .join(Topic, Topic.id == TopicSlowMode.topic_id)
        .where(TopicSlowMode.group_id == group_id)
        .order_by(TopicSlowMode.created_at.desc())
        .limit(SLOWED_SHOWN)
    ).all()
    return [SlowedPlace("topic", row.topic_id, title, row.seconds, row.set_by_id is None) for row, title in rows]


POST = TargetKind(
    "post", load, state, set_state, sees=sees, clean_body=writing.clean_body, edit_words=edit_words,
    rephrase=rephrase, restore_words=restore_words, around=around, authored=authored,
)  # fmt: skip
TOPIC = PlaceKind(
    "topic", load_topic, latest_posts, slowed_topics, target_type="post", watched_group_id=places.group_of_topic,
    place_of=places.topic_of_post, recent_exchange=places.recent_authors, item_ids=places.post_ids,
    slow_mode=places.slow_mode, set_slow_mode=places.set_slow_mode,
    not_found=_l("We could not find that topic. It may have been removed."),
)  # fmt: skip
