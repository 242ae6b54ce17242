"""What moderation asks the forum about its posts, answered here so that moderation never reads forum tables.

Connected from ``forum.wiring``: ``moderation.signals.published_count`` (how many published posts a member has
in a group: the new-member limits and the pre-moderation of a new member's first posts) and
``moderation.signals.recent_posts`` (a safeguarding case's context: its subject's latest posts)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from community.extensions import db
from community.forum.models import Post


def published_posts(_sender: object, *, user_id: int, group_id: int, limit: int, kinds: Sequence[str]) -> int:
    """The member's published posts in the group, counted no further than ``limit``."""
    if "post" not in kinds:
        return 0
    query = select(Post.id).where(Post.author_id == user_id, Post.group_id == group_id, Post.state == "published")
    return len(db.session.scalars(query.limit(limit)).all())


def recent_posts(_sender: object, *, group_id: int, user_id: int, limit: int) -> list[Post]:
    """The member's latest posts in the group (published or held), newest first."""
    return list(
        db.session.scalars(
            select(Post)
            .where(Post.group_id == group_id, Post.author_id == user_id, Post.state.in_(("published", "held")))
            .order_by(Post.id.desc())
            .limit(limit)
        )
    )
