"""Retention: per group, chat messages and/or forum posts older than N days are deleted.

A group's own period (``groups.retention_chat_days`` / ``retention_posts_days``) wins; otherwise the instance
default (RETENTION_CHAT_DAYS / RETENTION_POSTS_DAYS; 0 means keep). ``flask retention run`` deletes in batches,
each batch committed on its own, so it is safe to stop and re-run (idempotent) from cron or a systemd timer;
``--dry-run`` counts what would go and changes nothing.

Posts: a reply older than the period goes. A topic goes as a whole when its opening post is older than the
period and nothing newer was written in it; the opening post of a topic that is still active stays until
the topic has been quiet for the whole period (removing it would orphan the replies).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, func, select

from community.auth.models import User
from community.chat.models import Conversation, Message
from community.core import audit
from community.core.errors import DomainError, NotFound
from community.core.time import utcnow
from community.extensions import db
from community.forum.image_models import PostImage
from community.forum.models import Post, Topic
from community.groups.models import Group

BATCH = 500


@dataclass
class GroupOutcome:
    slug: str
    chat_days: int | None
    posts_days: int | None
    messages: int = 0
    posts: int = 0
    topics: int = 0


def check_days(value: int | None, field: str) -> int | None:
    """None: no period (use the default). 0 or a negative number: refused, with what to do instead."""
    if value is None:
        return None
    if not isinstance(value, int) or value <= 0:
        raise DomainError(_l("A retention period is a number of days of at least 1. Leave it empty to keep "
                             "everything (or use the instance default)."), field=field)  # fmt: skip
    if value > 36_500:
        raise DomainError(_l("A retention period can be at most 36,500 days."), field=field)
    return value


def set_group_retention(actor: User, group: Group, *, chat_days: int | None, posts_days: int | None) -> Group:
    if not actor.is_admin or actor.state != "active":
        raise NotFound(_l("We could not find that group."))
    group.retention_chat_days = check_days(chat_days, "chat_days")
    group.retention_posts_days = check_days(posts_days, "posts_days")
    db.session.flush()
    audit.record("group.retention_changed", actor_id=actor.id, target_type="group", target_id=group.id,
                 group_id=group.id, details={"chat_days": chat_days, "posts_days": posts_days})  # fmt: skip
    return group


def _default(name: str) -> int | None:
    value = int(current_app.config.get(name, 0) or 0)
    if value < 0:
        raise DomainError(_l("%(name)s must be 0 (keep) or a number of days.", name=name))
    return value or None


def periods(group: Group) -> tuple[int | None, int | None]:
    return (
        group.retention_chat_days or _default("RETENTION_CHAT_DAYS"),
        group.retention_posts_days or _default("RETENTION_POSTS_DAYS"),
    )


def _old_messages(group_id: int, cutoff: datetime):
    rooms = select(Conversation.id).where(Conversation.group_id == group_id)
    return select(Message.id).where(Message.conversation_id.in_(rooms), Message.created_at < cutoff)


def _old_replies(group_id: int, cutoff: datetime):
    first = select(func.min(Post.id)).where(Post.topic_id == Topic.id).correlate(Topic).scalar_subquery()
    openers = select(first).select_from(Topic).where(Topic.group_id == group_id)
    return select(Post.id).where(Post.group_id == group_id, Post.created_at < cutoff, Post.id.not_in(openers))


def _old_topics(group_id: int, cutoff: datetime):
    newer = select(Post.id).where(Post.topic_id == Topic.id, Post.created_at >= cutoff).correlate(Topic).exists()
    return select(Topic.id).where(Topic.group_id == group_id, Topic.created_at < cutoff, ~newer)


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _delete_files(names: list[str]) -> None:
    root = Path(current_app.config["UPLOAD_DIR"])
    for name in names:
        (root / name).unlink(missing_ok=True)


def _purge(query, model, *, post_ids_for_images=None) -> int:
    """Delete the rows ``query`` selects, BATCH at a time, committing each batch."""
    total = 0
    while True:
        ids = list(db.session.scalars(query.limit(BATCH)))
        if not ids:
            return total
        files: list[str] = []
        if post_ids_for_images is not None:
            files = list(db.session.scalars(select(PostImage.file_name).where(post_ids_for_images(ids))))
        db.session.execute(delete(model).where(model.id.in_(ids)))
        db.session.commit()
        _delete_files(files)
        total += len(ids)


def run(*, dry_run: bool = False, now: datetime | None = None) -> list[GroupOutcome]:
    now = now or utcnow()
    outcomes = []
    for group in db.session.scalars(select(Group).order_by(Group.id)).all():
        chat_days, posts_days = periods(group)
        outcome = GroupOutcome(group.slug, chat_days, posts_days)
        if chat_days:
            query = _old_messages(group.id, now - timedelta(days=chat_days))
            if dry_run:
                outcome.messages = _count(query)
            else:
                db.session.execute(
                    Message.__table__.update().where(Message.reply_to_id.in_(query)).values(reply_to_id=None)
                )
                outcome.messages = _purge(query, Message)
        if posts_days:
            cutoff = now - timedelta(days=posts_days)
            topics, replies = _old_topics(group.id, cutoff), _old_replies(group.id, cutoff)
            if dry_run:
                outcome.topics = _count(topics)
                outcome.posts = _count(replies)
            else:
                outcome.posts = _purge(replies, Post, post_ids_for_images=lambda ids: PostImage.post_id.in_(ids))
                outcome.topics = _purge(
                    topics, Topic, post_ids_for_images=lambda ids: PostImage.post_id.in_(
                        select(Post.id).where(Post.topic_id.in_(ids)))
                )  # fmt: skip
                if outcome.posts:
                    _recount_replies(group.id)
        if not dry_run and (outcome.messages or outcome.posts or outcome.topics):
            audit.record("retention.applied", actor_id=None, target_type="group", target_id=group.id,
                         group_id=group.id, details={"messages": outcome.messages, "posts": outcome.posts,
                                                     "topics": outcome.topics})  # fmt: skip
            db.session.commit()
        outcomes.append(outcome)
    return outcomes


def _recount_replies(group_id: int) -> None:
    published = (
        select(func.count())
        .select_from(Post)
        .where(Post.topic_id == Topic.id, Post.state == "published")
        .correlate(Topic)
        .scalar_subquery()
    )
    db.session.execute(
        Topic.__table__.update()
        .where(Topic.group_id == group_id)
        .values(reply_count=case((published > 0, published - 1), else_=0))
    )
    db.session.commit()
