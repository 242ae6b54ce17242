"""The forum's part of a group's retention (``groups.signals.retention_due``, sent by ``flask retention run``).

A reply older than the posts period goes. A topic goes as a whole when its opening post is older than the
period and nothing newer was written in it; the opening post of a topic that is still active stays until the
topic has been quiet for the whole period (removing it would orphan the replies). The images and documents of what goes
leave the disk after each batch is committed; reply counts are recounted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, func, select

from community.attachments import storage
from community.attachments.models import Attachment
from community.extensions import db
from community.forum.models import Post, Topic
from community.groups.models import Group
from community.groups.signals import retention_due

BATCH = 500


def _old_replies(group_id: int, cutoff: datetime):
    first = select(func.min(Post.id)).where(Post.topic_id == Topic.id).correlate(Topic).scalar_subquery()
    openers = select(first).select_from(Topic).where(Topic.group_id == group_id)
    return select(Post.id).where(Post.group_id == group_id, Post.created_at < cutoff, Post.id.not_in(openers))


def _old_topics(group_id: int, cutoff: datetime):
    newer = select(Post.id).where(Post.topic_id == Topic.id, Post.created_at >= cutoff).correlate(Topic).exists()
    return select(Topic.id).where(Topic.group_id == group_id, Topic.created_at < cutoff, ~newer)


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _purge(query, model, images_of: Callable[[list[int]], Any]) -> int:
    """Delete the rows ``query`` selects, BATCH at a time, committing each batch; then their files."""
    total = 0
    while ids := list(db.session.scalars(query.limit(BATCH))):
        files = list(db.session.scalars(select(Attachment.file_name).where(images_of(ids))))
        db.session.execute(delete(model).where(model.id.in_(ids)))
        db.session.commit()
        storage.remove_files(files)
        total += len(ids)
    return total


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


def apply(group: Group, *, posts_before: datetime | None, dry_run: bool, **_periods: Any) -> dict[str, int] | None:
    if posts_before is None:
        return None
    topics, replies = _old_topics(group.id, posts_before), _old_replies(group.id, posts_before)
    if dry_run:
        return {"posts": _count(replies), "topics": _count(topics)}
    posts = _purge(replies, Post, lambda ids: Attachment.post_id.in_(ids))
    removed_topics = _purge(
        topics, Topic, lambda ids: Attachment.post_id.in_(select(Post.id).where(Post.topic_id.in_(ids)))
    )
    if posts:
        _recount_replies(group.id)
    return {"posts": posts, "topics": removed_topics}


def connect() -> None:
    """From ``forum.wiring.init_app``; connecting again is a no-op (blinker keys receivers by identity)."""
    retention_due.connect(apply, weak=False)
