"""Forum rules: writing topics and replies (screened, sanitised once at write time) and reading them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from community.auth.models import User
from community.core.errors import DomainError, NotFound
from community.core.sanitize import render_markdown
from community.core.time import utcnow
from community.extensions import db
from community.forum.models import Post, Topic
from community.groups import policy
from community.groups.services import GroupAccess
from community.moderation import services as moderation

TITLE_MAX, BODY_MAX = 160, 20_000
TOPICS_PER_PAGE, POSTS_PER_PAGE = 25, 20


@dataclass(frozen=True)
class WriteResult:
    post: Post
    topic: Topic
    state: str
    message: str  # what the writer is told


def _clean_body(body: str) -> str:
    text = (body or "").replace("\x00", "").strip()
    if not text:
        raise DomainError("Write something before you send it.", field="body")
    if len(text) > BODY_MAX:
        raise DomainError(f"A post can be at most {BODY_MAX:,} characters. Please shorten it.", field="body")
    return text


def _writer_message(state: str, reason: str) -> str:
    if state == "held":
        return "Thank you. A moderator will look at your post before it is shown."
    if state == "refused":
        return reason
    return "Your post is published."


def _check_can_write(actor: User, access: GroupAccess) -> None:
    if access.group.state != "active":
        raise DomainError("This group is archived; you can read it but not write in it.")
    if not policy.can_write_in_group(actor, access.group, access.membership):
        raise DomainError("You cannot write in this group at the moment.")


def create_topic(actor: User, access: GroupAccess, *, title: str, body: str, content_warning: str = "") -> WriteResult:
    _check_can_write(actor, access)
    title = " ".join((title or "").split())
    if not 3 <= len(title) <= TITLE_MAX:
        raise DomainError(f"Give the topic a title of 3 to {TITLE_MAX} characters.", field="title")
    text = _clean_body(body)
    screening = moderation.screen(actor, access.group, access.membership, f"{title}\n{text}", kind="topic")
    if screening.verdict == moderation.REFUSE:
        raise DomainError(screening.reason, field="body")
    now = utcnow()
    topic = Topic(
        group_id=access.group.id, author_id=actor.id, title=title, state=screening.state,
        created_at=now, last_activity_at=now,
    )  # fmt: skip
    db.session.add(topic)
    db.session.flush()
    post = _add_post(actor, access, topic, text, content_warning, screening)
    return WriteResult(post, topic, screening.state, _writer_message(screening.state, screening.reason))


def reply(actor: User, access: GroupAccess, topic: Topic, *, body: str, content_warning: str = "") -> WriteResult:
    _check_can_write(actor, access)
    if topic.group_id != access.group.id or topic.state != "published":
        raise NotFound("We could not find that topic. It may have been removed.")
    text = _clean_body(body)
    screening = moderation.screen(actor, access.group, access.membership, text, kind="reply")
    if screening.verdict == moderation.REFUSE:
        raise DomainError(screening.reason, field="body")
    post = _add_post(actor, access, topic, text, content_warning, screening)
    if screening.verdict == moderation.PUBLISH:
        topic.reply_count += 1
        topic.last_activity_at = post.created_at
    return WriteResult(post, topic, screening.state, _writer_message(screening.state, screening.reason))


def _add_post(
    actor: User, access: GroupAccess, topic: Topic, text: str, content_warning: str, screening: moderation.Screening
) -> Post:
    post = Post(
        topic_id=topic.id,
        group_id=access.group.id,
        author_id=actor.id,
        body_source=text,
        body_html=render_markdown(text),
        content_warning=" ".join((content_warning or "").split())[:80],
        is_coach_post=access.is_moderator,
        state=screening.state,
        state_reason=screening.reason,
        created_at=utcnow(),
    )
    db.session.add(post)
    db.session.flush()
    if screening.verdict == moderation.HOLD:
        moderation.enqueue_held(access.group, target_type="post", target_id=post.id, screening=screening)
    return post


def list_topics(access: GroupAccess, *, page: int = 1) -> tuple[list[Topic], bool]:
    """Published topics, pinned first, then by last activity; (topics, has_more)."""
    page = max(page, 1)
    rows = db.session.scalars(
        select(Topic)
        .options(joinedload(Topic.author))
        .where(Topic.group_id == access.group.id, Topic.state == "published")
        .order_by(Topic.pinned.desc(), Topic.last_activity_at.desc(), Topic.id.desc())
        .offset((page - 1) * TOPICS_PER_PAGE)
        .limit(TOPICS_PER_PAGE + 1)
    ).all()
    return list(rows[:TOPICS_PER_PAGE]), len(rows) > TOPICS_PER_PAGE


def open_topic(access: GroupAccess, topic_id: int) -> Topic:
    topic = db.session.get(Topic, topic_id)
    if topic is None or topic.group_id != access.group.id or topic.state != "published":
        raise NotFound("We could not find that topic. It may have been removed.")
    return topic


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


def count_published_topics(access: GroupAccess) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(Topic).where(Topic.group_id == access.group.id, Topic.state == "published")
        )
        or 0
    )
